/**
 * What every `npm run admin -- <group> <command>` shares: argument parsing, the owner
 * connection, human tables or `--json`, and exit codes that mean something.
 *
 * Exit codes: 0 done; 1 unexpected failure (database unreachable, bug); 2 usage (unknown
 * group or command, missing argument, bad option); 3 not found (no such user, provider,
 * session); 4 refused by the database's rules (a registered SQL code such as LASTM, MRGCF).
 */
import pg from 'pg';
import { loadConfig } from '../../core/config.ts';

export const EXIT = { ok: 0, failed: 1, usage: 2, notFound: 3, refused: 4 } as const;

/** A failure with its exit code; the dispatcher prints the message to stderr. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export interface Args {
  /** Positional arguments after `<group> <command>`. */
  positional: string[];
  /** `--name value` / `--name=value`; a flag without a value is `true`. */
  options: Record<string, string | true>;
  json: boolean;
}

/** Flags that never take a value. */
const BOOLEAN_FLAGS = new Set(['json', 'help', 'follow', 'force', 'all']);

export function parseArgs(argv: string[]): Args {
  const positional: string[] = [];
  const options: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h') {
      options.help = true;
    } else if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (eq > 0) options[name] = a.slice(eq + 1);
      else if (BOOLEAN_FLAGS.has(name) || i + 1 >= argv.length || argv[i + 1]!.startsWith('--')) options[name] = true;
      else options[name] = argv[++i]!;
    } else {
      positional.push(a);
    }
  }
  return { positional, options, json: options.json === true };
}

/** A string option, or undefined; `--name` without a value is a usage error. */
export function opt(args: Args, name: string): string | undefined {
  const v = args.options[name];
  if (v === true) throw new CliError(`--${name} needs a value`, EXIT.usage);
  return v;
}

/** The n-th positional argument, required. */
export function arg(args: Args, n: number, name: string): string {
  const v = args.positional[n];
  if (!v) throw new CliError(`missing <${name}>`, EXIT.usage);
  return v;
}

export interface Command {
  /** e.g. `show <user>` */
  usage: string;
  summary: string;
  /** Extra lines for `--help`: options and what is printed. */
  help?: string;
  /** The command needs no database (keys: files in JWT_KEYS_DIR); `db` is then not connected. */
  offline?: boolean;
  run(db: pg.Client, args: Args): Promise<void>;
}

export interface CommandGroup {
  summary: string;
  commands: Record<string, Command>;
}

/** Connects as the schema owner (DATABASE_URL). SQL sees role `none`, which the admin
 * functions audit as `cli` (db/migrations/committed/000010-administration-and-webhooks.sql). */
export async function connect(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: loadConfig().db.ownerUrl });
  client.on('error', () => {});
  await client.connect();
  return client;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A user by id or email; exit 3 when there is none. */
export async function resolveUser(db: pg.Client, who: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    UUID.test(who)
      ? 'select id from app_public.users where id = $1::uuid'
      : 'select id from app_public.users where email = $1::citext',
    [who],
  );
  if (!rows[0]) throw new CliError(`no such user: ${who}`, EXIT.notFound);
  return rows[0].id;
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (v instanceof Date) return `${v.toISOString().slice(0, 19)}Z`; // whole seconds
  if (Array.isArray(v)) return v.length ? v.map(cell).join(',') : '-';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Rows as an aligned table (or JSON with --json). `columns` picks and orders the fields. */
export function printRows(args: Args, rows: Record<string, unknown>[], columns: string[]): void {
  if (args.json) {
    console.log(JSON.stringify(rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? null])))));
    return;
  }
  if (!rows.length) {
    console.log('(none)');
    return;
  }
  const text = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...text.map((t) => t[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((s, i) => s.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  console.log(line(columns));
  for (const t of text) console.log(line(t));
}

/** One object as `key  value` lines (or JSON with --json). */
export function printRecord(args: Args, rec: Record<string, unknown>): void {
  if (args.json) {
    console.log(JSON.stringify(rec));
    return;
  }
  const w = Math.max(...Object.keys(rec).map((k) => k.length));
  for (const [k, v] of Object.entries(rec)) console.log(`${k.padEnd(w)}  ${cell(v)}`);
}

/** A one-line result: `{ "ok": true, ...fields }` with --json, else the message. */
export function printDone(args: Args, message: string, fields: Record<string, unknown> = {}): void {
  console.log(args.json ? JSON.stringify({ ok: true, ...fields }) : message);
}

/** Maps a database error to an exit code: NTFND 3, other registered five-letter codes 4. */
export function fromDbError(e: unknown): CliError | undefined {
  const code = (e as { code?: string }).code;
  const msg = e instanceof Error ? e.message : String(e);
  if (code === 'NTFND') return new CliError(msg, EXIT.notFound);
  if (code && /^[A-Z]{5}$/.test(code)) return new CliError(`${msg} (${code})`, EXIT.refused);
  return undefined;
}
