import { describe, expect, it } from 'vitest';
import { liveRoomSettings } from './live-room-settings.ts';

describe("an open room's live settings", () => {
  it('takes what its meta doc says, of the right types only', () => {
    expect(
      liveRoomSettings({
        name: 'General',
        contextType: 'announcement',
        slowModeSeconds: 30,
        writePermissionLevel: 'moderator',
        minTrustLevel: 'member',
        archived: false,
        slug: 'general',
        position: 3,
      }),
    ).toEqual({
      name: 'General',
      contextType: 'announcement',
      slowModeSeconds: 30,
      writePermissionLevel: 'moderator',
      minTrustLevel: 'member',
      archived: false,
    });
    expect(
      liveRoomSettings({
        name: '',
        contextType: 'podcast',
        slowModeSeconds: '30',
        writePermissionLevel: 'everybody',
        minTrustLevel: 7,
        archived: 'no',
      }),
    ).toEqual({});
  });
});
