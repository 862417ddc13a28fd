import type { CommandGroup } from './common.ts';

export const keys: CommandGroup = { summary: '(in progress)', commands: {} };
