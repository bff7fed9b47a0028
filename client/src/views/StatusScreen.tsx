import { Show, type JSX } from 'solid-js';
import { BrandMark } from '../components/BrandMark.tsx';
import { RefreshIcon } from '../components/icons.tsx';

/** A whole-page state before the app can show anything else: starting up, or unable to reach the server. */
export function StatusScreen(props: { message: string; error?: boolean; onRetry?: () => void }): JSX.Element {
  return (
    <main class="status-screen" id="main" aria-busy={!props.error}>
      <BrandMark size={56} />
      <Show
        when={props.error}
        fallback={
          <p role="status" class="status-screen__message">
            {props.message}
          </p>
        }
      >
        <p role="alert" class="status-screen__message">
          {props.message}
        </p>
        <Show when={props.onRetry}>
          {(retry) => (
            <button type="button" class="button button--primary" onClick={() => retry()()}>
              <RefreshIcon />
              Try again
            </button>
          )}
        </Show>
      </Show>
    </main>
  );
}
