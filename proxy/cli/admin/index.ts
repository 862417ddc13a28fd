/**
 * `npm run admin -- <group> <command> [arguments] [--json] [--help]`: the operator's CLI.
 * Connects as the schema owner (DATABASE_URL) and calls the same SQL as the admin GraphQL
 * API; its audit rows say `cli`. One file per group; this map composes them.
 * Exit codes: proxy/cli/admin/common.ts (0 ok, 1 failure, 2 usage, 3 not found, 4 refused).
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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
  // An option the command does not know is a usage error, not silently ignored (a mistyped
  // `--serach` must not list everyone): the known ones are those its usage and help name.
  const known = new Set([
    'json',
    'help',
    ...[...`${c.usage}\n${c.help ?? ''}`.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]!),
  ]);
  const unknown = Object.keys(args.options).find((o) => !known.has(o));
  if (unknown !== undefined) throw new CliError(`unknown option --${unknown} for ${group} ${command}`, EXIT.usage);
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

/** Runs one command line; prints errors to stderr and answers the exit code (never throws).
 * Exported so tests can run most commands in-process (test/cli/admin.test.ts). */
export async function run(argv: string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (e) {
    const err =
      e instanceof CliError
        ? e
        : (fromDbError(e) ?? new CliError(e instanceof Error ? e.message : String(e), EXIT.failed));
    console.error(`error: ${err.message}`);
    return err.exitCode;
  }
}

function isEntry(): boolean {
  try {
    return !!process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) {
  run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
