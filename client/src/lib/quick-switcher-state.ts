import { createRoot, createSignal } from 'solid-js';

/**
 * Whether the quick switcher is open: one place for the keyboard's Ctrl/⌘+K and for the buttons that open
 * it where there is no keyboard (a phone).
 */
const [switcherOpen, setSwitcherOpen] = createRoot(() => createSignal(false));

export { setSwitcherOpen, switcherOpen };
