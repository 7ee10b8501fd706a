import { defineConfig } from 'vite';

/**
 * The browser app is plain React with the automatic JSX runtime; no React plugin is
 * needed because there is no fast refresh to support, only a static build that
 * `duet serve` hands out from `dist/`.
 */
export const config = defineConfig({
  root: import.meta.dirname,
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1500,
  },
});

// Vite only reads a config file's default export.
export default config;
