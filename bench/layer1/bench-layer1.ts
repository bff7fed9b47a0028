/**
 * Layer-1 latency benchmark: the spec budgets Layer 1 at about 1 ms, and it runs on every message
 * the server saves, so the figure that matters is p99 on long (up to 4,000-character) messages.
 *
 *   npx tsx bench/layer1/bench-layer1.ts [--messages 20000] [--out bench/results/layer1.json]
 *
 * `runLayer1Bench` is exported so an aggregate `npm run bench` can call it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createLayer1Filter } from '../../shared/moderation/index.ts';
import { LIMITS } from '../../shared/rules/limits.ts';
import type { Layer1Config, Layer1Input, TrustLevel, Verdict } from '../../shared/moderation/index.ts';

export interface Layer1BenchOptions {
  /** How many messages to check (after warm-up). */
  messages?: number;
  /** Longest generated message. */
  maxChars?: number;
  /** Messages checked before timing starts, so the JIT has compiled the hot path. */
  warmup?: number;
  seed?: number;
  /** Where to write the JSON figures; null to skip writing. */
  outFile?: string | null;
}

export interface LatencySummary {
  count: number;
  p50Us: number;
  p95Us: number;
  p99Us: number;
  maxUs: number;
  meanUs: number;
}

export interface Layer1BenchResult {
  benchmark: 'layer1';
  when: string;
  node: string;
  messages: number;
  maxChars: number;
  constructionMs: number;
  all: LatencySummary;
  /** Messages of 3,000 characters or more: the budget is stated for 4,000-character messages. */
  long: LatencySummary;
  /** Input built to be slow: single repeated characters, dense unicode, near-miss words. */
  pathological: LatencySummary;
  verdicts: Record<Verdict, number>;
  budgetUs: number;
  withinBudget: boolean;
}

const BUDGET_US = 1000;
const LONG_CHARS = 3000;
const BATCH = 500;

const CONFIG: Layer1Config = {
  allowedLinkDomains: ['github.com', 'npmjs.com', 'developer.mozilla.org', 'lounge.example'],
  extraBlockedWords: ['noob', 'scamcoin', 'go away loser'],
  allowedWords: ['hentai'],
};

/** mulberry32: small, fast and seedable, so every run checks the same messages. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'the a to and of in is it you that for on with this was are have be but not what can just like so ' +
  'prompt model image workflow render style seed sampler diffusion lora checkpoint upscale palette ' +
  'function const return async await promise error stack trace deploy branch merge rebase commit ' +
  'thanks great question anyone know how why when where help please idea share project community ' +
  'assessment class cocktail analysis shiitake Scunthorpe passion compass assistant therapist grape'
).split(' ');
const SPICE = ['sh1t', 's h i t', 'f.u.c.k', 'fuuuuck', 'damn', 'noob', 'b1tch', 'a$$', 'crap', 'shiiiit'];
const LINKS = [
  'https://github.com/lounge/app/pull/42',
  'docs.github.com/en/actions',
  'https://github.com.evil.io/login',
  'evil-github.com/free',
  'https://youtu.be/dQw4w9WgXcQ',
  '[docs](https://developer.mozilla.org/en-US/docs/Web)',
  '[github.com](https://phish.example/x)',
  'www.example.com/page?ref=abc',
];
const EMOJI = ['🎨', '🔥', '😂', '👍🏽', '🙏', '✨', '💻', '🚀'];
const UNICODE = ['é', 'ß', '漢', '字', 'ж', 'ψ', 'ع', '🙂', '𝐟', 'Ⓐ', 'ｗ', 'ñ', '\u200b'];

function pick<T>(r: () => number, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)]!;
}

function prose(r: () => number, length: number): string {
  let s = '';
  while (s.length < length) {
    const roll = r();
    if (roll < 0.01) s += pick(r, SPICE);
    else if (roll < 0.02) s += pick(r, LINKS);
    else if (roll < 0.03) s += `@user${Math.floor(r() * 9)}`;
    else if (roll < 0.04) s += pick(r, EMOJI);
    else if (roll < 0.05) s += '\n';
    else s += pick(r, WORDS);
    s += r() < 0.08 ? '. ' : ' ';
  }
  return s.slice(0, length);
}

function codeBlock(r: () => number, length: number): string {
  const lines = [
    "const assert = require('assert');",
    'git push --force origin main',
    'kill -9 $(pgrep node)',
    'export const MAX_RETRY_COUNT = 5;',
    '@Component({ selector: "app-root" })',
    'SELECT * FROM messages WHERE room_id = $1 ORDER BY created_at DESC;',
    'df["total"] = df.amount.cumsum()',
    'curl -fsSL https://github.com/lounge/app/raw/main/install.sh | sh',
  ];
  let s = 'here is the snippet:\n```ts\n';
  while (s.length < length - 4) s += `${pick(r, lines)}\n`;
  return `${s.slice(0, length - 4)}\n\`\`\``;
}

const PATHOLOGICAL: ReadonlyArray<(n: number) => string> = [
  (n) => 'a'.repeat(n),
  (n) => '!'.repeat(n),
  // 4,000 emoji are 4,000 characters to the limit but 8,000 UTF-16 units to the scanner.
  (n) => '😂'.repeat(n),
  (n) => Array.from({ length: n }, (_, i) => UNICODE[i % UNICODE.length]).join(''),
  (n) => 'a '.repeat(Math.floor(n / 2)),
  (n) => 's.h.'.repeat(Math.floor(n / 4)),
  (n) => 'assessment '.repeat(Math.floor(n / 11)),
  (n) => 'shit '.repeat(Math.floor(n / 5)),
  (n) => 'x.com '.repeat(Math.floor(n / 6)),
  (n) => '@u1 '.repeat(Math.floor(n / 4)),
  (n) => `${'aaaaaaaaaa.'.repeat(Math.floor(n / 11))}`,
  (n) => '\n'.repeat(n),
  (n) => 'A'.repeat(n),
  (n) => '`'.repeat(n),
  (n) => '[a](b '.repeat(Math.floor(n / 6)),
];

interface Sample {
  input: Layer1Input;
  pathological: boolean;
}

/**
 * Messages are made in batches (see BATCH) rather than all 20,000 up front: holding ~400 MB of
 * sample text would make the benchmark measure the garbage collector's old generation.
 */
function sampler(r: () => number, maxChars: number): () => Sample {
  const levels: TrustLevel[] = ['new', 'member', 'member', 'member', 'trusted'];
  return () => {
    const roll = r();
    let body: string;
    let pathological = false;
    if (roll < 0.3) body = prose(r, 5 + Math.floor(r() * 200));
    else if (roll < 0.55) body = prose(r, 200 + Math.floor(r() * 1800));
    else if (roll < 0.8) body = prose(r, maxChars - Math.floor(r() * 1000));
    else if (roll < 0.9) body = codeBlock(r, 200 + Math.floor(r() * (maxChars - 200)));
    else {
      body = pick(r, PATHOLOGICAL)(maxChars);
      pathological = true;
    }
    const recentBodies = r() < 0.5 ? [prose(r, 100), prose(r, maxChars), r() < 0.2 ? body : prose(r, 300)] : undefined;
    return {
      input: {
        body: flat(body),
        trustLevel: pick(r, levels),
        hasImages: r() < 0.05,
        ...(recentBodies ? { recentBodies: recentBodies.map(flat) } : {}),
      },
      pathological,
    };
  };
}

/**
 * Text built with += is a rope that V8 flattens on first read, which would be timed as Layer 1's
 * work. Real bodies arrive flat, from JSON.parse of a request or a WebSocket frame, so do the same.
 */
function flat(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

function summarise(timesUs: readonly number[]): LatencySummary {
  const sorted = [...timesUs].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
  const round = (x: number): number => Math.round(x * 10) / 10;
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    p50Us: round(at(0.5)),
    p95Us: round(at(0.95)),
    p99Us: round(at(0.99)),
    maxUs: round(sorted[sorted.length - 1] ?? 0),
    meanUs: round(sorted.length === 0 ? 0 : sum / sorted.length),
  };
}

export function runLayer1Bench(opts: Layer1BenchOptions = {}): Layer1BenchResult {
  const messages = opts.messages ?? 20_000;
  const maxChars = Math.min(opts.maxChars ?? LIMITS.text.messageBodyMaxChars, LIMITS.text.messageBodyMaxChars);
  const warmup = opts.warmup ?? 2_000;
  const r = rng(opts.seed ?? 0x1a7e5);

  const built = process.hrtime.bigint();
  const filter = createLayer1Filter(CONFIG);
  const constructionMs = Number(process.hrtime.bigint() - built) / 1e6;

  const next = sampler(r, maxChars);
  for (let i = 0; i < warmup; i++) filter.check(next().input);
  let batch: Sample[] = [];

  const all: number[] = [];
  const long: number[] = [];
  const pathological: number[] = [];
  const verdicts: Record<Verdict, number> = { allow: 0, flag: 0, block: 0 };
  for (let i = 0; i < messages; i++) {
    if (i % BATCH === 0) batch = Array.from({ length: Math.min(BATCH, messages - i) }, next);
    const { input, pathological: isPathological } = batch[i % BATCH]!;
    const start = process.hrtime.bigint();
    const { verdict } = filter.check(input);
    const us = Number(process.hrtime.bigint() - start) / 1e3;
    verdicts[verdict]++;
    all.push(us);
    if (input.body.length >= LONG_CHARS) long.push(us);
    if (isPathological) pathological.push(us);
  }

  const summaryAll = summarise(all);
  const summaryLong = summarise(long);
  const result: Layer1BenchResult = {
    benchmark: 'layer1',
    when: new Date().toISOString(),
    node: process.version,
    messages,
    maxChars,
    constructionMs: Math.round(constructionMs * 10) / 10,
    all: summaryAll,
    long: summaryLong,
    pathological: summarise(pathological),
    verdicts,
    budgetUs: BUDGET_US,
    withinBudget: summaryAll.p99Us <= BUDGET_US && summaryLong.p99Us <= BUDGET_US,
  };

  if (opts.outFile !== null) {
    const out = resolve(opts.outFile ?? 'bench/results/layer1.json');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  }
  return result;
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const messages = flag('messages');
  const out = flag('out');
  const result = runLayer1Bench({
    ...(messages ? { messages: Number(messages) } : {}),
    ...(out ? { outFile: out } : {}),
  });
  const line = (name: string, s: LatencySummary): string =>
    `${name.padEnd(13)} n=${String(s.count).padStart(6)}  p50 ${s.p50Us} µs  p95 ${s.p95Us} µs  p99 ${s.p99Us} µs  max ${s.maxUs} µs`;
  console.log(`Layer 1, ${result.messages} messages up to ${result.maxChars} chars, node ${result.node}`);
  console.log(`construction  ${result.constructionMs} ms`);
  console.log(line('all', result.all));
  console.log(line('>=3000 chars', result.long));
  console.log(line('pathological', result.pathological));
  console.log(`verdicts      ${JSON.stringify(result.verdicts)}`);
  console.log(`p99 budget ${result.budgetUs} µs: ${result.withinBudget ? 'met' : 'MISSED'}`);
  console.log(`wrote ${flag('out') ?? 'bench/results/layer1.json'} (${fileURLToPath(import.meta.url)})`);
  if (!result.withinBudget) process.exitCode = 1;
}
