import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Fanout, FanoutEnvelope, FanoutEvent, FanoutHandler } from './fanout.ts';

/**
 * Redis pub/sub between sync nodes. One connection publishes, one (in subscriber mode) receives;
 * a node SUBSCRIBEs only to the topics of docs it holds. Messages are JSON envelopes with the origin
 * node id, so a node ignores its own echoes.
 */
export function createRedisFanout(
  publisher: Redis,
  subscriber: Redis,
  logger: Logger,
  nodeId: string = randomUUID(),
): Fanout {
  const handlers = new Map<string, Set<FanoutHandler>>();
  subscriber.on('message', (topic: string, raw: string) => {
    const set = handlers.get(topic);
    if (!set) return;
    let envelope: FanoutEnvelope;
    try {
      envelope = JSON.parse(raw) as FanoutEnvelope;
    } catch (err) {
      logger.warn({ err, topic }, 'dropped an unreadable fan-out message');
      return;
    }
    if (envelope.origin === nodeId) return;
    for (const handler of set) {
      try {
        handler(envelope);
      } catch (err) {
        logger.error({ err, topic }, 'fan-out handler failed');
      }
    }
  });
  // SUBSCRIBE and UNSUBSCRIBE take many topics: those asked for in one event-loop turn (a reconnect
  // storm loads hundreds of docs a second, each with a topic) go as one command, in the order asked.
  type TopicOp = {
    op: 'subscribe' | 'unsubscribe';
    topic: string;
    resolve: () => void;
    reject: (err: unknown) => void;
  };
  let queued: TopicOp[] = [];
  const flushTopicOps = () => {
    const ops = queued;
    queued = [];
    for (let i = 0; i < ops.length;) {
      let j = i;
      while (j < ops.length && ops[j]!.op === ops[i]!.op) j++;
      const run = ops.slice(i, j);
      const topics = run.map((r) => r.topic);
      const sent = run[0]!.op === 'subscribe' ? subscriber.subscribe(...topics) : subscriber.unsubscribe(...topics);
      sent.then(
        () => run.forEach((r) => r.resolve()),
        (err: unknown) => run.forEach((r) => r.reject(err)),
      );
      i = j;
    }
  };
  const topicOp = (op: TopicOp['op'], topic: string) =>
    new Promise<void>((resolve, reject) => {
      queued.push({ op, topic, resolve, reject });
      if (queued.length === 1) setImmediate(flushTopicOps);
    });
  return {
    nodeId,
    async publish(topic: string, event: FanoutEvent) {
      const receivers = await publisher.publish(
        topic,
        JSON.stringify({ origin: nodeId, event } satisfies FanoutEnvelope),
      );
      // PUBLISH counts subscribed connections, this node's own subscriber included when it holds the topic.
      return Math.max(0, receivers - (handlers.has(topic) ? 1 : 0));
    },
    async subscribe(topic: string, handler: FanoutHandler) {
      let set = handlers.get(topic);
      if (!set) {
        handlers.set(topic, (set = new Set()));
        await topicOp('subscribe', topic);
      }
      set.add(handler);
      return async () => {
        set.delete(handler);
        if (set.size === 0 && handlers.get(topic) === set) {
          handlers.delete(topic);
          await topicOp('unsubscribe', topic).catch(() => {});
        }
      };
    },
    async close() {
      handlers.clear();
    },
  };
}
