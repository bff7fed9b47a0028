/** Scenario sizes for the three modes: default (the figures), --quick (< 2 min), --tiny (the smoke test). */
export interface Sizes {
  mode: 'default' | 'quick' | 'tiny';
  fanout: { subs: number; rate: number; durationSec: number; warmupSec: number; drainSec: number };
  throughput: {
    rooms: number;
    subsPerRoom: number;
    rates: number[];
    stepSec: number;
    p99GateMs: number;
    settleSec: number;
  };
  connections: { count: number };
  storm: { clients: number; writerRate: number; reconnectMs: number; maxWaitSec: number };
  history: { small: number; big: number; chunk: number; coldProbe: boolean };
  layer1: { messages: number };
  pgprobe: { seconds: number; connections: number };
  /** History pages of 50 and search over one room of `messages` (bench/history-search.ts): pages sampled per route, searches per query kind. */
  pages: { messages: number; samples: number; searchSamples: number };
  /** The web app in Chromium: catch-up of `rooms` × `perRoom` missed messages; cold open with `replicaMessages` in the replica. */
  client: { rooms: number; perRoom: number; replicaMessages: number; opens: number; searches: number };
  /** Messages one writer member sends in a scenario: under the server's 10 per minute per member. */
  writerBudget: number;
  /** Load-generator processes for subscribers. */
  procs: number;
  /** Scales the settling pauses (idle before measuring RSS, warm pauses) down for the small modes. */
  pauseScale: number;
  /** Scenarios that also run against the peers (the others are Lounge-only by nature). */
  peerScenarios: Array<'fanout' | 'throughput' | 'connections'>;
}

export const SIZES: Record<Sizes['mode'], Sizes> = {
  default: {
    mode: 'default',
    fanout: { subs: 1000, rate: 50, durationSec: 20, warmupSec: 2, drainSec: 15 },
    throughput: {
      rooms: 100,
      subsPerRoom: 20,
      rates: [25, 50, 100, 200, 400, 800, 1600, 3200, 6400],
      stepSec: 4,
      p99GateMs: 100,
      settleSec: 3,
    },
    connections: { count: 5000 },
    storm: { clients: 2000, writerRate: 4, reconnectMs: 1000, maxWaitSec: 60 },
    history: { small: 1_000, big: 1_000_000, chunk: 100_000, coldProbe: true },
    layer1: { messages: 20_000 },
    pgprobe: { seconds: 5, connections: 8 },
    pages: { messages: 1_000_000, samples: 2000, searchSamples: 200 },
    client: { rooms: 10, perRoom: 1000, replicaMessages: 100_000, opens: 5, searches: 100 },
    writerBudget: 8,
    procs: 2,
    pauseScale: 1,
    peerScenarios: ['fanout', 'throughput', 'connections'],
  },
  quick: {
    mode: 'quick',
    fanout: { subs: 200, rate: 50, durationSec: 2, warmupSec: 1, drainSec: 3 },
    throughput: { rooms: 20, subsPerRoom: 10, rates: [25, 200], stepSec: 2, p99GateMs: 100, settleSec: 1 },
    connections: { count: 500 },
    storm: { clients: 100, writerRate: 4, reconnectMs: 1000, maxWaitSec: 15 },
    history: { small: 1_000, big: 5_000, chunk: 5_000, coldProbe: true },
    layer1: { messages: 2_000 },
    pgprobe: { seconds: 1, connections: 8 },
    pages: { messages: 20_000, samples: 300, searchSamples: 20 },
    client: { rooms: 3, perRoom: 100, replicaMessages: 5_000, opens: 1, searches: 10 },
    writerBudget: 8,
    procs: 2,
    pauseScale: 0.4,
    // The peers run the fan-out here; the full run measures them in every scenario they can take part in.
    peerScenarios: ['fanout'],
  },
  tiny: {
    mode: 'tiny',
    fanout: { subs: 30, rate: 20, durationSec: 2, warmupSec: 1, drainSec: 5 },
    throughput: { rooms: 4, subsPerRoom: 4, rates: [20, 60], stepSec: 1, p99GateMs: 100, settleSec: 1 },
    connections: { count: 60 },
    storm: { clients: 30, writerRate: 4, reconnectMs: 1000, maxWaitSec: 20 },
    history: { small: 300, big: 3_000, chunk: 3_000, coldProbe: false },
    layer1: { messages: 300 },
    pgprobe: { seconds: 0.5, connections: 4 },
    pages: { messages: 3_000, samples: 60, searchSamples: 6 },
    // Not run by --tiny (building the app alone takes longer than the smoke test's budget); sizes for --only=client --tiny.
    client: { rooms: 2, perRoom: 50, replicaMessages: 1_000, opens: 1, searches: 5 },
    writerBudget: 8,
    procs: 2,
    pauseScale: 0.25,
    peerScenarios: ['fanout'],
  },
};
