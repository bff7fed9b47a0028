import type { FastifyBaseLogger } from 'fastify';
import type { ChannelChange } from '../../../shared/sync/channel-doc.ts';
import type { AppDeps } from '../../app-deps.ts';

/**
 * Applies committed changes to this node's docs and fans them out. Called after the commit only: the
 * change is already the truth, so a failure here is logged, not answered as an error — every node's
 * change_seq catch-up delivers it anyway.
 */
export async function publishCommitted(
  deps: AppDeps,
  changes: readonly ChannelChange[],
  log: FastifyBaseLogger,
): Promise<void> {
  if (changes.length === 0) return;
  try {
    await deps.sync.channels.committed(changes);
  } catch (err) {
    log.warn({ err }, 'publishing committed changes failed; catch-up will deliver them');
  }
}
