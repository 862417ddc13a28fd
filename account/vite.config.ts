// The account pages (issue 14): built to account/dist, served by the edge at /account
// (proxy/features/account). No inline script or style may end up in index.html: the pages'
// CSP has no 'unsafe-inline', so the module-preload polyfill (an inline script) is off.
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/account/',
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    target: 'es2022',
  },
});
