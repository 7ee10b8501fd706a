/** The page's theme: follows the system's setting until the person toggles it, and is drawn through `<html data-theme>`. */
import { useCallback, useEffect, useState } from 'react';
import { loadThemeChoice, resolveTheme, saveThemeChoice, toggledChoice, type Theme, type ThemeChoice } from '../util/theme.ts';

const DARK_QUERY = '(prefers-color-scheme: dark)';

function systemPrefersDark(): boolean {
  return typeof matchMedia === 'function' && matchMedia(DARK_QUERY).matches;
}

/** Sets the theme on the document; styles.css draws each theme from `data-theme`. */
export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
}

/** The theme shown now, and the toggle. */
export function useTheme(): { theme: Theme; toggle(): void } {
  const [choice, setChoice] = useState<ThemeChoice>(loadThemeChoice);
  const [systemDark, setSystemDark] = useState(systemPrefersDark);
  useEffect(() => {
    if (typeof matchMedia !== 'function') return;
    const query = matchMedia(DARK_QUERY);
    const onChange = (): void => setSystemDark(query.matches);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);
  const theme = resolveTheme(choice, systemDark);
  useEffect(() => applyTheme(theme), [theme]);
  const toggle = useCallback(() => {
    const next = toggledChoice(theme, systemDark);
    saveThemeChoice(next);
    setChoice(next);
  }, [theme, systemDark]);
  return { theme, toggle };
}
