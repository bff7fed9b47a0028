// Spec: presence entries live 60 s unless refreshed (clients refresh with awareness heartbeats).
export const LIMIT_PRESENCE_TTL_MS = 60_000;
