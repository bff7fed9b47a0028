/**
 * Where a V8 CPU profile spent its time: self time by function and by file, and inclusive time of the
 * functions of this repository.
 *
 *   npx tsx bench/tools/profile-summary.ts bench/results/prof/<file>.cpuprofile [--top=40] [--last=SECONDS]
 *
 * Profiles come from `npm run bench -- --profile` (every Lounge server process writes one on exit).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const file = process.argv[2];
if (!file) {
  console.error('usage: profile-summary.ts <file.cpuprofile> [--top=N]');
  process.exit(1);
}
const top = Number(process.argv.find((a) => a.startsWith('--top='))?.slice(6) ?? 40);
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// --last=<seconds>: only the samples of the profile's last N seconds (the steady state after set-up).
const lastSec = Number(process.argv.find((a) => a.startsWith('--last='))?.slice(7) ?? 0);
const sampleAt: number[] = [];
p.timeDeltas.reduce((t, d, i) => (sampleAt[i] = t + d), p.startTime);
const fromUs = lastSec > 0 ? p.endTime - lastSec * 1e6 : -Infinity;
const self = new Map<number, number>();
p.samples.forEach((id, i) => {
  if (sampleAt[i]! >= fromUs) self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
});
const totalUs = [...self.values()].reduce((a, b) => a + b, 0);

const shortUrl = (url: string) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, 'node_modules/')
    .replace(/^\/work\/main\//, '');
const key = (n: ProfileNode) =>
  `${n.callFrame.functionName || '(anonymous)'}  ${shortUrl(n.callFrame.url) || '(native)'}:${n.callFrame.lineNumber + 1}`;

const selfByFn = new Map<string, number>();
const selfByFile = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const [id, us] of self) {
  const n = byId.get(id)!;
  selfByFn.set(key(n), (selfByFn.get(key(n)) ?? 0) + us);
  const f = shortUrl(n.callFrame.url) || `(${n.callFrame.functionName || 'native'})`;
  selfByFile.set(f, (selfByFile.get(f) ?? 0) + us);
  // inclusive time of repository functions (each counted once per sample path)
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const node = byId.get(cur)!;
    const url = shortUrl(node.callFrame.url);
    if (!url || url.startsWith('node_modules/') || url.startsWith('node:')) continue;
    const k = key(node);
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + us);
  }
}

const pct = (us: number) => `${((100 * us) / totalUs).toFixed(1).padStart(5)}%`;
const show = (title: string, m: Map<string, number>, n: number) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n))
    console.log(`${pct(us)} ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
};
console.log(`${file}: ${(totalUs / 1e6).toFixed(2)} s sampled`);
show('self time by file', selfByFile, Math.min(top, 25));
show('self time by function', selfByFn, top);
show('inclusive time, functions of this repository', inclusive, top);

// --under=<function name>: where the inclusive time of that function goes (callees aggregated, 3 levels).
const under = process.argv.find((a) => a.startsWith('--under='))?.slice(8);
if (under) {
  const incl = new Map<number, number>();
  const addUp = (id: number): number => {
    const n = byId.get(id)!;
    let t = self.get(id) ?? 0;
    for (const c of n.children ?? []) t += addUp(c);
    incl.set(id, t);
    return t;
  };
  for (const n of p.nodes) if (!parent.has(n.id)) addUp(n.id);
  const roots = p.nodes.filter((n) => n.callFrame.functionName === under);
  const rootTotal = roots.reduce((a, n) => a + (incl.get(n.id) ?? 0), 0);
  console.log(`\nunder ${under}: ${(rootTotal / 1000).toFixed(0)} ms inclusive`);
  const walk = (ids: number[], depth: number) => {
    const agg = new Map<string, { us: number; ids: number[] }>();
    for (const id of ids) {
      for (const c of byId.get(id)!.children ?? []) {
        const k = key(byId.get(c)!);
        const e = agg.get(k) ?? { us: 0, ids: [] };
        e.us += incl.get(c) ?? 0;
        e.ids.push(c);
        agg.set(k, e);
      }
    }
    for (const [k, e] of [...agg.entries()].sort((a, b) => b[1].us - a[1].us).slice(0, 8)) {
      if (e.us < rootTotal * 0.02) continue;
      console.log(`${'  '.repeat(depth)}${pct(e.us)} ${(e.us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
      if (depth < 4) walk(e.ids, depth + 1);
    }
  };
  walk(
    roots.map((n) => n.id),
    1,
  );
}

// --callers=<function name>: who calls it (self time of that function attributed up to 4 callers deep).
const callers = process.argv.find((a) => a.startsWith('--callers='))?.slice(10);
if (callers) {
  const paths = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    if (n.callFrame.functionName !== callers) continue;
    total += us;
    const chain: string[] = [];
    for (let cur = parent.get(id); cur !== undefined && chain.length < 4; cur = parent.get(cur)) {
      const node = byId.get(cur)!;
      if (!shortUrl(node.callFrame.url).startsWith('node:')) chain.push(key(node));
    }
    const k = chain.join('  <  ');
    paths.set(k, (paths.get(k) ?? 0) + us);
  }
  console.log(`\ncallers of ${callers}: ${(total / 1000).toFixed(0)} ms self`);
  for (const [k, us] of [...paths.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
    console.log(`${pct(us)} ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
  }
}
