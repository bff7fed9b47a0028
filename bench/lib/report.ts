import type { ClientResult } from '../scenarios/client-replica.ts';
import type { ConnectionsResult } from '../scenarios/connections.ts';
import type { FanoutResult } from '../scenarios/fanout.ts';
import type { HistoryResult } from '../scenarios/history.ts';
import type { PagesResult } from '../scenarios/pages.ts';
import type { StormResult } from '../scenarios/storm.ts';
import type { ThroughputResult } from '../scenarios/throughput.ts';
import type { PgProbeResult } from '../loadgen/pgprobe.ts';
import type { CpuWindow } from './harness.ts';
import type { ServerKind } from './servers.ts';
import type { Sizes } from './sizes.ts';

export type ScenarioName =
  'fanout' | 'throughput' | 'connections' | 'storm' | 'history' | 'layer1' | 'pgprobe' | 'pages' | 'client';

export interface ScenarioOutcome {
  status: 'ok' | 'error' | 'not-built' | 'skipped';
  error?: string;
  reason?: unknown;
  results?: Record<string, unknown>;
}

export interface Figure {
  scenario: ScenarioName;
  figure: string;
  unit: string;
  goal: string;
  /** true / false when the goal is checkable here, null when it is not (or a value is missing). */
  met: boolean | null;
  better: 'lower' | 'higher' | 'none';
  lounge: number | string | null;
  hocuspocus: number | string | null;
  'y-websocket-server': number | string | null;
}

/** Scenarios an `--only` run took over from earlier results, and the run that measured them. */
export interface CarriedOver {
  date: string;
  commit: string;
  scenarios: ScenarioName[];
}

export interface BenchResults {
  meta: {
    date: string;
    mode: string;
    node: string;
    commit: string;
    cores: number;
    cpuModel: string;
    memGiB: number;
    loadAverageAtStart: number[];
    openFiles: { soft: number; hard: number };
    durationSec: number;
    sizes: Sizes;
    servers: ServerKind[];
    /**
     * An `--only` run keeps the other scenarios of the previous results of the same mode: from which run,
     * one entry per run they were measured in (results written before that was kept: a single object).
     */
    carriedOver?: CarriedOver | CarriedOver[];
  };
  scenarios: Partial<Record<ScenarioName, ScenarioOutcome>>;
  figures: Figure[];
}

/** The runs `meta.carriedOver` names, as a list (older results hold a single object). */
export function carriedOverRuns(meta: BenchResults['meta']): CarriedOver[] {
  const c = meta.carriedOver;
  return c === undefined ? [] : Array.isArray(c) ? c : [c];
}

type PerServer<T> = Partial<Record<ServerKind, T>>;

function ok<T>(outcome: ScenarioOutcome | undefined): PerServer<T> {
  const out: PerServer<T> = {};
  if (!outcome?.results) return out;
  for (const [k, v] of Object.entries(outcome.results)) {
    if (v && typeof v === 'object' && !('error' in v)) out[k as ServerKind] = v as T;
  }
  return out;
}

const fmt = (n: number) => n.toLocaleString('en');

export function buildFigures(r: BenchResults): Figure[] {
  const f: Figure[] = [];
  const s = r.meta.sizes;
  const add = (
    scenario: ScenarioName,
    figure: string,
    unit: string,
    goal: string,
    better: Figure['better'],
    values: PerServer<number | string | null | undefined>,
    met: (v: PerServer<number | string | null | undefined>) => boolean | null = () => null,
  ) => {
    if (!r.scenarios[scenario]) return;
    f.push({
      scenario,
      figure,
      unit,
      goal,
      better,
      met: met(values),
      lounge: values.lounge ?? null,
      hocuspocus: values.hocuspocus ?? null,
      'y-websocket-server': values['y-websocket-server'] ?? null,
    });
  };
  const map = <T>(
    per: PerServer<T>,
    fn: (x: T) => number | string | null | undefined,
  ): PerServer<number | string | null | undefined> =>
    Object.fromEntries(Object.entries(per).map(([k, v]) => [k, fn(v as T)]));
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

  // ---- fan-out
  const fo = ok<FanoutResult>(r.scenarios.fanout);
  const foLabel = `1 room × ${fmt(s.fanout.subs)} subscribers, ${s.fanout.rate} msg/s × ${s.fanout.durationSec} s`;
  add(
    'fanout',
    `Fan-out (${foLabel}): p50 send→delivered`,
    'ms',
    '—',
    'lower',
    map(fo, (x) => x.latencyMs.p50),
  );
  add(
    'fanout',
    `Fan-out: p99 send→delivered`,
    'ms',
    '≤ 50 and ≤ Hocuspocus',
    'lower',
    map(fo, (x) => x.latencyMs.p99),
    (v) => {
      const l = num(v.lounge);
      const h = num(v.hocuspocus);
      return l === null ? null : l <= 50 && (h === null || l <= h);
    },
  );
  add(
    'fanout',
    `Fan-out: p99 after ${s.fanout.warmupSec} s warm-up`,
    'ms',
    '≤ 50',
    'lower',
    map(fo, (x) => x.latencyAfterWarmupMs.p99),
    (v) => (num(v.lounge) === null ? null : num(v.lounge)! <= 50),
  );
  add(
    'fanout',
    'Fan-out: server CPU per delivered message',
    'µs',
    '≤ Hocuspocus',
    'lower',
    map(fo, (x) => x.serverCpuUsPerDelivery),
    (v) => (num(v.lounge) === null || num(v.hocuspocus) === null ? null : num(v.lounge)! <= num(v.hocuspocus)!),
  );
  add(
    'fanout',
    'Fan-out: server CPU per accepted message',
    'µs',
    '—',
    'lower',
    map(fo, (x) => x.serverCpuUsPerAccepted),
  );
  add(
    'fanout',
    'Fan-out: server peak RSS',
    'MiB',
    '—',
    'lower',
    map(fo, (x) => x.serverPeakRssMiB),
  );
  add(
    'fanout',
    'Fan-out: deliveries lost',
    'count',
    '0',
    'lower',
    map(fo, (x) => x.lost),
    (v) => (num(v.lounge) === null ? null : v.lounge === 0),
  );

  // ---- throughput
  const tp = ok<ThroughputResult>(r.scenarios.throughput);
  const tpLabel = `${s.throughput.rooms} rooms × ${s.throughput.subsPerRoom}`;
  add(
    'throughput',
    `Throughput (${tpLabel}): accepted msg/s with p99 ≤ ${s.throughput.p99GateMs} ms`,
    'msg/s',
    '≥ 5,000',
    'higher',
    map(tp, (x) => x.sustainedPerSec),
    (v) => (num(v.lounge) === null ? null : num(v.lounge)! >= 5000),
  );
  add(
    'throughput',
    `Throughput: accepted msg/s while keeping up (p50 ≤ ${s.throughput.p99GateMs} ms, all delivered; p99 ignored)`,
    'msg/s',
    '—',
    'higher',
    map(tp, (x) => x.keptUpPerSec),
  );
  add(
    'throughput',
    'Throughput: peak accepted msg/s in any step (latency ignored)',
    'msg/s',
    '—',
    'higher',
    map(tp, (x) => x.peakAcceptedPerSec),
  );
  add(
    'throughput',
    'Throughput: server CPU per accepted message, highest step kept up',
    'µs',
    '—',
    'lower',
    map(tp, (x) => {
      const passing = x.steps.filter((st) => st.keptUp);
      return passing.at(-1)?.serverCpuUsPerAccepted ?? null;
    }),
  );
  add(
    'throughput',
    'Throughput: deliveries lost',
    'count',
    '0',
    'lower',
    map(tp, (x) => x.lost),
    (v) => (num(v.lounge) === null ? null : v.lounge === 0),
  );

  // ---- connections
  const cn = ok<ConnectionsResult>(r.scenarios.connections);
  add(
    'connections',
    `Idle authenticated connections held (tried ${fmt(s.connections.count)})`,
    'count',
    '≥ 20,000 per node',
    'higher',
    map(cn, (x) => x.synced),
    (v) => (num(v.lounge) === null ? null : num(v.lounge)! >= 20000),
  );
  add(
    'connections',
    'Server RSS per idle connection (Lounge: 4 docs each; peers: 1)',
    'KB',
    '≤ 20',
    'lower',
    map(cn, (x) => x.kbPerConnectionNoGc ?? x.kbPerConnection),
    (v) => (num(v.lounge) === null ? null : num(v.lounge)! <= 20),
  );
  add(
    'connections',
    'JS heap per idle connection, after a full GC',
    'KB',
    '—',
    'lower',
    map(cn, (x) => x.heapKbPerConnection),
  );
  add(
    'connections',
    'Connection set-up rate while connecting them (token + upgrade + subscribe, 2 load generators)',
    'conn/s',
    '≥ 2,000 (a 2,000-client storm within 1 s)',
    'higher',
    map(cn, (x) => x.connectionsPerSec),
    (v) => (num(v.lounge) === null ? null : num(v.lounge)! >= 2000),
  );
  add(
    'connections',
    'Server CPU per connection set-up (token + upgrade + subscribe)',
    'µs',
    '—',
    'lower',
    map(cn, (x) => x.serverCpuUsPerConnection),
  );

  // ---- storm
  const st = ok<StormResult>(r.scenarios.storm);
  const phase = (x: StormResult, k: 'blip' | 'crash') => x.phases.find((p) => p.kind === k);
  add(
    'storm',
    `Reconnect storm: ${fmt(s.storm.clients)} clients cut at once, back within 1 s: all caught up after`,
    'ms',
    'report (lost = 0)',
    'lower',
    map(st, (x) => phase(x, 'blip')?.allCaughtUpMs),
  );
  add(
    'storm',
    'Crash (SIGKILL + restart on the same port): all caught up after the restart answered',
    'ms',
    'report (lost = 0)',
    'lower',
    map(st, (x) => phase(x, 'crash')?.caughtUpAfterRestartMs),
  );
  add(
    'storm',
    'Storm + crash: messages lost (accepted but missing on a client, or intents never accepted)',
    'count',
    '0',
    'lower',
    map(st, (x) => x.lost),
    (v) => (num(v.lounge) === null ? null : v.lounge === 0),
  );

  // ---- history
  const hi = ok<HistoryResult>(r.scenarios.history);
  const probe = (x: HistoryResult, room: string) => x.probes.find((q) => q.room === room);
  add(
    'history',
    `History: server ΔRSS opening a ${fmt(s.history.big)}-message room vs a ${fmt(s.history.small)}-message room`,
    'MiB',
    'bounded (big ≤ small + 16 MiB)',
    'lower',
    map(hi, (x) => `${probe(x, 'big')?.serverRssDeltaMiB ?? '—'} vs ${probe(x, 'small')?.serverRssDeltaMiB ?? '—'}`),
    () => {
      const x = hi.lounge;
      const b = x && probe(x, 'big')?.serverRssDeltaMiB;
      const sm = x && probe(x, 'small')?.serverRssDeltaMiB;
      return typeof b === 'number' && typeof sm === 'number' ? b <= sm + 16 : null;
    },
  );
  add(
    'history',
    'History: loaded doc bytes (meta + head segment), big vs small room',
    'bytes',
    'bounded (big ≤ 4 × small)',
    'lower',
    map(hi, (x) => {
      const b = probe(x, 'big');
      const sm = probe(x, 'small');
      return b && sm ? `${fmt(b.metaBytes + b.segBytes)} vs ${fmt(sm.metaBytes + sm.segBytes)}` : null;
    }),
    () => (hi.lounge?.docBytesRatio == null ? null : hi.lounge.docBytesRatio <= 4),
  );
  add(
    'history',
    `History: open the ${fmt(s.history.big)}-message room (meta + head segment)`,
    'ms',
    '—',
    'lower',
    map(hi, (x) => {
      const p = x.probes.find((q) => q.room === 'big');
      return p ? p.metaMs + p.segMs : null;
    }),
  );
  add(
    'history',
    'History: same room with no meta snapshot (cold replay): open time / head correct',
    'ms',
    'head correct',
    'none',
    map(hi, (x) => {
      const p = x.probes.find((q) => q.room === 'big-no-meta-snapshot');
      return p
        ? `${p.metaMs + p.segMs} / ${p.headCorrect ? 'yes' : `NO (head ${p.head}, expected ${p.expectedHead})`}`
        : null;
    }),
    (v) => (typeof v.lounge === 'string' ? v.lounge.endsWith('yes') : null),
  );

  // ---- history pages and search over one big room (bench/history-search.ts)
  const pgs = ok<PagesResult>(r.scenarios.pages);
  const pgsLabel = fmt(pgs.lounge?.messages ?? s.pages?.messages ?? 0);
  const within = (goal: number) => (v: PerServer<number | string | null | undefined>) =>
    num(v.lounge) === null ? null : num(v.lounge)! <= goal;
  const pair = (x: { p50: number; p95: number }) => `${x.p50} / ${x.p95}`;
  add(
    'pages',
    `History page of 50 at a random depth of a ${pgsLabel}-message room, room route (GET /api/rooms/:id/messages): p99`,
    'ms',
    '≤ 10',
    'lower',
    map(pgs, (x) => x.history.roomRoutePage50.p99),
    within(10),
  );
  add(
    'pages',
    'History page of 50, channel route (GET /api/channels/:id/messages?before=): p99',
    'ms',
    '≤ 10',
    'lower',
    map(pgs, (x) => x.history.channelRoutePage50.p99),
    within(10),
  );
  add(
    'pages',
    'History page of 50: p50 / p95, room route',
    'ms',
    '—',
    'lower',
    map(pgs, (x) => pair(x.history.roomRoutePage50)),
  );
  add(
    'pages',
    'History page of 50: p50 / p95, channel route',
    'ms',
    '—',
    'lower',
    map(pgs, (x) => pair(x.history.channelRoutePage50)),
  );
  add(
    'pages',
    'History page of 50: the SQL query alone, p99 (context)',
    'ms',
    '—',
    'lower',
    map(pgs, (x) => x.history.sqlOnlyPage50.p99),
  );
  add(
    'pages',
    `Search (GET /api/search) over the ${pgsLabel}-message room, the whole query mix incl. the adversarial queries: p95`,
    'ms',
    '≤ 100',
    'lower',
    map(pgs, (x) => x.search.all.p95),
    within(100),
  );
  add(
    'pages',
    'Search, the mix without the adversarial queries: p95 (p50)',
    'ms',
    '—',
    'lower',
    map(pgs, (x) => `${x.search.withoutAdversarial.p95} (${x.search.withoutAdversarial.p50})`),
  );

  // ---- client (the web app's SQL replica in Chromium)
  const cl = ok<ClientResult>(r.scenarios.client);
  add(
    'client',
    `Client: catch-up of ${fmt(s.client.rooms * s.client.perRoom)} missed messages across ${s.client.rooms} rooms into the replica`,
    'ms',
    '≤ 2,000',
    'lower',
    map(cl, (x) => x.catchUp.ms),
    (v) => (num(v.lounge) === null ? null : num(v.lounge)! <= 2000),
  );
  add(
    'client',
    `Client: cold open offline with ${fmt(s.client.replicaMessages)} messages in the replica, first room visible (median / max)`,
    'ms',
    '≤ 500',
    'lower',
    map(cl, (x) => `${x.coldOpen.firstRoomVisibleMedianMs} / ${x.coldOpen.firstRoomVisibleMaxMs}`),
    () => (cl.lounge ? cl.lounge.coldOpen.firstRoomVisibleMaxMs <= 500 : null),
  );
  add(
    'client',
    `Client: local search over ${fmt(s.client.replicaMessages)} replica messages, p95 (p50)`,
    'ms',
    '≤ 50',
    'lower',
    map(cl, (x) => `${x.search.p95Ms} (${x.search.p50Ms})`),
    () => (cl.lounge ? cl.lounge.search.p95Ms <= 50 : null),
  );

  // ---- layer 1
  const l1 = r.scenarios.layer1;
  if (l1?.status === 'ok' && l1.results?.lounge) {
    const res = l1.results.lounge as { all: { p50Us: number; p99Us: number }; long: { p99Us: number } };
    add('layer1', 'Layer-1 moderation per message: p50', 'µs', '—', 'lower', { lounge: res.all.p50Us });
    add(
      'layer1',
      'Layer-1 moderation per message: p99 (all / ≥ 3,000 chars)',
      'µs',
      '≤ 1,000',
      'lower',
      { lounge: `${res.all.p99Us} / ${res.long.p99Us}` },
      () => res.all.p99Us <= 1000 && res.long.p99Us <= 1000,
    );
  } else {
    add('layer1', 'Layer-1 moderation per message', 'µs', '≤ 1,000 (p99)', 'lower', {
      lounge: l1?.status === 'error' ? `error: ${l1.error}` : 'not yet built',
    });
  }

  // ---- postgres floor
  const pg = r.scenarios.pgprobe?.results?.postgres as PgProbeResult | undefined;
  if (pg) {
    add(
      'pgprobe',
      `PostgreSQL floor: single-row INSERTs/s, plain table (${pg.single.connections} connections)`,
      'rows/s',
      'floor',
      'higher',
      { lounge: pg.single.rowsPerSec },
    );
    add('pgprobe', 'PostgreSQL floor: rows/s in 100-row INSERTs, plain table', 'rows/s', 'floor', 'higher', {
      lounge: pg.batched.rowsPerSec,
    });
    add('pgprobe', "PostgreSQL floor: single-row INSERTs/s into Lounge's messages table", 'rows/s', 'floor', 'higher', {
      lounge: pg.messagesTable.rowsPerSec,
    });
  }
  return f;
}

function cell(v: number | string | null): string {
  if (v === null) return '—';
  if (typeof v === 'number') return v.toLocaleString('en', { maximumFractionDigits: 1 });
  return v;
}

function ratio(a: number | string | null, b: number | string | null): string {
  if (typeof a !== 'number' || typeof b !== 'number' || b === 0) return '—';
  return `${(a / b).toFixed(2)}×`;
}

function coresRow(label: string, c: CpuWindow | undefined): string {
  if (!c) return '';
  const pg = (c.pgCpuSec / c.wallSec).toFixed(2);
  const rd = (c.redisCpuSec / c.wallSec).toFixed(2);
  const noisy = c.otherCores > 0.3 ? ' ⚠ noisy' : '';
  return `| ${label} | ${c.wallSec} | ${c.serverCores} | ${pg} | ${rd} | ${c.loadgenCores} | ${c.otherCores ?? '—'}${noisy} | ${c.machineCores ?? '—'} |\n`;
}

export function renderMarkdown(r: BenchResults, opts: { tableOnly?: boolean } = {}): string {
  const m = r.meta;
  let md = '';
  if (!opts.tableOnly) {
    md += `# Lounge benchmark (\`npm run bench\`${m.mode === 'default' ? '' : ` -- --${m.mode}`})\n\n`;
    md += `- date: ${m.date}; run took ${m.durationSec} s\n- node ${m.node}; commit ${m.commit}\n`;
    md += `- machine: ${m.cores} cores (${m.cpuModel}), ${m.memGiB} GiB; load average at start ${m.loadAverageAtStart.join(' ')}; open files ${m.openFiles.soft}/${m.openFiles.hard}\n`;
    md += `- everything (servers, PostgreSQL, Redis, load generators) on this one machine over 127.0.0.1; each server and each load generator in its own process\n`;
    const carried = carriedOverRuns(m);
    for (const c of carried)
      md += `- scenarios ${c.scenarios.join(', ')} are carried over from the run of ${c.date} (commit ${c.commit})\n`;
    if (carried.length) {
      const measured = Object.keys(r.scenarios).filter(
        (n) => !carried.some((c) => c.scenarios.includes(n as ScenarioName)),
      );
      md += `- this run measured ${measured.length ? measured.join(', ') : 'nothing else'}\n`;
    }
    md += '\n';
    md += '## Figures\n\n';
  }
  md +=
    '| figure | unit | goal | Lounge | Hocuspocus | y-websocket-server | Lounge ÷ Hocuspocus | Lounge ÷ y-ws | goal met |\n';
  md += '|---|---|---|---|---|---|---|---|---|\n';
  for (const f of r.figures) {
    const met = f.met === null ? '—' : f.met ? 'yes' : '**no**';
    md += `| ${f.figure} | ${f.unit} | ${f.goal} | ${cell(f.lounge)} | ${cell(f.hocuspocus)} | ${cell(f['y-websocket-server'])} | ${ratio(f.lounge, f.hocuspocus)} | ${ratio(f.lounge, f['y-websocket-server'])} | ${met} |\n`;
  }
  if (opts.tableOnly) return md;

  md +=
    '\n## Cores used by each side\n\nCPU seconds ÷ wall seconds over the measured window (from /proc/<pid>/stat; the machine total from /proc/stat). PostgreSQL and Redis are every `postgres` / `redis-server` process on the machine (other users of them count too). "Everything else" is the machine\'s busy time minus all of those: other sessions sharing the box, which make a window noisy when high.\n\n';
  md +=
    '| scenario / server | window s | server | PostgreSQL | Redis | load generators | everything else (other sessions) | whole machine busy |\n|---|---|---|---|---|---|---|---|\n';
  const fo = ok<FanoutResult>(r.scenarios.fanout);
  for (const [k, v] of Object.entries(fo)) md += coresRow(`fan-out / ${k}`, v.cpu);
  const tp = ok<ThroughputResult>(r.scenarios.throughput);
  for (const [k, v] of Object.entries(tp))
    for (const st of v.steps) md += coresRow(`throughput ${st.offeredPerSec}/s / ${k}`, st.cpu);
  const st = ok<StormResult>(r.scenarios.storm);
  for (const v of Object.values(st)) for (const p of v.phases) md += coresRow(`storm ${p.kind} / lounge`, p.cpu);

  md += '\n## Details\n\n';
  for (const [name, o] of Object.entries(r.scenarios)) {
    if (o.status !== 'ok')
      md += `- **${name}**: ${o.status}${o.error ? ` — ${o.error}` : ''}${o.reason ? ` — ${String(o.reason)}` : ''}\n`;
    for (const [server, v] of Object.entries(o.results ?? {}))
      if (v && typeof v === 'object' && 'error' in v)
        md += `- **${name} / ${server}**: error — ${String((v as { error: unknown }).error)}\n`;
  }
  if (Object.keys(fo).length) {
    md +=
      '\n### Fan-out\n\n| server | subscribers synced | sent | accepted | delivered / expected | lost | dups | p50 / p95 / p99 / max ms | after warm-up p99 | server CPU s | µs / delivery | peak RSS MiB | drain s | writer lag ms | subscriber event-loop max ms | bytes received / delivery |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n';
    for (const [k, v] of Object.entries(fo)) {
      const l = v.latencyMs;
      md += `| ${k} | ${v.synced}/${v.subs} | ${v.sent} | ${v.accepted} | ${fmt(v.delivered)} / ${fmt(v.expected)} | ${v.lost} | ${v.dups} | ${l.p50} / ${l.p95} / ${l.p99} / ${l.max} | ${v.latencyAfterWarmupMs.p99} | ${v.cpu.serverCpuSec} | ${v.serverCpuUsPerDelivery} | ${v.serverPeakRssMiB} | ${v.drainSec} | ${v.writerMaxLagMs} | ${v.subsEventLoopDelayMaxMs} | ${v.bytesPerDelivery ?? '—'} |\n`;
    }
  }
  if (Object.keys(tp).length) {
    md +=
      '\n### Throughput ramp\n\n| server | offered/s | sent | accepted | accepted/s | p50 / p99 ms | server cores | PostgreSQL cores | µs / accepted | pass |\n|---|---|---|---|---|---|---|---|---|---|\n';
    for (const [k, v] of Object.entries(tp)) {
      for (const s2 of v.steps) {
        md += `| ${k} | ${s2.offeredPerSec} | ${s2.sent} | ${s2.accepted} | ${s2.acceptedPerSec} | ${s2.latencyMs.p50} / ${s2.latencyMs.p99} | ${s2.cpu.serverCores} | ${(s2.cpu.pgCpuSec / s2.cpu.wallSec).toFixed(2)} | ${s2.serverCpuUsPerAccepted} | ${s2.passed ? 'yes' : s2.keptUp ? 'p99 over, kept up' : 'no'} |\n`;
      }
      md += `| ${k} | stopped: ${v.stoppedBecause}; lost ${v.lost}; rejected ${JSON.stringify(v.rejected)} | | | | | | | | |\n`;
    }
  }
  const cn = ok<ConnectionsResult>(r.scenarios.connections);
  if (Object.keys(cn).length) {
    md +=
      '\n### Connections\n\n| server | held / tried | docs each | connect s | conn/s | RSS idle → connected MiB | KB / conn (RSS, no GC) | KB / conn after full GC: RSS / JS heap / external | µs CPU / conn |\n|---|---|---|---|---|---|---|---|---|\n';
    for (const [k, v] of Object.entries(cn)) {
      md += `| ${k} | ${v.synced} / ${v.requested} | ${v.docsPerConnection} | ${v.connectSec} | ${v.connectionsPerSec} | ${v.serverRssIdleMiB} → ${v.serverRssConnectedMiB} | ${v.kbPerConnectionNoGc ?? '—'} | ${v.kbPerConnection ?? '—'} / ${v.heapKbPerConnection ?? '—'} / ${v.externalKbPerConnection ?? '—'} | ${v.serverCpuUsPerConnection} |\n`;
    }
  }
  for (const v of Object.values(st)) {
    md += `\n### Reconnect storm (Lounge, app SyncClient)\n\n${v.clients} readers, ${v.writers} writers at ${v.writerRate} msg/s. Sent ${v.sent}, in Postgres ${v.accepted} (duplicates ${v.duplicatesInDb}), readers hold ${fmt(v.held)} / ${fmt(v.expected)}, lost ${v.lost}, outbox left ${v.outboxLeft}, reconnects per reader ${v.reconnectsPerReader}.\n\n`;
    md +=
      '| phase | readers caught up | messages required | all caught up ms (from cut/kill) | from restart ready ms | restart ms | reconnect spread ms (first to last socket open) | reconnects / s |\n|---|---|---|---|---|---|---|---|\n';
    for (const p of v.phases)
      md += `| ${p.kind} | ${p.caughtUp}/${p.readers} | ${p.required} | ${p.allCaughtUpMs ?? '—'} | ${p.caughtUpAfterRestartMs ?? '—'} | ${p.restartMs ?? '—'} | ${p.reconnectSpreadMs ?? '—'} | ${p.reconnectSpreadMs ? Math.round((p.readers * 1000) / p.reconnectSpreadMs) : '—'} |\n`;
  }
  const hi = ok<HistoryResult>(r.scenarios.history);
  for (const v of Object.values(hi)) {
    md += `\n### History\n\nInserted ${fmt(v.insert.big)} + ${fmt(v.insert.small)} messages (${v.insert.bigInsertSec} s, ${v.insert.snapshots} meta snapshots by the snapshot job's function).\n\n`;
    md +=
      '| room | messages | head (expected) | meta ms / bytes | head segment ms / bytes / msgs | server RSS before → after MiB (Δ) | peak MiB | server CPU s | PostgreSQL CPU s |\n|---|---|---|---|---|---|---|---|---|\n';
    for (const p of v.probes) {
      md += `| ${p.room} | ${fmt(p.messages)} | ${p.head} (${p.expectedHead}) | ${p.metaMs} / ${fmt(p.metaBytes)} | ${p.segMs} / ${fmt(p.segBytes)} / ${p.segMessages} | ${p.serverRssBeforeMiB} → ${p.serverRssAfterMiB} (${p.serverRssDeltaMiB}) | ${p.serverPeakRssMiB} | ${p.serverCpuSec} | ${p.pgCpuSec} |\n`;
    }
  }
  const pgs = ok<PagesResult>(r.scenarios.pages);
  for (const v of Object.values(pgs)) {
    const row = (what: string, x: { n: number; p50: number; p95: number; p99: number; max: number }) =>
      `| ${what} | ${fmt(x.n)} | ${x.p50} | ${x.p95} | ${x.p99} | ${x.max} |\n`;
    md += `\n### History pages and search (bench/history-search.ts)\n\n`;
    md += `${fmt(v.messages)} messages in the room (and ${fmt(Math.min(20_000, v.messages))} in a private circle the reader cannot read), filled in ${v.fillSeconds} s; messages table ${v.sizes?.messages_total ?? '—'}, search index ${v.sizes?.search_index ?? '—'}, pairs index ${v.sizes?.search_pairs_index ?? '—'}. PostgreSQL ${v.postgres}; load average ${v.loadAverageAtStart.join(' ')} at the start, ${v.loadAverageAtEnd.join(' ')} at the end.\n\n`;
    md += `How measured: ${v.method}\n\n`;
    md += '| page of 50 | n | p50 ms | p95 ms | p99 ms | max ms |\n|---|---|---|---|---|---|\n';
    md += row('room route, random depth', v.history.roomRoutePage50);
    md += row('channel route, random depth', v.history.channelRoutePage50);
    md += row('SQL alone, random depth', v.history.sqlOnlyPage50);
    md += row('channel route, newest page', v.history.newestPage50);
    md += row('around a message', v.history.aroundMessage50);
    md +=
      '\n| search query kind | global p50 / p95 ms | room-scoped p50 / p95 ms | results per query |\n|---|---|---|---|\n';
    for (const [kind, k] of Object.entries(v.search.byKind))
      md += `| ${kind} | ${k.global.p50} / ${k.global.p95} | ${k.room.p50} / ${k.room.p95} | ${k.hits} |\n`;
    md += `| **whole mix** (n ${fmt(v.search.all.n)}) | p50 ${v.search.all.p50} / p95 ${v.search.all.p95} / p99 ${v.search.all.p99} | | |\n`;
    md += `| **without the adversarial kinds** (n ${fmt(v.search.withoutAdversarial.n)}) | p50 ${v.search.withoutAdversarial.p50} / p95 ${v.search.withoutAdversarial.p95} / p99 ${v.search.withoutAdversarial.p99} | | |\n`;
    const banned = Object.entries(v.search.extraBannedFromGeneral)
      .map(([kind, x]) => `${kind} p50 ${x.p50} / p95 ${x.p95} ms`)
      .join('; ');
    if (banned)
      md += `\nNot in the mix: a member banned from the room searching everything they can read: ${banned}.\n`;
  }
  md += `\n## How this was measured\n\n${METHOD}\n`;
  return md;
}

const METHOD = `- **Servers**: Lounge is the real server in production mode (\`node --import tsx sync-server/main.ts\`, PostgreSQL 127.0.0.1:5432 in a database created for the run and dropped after it, Redis 127.0.0.1:6379, LOG_LEVEL=warn), a fresh process per scenario. Peers: \`@hocuspocus/server\` 4.7.0 (no extensions, no persistence, defaults) and \`@y/websocket-server\` 0.1.1 (its own bin, no persistence), fresh processes too. Lounge runs under the tsx loader (as the brief specifies), which adds its own memory to Lounge's RSS; the per-connection figures use differences, so this constant cancels out. Every server gets the same two bench-only preloads and nothing else: an orphan guard (exits if the benchmark dies) and a memory probe (\`--expose-gc\`; on SIGUSR2 a full GC, then \`process.memoryUsage()\` to a file), used only by the connections scenario.
- **Load generators** are separate processes (two for subscribers, one for writers where writers are separate). Above a few hundred clients they are lightweight raw-WebSocket clients: Lounge subscribers speak the multiplexed protocol like \`SyncClient\` (subscribe + sync step 1 for \`private.<me>\`, \`inbox.<me>\`, the room's meta doc and head segment) but keep no Yjs doc for channel docs — each segment update is parsed with \`Y.decodeUpdate\` and the message bodies read. Peer subscribers do the same with their server's protocol (Hocuspocus: auth message first). Latency therefore includes Yjs decoding of every update, but not integration into a doc.
- **Writers** (Lounge) are members writing intents into the outbox of their private doc with the app's own \`enqueueIntent\`/\`settleVerdicts\` over the same raw socket — the real client path. The server allows 10 messages per minute per member; the harness never weakens that rule: it uses as many distinct writer members as needed, each sending at most ${'`writerBudget`'} messages per scenario. Peer writers are one client per doc setting \`{id, sentAt, body}\` into \`Y.Map('messages')\` (the same value shape as a Lounge segment doc).
- **Latency** = time a subscriber decoded the message − send time stamped in the body by the writer (same machine clock, 1 ms resolution). For Lounge it covers outbox sync, the intent transaction in PostgreSQL, the doc update and the broadcast; for the peers only the relay.
- **Server CPU** = utime+stime of the server process from /proc over the message phase (sending plus drain); per delivery = that ÷ messages delivered to subscribers. Peak RSS = VmHWM.
- **Lost** = for Lounge, messages PostgreSQL holds × subscribers − distinct messages the subscribers received (and, in the storm, intents sent that never became messages); for peers, messages sent × subscribers − distinct received.
- **Throughput** ramps the offered rate in steps; a step passes when its p99 ≤ the gate and every message it sent was delivered within the settle time; the ramp stops at the first failing step.
- **History pages and search** (\`pages\`) is bench/history-search.ts run inside the benchmark process on a database of its own (created, filled with generated messages, dropped): the app built in process over PostgreSQL and timed with \`app.inject()\`, sequentially; its own "how measured" line is in its section above.
- **Reconnect storm** uses the app's own \`SyncClient\` (real Yjs docs, fresh connection token per connect, state-vector exchange); reconnects are spread uniformly over 1 s by SyncClient's full jitter (min = max = 1 s).
- On this 2-core machine servers, PostgreSQL, Redis and load generators share the cores: the "cores used" table shows who used what. Other sessions may use PostgreSQL/Redis/CPU at the same time.`;
