import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import solid from 'vite-plugin-solid';

// Resolved from this file, not the working directory, so `vite build --config client/vite.config.ts`
// and the e2e global setup produce the same output wherever they are started from.
const clientDir = fileURLToPath(new URL('.', import.meta.url));
const publicDir = fileURLToPath(new URL('./public', import.meta.url));
const apiServer = 'http://localhost:3000';

/**
 * Emits /sw.js from sw-template.js with the list of files that make the app shell (this build's
 * index.html, hashed assets and public files) and a version derived from them, so every build that
 * changes the shell installs a new worker that drops the old cache.
 */
function serviceWorker(): Plugin {
  return {
    name: 'lounge-service-worker',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const built = Object.keys(bundle).filter((name) => !name.endsWith('.map') && name !== 'index.html');
      const publicFiles = readdirSync(publicDir);
      const shell = [
        '/index.html',
        ...built.map((name) => `/${name}`),
        ...publicFiles.map((name) => `/${name}`),
      ].sort();
      const hash = createHash('sha256').update(shell.join('\n'));
      const html = bundle['index.html'];
      if (html && html.type === 'asset') hash.update(html.source);
      const source = readFileSync(new URL('./sw-template.js', import.meta.url), 'utf8')
        .replace("const VERSION = '__VERSION__';", `const VERSION = '${hash.digest('hex').slice(0, 16)}';`)
        .replace('const SHELL = __SHELL__;', `const SHELL = ${JSON.stringify(shell)};`);
      this.emitFile({ type: 'asset', fileName: 'sw.js', source });
    },
  };
}

/**
 * The dev server answers the widget's addresses (/embed/<contextType>/<hostId>) with widget.html, as the
 * sync server does in production; without it they would get the app's index.html.
 */
function widgetPages(): Plugin {
  return {
    name: 'lounge-widget-pages',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use((req, _res, next) => {
        if (req.url && /^\/embed\/[^/?]+\/[^/?]+\/?(\?|$)/.test(req.url)) req.url = '/widget.html';
        next();
      });
    },
  };
}

export default defineConfig({
  root: clientDir,
  plugins: [solid(), serviceWorker(), widgetPages()],
  // PGlite (the replica's database, run in a module worker) finds its wasm and data files next to its own
  // module via import.meta.url: the dev server's pre-bundling would move the module away from them, and
  // its dynamic imports need an ES module worker rather than the default IIFE one.
  optimizeDeps: { exclude: ['@electric-sql/pglite'] },
  worker: { format: 'es' },
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    // Two pages from one code base: the app, and the embeddable chat widget (no router, one channel),
    // which shares the replica, sync and chat chunks with it.
    rollupOptions: {
      input: {
        app: fileURLToPath(new URL('./index.html', import.meta.url)),
        widget: fileURLToPath(new URL('./widget.html', import.meta.url)),
      },
    },
    target: 'es2022',
    sourcemap: true,
    // Readable names in CPU profiles (`npm run bench -- --only=client --profile` sets it); never for shipping.
    minify: process.env.LOUNGE_BUILD_NO_MINIFY ? false : 'esbuild',
  },
  server: {
    // The dev server only serves the UI; the sync server answers the API in development as in production.
    proxy: {
      '/api': apiServer,
      '/openapi.json': apiServer,
      '/healthz': apiServer,
      '/sync': { target: apiServer.replace(/^http/, 'ws'), ws: true },
    },
  },
});
