import { Redis } from 'ioredis';
import type { Database } from '../../../sync-server/db/database.ts';
import { migrate } from '../../../sync-server/db/migrate.ts';
import { createPgDatabase } from '../../../sync-server/db/pg-database.ts';
import { seedLounge } from '../../../sync-server/features/lounge/seed-lounge.ts';
import { createMember, loungeRoomId } from '../../support/fixtures.ts';
import { ChaosDevice, type Endpoint } from './chaos-device.ts';
import { NodeProcess, productionEnv, WorkerProcess, workerExists } from './cluster.ts';
import {
  killAllSync,
  PrivatePostgres,
  PrivateRedis,
  sleep,
  unexpectedExits,
  waitUntil,
  type UnexpectedExit,
} from './processes.ts';
import {
  checkReplicas,
  checkSnapshots,
  classify,
  readPgState,
  replicasCaughtUp,
  type PhaseCounts,
  type Problem,
  type ReplicaCheck,
  type SentIntent,
  type SnapshotCheck,
} from './verify.ts';

export const FAULTS = [
  'node-sigkill',
  'node-kill-after-commit',
  'redis-restart',
  'pg-restart',
  'worker-sigkill',
  'client-offline',
] as const;
export type Fault = (typeof FAULTS)[number];

export interface ChaosOptions {
  devices: number;
  /** Mean time between two sends of one device; each member stays far below 10 messages a minute. */
  sendIntervalMs: number;
  /** How long clients send during each fault. */
  trafficMs: number;
  /** When, inside the traffic window, the fault strikes. */
  faultAtMs: number;
  quiescenceTimeoutMs: number;
  faults: readonly Fault[];
  /** Start the BullMQ worker (`workers/main.ts`) when it exists. */
  worker: boolean;
  rooms: readonly string[];
  /** Run a fault-free phase first (a control: it must pass before any fault means anything). */
  baseline: boolean;
  /** Quiet time between two phases. */
  phaseGapMs: number;
  log: (line: string) => void;
}

export interface PhaseResult {
  fault: Fault | 'baseline';
  skipped?: string;
  /** What exactly happened to the process or service, with timings. */
  events: string[];
  counts: PhaseCounts;
  replicas: ReplicaCheck;
  lateJoiner: { ok: boolean; detail: string };
  snapshots?: SnapshotCheck;
  /** Processes that died on their own during the phase (the supervisor restarted them). */
  crashes: UnexpectedExit[];
  quiescenceMs: number;
  quiescent: boolean;
  problems: Problem[];
  ok: boolean;
}

export interface ChaosReport {
  startedAt: string;
  durationMs: number;
  options: Omit<ChaosOptions, 'log'>;
  setup: { nodes: number; worker: boolean; postgresPort: number; redisPort: number; devices: number; rooms: number };
  phases: PhaseResult[];
  totals: PhaseCounts & { replicasDiverged: number };
  /**
   * Every intent of the whole run, checked once more after the last phase: a later fault must not undo
   * an earlier phase (e.g. a message delivered, then lost in a later restart, or duplicated by a replay).
   */
  finalAudit?: { counts: PhaseCounts; replicas: ReplicaCheck; problems: Problem[] };
  ok: boolean;
  /** Last lines of every child process's output, when something failed. */
  childOutput?: Record<string, string>;
}

const DEFAULTS: Omit<ChaosOptions, 'log'> = {
  devices: 40,
  sendIntervalMs: 9_000,
  trafficMs: 24_000,
  faultAtMs: 8_000,
  quiescenceTimeoutMs: 60_000,
  faults: FAULTS,
  worker: true,
  rooms: ['general', 'prompt-engineering', 'newcomers'],
  baseline: true,
  phaseGapMs: 5_000,
};

const WORDS = [
  'amber',
  'birch',
  'cedar',
  'daisy',
  'ember',
  'fern',
  'grove',
  'hazel',
  'iris',
  'juniper',
  'kelp',
  'lotus',
  'meadow',
  'nectar',
  'olive',
  'pebble',
];

/** A number as words (base 16), so every message body is unique and reads as harmless prose. */
function words(n: number): string {
  const out: string[] = [];
  do {
    out.unshift(WORDS[n % 16]!);
    n = Math.floor(n / 16);
  } while (n > 0);
  return out.join(' ');
}

const SNAPSHOT_ACTIVE_KEY = 'lounge-jobs:snapshot-channel-doc:active';

/** Sends from every device at a steady rate while `phase` is set; records every intent it enqueued. */
class Traffic {
  phase: string | undefined;
  paused = false;
  /** Devices whose sends a fault makes by hand (so no member ever nears 10 messages a minute). */
  readonly quiet = new Set<number>();
  readonly sent: SentIntent[] = [];
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private counter = 0;

  constructor(
    private readonly devices: ChaosDevice[],
    private readonly rooms: string[],
    private readonly intervalMs: number,
  ) {}

  start(phase: string): void {
    this.phase = phase;
    this.paused = false;
    this.quiet.clear();
    for (const d of this.devices) this.schedule(d, Math.random() * this.intervalMs);
  }

  stop(): void {
    this.phase = undefined;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  /** One send from one device now (used by the offline fault to send exactly at a chosen moment). */
  sendNow(d: ChaosDevice, phase: string): SentIntent {
    const channelId = this.rooms[d.index % this.rooms.length]!;
    this.counter += 1;
    const n = this.counter;
    // Unique, and plain words only: a uuid or digits in a body can read as leetspeak to the Layer-1
    // profanity filter, which would (rightly) refuse it.
    const body = `chaos ${phase} from device ${words(d.index)} message ${words(n)}`;
    const id = d.send(channelId, () => body);
    const sent: SentIntent = { id, phase, device: d.index, userId: d.userId, channelId, body, at: Date.now() };
    this.sent.push(sent);
    return sent;
  }

  private schedule(d: ChaosDevice, delayMs: number): void {
    const timer = setTimeout(() => {
      if (!this.phase) return;
      if (!this.paused && !this.quiet.has(d.index)) this.sendNow(d, this.phase);
      // ±20% jitter around the mean interval.
      this.schedule(d, this.intervalMs * (0.8 + Math.random() * 0.4));
    }, delayMs);
    this.timers.set(d.index, timer);
  }
}

/**
 * Runs the whole chaos scenario: private Postgres and Redis, two sync nodes, the worker, N devices, and
 * each fault in turn with verification after quiescence. Every child is cleaned up before it returns.
 */
export async function runChaos(partial: Partial<ChaosOptions> = {}): Promise<ChaosReport> {
  const options: ChaosOptions = { ...DEFAULTS, log: () => {}, ...partial };
  const { log } = options;
  const started = Date.now();
  const closers: Array<() => Promise<void>> = [];
  const devices: ChaosDevice[] = [];
  let pgServer: PrivatePostgres | undefined;
  let redis: PrivateRedis | undefined;
  let db: Database | undefined;
  let nodes: NodeProcess[] = [];
  let worker: WorkerProcess | undefined;
  const report: ChaosReport = {
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    options: (({ log: _log, ...rest }) => rest)(options),
    setup: {
      nodes: 2,
      worker: false,
      postgresPort: 0,
      redisPort: 0,
      devices: options.devices,
      rooms: options.rooms.length,
    },
    phases: [],
    totals: {
      sent: 0,
      accepted: 0,
      held: 0,
      rejected: 0,
      rejectedCodes: {},
      delivered: 0,
      lost: 0,
      duplicated: 0,
      refusedButVisible: 0,
      noVerdict: 0,
      verdictMismatch: 0,
      replicasDiverged: 0,
    },
    ok: false,
  };

  try {
    // ---- private services ----
    const t0 = Date.now();
    [pgServer, redis] = await Promise.all([PrivatePostgres.start(), PrivateRedis.start()]);
    report.setup.postgresPort = pgServer.port;
    report.setup.redisPort = redis.port;
    const databaseUrl = await pgServer.createDatabase('lounge_chaos');
    db = createPgDatabase(databaseUrl, { max: 4 });
    await migrate(db);
    await seedLounge(db);
    log(`private PostgreSQL :${pgServer.port} and Redis :${redis.port} ready in ${Date.now() - t0} ms`);
    const rooms = await Promise.all(options.rooms.map((slug) => loungeRoomId(db!, slug)));
    const members = await Promise.all(
      Array.from({ length: options.devices + FAULTS.length + 2 }, (_, i) => createMember(db!, `chaos${i}`)),
    );

    // ---- two sync nodes and the worker ----
    const env = productionEnv(databaseUrl, redis.url);
    nodes = [await NodeProcess.create('node-a', env), await NodeProcess.create('node-b', env)];
    const t1 = Date.now();
    await Promise.all(nodes.map((n) => n.start()));
    log(`two sync nodes up in ${Date.now() - t1} ms (a :${nodes[0]!.port}, b :${nodes[1]!.port})`);
    if (options.worker && workerExists()) {
      worker = new WorkerProcess({ ...env, LOG_LEVEL: 'info', WORKER_LOCK_MS: '2000', WORKER_CONCURRENCY: '2' });
      await worker.start();
      report.setup.worker = true;
      log(`worker up (pid ${worker.pid})`);
    } else {
      log(options.worker ? 'workers/main.ts does not exist: no worker process' : 'worker not started (option)');
    }
    const endpoints = (): Endpoint[] => nodes.map((n) => ({ name: n.name, url: n.url }));

    // ---- devices ----
    for (let i = 0; i < options.devices; i++) {
      const m = members[i]!;
      const d = new ChaosDevice(i, m.id, m.host_user_id, endpoints, i % nodes.length);
      for (const room of rooms) d.openChannel(room);
      devices.push(d.start());
    }
    closers.push(async () => devices.forEach((d) => d.close()));
    await waitUntil('every device online and synced', async () => devices.every((d) => d.online), 30_000, 100);
    await Promise.all(devices.map((d) => d.whenSynced(20_000)));
    log(`${devices.length} devices online (${devices.filter((d) => d.current?.name === 'node-a').length} on node-a)`);

    const traffic = new Traffic(devices, rooms, options.sendIntervalMs);
    const userIds = members.map((m) => m.id);
    let lateJoinerIndex = options.devices;

    const quiesce = async (phaseIntents: SentIntent[]) => {
      const start = Date.now();
      let quiescent = false;
      try {
        await waitUntil(
          'quiescence',
          async () => {
            if (!devices.every((d) => !d.isRunning || d.online)) return false;
            if (!devices.every((d) => d.outboxSize() === 0)) return false;
            if (!phaseIntents.every((i) => devices[i.device]!.verdicts.has(i.id))) return false;
            return replicasCaughtUp(devices, await readPgState(db!, rooms, userIds));
          },
          options.quiescenceTimeoutMs,
          250,
        );
        quiescent = true;
      } catch {
        // not quiescent in time: the checks below say what is missing
      }
      // A moment more, so a late duplicate (if any) has the chance to show up before we count.
      await sleep(1000);
      return { quiescent, ms: Date.now() - start };
    };

    const lateJoiner = async (): Promise<{ ok: boolean; detail: string }> => {
      const m = members[lateJoinerIndex++]!;
      const alive = nodes.map((n, i) => (n.alive() ? i : -1)).filter((i) => i >= 0);
      const d = new ChaosDevice(10_000 + lateJoinerIndex, m.id, m.host_user_id, endpoints, alive.at(-1) ?? 0);
      try {
        for (const room of rooms) d.openChannel(room);
        d.start();
        await waitUntil('late joiner online', () => d.online, 15_000, 50);
        const pg = await readPgState(db!, rooms, userIds);
        await waitUntil(
          'late joiner caught up',
          async () => (await d.whenSynced(5_000)) && replicasCaughtUp([d], pg),
          20_000,
          100,
        ).catch(() => {});
        const check = checkReplicas([d], pg);
        return {
          ok: check.diverged === 0,
          detail:
            check.diverged === 0 ? `fresh device on ${d.current?.name} matches postgres` : check.examples.join(' | '),
        };
      } catch (err) {
        return { ok: false, detail: (err as Error).message };
      } finally {
        d.close();
      }
    };

    // Node a runs with fault injection for one phase only; any later phase restarts it without.
    let nodeAFaulty = false;
    const ensureCluster = async (nodeAEnv: Record<string, string> = {}) => {
      const wantFaulty = Object.keys(nodeAEnv).length > 0;
      for (const [i, n] of nodes.entries()) {
        if (!n.alive() || (i === 0 && (wantFaulty || nodeAFaulty))) {
          await n.restart(i === 0 ? nodeAEnv : {});
          if (i === 0) nodeAFaulty = wantFaulty;
          if (i === 0 && wantFaulty) n.expectExit();
          log(`  ${n.name} (re)started (pid ${n.pid})${i === 0 && wantFaulty ? ' with fault injection' : ''}`);
        }
      }
      if (worker && !worker.alive()) {
        await worker.start();
        log(`  worker restarted (pid ${worker.pid})`);
      }
      // The load balancer sends each device back to its preferred node (as after a deploy settles).
      for (const d of devices) {
        if (!d.isRunning) d.goOnline();
        else if (d.current?.name !== nodes[d.preferred]!.name) d.reconnect();
      }
      await waitUntil('devices back online', () => devices.every((d) => d.online), 30_000, 100);
      await Promise.all(devices.map((d) => d.whenSynced(15_000)));
    };

    // The supervisor (systemd / Kubernetes in production): a process that dies on its own is started
    // again after a second. Deaths the harness causes are expected and left to the phase.
    let seenExits = unexpectedExits.length;
    let restarting = false;
    const supervisor = setInterval(() => {
      if (restarting || unexpectedExits.length === seenExits) return;
      const crashed = unexpectedExits.slice(seenExits);
      seenExits = unexpectedExits.length;
      restarting = true;
      void (async () => {
        for (const c of crashed) {
          log(`  !! ${c.name} (pid ${c.pid}) died on its own (code ${c.code}, signal ${c.signal}); restarting it`);
          await sleep(1000);
          const node = nodes.find((n) => n.name === c.name);
          if (node && !node.alive())
            await node.start().catch((err: Error) => log(`  !! restart failed: ${err.message}`));
          if (c.name === 'worker' && worker && !worker.alive())
            await worker.start().catch((err: Error) => log(`  !! restart failed: ${err.message}`));
        }
      })().finally(() => (restarting = false));
    }, 500);
    closers.push(async () => clearInterval(supervisor));

    const runPhase = async (fault: Fault | 'baseline'): Promise<PhaseResult> => {
      const exitsBefore = unexpectedExits.length;
      const events: string[] = [];
      const at = (phaseStart: number, what: string) => {
        const line = `+${((Date.now() - phaseStart) / 1000).toFixed(1)}s ${what}`;
        events.push(line);
        log(`  ${line}`);
      };
      if (fault === 'worker-sigkill' && !worker) {
        return skipped(fault, workerExists() ? 'worker not started' : 'workers/main.ts does not exist');
      }
      await ensureCluster(fault === 'node-kill-after-commit' ? { LOUNGE_FAULT_KILL_AFTER_COMMIT: '4' } : {});
      // A pause between phases keeps every member's sliding rate-limit window (10 a minute) far from full.
      if (report.phases.length > 0) await sleep(options.phaseGapMs);
      const before = traffic.sent.length;
      const phaseStart = Date.now();
      log(`[${fault}] traffic for ${options.trafficMs / 1000}s, fault at +${options.faultAtMs / 1000}s`);
      traffic.start(fault);
      let snapshots: SnapshotCheck | undefined;
      // The self-killing node dies whenever its 4th commit lands: watch it from the first second.
      await sleep(
        fault === 'baseline' ? options.trafficMs : fault === 'node-kill-after-commit' ? 0 : options.faultAtMs,
      );
      switch (fault) {
        case 'baseline':
          break;
        case 'node-sigkill': {
          const victim = nodes[0]!;
          const onIt = devices.filter((d) => d.current?.name === victim.name).length;
          await victim.kill();
          at(phaseStart, `SIGKILL ${victim.name} (pid ${victim.pid}) with ${onIt} devices connected to it`);
          break;
        }
        case 'node-kill-after-commit': {
          const victim = nodes[0]!;
          at(
            phaseStart,
            `${victim.name} runs with LOUNGE_FAULT_KILL_AFTER_COMMIT=4: it SIGKILLs itself after its 4th commit, before any broadcast`,
          );
          await victim.waitForDeath(options.trafficMs - 1000).then(
            () => at(phaseStart, `${victim.name} SIGKILLed itself right after a commit`),
            () => at(phaseStart, `${victim.name} did NOT die within the traffic window`),
          );
          break;
        }
        case 'redis-restart': {
          await redis!.kill();
          at(phaseStart, 'SIGKILL private Redis (fan-out, presence, rate limits, job queues all gone)');
          await sleep(2000);
          await redis!.start();
          at(phaseStart, 'private Redis started again (empty)');
          break;
        }
        case 'pg-restart': {
          await pgServer!.crash();
          at(phaseStart, 'PostgreSQL immediate shutdown (SIGQUIT: every connection cut, crash recovery on start)');
          await sleep(3000);
          await pgServer!.start();
          at(phaseStart, 'PostgreSQL accepting connections again');
          break;
        }
        case 'worker-sigkill': {
          // Snapshot jobs fire when a doc has been quiet for 2 s: pause sending so they do, and kill the
          // worker the moment BullMQ lists a snapshot job as active.
          const probe = new Redis(redis!.url, { maxRetriesPerRequest: 1 });
          probe.on('error', () => {});
          let caught = false;
          const deadline = phaseStart + options.trafficMs - 1000;
          try {
            while (!caught && Date.now() < deadline) {
              traffic.paused = true;
              const pauseEnd = Date.now() + 4000;
              while (Date.now() < pauseEnd && !caught) {
                const active = await probe.llen(SNAPSHOT_ACTIVE_KEY).catch(() => 0);
                if (active > 0) {
                  await worker!.kill();
                  caught = true;
                  at(phaseStart, `SIGKILL worker (pid ${worker!.pid}) while ${active} snapshot job(s) were active`);
                }
              }
              traffic.paused = false;
              if (!caught) await sleep(1500);
            }
          } finally {
            traffic.paused = false;
            probe.disconnect();
          }
          if (!caught) {
            await worker!.kill();
            at(phaseStart, 'no snapshot job seen active in time: SIGKILL worker anyway (between jobs)');
          }
          await sleep(1000);
          await worker!.start();
          at(phaseStart, `worker started again (pid ${worker!.pid}); the killed job's lock expires and it runs again`);
          break;
        }
        case 'client-offline': {
          // A quarter of the devices lose the network right after enqueueing a message (mid-send), send
          // more while offline, and come back later; half of those come back through a page reload.
          const victims = devices.filter((d) => d.index % 4 === 1);
          for (const d of victims) traffic.quiet.add(d.index);
          for (const d of victims) {
            traffic.sendNow(d, fault);
            d.goOffline();
          }
          at(phaseStart, `${victims.length} devices went offline mid-send`);
          await sleep(3000);
          for (const d of victims) traffic.sendNow(d, fault);
          at(phaseStart, `${victims.length} offline devices enqueued one more message each`);
          await sleep(3000);
          for (const d of victims) {
            if (d.index % 8 === 1) d.reload();
            d.goOnline();
          }
          at(
            phaseStart,
            `devices back online (${victims.filter((d) => d.index % 8 === 1).length} through a page reload)`,
          );
          break;
        }
      }
      const left = options.trafficMs - (Date.now() - phaseStart);
      if (left > 0) await sleep(left);
      traffic.stop();
      at(phaseStart, 'traffic stopped');
      if (fault === 'node-sigkill' || fault === 'node-kill-after-commit') {
        // Devices that lost their node must have failed over to the survivor.
        const survivors = devices.filter((d) => d.current?.name === nodes[1]!.name).length;
        at(phaseStart, `${survivors}/${devices.length} devices now on ${nodes[1]!.name}`);
      }
      // Reload half the devices that failed over, as a browser tab refreshed after the outage would.
      if (fault === 'node-sigkill') {
        const moved = devices.filter((d) => d.preferred === 0 && d.index % 4 === 0);
        for (const d of moved) d.reload();
        at(phaseStart, `${moved.length} failed-over devices reloaded from their stored docs`);
      }
      const phaseIntents = traffic.sent.slice(before);
      const q = await quiesce(phaseIntents);
      at(phaseStart, q.quiescent ? `quiescent after ${q.ms} ms` : `NOT quiescent after ${q.ms} ms`);
      const pg = await readPgState(db!, rooms, userIds);
      const { counts, problems } = classify(phaseIntents, devices, pg);
      const replicas = checkReplicas(devices, pg);
      const late = await lateJoiner();
      if (fault === 'worker-sigkill' || fault === 'pg-restart') snapshots = await checkSnapshots(db!);
      const crashes = unexpectedExits.slice(exitsBefore);
      const ok =
        crashes.length === 0 &&
        counts.lost === 0 &&
        counts.duplicated === 0 &&
        counts.refusedButVisible === 0 &&
        counts.noVerdict === 0 &&
        counts.verdictMismatch === 0 &&
        replicas.diverged === 0 &&
        replicas.gappyRooms === 0 &&
        late.ok &&
        (snapshots?.mismatched ?? 0) === 0;
      log(
        `[${fault}] sent ${counts.sent} accepted ${counts.accepted} rejected ${counts.rejected} delivered ${counts.delivered} ` +
          `lost ${counts.lost} duplicated ${counts.duplicated} no-verdict ${counts.noVerdict} diverged ${replicas.diverged}/${replicas.compared} ` +
          `late-joiner ${late.ok ? 'ok' : 'FAILED'}${snapshots ? ` snapshots ${snapshots.snapshots} (mismatched ${snapshots.mismatched})` : ''} → ${ok ? 'OK' : 'FAILED'}`,
      );
      for (const p of problems.slice(0, 10)) log(`    ${p.kind} d${p.device} ${p.intentId}: ${p.detail}`);
      for (const e of replicas.examples.slice(0, 5)) log(`    replica: ${e}`);
      if (!late.ok) log(`    late joiner: ${late.detail}`);
      for (const c of crashes)
        log(
          `    crash: ${c.name} pid ${c.pid} code ${c.code} signal ${c.signal}; last output:\n${indent(c.outputTail.slice(-1500))}`,
        );
      return {
        fault,
        events,
        counts,
        replicas,
        lateJoiner: late,
        crashes,
        quiescenceMs: q.ms,
        quiescent: q.quiescent,
        problems: problems.slice(0, 50),
        ok,
        ...(snapshots ? { snapshots } : {}),
      };
    };

    if (options.baseline) report.phases.push(await runPhase('baseline'));
    for (const fault of options.faults) report.phases.push(await runPhase(fault));
    await quiesce(traffic.sent);
    const finalPg = await readPgState(db, rooms, userIds);
    const final = classify(traffic.sent, devices, finalPg);
    report.finalAudit = {
      counts: final.counts,
      replicas: checkReplicas(devices, finalPg),
      problems: final.problems.slice(0, 50),
    };
    log(
      `[final audit] ${final.counts.sent} intents of the whole run: accepted ${final.counts.accepted}, lost ${final.counts.lost}, ` +
        `duplicated ${final.counts.duplicated}, no verdict ${final.counts.noVerdict}, replicas diverged ${report.finalAudit.replicas.diverged}/${report.finalAudit.replicas.compared}`,
    );
  } catch (err) {
    log(`harness error: ${(err as Error).stack ?? String(err)}`);
    throw err;
  } finally {
    for (const close of closers.reverse()) await close().catch(() => {});
    const failed = report.phases.some((p) => !p.ok) || report.phases.length === 0;
    if (failed) {
      report.childOutput = Object.fromEntries(
        [
          ...nodes.map((n) => [n.name, n.output()] as const),
          ...(worker ? [['worker', worker.output()] as const] : []),
        ].map(([k, v]) => [k, v.slice(-6000)]),
      );
    }
    await Promise.allSettled(nodes.map((n) => n.stop()));
    await worker?.stop().catch(() => {});
    await db?.close().catch(() => {});
    await redis?.stop().catch(() => {});
    await pgServer?.stop().catch(() => {});
    killAllSync();
    report.durationMs = Date.now() - started;
  }

  for (const p of report.phases) {
    for (const key of [
      'sent',
      'accepted',
      'held',
      'rejected',
      'delivered',
      'lost',
      'duplicated',
      'refusedButVisible',
      'noVerdict',
      'verdictMismatch',
    ] as const) {
      report.totals[key] += p.counts[key];
    }
    for (const [code, n] of Object.entries(p.counts.rejectedCodes))
      report.totals.rejectedCodes[code] = (report.totals.rejectedCodes[code] ?? 0) + n;
    report.totals.replicasDiverged += p.replicas.diverged;
  }
  const audit = report.finalAudit;
  const auditOk =
    audit !== undefined &&
    audit.counts.lost === 0 &&
    audit.counts.duplicated === 0 &&
    audit.counts.noVerdict === 0 &&
    audit.counts.refusedButVisible === 0 &&
    audit.replicas.diverged === 0;
  report.ok = auditOk && report.phases.length > 0 && report.phases.every((p) => p.ok || p.skipped !== undefined);
  return report;
}

function skipped(fault: Fault, why: string): PhaseResult {
  return {
    fault,
    skipped: why,
    events: [],
    counts: {
      sent: 0,
      accepted: 0,
      held: 0,
      rejected: 0,
      rejectedCodes: {},
      delivered: 0,
      lost: 0,
      duplicated: 0,
      refusedButVisible: 0,
      noVerdict: 0,
      verdictMismatch: 0,
    },
    replicas: { compared: 0, diverged: 0, gappyRooms: 0, examples: [] },
    lateJoiner: { ok: true, detail: 'skipped' },
    crashes: [],
    quiescenceMs: 0,
    quiescent: true,
    problems: [],
    ok: true,
  };
}

const indent = (text: string) =>
  text
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n');

/** The report as a table, one row per phase. */
export function formatTable(report: ChaosReport): string {
  const header = [
    'fault',
    'sent',
    'accepted',
    'rejected',
    'delivered',
    'lost',
    'duplicated',
    'no verdict',
    'replicas diverged',
    'late joiner',
    'crashes',
    'quiesce s',
    'result',
  ];
  const rows = report.phases.map((p) => [
    p.fault,
    String(p.counts.sent),
    String(p.counts.accepted),
    String(p.counts.rejected),
    String(p.counts.delivered),
    String(p.counts.lost),
    String(p.counts.duplicated),
    String(p.counts.noVerdict),
    `${p.replicas.diverged}/${p.replicas.compared}`,
    p.skipped ? '-' : p.lateJoiner.ok ? 'ok' : 'FAIL',
    p.crashes.length === 0 ? '0' : p.crashes.map((c) => c.name).join(','),
    p.skipped ? '-' : (p.quiescenceMs / 1000).toFixed(1),
    p.skipped ? `skipped (${p.skipped})` : p.ok ? 'OK' : 'FAILED',
  ]);
  const t = report.totals;
  rows.push([
    'TOTAL',
    String(t.sent),
    String(t.accepted),
    String(t.rejected),
    String(t.delivered),
    String(t.lost),
    String(t.duplicated),
    String(t.noVerdict),
    String(t.replicasDiverged),
    '',
    String(report.phases.reduce((n, p) => n + p.crashes.length, 0)),
    '',
    report.ok ? 'OK' : 'FAILED',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
