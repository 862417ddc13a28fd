/**
 * `npm run admin -- <group> <command> [arguments] [--json] [--help]`: the operator's CLI.
 * Connects as the schema owner (DATABASE_URL) and calls the same SQL as the admin GraphQL
 * API; its audit rows say `cli`. One file per group; this map composes them.
 * Exit codes: proxy/cli/admin/common.ts (0 ok, 1 failure, 2 usage, 3 not found, 4 refused).
 */
import { audit } from './audit.ts';
import { CliError, type CommandGroup, connect, EXIT, fromDbError, parseArgs } from './common.ts';
import { keys } from './keys.ts';
import { oauth } from './oauth.ts';
import { sessions } from './sessions.ts';
import { users } from './users.ts';
import { webhooks } from './webhooks.ts';

export const groups: Record<string, CommandGroup> = {
  users,
  sessions,
  oauth,
  audit,
  keys,
  webhooks,
};

function usage(): string {
  const lines = ['usage: npm run admin -- <group> <command> [arguments] [--json] [--help]', ''];
  for (const [name, g] of Object.entries(groups)) {
    lines.push(`${name.padEnd(10)} ${g.summary}`);
    for (const c of Object.values(g.commands)) lines.push(`  ${name} ${c.usage.padEnd(40)} ${c.summary}`);
  }
  return lines.join('\n');
}

function commandHelp(group: string, name: string): string {
  const c = groups[group]!.commands[name]!;
  return [`usage: npm run admin -- ${group} ${c.usage} [--json]`, '', c.summary, ...(c.help ? ['', c.help] : [])].join(
    '\n',
  );
}

async function main(argv: string[]): Promise<number> {
  const [group, command, ...rest] = argv;
  const args = parseArgs(rest);
  if (!group || group === '--help' || group === '-h' || group === 'help') {
    console.log(usage());
    return group ? EXIT.ok : EXIT.usage;
  }
  const g = groups[group];
  if (!g) throw new CliError(`unknown group: ${group}\n\n${usage()}`, EXIT.usage);
  if (!command || command === '--help' || command === '-h') {
    const text = [
      `${group}: ${g.summary}`,
      ...Object.values(g.commands).map((c) => `  ${group} ${c.usage}  ${c.summary}`),
    ];
    console.log(text.join('\n'));
    return command ? EXIT.ok : EXIT.usage;
  }
  const c = g.commands[command];
  if (!c) throw new CliError(`unknown command: ${group} ${command}`, EXIT.usage);
  if (args.options.help) {
    console.log(commandHelp(group, command));
    return EXIT.ok;
  }
  if (c.offline) {
    await c.run(undefined as never, args);
    return EXIT.ok;
  }
  const db = await connect();
  try {
    await c.run(db, args);
  } finally {
    await db.end().catch(() => {});
  }
  return EXIT.ok;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const err =
      e instanceof CliError
        ? e
        : (fromDbError(e) ?? new CliError(e instanceof Error ? e.message : String(e), EXIT.failed));
    console.error(`error: ${err.message}`);
    process.exitCode = err.exitCode;
  },
);
