import { Show, type JSX } from 'solid-js';
import { BrandMark } from '../components/BrandMark.tsx';
import { RefreshIcon } from '../components/icons.tsx';

/**
 * The widget's whole-frame states (waiting for the host, signed out, no access, unreachable): a short title
 * and one sentence, never an empty or broken frame. `alert` is for refusals and failures a screen reader
 * should hear at once.
 */
export function WidgetNotice(props: {
  title: string;
  text: string;
  alert?: boolean;
  busy?: boolean;
  onRetry?: () => void;
  children?: JSX.Element;
}): JSX.Element {
  return (
    <main class="widget-notice" aria-busy={props.busy ?? false} data-testid="widget-notice">
      <BrandMark size={40} />
      <h1 class="widget-notice__title">{props.title}</h1>
      <p class="widget-notice__text" role={props.alert ? 'alert' : 'status'}>
        {props.text}
      </p>
      {props.children}
      <Show when={props.onRetry}>
        {(retry) => (
          <button type="button" class="button button--secondary button--small" onClick={() => retry()()}>
            <RefreshIcon />
            Try again
          </button>
        )}
      </Show>
    </main>
  );
}
