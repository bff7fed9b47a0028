/* global process */
// Preloaded into every server under test (`node --expose-gc --import ./bench/lib/mem-probe.mjs ...`):
// on SIGUSR2 it runs a full garbage collection and writes process.memoryUsage() to
// <tmpdir>/lounge-bench-mem-<pid>.json, so memory per connection is read without garbage in it.
// Nothing else changes in the server; the signal is sent only by the benchmark.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.on('SIGUSR2', () => {
  if (typeof globalThis.gc === 'function') {
    globalThis.gc();
    globalThis.gc();
  }
  const file = join(tmpdir(), `lounge-bench-mem-${process.pid}.json`);
  writeFileSync(
    file,
    JSON.stringify({ at: Date.now(), gc: typeof globalThis.gc === 'function', ...process.memoryUsage() }),
  );
});
