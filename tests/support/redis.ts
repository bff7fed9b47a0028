import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createRedisFanout } from '../../sync-server/fanout/redis-fanout.ts';
import type { Fanout } from '../../sync-server/fanout/fanout.ts';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A real Redis connection; a missing server fails the test loudly instead of skipping it. */
export async function connectRedis(): Promise<Redis> {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true, connectTimeout: 3000 });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new Error(`Redis is not reachable at ${TEST_REDIS_URL}: start it (see .ci/run).`, { cause: err });
  }
  return redis;
}

/** A node's Redis fan-out, as production wires it: one publishing and one subscribing connection. */
export async function redisFanout(): Promise<{ fanout: Fanout; close: () => Promise<void> }> {
  const [publisher, subscriber] = await Promise.all([connectRedis(), connectRedis()]);
  const fanout = createRedisFanout(publisher, subscriber, pino({ level: 'silent' }));
  return {
    fanout,
    close: async () => {
      await fanout.close();
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}
