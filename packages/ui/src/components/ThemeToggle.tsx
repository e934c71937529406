import { useEffect, useState } from 'react';
import { chooseTheme, effectiveTheme, systemTheme, type Theme } from '../theme/theme.ts';

/** Switches between light and dark; back on the system's theme, the choice is forgotten. */
export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>(effectiveTheme);
  useEffect(() => {
    const media = window.matchMedia?.('(prefers-color-scheme: dark)');
    const follow = () => setTheme(effectiveTheme());
    media?.addEventListener('change', follow);
    return () => media?.removeEventListener('change', follow);
  }, []);
  const next: Theme = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      className="theme-toggle"
      aria-label={`Switch to ${next} mode`}
      title={`Switch to ${next} mode`}
      onClick={() => {
        chooseTheme(next === systemTheme() ? null : next);
        setTheme(next);
      }}
    >
      {theme === 'dark' ? '☀ Light' : '☾ Dark'}
    </button>
  );
}
