/**
 * Registers the service worker that lets the app shell open offline (client/sw-template.js). Only in
 * built apps: the dev server has no worker to serve, and a cached shell would hide code changes there.
 * (`import.meta.hot` marks the dev server; `import.meta.env.PROD` would not do, since it follows
 * NODE_ENV, and a build started from the test runner has NODE_ENV=test.)
 */
export function registerServiceWorker(): void {
  if (import.meta.hot || !('serviceWorker' in navigator)) return;
  const register = () => {
    navigator.serviceWorker.register('/sw.js').catch((err: unknown) => {
      // Without a worker Lounge still works online; it just cannot open offline.
      console.warn('Lounge could not install its offline support', err);
    });
  };
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}
