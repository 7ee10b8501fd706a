/**
 * Light or dark: the system's choice (`prefers-color-scheme`) until the person
 * picks one with the toggle. Picking what the system asks for anyway goes back
 * to following the system, so a later change of the system setting is followed.
 */

export type Theme = 'light' | 'dark';
/** What this browser remembers: a theme, or "follow the system". */
export type ThemeChoice = Theme | 'system';

const STORAGE_KEY = 'duet.theme';

/** The theme to draw. */
export function resolveTheme(choice: ThemeChoice, systemDark: boolean): Theme {
  if (choice === 'system') return systemDark ? 'dark' : 'light';
  return choice;
}

/** The choice after the toggle is pressed while `current` is shown. */
export function toggledChoice(current: Theme, systemDark: boolean): ThemeChoice {
  const next: Theme = current === 'dark' ? 'light' : 'dark';
  return next === resolveTheme('system', systemDark) ? 'system' : next;
}

/** The choice saved in this browser; `system` when there is none. */
export function loadThemeChoice(): ThemeChoice {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    return saved === 'light' || saved === 'dark' ? saved : 'system';
  } catch {
    return 'system';
  }
}

/** Remembers the choice in this browser. */
export function saveThemeChoice(choice: ThemeChoice): void {
  try {
    if (choice === 'system') localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, choice);
  } catch {
    // Private mode or full storage: the choice lasts until the page closes.
  }
}
