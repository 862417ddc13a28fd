import type { CommandGroup } from './common.ts';

export const oauth: CommandGroup = { summary: '(in progress)', commands: {} };
