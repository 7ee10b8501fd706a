import { defineConfig, type Plugin } from 'vite';

/**
 * The page's first script, `src/boot.ts`, is an entry of its own: index.html loads it
 * as a module script ahead of the app's, so it runs (and opens the notebook's socket)
 * as soon as its few hundred bytes arrive, not after the app's whole bundle has been
 * fetched and compiled. The app imports it too; a module runs once per page, so the
 * app finds the socket it opened.
 */
function bootScriptFirst(): Plugin {
  return {
    name: 'duet-boot-script-first',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const boot = Object.values(ctx.bundle ?? {}).find((c) => c.type === 'chunk' && c.isEntry && c.name === 'boot');
        if (!boot) throw new Error('the build has no boot chunk');
        // Before the app's script: module scripts run in document order.
        const app = html.indexOf('<script type="module"');
        if (app < 0) throw new Error('index.html has no module script');
        return `${html.slice(0, app)}<script type="module" crossorigin src="/${boot.fileName}"></script>\n    ${html.slice(app)}`;
      },
    },
  };
}

/**
 * The browser app is plain React with the automatic JSX runtime; no React plugin is
 * needed because there is no fast refresh to support, only a static build that
 * `duet serve` hands out from `dist/`.
 */
export const config = defineConfig({
  root: import.meta.dirname,
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  plugins: [bootScriptFirst()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1500,
    rollupOptions: { input: { index: `${import.meta.dirname}/index.html`, boot: `${import.meta.dirname}/src/boot.ts` } },
  },
});

// Vite only reads a config file's default export.
export default config;
