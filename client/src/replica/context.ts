import { createContext, useContext } from 'solid-js';
import type { Replica } from './replica.ts';

export const ReplicaContext = createContext<Replica>();

/** The signed-in member's replica; only components under AppShell may ask for it. */
export function useReplica(): Replica {
  const replica = useContext(ReplicaContext);
  if (!replica) throw new Error('useReplica must be used inside <AppShell>');
  return replica;
}
