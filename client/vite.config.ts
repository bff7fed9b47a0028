import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

// Resolved from this file, not the working directory, so `vite build --config client/vite.config.ts`
// and the e2e global setup produce the same output wherever they are started from.
const clientDir = fileURLToPath(new URL('.', import.meta.url));
const apiServer = 'http://localhost:3000';

export default defineConfig({
  root: clientDir,
  plugins: [solid()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  server: {
    // The dev server only serves the UI; the sync server answers the API in development as in production.
    proxy: {
      '/api': apiServer,
      '/openapi.json': apiServer,
      '/healthz': apiServer,
    },
  },
});
