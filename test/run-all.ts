/**
 * `npm test`: lint (type-check, then Biome's linter and formatter check), then one
 * database for everything — pgTAP files under test/db, then vitest — and, as the very last line of output, `N passed, N failed` over
 * both. Anything that breaks a stage (setup error, vitest crash) counts as a
 * failure so the total can never look green by accident. Exit 1 on any failure.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireTestDatabase, runVitest, TAP_DIR, type TestDatabase } from './harness/cli.ts';
import { runTapFiles } from './harness/tap-runner.ts';

interface Counts {
  passed: number;
  failed: number;
}

/** The subset of vitest's JSON reporter output we rely on. */
interface VitestJson {
  numPassedTests: number;
  numFailedTests: number;
  testResults?: { name: string; status: string; message?: string; assertionResults?: { status: string }[] }[];
}

function errorText(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

/**
 * Run vitest with a JSON report next to the normal output and count from it.
 * A file that fails without a failing test (import/syntax error, failing hook)
 * counts once; so does a non-zero exit that the report does not explain.
 */
async function vitestCounts(env: Record<string, string>): Promise<Counts> {
  const dir = mkdtempSync(join(tmpdir(), 'pgauth-vitest-'));
  const report = join(dir, 'report.json');
  try {
    const code = await runVitest(
      ['run', '--passWithNoTests', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
      env,
    );
    let counts: Counts = { passed: 0, failed: 0 };
    if (existsSync(report)) {
      const json = JSON.parse(readFileSync(report, 'utf8')) as VitestJson;
      const brokenFiles = (json.testResults ?? []).filter(
        (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
      );
      for (const f of brokenFiles) console.error(`vitest: ${f.name} failed outside any test: ${f.message ?? ''}`);
      counts = { passed: json.numPassedTests, failed: json.numFailedTests + brokenFiles.length };
    }
    if (code !== 0 && counts.failed === 0) {
      console.error(`vitest exited with code ${code} without reporting a failed test; counting 1 failure`);
      counts.failed = 1;
    }
    return counts;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const total: Counts = { passed: 0, failed: 0 };
let summarized = false;

function add(c: Counts): void {
  total.passed += c.passed;
  total.failed += c.failed;
}

/** `npm run lint`'s two checks, each one pass or one failure in the total. */
function lintCounts(): Counts {
  const counts: Counts = { passed: 0, failed: 0 };
  for (const [name, cmd, args] of [
    ['type-check', 'tsc', ['--noEmit', '-p', '.']],
    ['biome', 'biome', ['check', '.']],
  ] as const) {
    const r = spawnSync(cmd, args, { stdio: 'inherit' });
    if (r.status === 0) counts.passed++;
    else {
      console.error(`lint: ${name} failed`);
      counts.failed++;
    }
  }
  return counts;
}

async function main(): Promise<void> {
  const lint = lintCounts();
  console.log(`lint: ${lint.passed} passed, ${lint.failed} failed`);
  add(lint);
  const db: TestDatabase | undefined = await acquireTestDatabase().catch((err: unknown) => {
    console.error(`database setup failed:\n${errorText(err)}`);
    return undefined;
  });
  // Without a database neither suite means anything: report the one failure.
  if (!db) return add({ passed: 0, failed: 1 });
  try {
    // Each stage is isolated so a crash in one still lets the other report.
    const stages: [string, () => Promise<Counts>][] = [
      ['pgTAP', () => runTapFiles(existsSync(TAP_DIR) ? [TAP_DIR] : [], db.authUrl)],
      ['vitest', () => vitestCounts(db.env)],
    ];
    for (const [name, stage] of stages) {
      const c = await stage().catch((err: unknown): Counts => {
        console.error(`${name} crashed:\n${errorText(err)}`);
        return { passed: 0, failed: 1 };
      });
      console.log(`${name}: ${c.passed} passed, ${c.failed} failed`);
      add(c);
    }
  } finally {
    await db.release().catch((err: unknown) => console.error(`stopping the cluster: ${errorText(err)}`));
  }
}

// Dependencies may call process.exit() behind our back (graphile-migrate does when
// its pool loses the server), and signals end the run early: the last line must
// still be the summary, with the interruption counted as a failure.
process.on('exit', () => {
  if (summarized) return;
  total.failed += 1;
  writeSync(1, `${total.passed} passed, ${total.failed} failed\n`);
});

await main().catch((err: unknown) => {
  console.error(errorText(err));
  add({ passed: 0, failed: 1 });
});
summarized = true;
// Flushed before exiting: CI reads this exact line.
process.stdout.write(`${total.passed} passed, ${total.failed} failed\n`, () => process.exit(total.failed > 0 ? 1 : 0));
