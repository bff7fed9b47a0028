import { createSignal } from 'solid-js';

export type ThemeChoice = 'system' | 'light' | 'dark';

const KEY = 'lounge.theme.v1';

function read(): ThemeChoice {
  try {
    const value = localStorage.getItem(KEY);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    return 'system';
  }
}

const [theme, setThemeSignal] = createSignal<ThemeChoice>(read());

/** Reactive: the member's choice on this device ("system" follows the operating system). */
export { theme };

/**
 * Puts the choice on <html data-theme>, which the style sheet reads; "system" removes it so the
 * prefers-color-scheme rules decide. A device setting (localStorage), like the OS setting it overrides.
 */
export function applyTheme(choice: ThemeChoice = theme()): void {
  const root = document.documentElement;
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
}

export function setTheme(choice: ThemeChoice): void {
  setThemeSignal(choice);
  try {
    if (choice === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  } catch {
    // Storage disabled: the choice holds until the page is closed.
  }
  applyTheme(choice);
}
