import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Fanout, FanoutEnvelope, FanoutEvent, FanoutHandler } from './fanout.ts';

/**
 * Redis pub/sub between sync nodes. One connection publishes, one (in subscriber mode) receives;
 * a node SUBSCRIBEs only to the topics of docs it holds.
 *
 * A message is `<origin node id>|<JSON event>`. Redis hands every message back to its own publisher
 * when that node holds the topic (it usually does: it publishes the changes of docs it serves), so most
 * of what a busy node receives is its own echo; the origin up front lets it drop those by comparing a
 * few bytes, before decoding or parsing anything. A JSON envelope (`{"origin":…,"event":…}`, what nodes
 * before this format sent) is still read, so nodes can be upgraded one at a time.
 */
export function createRedisFanout(
  publisher: Redis,
  subscriber: Redis,
  logger: Logger,
  nodeId: string = randomUUID(),
): Fanout {
  if (nodeId.length === 0 || nodeId.includes(SEPARATOR))
    throw new Error(`a node id must be non-empty, without "${SEPARATOR}"`);
  const echo = Buffer.from(nodeId + SEPARATOR);
  const handlers = new Map<string, Set<FanoutHandler>>();
  subscriber.on('messageBuffer', (rawTopic: Buffer, message: Buffer) => {
    if (message.length >= echo.length && message.compare(echo, 0, echo.length, 0, echo.length) === 0) return;
    const topic = rawTopic.toString();
    const set = handlers.get(topic);
    if (!set) return;
    const envelope = readEnvelope(message.toString());
    if (!envelope) {
      logger.warn({ topic }, 'dropped an unreadable fan-out message');
      return;
    }
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
      const receivers = await publisher.publish(topic, nodeId + SEPARATOR + JSON.stringify(event));
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

const SEPARATOR = '|';

function readEnvelope(raw: string): FanoutEnvelope | undefined {
  try {
    if (raw.startsWith('{')) return JSON.parse(raw) as FanoutEnvelope;
    const at = raw.indexOf(SEPARATOR);
    if (at <= 0) return undefined;
    return { origin: raw.slice(0, at), event: JSON.parse(raw.slice(at + 1)) as FanoutEvent };
  } catch {
    return undefined;
  }
}
