/* global process, setInterval */
// Preloaded (`node --import ./bench/lib/orphan-guard.mjs ...`) into every server the benchmark starts
// that has no IPC channel of its own: when the benchmark process dies without cleaning up (SIGKILL),
// the child is re-parented and exits here instead of living on. It costs one unref'd timer.
const parent = process.ppid;
const timer = setInterval(() => {
  if (process.ppid !== parent) process.exit(99);
}, 500);
timer.unref();
