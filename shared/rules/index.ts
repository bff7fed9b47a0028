/** The product's rules, shared by the client (to explain), the server (to decide) and the workers. */
export * from './limits.ts';
export * from './roles.ts';
export * from './trust.ts';
export * from './permissions.ts';
export * from './moderation.ts';
export * from './text.ts';
export * from './conversation.ts';
export * from './time-left.ts';
export * from './unreachable.ts';
