/* global process */
// Preloaded into every server under test (`node --expose-gc --import ./bench/lib/mem-probe.mjs ...`):
// on SIGUSR2 it runs a full garbage collection and writes process.memoryUsage() to
// <tmpdir>/lounge-bench-mem-<pid>.json, so memory per connection is read without garbage in it.
// Nothing else changes in the server; the signal is sent only by the benchmark. With
// BENCH_HEAP_SNAPSHOT_DIR set (e.g. through BENCH_LOUNGE_ENV), it also writes a V8 heap snapshot there
// after the collection, to see what an idle connection's memory is made of (DevTools opens it).
import { writeFileSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.on('SIGUSR2', () => {
  if (typeof globalThis.gc === 'function') {
    globalThis.gc();
    globalThis.gc();
  }
  const usage = process.memoryUsage();
  // Before the figures are handed over: the benchmark may stop the server as soon as it has them.
  const dir = process.env.BENCH_HEAP_SNAPSHOT_DIR;
  if (dir) writeHeapSnapshot(join(dir, `heap-${process.pid}-${Date.now()}.heapsnapshot`));
  const file = join(tmpdir(), `lounge-bench-mem-${process.pid}.json`);
  writeFileSync(file, JSON.stringify({ at: Date.now(), gc: typeof globalThis.gc === 'function', ...usage }));
});
