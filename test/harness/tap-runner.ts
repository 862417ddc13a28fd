/**
 * Minimal pgTAP runner (our replacement for pg_prove).
 *
 * Each file runs in one transaction on a fresh connection as the given
 * (non-superuser) role and is always rolled back, so files cannot leak state
 * into each other. The file is sent verbatim as one simple query, which keeps
 * error positions meaningful and lets files use any SQL (DO blocks, SET ROLE…).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import pg from 'pg';
import { Parser, type Result } from 'tap-parser';

/** Outcome of one pgTAP file. */
export interface TapFileResult {
  file: string;
  passed: number;
  failed: number;
  /** Number from the `1..N` line, or null when the file emitted no plan. */
  planned: number | null;
  /** Why the file failed beyond its failing assertions (SQL error, plan mismatch, …). */
  problem?: string;
  durationMs: number;
}

/** Totals over all files; `failed` includes file-level problems (one each). */
export interface TapRunResult {
  passed: number;
  failed: number;
  files: TapFileResult[];
}

/** Options for {@link runTapFiles}. */
export interface TapRunOptions {
  /** Per-statement timeout applied to each file's session. Default 60 s. */
  statementTimeoutMs?: number;
  /** Output sink; defaults to stdout. */
  log?: (line: string) => void;
  /** Print every file's TAP, not just that of failing files. Default true. */
  verbose?: boolean;
}

const TEXT_OID = 25; // pgTAP functions return `text` / `setof text`

/**
 * Expand paths: files are taken as given; folders contribute all `*.sql`
 * below them (recursively, sorted), except files whose name starts with `_`,
 * which are helpers rather than tests. Missing paths are returned too so the
 * caller reports them as failures instead of silently running nothing.
 */
export function collectTapFiles(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.sql') && !entry.name.startsWith('_')) out.push(p);
    }
  };
  for (const p of paths) {
    if (existsSync(p) && statSync(p).isDirectory()) {
      const before = out.length;
      walk(p);
      out.splice(before, out.length - before, ...out.slice(before).sort());
    } else out.push(p);
  }
  return [...new Set(out)];
}

/** 1-based line of a 1-based character offset (what Postgres reports as `position`). */
function lineOf(text: string, position: string | undefined): number | undefined {
  const pos = Number(position);
  if (!Number.isFinite(pos) || pos < 1) return undefined;
  return text.slice(0, pos - 1).split('\n').length;
}

function describeError(err: unknown, sql: string, lines: string[]): string {
  const e = err as pg.DatabaseError;
  const line = lineOf(sql, e.position);
  const parts = [`SQL error${line ? ` at line ${line}` : ''}: ${e.message ?? String(err)}`];
  // Runtime errors carry no position; the last test point is the best locator we have.
  const lastPoint = [...lines].reverse().find((l) => /^(not )?ok \d+/.test(l));
  if (!line) parts.push(lastPoint ? `after: ${lastPoint}` : 'before the first assertion');
  if (e.detail) parts.push(`detail: ${e.detail}`);
  if (e.hint) parts.push(`hint: ${e.hint}`);
  if (e.where) parts.push(`where: ${e.where}`);
  if (e.internalQuery) parts.push(`internal query: ${e.internalQuery} (position ${e.internalPosition})`);
  return parts.join('\n');
}

/** Run the file text and gather TAP lines; notices become TAP comments in stream order. */
async function execFile(sql: string, url: string, timeoutMs: number): Promise<{ lines: string[]; error?: string }> {
  const lines: string[] = [];
  const client = new pg.Client({ connectionString: url, application_name: 'pgtap-runner' });
  client.on('error', () => {}); // surfaced through the pending query instead
  client.on('notice', (n) => lines.push(`# ${n.severity ?? 'NOTICE'}: ${n.message}`));
  try {
    await client.connect();
    await client.query('BEGIN');
    await client.query('SET LOCAL search_path = tap, tests, public');
    await client.query(`SET LOCAL statement_timeout = ${Math.max(0, Math.floor(timeoutMs))}`);
    // A Query with a 'row' listener streams rows, so output produced before an error survives it.
    const q = new pg.Query<Record<string, unknown>>(sql);
    await new Promise<void>((resolve, reject) => {
      q.on('row', (row, result) => {
        const [field, ...more] = result?.fields ?? [];
        const value = field ? row[field.name] : undefined;
        if (field && !more.length && field.dataTypeID === TEXT_OID && typeof value === 'string') {
          lines.push(...value.split('\n'));
        }
      });
      q.on('error', reject);
      q.on('end', () => resolve());
      client.query(q);
    });
    return { lines };
  } catch (err) {
    return { lines, error: describeError(err, sql, lines) };
  } finally {
    await client.query('ROLLBACK').catch(() => {});
    await client.end().catch(() => {});
  }
}

/** Count assertions with tap-parser; TODO failures and skips are passes, as in TAP. */
function score(lines: string[]): { passed: number; failed: number; count: number } {
  let passed = 0;
  let failed = 0;
  const parser = new Parser();
  parser.on('assert', (a: Result) => {
    if (a.ok || a.todo) passed++;
    else failed++;
  });
  parser.end(lines.map((l) => `${l}\n`).join(''));
  return { passed, failed, count: passed + failed };
}

/**
 * Run pgTAP files against `connectionString`, printing TAP and a summary per
 * file plus totals. Never exits the process: callers decide from the result.
 */
export async function runTapFiles(
  paths: string[],
  connectionString: string,
  opts: TapRunOptions = {},
): Promise<TapRunResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const verbose = opts.verbose ?? true;
  const timeoutMs = opts.statementTimeoutMs ?? 60_000;
  const files: TapFileResult[] = [];
  for (const path of collectTapFiles(paths)) {
    const file = relative(process.cwd(), path) || path;
    const started = Date.now();
    let sql: string;
    try {
      sql = readFileSync(path, 'utf8');
    } catch (err) {
      files.push({ file, passed: 0, failed: 1, planned: null, problem: `cannot read: ${String(err)}`, durationMs: 0 });
      log(`FAIL ${file}: cannot read: ${String(err)}`);
      continue;
    }
    const { lines, error } = await execFile(sql, connectionString, timeoutMs);
    const { passed, failed, count } = score(lines);
    const planLine = lines.map((l) => /^1\.\.(\d+)/.exec(l)).find((m) => m);
    const planned = planLine ? Number(planLine[1]) : null;
    const problem =
      error ??
      (planned === null ? 'no plan (missing plan() or finish()?)' : undefined) ??
      (planned !== count ? `planned ${planned} tests but ran ${count}` : undefined);
    const result: TapFileResult = {
      file,
      passed,
      failed: failed + (problem ? 1 : 0),
      planned,
      problem,
      durationMs: Date.now() - started,
    };
    files.push(result);
    if (verbose || result.failed > 0) {
      log(`# ${file}`);
      for (const l of lines) log(`    ${l}`);
      if (problem) for (const l of problem.split('\n')) log(`    !! ${l}`);
    }
    log(
      `${result.failed ? 'FAIL' : 'ok  '} ${file}: ${passed} passed, ${result.failed} failed (${result.durationMs} ms)`,
    );
  }
  const total = files.reduce((t, f) => ({ passed: t.passed + f.passed, failed: t.failed + f.failed }), {
    passed: 0,
    failed: 0,
  });
  const failedFiles = files.filter((f) => f.failed > 0).length;
  log(
    `pgTAP: ${files.length} files (${failedFiles} failing), ${total.passed} assertions passed, ${total.failed} failed`,
  );
  return { ...total, files };
}
