/**
 * Builds the account pages (account/ -> account/dist) when the build is missing or older than
 * a source file. `npm start` runs it first (prestart), `npm run account:build` always builds,
 * the browser tests call ensureAccountBuilt(). Without vite (a production install with
 * --omit=dev) it says so and leaves the pages unbuilt: the edge then answers 503 at /account.
 */
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const DIST_INDEX = join(ROOT, 'dist', 'index.html');
const SOURCES = [
  join(ROOT, 'src'),
  join(ROOT, 'index.html'),
  join(ROOT, 'vite.config.ts'),
  resolve(ROOT, '../client/src'),
];

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const name of readdirSync(path)) max = Math.max(max, newest(join(path, name)));
  return max;
}

/** True when account/dist is missing or older than a source. */
export function accountBuildStale(): boolean {
  if (!existsSync(DIST_INDEX)) return true;
  const built = statSync(DIST_INDEX).mtimeMs;
  return SOURCES.some((s) => newest(s) > built);
}

/** Builds into a private folder, then swaps it in: two instances starting at once never see a
 * half-written account/dist. */
export async function buildAccount(): Promise<void> {
  const { build } = await import('vite');
  const tmp = join(ROOT, `.dist-${process.pid}-${Date.now()}`);
  const dist = join(ROOT, 'dist');
  try {
    await build({
      root: ROOT,
      configFile: join(ROOT, 'vite.config.ts'),
      logLevel: 'error',
      build: { outDir: tmp, emptyOutDir: true },
    });
    rmSync(dist, { recursive: true, force: true });
    renameSync(tmp, dist);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Builds only when stale; returns whether it built. */
export async function ensureAccountBuilt(): Promise<boolean> {
  if (!accountBuildStale()) return false;
  await buildAccount();
  return true;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const force = process.argv.includes('--force');
  try {
    if (force) await buildAccount();
    else if (!(await ensureAccountBuilt())) process.exit(0);
    console.log('account pages built in account/dist');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND';
    if (!missing || force) throw err;
    console.warn('account pages not built (vite is not installed): /account answers 503');
  }
}
