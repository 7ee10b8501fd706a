/**
 * Entry point: open the notebook's socket, drop the access token from the address bar,
 * guard links out of Duet, then draw the app.
 */
// First: where index.html loads only this entry (the dev server), it still runs before React and the app are evaluated.
import './boot.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { installLinkGuard } from './util/link-guard.ts';
import { applyTheme } from './state/use-theme.ts';
import { loadThemeChoice, resolveTheme } from './util/theme.ts';
import './styles.css';

// The server has turned `?token=` into a cookie; keep the token out of history and screenshots.
const url = new URL(location.href);
if (url.searchParams.has('token')) {
  url.searchParams.delete('token');
  history.replaceState(history.state, '', `${url.pathname}${url.search}${url.hash}`);
}

// Links that model or kernel output leads out of Duet open only after the user confirms.
installLinkGuard(document);

// The theme is set before the first frame, so a dark system never sees a light flash.
applyTheme(resolveTheme(loadThemeChoice(), matchMedia('(prefers-color-scheme: dark)').matches));

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
