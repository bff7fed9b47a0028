import { createLayer1Filter, type Layer1Filter } from '../../shared/moderation/index.ts';
import type { Config } from '../config.ts';

/** What intent handlers need from moderation: the Layer-1 filter and the report threshold. */
export interface ModerationDeps {
  layer1: Layer1Filter;
  reportsToHide: number;
}

export function createModerationDeps(config: Config['moderation']): ModerationDeps {
  return {
    layer1: createLayer1Filter({
      allowedLinkDomains: config.allowedLinkDomains,
      extraBlockedWords: config.blockedWords,
      allowedWords: config.allowedWords,
    }),
    reportsToHide: config.reportsToHide,
  };
}
