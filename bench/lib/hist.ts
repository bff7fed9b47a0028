/**
 * Latency histograms with 1 ms buckets (Date.now() has 1 ms resolution, and writer and readers share
 * the machine clock). Kept dense in the load generators, sent sparse over IPC, merged in the
 * orchestrator. Values above HMAX count as overflow and rank above every bucket (reported as max).
 */
export const HMAX_MS = 60_000;

export interface SparseHist {
  /** [ms, count] pairs, ascending. */
  b: Array<[number, number]>;
  n: number;
  max: number;
  sum: number;
  overflow: number;
}

export class Hist {
  private readonly counts = new Uint32Array(HMAX_MS + 1);
  n = 0;
  max = 0;
  sum = 0;
  overflow = 0;

  add(ms: number): void {
    const v = ms < 0 ? 0 : Math.round(ms);
    this.n++;
    this.sum += v;
    if (v > this.max) this.max = v;
    if (v > HMAX_MS) this.overflow++;
    else this.counts[v]!++;
  }

  sparse(): SparseHist {
    const b: Array<[number, number]> = [];
    for (let i = 0; i <= HMAX_MS; i++) if (this.counts[i]) b.push([i, this.counts[i]!]);
    return { b, n: this.n, max: this.max, sum: this.sum, overflow: this.overflow };
  }
}

export function emptyHist(): SparseHist {
  return { b: [], n: 0, max: 0, sum: 0, overflow: 0 };
}

export function mergeHists(list: readonly SparseHist[]): SparseHist {
  const m = new Map<number, number>();
  const out = emptyHist();
  for (const h of list) {
    for (const [ms, c] of h.b) m.set(ms, (m.get(ms) ?? 0) + c);
    out.n += h.n;
    out.sum += h.sum;
    out.overflow += h.overflow;
    if (h.max > out.max) out.max = h.max;
  }
  out.b = [...m.entries()].sort((a, b) => a[0] - b[0]);
  return out;
}

/** Nearest-rank percentile in ms, or null without samples. */
export function pct(h: SparseHist, p: number): number | null {
  if (h.n === 0) return null;
  const rank = Math.ceil((p / 100) * h.n);
  let acc = 0;
  for (const [ms, c] of h.b) {
    acc += c;
    if (acc >= rank) return ms;
  }
  return h.max;
}

export function summary(h: SparseHist): {
  n: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
} {
  return {
    n: h.n,
    p50: pct(h, 50),
    p95: pct(h, 95),
    p99: pct(h, 99),
    max: h.n ? h.max : null,
    mean: h.n ? Math.round((h.sum / h.n) * 10) / 10 : null,
  };
}
