import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { AuthError, createTokenService, type TokenServiceOptions } from './tokens.ts';

const options = (signingSecret: string): TokenServiceOptions => ({
  hostJwtSecret: 'host-secret-for-tests-0123456789abcdef',
  jwksUrl: undefined,
  issuer: undefined,
  audience: 'lounge',
  signingSecret,
  acceptDemoTokens: false,
});

/** What a verifier answers a token: 'accepted', or the code it refused it with. */
const answerTo =
  (verify: (token: string) => Promise<unknown>) =>
  async (token: string): Promise<string> => {
    try {
      await verify(token);
    } catch (err) {
      return err instanceof AuthError ? err.code : 'not an AuthError';
    }
    return 'accepted';
  };

describe('connection tokens', () => {
  const tokens = createTokenService(options('signing-secret-for-tests-0123456789'));
  const refusal = answerTo((token) => tokens.verifyConnectionToken(token));

  const member = () => ({ id: randomUUID(), handle: 'ada.l', name: 'Ada Lövelace 🚀' });

  it('name the member they were issued to (id, handle, name) and expire within a minute', async () => {
    const ada = member();
    const { token, expiresAt } = await tokens.issueConnectionToken(ada);
    expect(await tokens.verifyConnectionToken(token)).toEqual(ada);
    expect(expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(60_000);
  });

  it('refuse a changed member, name, expiry, a changed or missing signature, and garbage', async () => {
    const { token } = await tokens.issueConnectionToken(member());
    const [v, id, exp, profile, mac] = token.split('.');
    const someoneElse = Buffer.from(JSON.stringify(['mallory', 'Mallory'])).toString('base64url');
    expect(await refusal(`${v}.${randomUUID()}.${exp}.${profile}.${mac}`)).toBe('token_invalid');
    expect(await refusal(`${v}.${id}.${exp}.${someoneElse}.${mac}`)).toBe('token_invalid');
    expect(await refusal(`${v}.${id}.${Number(exp) + 3600}.${profile}.${mac}`)).toBe('token_invalid');
    expect(await refusal(`${token.slice(0, -2)}${token.endsWith('AA') ? 'AB' : 'AA'}`)).toBe('token_invalid');
    expect(await refusal(token.split('.').slice(0, 4).join('.'))).toBe('token_invalid');
    expect(await refusal(`c1.${id}.${exp}.${mac}`)).toBe('token_invalid');
    expect(await refusal('not a token')).toBe('token_invalid');
    expect(await refusal('')).toBe('token_missing');
  });

  it('refuse a token signed by another server secret', async () => {
    const other = createTokenService(options('another-signing-secret-0123456789ab'));
    const { token } = await other.issueConnectionToken(member());
    expect(await refusal(token)).toBe('token_invalid');
  });

  it('refuse an expired token', async () => {
    const { token } = await tokens.issueConnectionToken(member());
    vi.useFakeTimers({ now: Date.now() + 61_000 });
    try {
      expect(await refusal(token)).toBe('token_expired');
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('member tokens from the host platform', () => {
  const tokens = createTokenService(options('signing-secret-for-tests-0123456789'));
  const hostSecret = new TextEncoder().encode(options('x').hostJwtSecret);
  const hostToken = (sub: string, expiresAt: number) =>
    new SignJWT({ handle: 'ada.l', name: 'Ada' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(sub)
      .setAudience('lounge')
      .setIssuedAt()
      .setExpirationTime(expiresAt)
      .sign(hostSecret);
  const refusal = answerTo((token) => tokens.verifyMemberToken(token));

  it('are accepted as often as they are sent, and refused from the second they expire', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await hostToken('host-ada', now + 5);
    for (let i = 0; i < 3; i++) {
      expect(await tokens.verifyMemberToken(token)).toEqual({
        hostUserId: 'host-ada',
        handle: 'ada.l',
        displayName: 'Ada',
        avatarUrl: undefined,
      });
    }
    vi.useFakeTimers({ now: (now + 6) * 1000 });
    try {
      expect(await refusal(token)).toBe('token_expired');
    } finally {
      vi.useRealTimers();
    }
  });

  it('a token one character away from an accepted one is refused', async () => {
    const token = await hostToken('host-grace', Math.floor(Date.now() / 1000) + 3600);
    expect(await refusal(token)).toBe('accepted');
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'AB' : 'AA'}`;
    expect(await refusal(tampered)).toBe('token_invalid');
    const [header, , signature] = token.split('.');
    const claims = Buffer.from(JSON.stringify({ sub: 'host-mallory', aud: 'lounge', exp: 4102444800 })).toString(
      'base64url',
    );
    expect(await refusal(`${header}.${claims}.${signature}`)).toBe('token_invalid');
  });

  it('handing back claims does not let one caller change what the next one reads', async () => {
    const token = await hostToken('host-lin', Math.floor(Date.now() / 1000) + 3600);
    const first = await tokens.verifyMemberToken(token);
    first.hostUserId = 'someone-else';
    expect((await tokens.verifyMemberToken(token)).hostUserId).toBe('host-lin');
  });
});
