import { Show, type JSX } from 'solid-js';

/** A refusal or a failure in words, announced by screen readers as it appears; nothing when there is none. */
export function RefusalAlert(props: { message: string | null | undefined | false }): JSX.Element {
  return (
    <Show when={props.message}>
      {(text) => (
        <p class="refusal" role="alert">
          {text()}
        </p>
      )}
    </Show>
  );
}
