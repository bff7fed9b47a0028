import { SignJWT } from 'jose';

/** A member token as the host platform signs it (HS256, audience 'lounge', sub + handle). */
export async function hostJwt(secret: string, sub: string, handle: string): Promise<string> {
  return new SignJWT({ handle, name: handle })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setAudience('lounge')
    .setIssuedAt()
    .setExpirationTime('3h')
    .sign(new TextEncoder().encode(secret));
}

/** The real client path: POST /api/auth/connection-token with the host token (creates the member on first visit). */
export async function connectionToken(baseUrl: string, jwt: string): Promise<{ token: string; userId: string }> {
  const res = await fetch(`${baseUrl}/api/auth/connection-token`, {
    method: 'POST',
    headers: { authorization: `Bearer ${jwt}` },
    signal: AbortSignal.timeout(30_000),
  });
  if (res.status !== 200) throw new Error(`connection-token ${res.status}: ${(await res.text()).slice(0, 200)}`);
  const { token, userId } = (await res.json()) as { token: string; userId?: string };
  if (!userId) throw new Error('connection-token answer without userId');
  return { token, userId };
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(lanes);
  return out;
}
