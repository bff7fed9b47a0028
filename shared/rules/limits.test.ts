import { describe, it, expect } from 'vitest';
import { LIMITS } from './limits.ts';

describe('LIMITS', () => {
  it('carries the spec numbers', () => {
    expect(LIMITS.text.messageBodyMaxChars).toBe(4000);
    expect(LIMITS.text.threadTitleMaxChars).toBe(200);
    expect(LIMITS.text.roomNameMaxChars).toBe(80);
    expect(LIMITS.text.roomDescriptionMaxChars).toBe(1000);
    expect(LIMITS.rate.messages).toEqual([
      { max: 10, windowSeconds: 60 },
      { max: 100, windowSeconds: 3600 },
    ]);
    expect(LIMITS.rate.reactions).toEqual([{ max: 30, windowSeconds: 60 }]);
    expect(LIMITS.rate.threadCreates).toEqual([{ max: 5, windowSeconds: 3600 }]);
    expect(LIMITS.dm.groupMaxParticipants).toBe(10);
    expect(LIMITS.realtime.typingExpirySeconds).toBe(10);
    expect(LIMITS.realtime.presenceTtlSeconds).toBe(60);
    expect(LIMITS.trust).toEqual({
      member: { minMessages: 10, minDays: 3 },
      trusted: { minMessages: 50, minDays: 14 },
    });
    expect(LIMITS.slowMode.newUserMultiplier).toBe(2);
    expect(LIMITS.moderation).toMatchObject({ aiFlagAt: 0.3, aiHideAt: 0.7, autoHideDistinctTrustedReports: 3 });
    expect(LIMITS.sync.segmentMessages).toBe(256);
    expect(LIMITS.history).toEqual({ pageSizeDefault: 50, pageSizeMax: 250 });
  });

  it('has the handle pattern of the users.handle CHECK, agreeing with its own min and max', () => {
    expect(LIMITS.handle.pattern.source).toBe('^[A-Za-z0-9_][A-Za-z0-9_.-]{1,31}$');
    expect(LIMITS.handle.pattern.flags).toBe('');
    expect(LIMITS.handle.pattern.test('a'.repeat(LIMITS.handle.minChars))).toBe(true);
    expect(LIMITS.handle.pattern.test('a'.repeat(LIMITS.handle.minChars - 1))).toBe(false);
    expect(LIMITS.handle.pattern.test('a'.repeat(LIMITS.handle.maxChars))).toBe(true);
    expect(LIMITS.handle.pattern.test('a'.repeat(LIMITS.handle.maxChars + 1))).toBe(false);
  });

  it('has rate windows that make sense: positive, and longer windows allow more', () => {
    for (const windows of Object.values(LIMITS.rate)) {
      let previous = { max: 0, windowSeconds: 0 };
      for (const w of windows) {
        expect(w.max).toBeGreaterThan(previous.max);
        expect(w.windowSeconds).toBeGreaterThan(previous.windowSeconds);
        previous = w;
      }
    }
  });

  it('keeps ordered thresholds ordered', () => {
    expect(LIMITS.moderation.aiFlagAt).toBeLessThan(LIMITS.moderation.aiHideAt);
    expect(LIMITS.trust.member.minMessages).toBeLessThan(LIMITS.trust.trusted.minMessages);
    expect(LIMITS.trust.member.minDays).toBeLessThan(LIMITS.trust.trusted.minDays);
    expect(LIMITS.history.pageSizeDefault).toBeLessThanOrEqual(LIMITS.history.pageSizeMax);
    expect(LIMITS.history.pageSizeMax).toBeLessThan(LIMITS.sync.segmentMessages);
    expect(LIMITS.text.messageBodyMaxChars * 4).toBeLessThan(LIMITS.sync.wsFrameMaxBytes);
  });
});
