import type { CommandGroup } from './common.ts';

export const users: CommandGroup = { summary: '(in progress)', commands: {} };
