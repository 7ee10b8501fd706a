/** Switches between the light and the dark theme; pressed while dark. */
import type { Theme } from '../util/theme.ts';

export function ThemeToggle({ theme, onToggle }: { theme: Theme; onToggle(): void }) {
  const dark = theme === 'dark';
  return (
    <button type="button" className="theme-toggle" aria-pressed={dark} title={dark ? 'Dark mode is on: switch to light' : 'Switch to dark mode'} onClick={onToggle}>
      <span aria-hidden="true">{dark ? '☾' : '☀'}</span> Dark mode
    </button>
  );
}
