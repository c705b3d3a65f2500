import { defineConfig } from 'vite';

/**
 * The web UI's build. Vite 8 transforms TypeScript and JSX with Oxc; Preact's automatic JSX
 * runtime replaces React's. The SDK is imported from ../src/client (browser-safe), outside this
 * root, which a build allows and the dev server is told to allow.
 *
 * Output goes to web/dist (gitignored), served by the API server at `/` (src/api/web-ui-routes.ts).
 * No inline scripts or styles are emitted, so the server's `default-src 'self'` CSP holds.
 */
export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    // The polyfill would be one more script; every browser that runs ES2022 modules has preload.
    modulePreload: { polyfill: false },
    // Inline data: URIs for small assets are allowed by the CSP, but files keep caching simple.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  server: {
    fs: { allow: ['..'] },
    // `npx vite web` during development: the API runs on its default port.
    proxy: { '/v1': 'http://localhost:8080' },
  },
});
