import type { CommandGroup } from './common.ts';

export const sessions: CommandGroup = { summary: '(in progress)', commands: {} };
