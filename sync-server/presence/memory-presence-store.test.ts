import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../shared/rules/limits.ts';
import { createMemoryPresenceStore } from './memory-presence-store.ts';

describe('typing in the embedded presence store', () => {
  const expiry = LIMITS.realtime.typingExpirySeconds * 1000;

  it('lasts 10 s after the last signal, is renewed by the next one, and ends on stop or leave', async () => {
    const store = createMemoryPresenceStore();
    await store.setTyping('room', 'ana', true, 1_000);
    await store.setTyping('room', 'ben', true, 1_000);
    expect(await store.typingUsers('room', 1_000 + expiry - 1)).toEqual(['ana', 'ben']);
    await store.setTyping('room', 'ana', true, 1_000 + expiry - 1);
    expect(await store.typingUsers('room', 1_000 + expiry)).toEqual(['ana']);
    await store.setTyping('room', 'ana', false);
    expect(await store.typingUsers('room', 1_000 + expiry)).toEqual([]);
    await store.setTyping('room', 'cy', true, 5_000);
    await store.leave('room', 'cy');
    expect(await store.typingUsers('room', 5_001)).toEqual([]);
    expect(await store.typingUsers('another room')).toEqual([]);
  });
});
