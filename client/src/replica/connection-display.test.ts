import { describe, expect, it } from 'vitest';
import { ConnectionDisplay, OFFLINE_AFTER_MS } from './connection-display.ts';

describe('the header’s connection state', () => {
  it('a short drop after a long time online reads "connecting", a long one "offline"', () => {
    const display = new ConnectionDisplay(0);
    display.changed('connecting', 'online', 1_000);
    // An hour online, then the server restarts.
    const lost = 3_600_000;
    display.changed('online', 'connecting', lost);
    expect(display.state('connecting', true, lost + 1_000)).toBe('connecting');
    expect(display.state('offline', true, lost + OFFLINE_AFTER_MS - 1)).toBe('connecting');
    expect(display.state('offline', true, lost + OFFLINE_AFTER_MS + 1)).toBe('offline');
    display.changed('offline', 'online', lost + 20_000);
    expect(display.state('online', true, lost + 20_000)).toBe('online');
  });

  it('a page that never connected reads "connecting" for its first seconds; no network at all is "offline" at once', () => {
    const display = new ConnectionDisplay(0);
    expect(display.state('connecting', true, 2_000)).toBe('connecting');
    expect(display.state('connecting', true, OFFLINE_AFTER_MS + 1)).toBe('offline');
    expect(display.state('online', false, 0)).toBe('offline');
  });
});
