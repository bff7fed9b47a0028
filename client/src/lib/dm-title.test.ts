import { describe, expect, it } from 'vitest';
import { aloneRefusal, dmTitle } from './dm-title.ts';

const dm = (participantIds: string[], extra: { isGroup?: boolean; title?: string | null } = {}) => ({
  channelId: 'c',
  isGroup: extra.isGroup ?? participantIds.length > 2,
  title: extra.title ?? null,
  participantIds,
});
const names: Record<string, string> = { ben: 'Ben', cy: 'Cy' };
const nameOf = (id: string) => names[id] ?? id;

describe("a conversation's name", () => {
  it('is its title, or the others’ names; a 1:1 whose other member deleted their account stays theirs', () => {
    expect(dmTitle(dm(['me', 'ben']), 'me', nameOf)).toBe('Ben');
    expect(dmTitle(dm(['me', 'ben', 'cy']), 'me', nameOf)).toBe('Ben, Cy');
    expect(dmTitle(dm(['me', 'ben', 'cy'], { title: 'Weekend hack' }), 'me', nameOf)).toBe('Weekend hack');
    expect(dmTitle(dm(['me'], { isGroup: false }), 'me', nameOf)).toBe('Deleted user');
    expect(dmTitle(dm(['me'], { isGroup: true }), 'me', nameOf)).toBe('Just you');
  });

  it('takes no words once nobody else is in it', () => {
    expect(aloneRefusal(dm(['me', 'ben']), 'me')).toBeNull();
    expect(aloneRefusal(dm(['me'], { isGroup: false }), 'me')).toMatch(/deleted their account/);
    expect(aloneRefusal(dm(['me'], { isGroup: true }), 'me')).toMatch(/Everyone else left/);
  });
});
