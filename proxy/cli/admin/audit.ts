import type { CommandGroup } from './common.ts';

export const audit: CommandGroup = { summary: '(in progress)', commands: {} };
