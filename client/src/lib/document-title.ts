import { createEffect, onCleanup } from 'solid-js';

const APP_NAME = 'Lounge';

/** Keeps the tab title in step with the page, so history entries and tabs say where they lead. */
export function useDocumentTitle(title: () => string | null): void {
  createEffect(() => {
    const part = title();
    document.title = part ? `${part} · ${APP_NAME}` : APP_NAME;
  });
  onCleanup(() => {
    document.title = APP_NAME;
  });
}
