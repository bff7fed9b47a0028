import { randomUUID } from 'node:crypto';
import type { Fanout, FanoutEnvelope, FanoutEvent, FanoutHandler } from './fanout.ts';

/**
 * Embedded default: fan-out inside one process. A bus connects any number of in-process nodes (the
 * embedded server has one; tests may start two), with the same echo rule as Redis: a node never
 * receives what it published itself.
 */
export function createMemoryFanoutBus(): { connect(nodeId?: string): Fanout } {
  const topics = new Map<string, Set<{ nodeId: string; handler: FanoutHandler }>>();
  return {
    connect(nodeId: string = randomUUID()): Fanout {
      return {
        nodeId,
        async publish(topic: string, event: FanoutEvent) {
          const subscribers = topics.get(topic);
          if (!subscribers) return 0;
          const envelope: FanoutEnvelope = { origin: nodeId, event };
          // Asynchronous like a real bus, so no caller comes to depend on synchronous delivery.
          queueMicrotask(() => {
            for (const s of subscribers) if (s.nodeId !== nodeId) s.handler(envelope);
          });
          return new Set([...subscribers].filter((s) => s.nodeId !== nodeId).map((s) => s.nodeId)).size;
        },
        async subscribe(topic: string, handler: FanoutHandler) {
          let subscribers = topics.get(topic);
          if (!subscribers) topics.set(topic, (subscribers = new Set()));
          const entry = { nodeId, handler };
          subscribers.add(entry);
          return async () => {
            subscribers.delete(entry);
            if (subscribers.size === 0) topics.delete(topic);
          };
        },
        async close() {
          for (const [topic, subscribers] of topics) {
            for (const s of subscribers) if (s.nodeId === nodeId) subscribers.delete(s);
            if (subscribers.size === 0) topics.delete(topic);
          }
        },
      };
    },
  };
}
