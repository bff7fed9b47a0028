import { randomUUID } from 'node:crypto';
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

describe('connection tokens', () => {
  const tokens = createTokenService(options('signing-secret-for-tests-0123456789'));
  const refusal = async (token: string) => {
    try {
      await tokens.verifyConnectionToken(token);
    } catch (err) {
      return err instanceof AuthError ? err.code : 'not an AuthError';
    }
    return 'accepted';
  };

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
