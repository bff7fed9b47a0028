/**
 * Which messages of a fan-out run were slow, and when: reads the per-message files the load generators
 * write with `BENCH_PER_MESSAGE_DIR=<dir> npm run bench -- --only=fanout …` and prints, per server, the
 * messages whose mean latency over all subscribers passed the threshold (with their send time from the
 * first message) and the messages around each segment boundary.
 *
 *   npx tsx bench/tools/per-message.ts <dir> [--over=35] [--segment=256]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

type Row = [index: number, count: number, sumMs: number, maxMs: number, sentAt: number];

const dir = process.argv[2];
if (!dir) {
  console.error('usage: npx tsx bench/tools/per-message.ts <dir> [--over=35] [--segment=256]');
  process.exit(2);
}
const option = (name: string, fallback: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const over = option('over', 35);
const segment = option('segment', 256);

const byServer = new Map<string, Map<number, { count: number; sum: number; max: number; sentAt: number }>>();
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
  const server = file.slice(0, file.lastIndexOf('-'));
  const messages = byServer.get(server) ?? new Map();
  byServer.set(server, messages);
  for (const [index, count, sum, max, sentAt] of JSON.parse(readFileSync(join(dir, file), 'utf8')) as Row[]) {
    const m = messages.get(index) ?? { count: 0, sum: 0, max: 0, sentAt };
    m.count += count;
    m.sum += sum;
    m.max = Math.max(m.max, max);
    messages.set(index, m);
  }
}

for (const [server, messages] of byServer) {
  const first = messages.get(0)?.sentAt ?? Math.min(...[...messages.values()].map((m) => m.sentAt));
  const cell = (i: number) => {
    const m = messages.get(i);
    return m ? `${Math.round(m.sum / m.count)}/${Math.round(m.max)}` : '-';
  };
  console.log(`\n${server}: ${messages.size} messages; mean/worst ms over all subscribers`);
  const slow = [...messages].filter(([, m]) => m.sum / m.count > over).sort(([a], [b]) => a - b);
  console.log(`mean over ${over} ms: ${slow.length}`);
  for (const [i, m] of slow) console.log(`  #${i} at +${Math.round(m.sentAt - first)} ms: ${cell(i)}`);
  const last = Math.max(...messages.keys());
  for (let b = segment; b <= last; b += segment) {
    const cells = [];
    for (let i = b - 2; i < b + 10; i++) cells.push(cell(i));
    console.log(`boundary ${b}: ${cells.join(' ')}`);
  }
}
