import { createAdapters } from './adapters.ts';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { migrate } from './db/migrate.ts';
import { seedLounge } from './features/lounge/seed-lounge.ts';
import { createLogger } from './logger.ts';

/**
 * Test-only fault injection: LOUNGE_FAULT_KILL_AFTER_COMMIT=N kills this process with SIGKILL right
 * after the Nth intent commits and before anything is broadcast. Ignored unless NODE_ENV=test.
 */
function faultInjectionHook(nodeEnv: string): (() => void) | undefined {
  const after = Number(process.env.LOUNGE_FAULT_KILL_AFTER_COMMIT ?? 0);
  if (nodeEnv !== 'test' || !Number.isInteger(after) || after <= 0) return undefined;
  let commits = 0;
  return () => {
    commits += 1;
    if (commits >= after) process.kill(process.pid, 'SIGKILL');
  };
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const adapters = await createAdapters(config, logger, { afterCommitHook: faultInjectionHook(config.nodeEnv) });
  const applied = await migrate(adapters.db);
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  await seedLounge(adapters.db);
  const app = await buildApp(adapters);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // A stuck connection must not keep a stopping node alive forever.
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await app.close();
    await adapters.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  const address = await app.listen({ port: config.port, host: config.host });
  logger.info({ address, mode: config.mode }, `Lounge is running at ${address.replace('127.0.0.1', 'localhost')}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`Lounge failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
