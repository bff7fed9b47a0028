import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../sync-server/app-deps.ts';
import type { Database } from '../../sync-server/db/database.ts';
import { createTestApp, hostToken, testConfig, type TestAppOptions } from './test-app.ts';

export interface SyncNode {
  app: FastifyInstance & { deps: AppDeps };
  baseUrl: string;
  /** A connection token for the member, as the app fetches it before opening the socket. */
  tokenFor(hostUserId: string): () => Promise<string>;
  close(): Promise<void>;
}

/** A real sync-server node listening on 127.0.0.1 over the given database. */
export async function startSyncNode(db: Database, options: TestAppOptions = {}): Promise<SyncNode> {
  const app = await createTestApp(db, testConfig(), options);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    app,
    baseUrl: address,
    tokenFor: (hostUserId: string) => async () => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/auth/connection-token',
        headers: { authorization: `Bearer ${await hostToken({ sub: hostUserId })}` },
      });
      if (res.statusCode !== 200) throw new Error(`connection token refused: ${res.body}`);
      return (res.json() as { token: string }).token;
    },
    close: () => app.close(),
  };
}
