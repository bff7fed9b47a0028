import { createHmac, createSecretKey, timingSafeEqual, webcrypto, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { z } from 'zod';
import { VerifiedTokens } from './verified-tokens.ts';

/** Why a token was refused, in words a developer integrating the host platform can act on. */
export class AuthError extends Error {
  constructor(
    readonly code: 'token_missing' | 'token_expired' | 'token_invalid' | 'token_wrong_audience',
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

/** What a host-platform token says about a member; only `sub` is required. */
export interface MemberClaims {
  hostUserId: string;
  handle: string | undefined;
  displayName: string | undefined;
  avatarUrl: string | undefined;
}

const memberClaimsSchema = z.object({
  sub: z.string().min(1).max(200),
  handle: z.string().max(64).optional(),
  name: z.string().max(200).optional(),
  picture: z.string().max(2048).optional(),
});

const CONNECTION_AUDIENCE = 'lounge-ws';
const CONNECTION_TOKEN_TTL_SECONDS = 60;
const DEMO_ISSUER = 'lounge-embedded-demo';

export interface TokenServiceOptions {
  hostJwtSecret: string | undefined;
  jwksUrl: string | undefined;
  issuer: string | undefined;
  audience: string;
  signingSecret: string;
  /** Demo sessions are accepted only while demo sign-in is on, so turning it off revokes them all. */
  acceptDemoTokens: boolean;
}

export interface TokenService {
  verifyMemberToken(token: string): Promise<MemberClaims>;
  issueDemoToken(claims: { hostUserId: string; handle: string; displayName: string }): Promise<string>;
  issueConnectionToken(member: ConnectionMember): Promise<{ token: string; expiresAt: Date }>;
  verifyConnectionToken(token: string): Promise<ConnectionMember>;
}

function translate(err: unknown): AuthError {
  if (err instanceof AuthError) return err;
  if (err instanceof joseErrors.JWTExpired)
    return new AuthError('token_expired', 'The token has expired; sign in again.');
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') {
      return new AuthError('token_wrong_audience', 'The token was issued for another audience.');
    }
    return new AuthError('token_invalid', `The token's "${err.claim}" claim is not accepted: ${err.reason}.`);
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) {
    return new AuthError('token_invalid', 'The token signature is not valid.');
  }
  return new AuthError('token_invalid', 'The token is malformed or signed with an unsupported key.');
}

function importHmacKey(secret: string): Promise<webcrypto.CryptoKey> {
  return webcrypto.subtle.importKey('raw', Buffer.from(secret, 'utf8'), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ]);
}

export function createTokenService(options: TokenServiceOptions): TokenService {
  // A WebCrypto key imported once. jose works on CryptoKeys: a secret given as bytes or as a KeyObject is
  // exported and imported again on every verification (a third of jose's time per token).
  const hostKey = options.hostJwtSecret ? importHmacKey(options.hostJwtSecret) : undefined;
  const jwks = options.jwksUrl ? createRemoteJWKSet(new URL(options.jwksUrl)) : undefined;
  const ownKey = createSecretKey(Buffer.from(options.signingSecret, 'utf8'));
  const verified = new VerifiedTokens<MemberClaims>();

  return {
    async verifyMemberToken(token) {
      if (!token) throw new AuthError('token_missing', 'Sign in first: this request needs a bearer token.');
      const known = verified.get(token, Date.now());
      if (known) return { ...known };
      let payload: JWTPayload;
      try {
        const verifyOptions = {
          audience: options.audience,
          ...(options.issuer
            ? { issuer: options.acceptDemoTokens ? [options.issuer, DEMO_ISSUER] : [options.issuer] }
            : {}),
          requiredClaims: ['exp', 'sub'],
        };
        if (hostKey) {
          ({ payload } = await jwtVerify(token, await hostKey, { ...verifyOptions, algorithms: ['HS256'] }));
        } else if (jwks) {
          ({ payload } = await jwtVerify(token, jwks, verifyOptions));
        } else {
          throw new AuthError('token_invalid', 'No way to verify member tokens is configured.');
        }
      } catch (err) {
        throw translate(err);
      }
      if (payload.iss === DEMO_ISSUER && !options.acceptDemoTokens) {
        throw new AuthError('token_invalid', 'Demo sessions are not accepted by this server; sign in again.');
      }
      const claims = memberClaimsSchema.safeParse(payload);
      if (!claims.success) throw new AuthError('token_invalid', 'The token lacks a valid "sub" claim.');
      const member: MemberClaims = {
        hostUserId: claims.data.sub,
        handle: claims.data.handle,
        displayName: claims.data.name,
        avatarUrl: claims.data.picture,
      };
      // requiredClaims above: a verified token has a numeric exp.
      verified.remember(token, member, payload.exp!, Date.now());
      return { ...member };
    },

    async issueDemoToken({ hostUserId, handle, displayName }) {
      if (!hostKey) throw new Error('demo tokens need an HS256 member-token secret');
      return new SignJWT({ handle, name: displayName })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(hostUserId)
        .setAudience(options.audience)
        .setIssuer(DEMO_ISSUER)
        .setIssuedAt()
        .setExpirationTime('7d')
        .sign(await hostKey);
    },

    async issueConnectionToken(member) {
      const expiresAt = new Date(Date.now() + CONNECTION_TOKEN_TTL_SECONDS * 1000);
      return { token: signConnectionToken(ownKey, member, Math.floor(expiresAt.getTime() / 1000)), expiresAt };
    },

    async verifyConnectionToken(token) {
      if (!token) throw new AuthError('token_missing', 'A connection token is required.');
      return verifyConnectionTokenWith(ownKey, token, Math.floor(Date.now() / 1000));
    },
  };
}

/** Who a connection token was issued to: what the sync server stamps on their presence. */
export interface ConnectionMember {
  id: string;
  handle: string;
  name: string;
}

/*
 * Connection tokens are made and checked by this server only (clients treat them as opaque), so they
 * need no JWT: `c2.<user id>.<expiry, unix seconds>.<[handle, name] as base64url JSON>.<HMAC-SHA256,
 * base64url>` signed synchronously with node:crypto. Three WebCrypto JWT operations per connection were
 * a tenth of the server's time in a reconnect storm; this is two HMACs, microseconds each. The member's
 * handle and name ride in the token, issued seconds before the upgrade from the row the member token
 * was checked against, so opening the socket reads nothing from the database: handing a query to
 * PostgreSQL costs this process ~0.3 ms of CPU on a small VM. Member tokens from the host platform
 * stay standard JWTs (jose).
 */
const CONNECTION_TOKEN_VERSION = 'c2';
const connectionTokenPattern = /^c2\.([0-9a-f-]{36})\.(\d{1,12})\.([A-Za-z0-9_-]{1,1400})\.([A-Za-z0-9_-]{43})$/;
const profileSchema = z.tuple([z.string().min(1).max(64), z.string().max(200)]);

function connectionMac(key: KeyObject, userId: string, exp: number, profile: string): string {
  return createHmac('sha256', key)
    .update(`${CONNECTION_TOKEN_VERSION}.${CONNECTION_AUDIENCE}.${userId}.${exp}.${profile}`)
    .digest('base64url');
}

function signConnectionToken(key: KeyObject, member: ConnectionMember, exp: number): string {
  const profile = Buffer.from(JSON.stringify([member.handle, member.name])).toString('base64url');
  return `${CONNECTION_TOKEN_VERSION}.${member.id}.${exp}.${profile}.${connectionMac(key, member.id, exp, profile)}`;
}

/** Built once: a zod schema costs far more to make than to run, and this runs on every connection. */
const uuidSchema = z.uuid();

function verifyConnectionTokenWith(key: KeyObject, token: string, nowSeconds: number): ConnectionMember {
  const m = connectionTokenPattern.exec(token);
  const userId = m?.[1];
  const profile = m?.[3];
  if (!m || !userId || !profile || !uuidSchema.safeParse(userId).success) {
    throw new AuthError('token_invalid', 'The connection token is malformed; ask for a new one.');
  }
  const exp = Number(m[2]);
  const given = Buffer.from(m[4]!, 'base64url');
  const expected = Buffer.from(connectionMac(key, userId, exp, profile), 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AuthError('token_invalid', 'The connection token signature is not valid.');
  }
  if (exp <= nowSeconds) throw new AuthError('token_expired', 'The connection token has expired; ask for a new one.');
  // Signed by this server, so well-formed unless the server changed shape: checked all the same.
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(profile, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const fields = profileSchema.safeParse(parsed);
  if (!fields.success) throw new AuthError('token_invalid', 'The connection token is malformed; ask for a new one.');
  return { id: userId, handle: fields.data[0], name: fields.data[1] };
}
