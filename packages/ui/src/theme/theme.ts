/**
 * Light or dark: the system's `prefers-color-scheme` unless the user chose one with the toggle (kept
 * in localStorage). The choice goes on `<html data-theme>`; styles.css reads it.
 */

export type Theme = 'light' | 'dark';

const STORAGE_KEY = 'tidemark.theme';

/** The user's choice, or null to follow the system. */
export function chosenTheme(): Theme | null {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    return stored === 'light' || stored === 'dark' ? stored : null;
  } catch {
    return null;
  }
}

export function systemTheme(): Theme {
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** The theme shown now. */
export function effectiveTheme(): Theme {
  return chosenTheme() ?? systemTheme();
}

/** Applies a choice (null: follow the system again) and remembers it. */
export function chooseTheme(theme: Theme | null): void {
  try {
    if (theme === null) localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, theme);
  } catch {
    // Storage refused (private mode): the choice lasts until the page reloads.
  }
  applyTheme(theme);
}

export function applyTheme(theme: Theme | null = chosenTheme()): void {
  if (theme === null) delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}
