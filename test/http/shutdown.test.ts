// Issue item 17: a supervisor stops `npm start` by signalling the process it started, which is
// npm. The server and the embedded PostgreSQL must stop cleanly and npm must exit 0: no node
// process orphaned behind a dead shell, no cluster left running, the port closed. Ctrl-C in a
// terminal signals the whole process group (npm, node and postgres at once) and must also end.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './server.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Hang guards, not timing assertions: a stop that never ends fails instead of hanging. */
const START_GUARD_MS = 90_000;
const STOP_GUARD_MS = 40_000;

interface Started {
  npm: ChildProcess;
  port: number;
  output: () => string;
}

const groups = new Set<number>();
const dirs: string[] = [];

afterAll(async () => {
  // Whatever a failed test left behind: only the process groups this file started.
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  // npm start in development installs the schema-watch event triggers (as the superuser).
  const url = new URL(process.env.TEST_ROOT_DATABASE_URL!);
  url.pathname = new URL(process.env.DATABASE_URL!).pathname;
  const root = new pg.Client({ connectionString: url.toString() });
  await root.connect();
  try {
    await root.query('drop schema if exists postgraphile_watch cascade');
  } finally {
    await root.end();
  }
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'pgauth-stop-'));
  dirs.push(d);
  return d;
}

/** The environment of `npm start` under a supervisor: this process's, minus any database. */
function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/DATABASE_URL$|^OIDC_|^NODE_ENV$|^PUBLIC_ORIGIN$/.test(k)),
  );
  return { ...env, LOG_REQUESTS: 'false', OAUTH_REFRESH_INTERVAL_MS: '0', ...extra };
}

/** `npm start` in its own process group (as a supervisor would run it), up to "listening". */
async function npmStart(env: NodeJS.ProcessEnv, port: number): Promise<Started> {
  const npm = spawn('npm', ['start'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  groups.add(npm.pid!);
  let out = '';
  npm.stdout!.on('data', (b) => (out += b));
  npm.stderr!.on('data', (b) => (out += b));
  await new Promise<void>((resolve, reject) => {
    const guard = setTimeout(() => reject(new Error(`no "listening" line:\n${out}`)), START_GUARD_MS);
    const check = () => {
      if (/pgauth listening on/.test(out)) {
        clearTimeout(guard);
        resolve();
      }
    };
    npm.stdout!.on('data', check);
    npm.once('exit', (code, signal) => {
      clearTimeout(guard);
      reject(new Error(`npm start exited (${code ?? signal}) before listening:\n${out}`));
    });
  });
  return { npm, port, output: () => out };
}

function exited(p: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve({ code: p.exitCode, signal: p.signalCode });
    const guard = setTimeout(() => reject(new Error('npm start did not exit after the signal')), STOP_GUARD_MS);
    p.once('exit', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal });
    });
  });
}

/** Whether anything accepts TCP connections on the loopback port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * The live server and database processes left in the group (node orphaned behind a dead shell,
 * postgres still running). Zombies are dead (this container's init may never reap them), and
 * tsx's esbuild helper ends by itself once its parent's pipe closes.
 */
function survivors(pgid: number): string[] {
  const left: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // pid (comm) state ppid pgrp ...: comm may contain spaces, so split after its ')'.
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z' && /node|npm|postgres/.test(comm)) left.push(`${pid} ${comm}`);
  }
  return left;
}

async function expectServing(s: Started): Promise<void> {
  const health = await fetch(`http://127.0.0.1:${s.port}/healthz`);
  expect(health.status, s.output()).toBe(200);
}

async function expectStopped(s: Started, signal: NodeJS.Signals, target: 'npm' | 'group'): Promise<void> {
  const pgid = s.npm.pid!;
  if (target === 'npm') s.npm.kill(signal);
  else process.kill(-pgid, signal);
  const end = await exited(s.npm);
  expect(end, s.output()).toEqual({ code: 0, signal: null });
  expect(s.output()).toContain(`${signal}: stopping`);
  expect(await listening(s.port)).toBe(false);
  expect(survivors(pgid), 'processes of `npm start` outlived it').toEqual([]);
  groups.delete(pgid);
}

describe('stopping npm start', () => {
  it(
    'item 17: SIGTERM to npm (a supervisor) stops the server and npm exits 0, nothing left behind',
    async () => {
      const dir = tempDir();
      const port = await freePort();
      const env = baseEnv({
        ROOT_DATABASE_URL: process.env.TEST_ROOT_DATABASE_URL!,
        DATABASE_URL: process.env.DATABASE_URL!,
        AUTH_DATABASE_URL: process.env.AUTH_DATABASE_URL!,
        SHADOW_DATABASE_URL: process.env.SHADOW_DATABASE_URL ?? '',
        PORT: String(port),
        DATA_DIR: dir,
      });
      const s = await npmStart(env, port);
      await expectServing(s);
      await expectStopped(s, 'SIGTERM', 'npm');
    },
    START_GUARD_MS + STOP_GUARD_MS,
  );

  it(
    'item 17: SIGINT to npm alone stops it the same way',
    async () => {
      const dir = tempDir();
      const port = await freePort();
      const env = baseEnv({
        ROOT_DATABASE_URL: process.env.TEST_ROOT_DATABASE_URL!,
        DATABASE_URL: process.env.DATABASE_URL!,
        AUTH_DATABASE_URL: process.env.AUTH_DATABASE_URL!,
        SHADOW_DATABASE_URL: process.env.SHADOW_DATABASE_URL ?? '',
        PORT: String(port),
        DATA_DIR: dir,
      });
      const s = await npmStart(env, port);
      await expectServing(s);
      await expectStopped(s, 'SIGINT', 'npm');
    },
    START_GUARD_MS + STOP_GUARD_MS,
  );

  it(
    'item 17: embedded PostgreSQL stops with the server: SIGTERM to npm; after a restart, Ctrl-C (SIGINT to the whole group) with postgres already gone',
    async () => {
      const dir = tempDir();
      const env = () =>
        freePort().then(async (port) => ({
          port,
          env: baseEnv({ PORT: String(port), DATA_DIR: dir, EMBEDDED_PG_PORT: String(await freePort()) }),
        }));

      const first = await env();
      const a = await npmStart(first.env, first.port);
      await expectServing(a);
      expect(a.output()).toContain(`data in ${dir}/pg`);
      await expectStopped(a, 'SIGTERM', 'npm');
      // A clean stop leaves no postmaster.pid, so the next start finds the cluster reusable.
      expect(existsSync(join(dir, 'pg', 'postmaster.pid'))).toBe(false);

      const second = await env();
      const b = await npmStart(second.env, second.port);
      await expectServing(b);
      // A terminal's Ctrl-C signals postgres too, which may be gone before the server stops it
      // (stopping then waited forever for an exit that had already happened). Made certain
      // here: the postmaster first, then the whole group once /readyz says it is down (/healthz
      // is liveness: it stays 200 without a database).
      const postmaster = Number(readFileSync(join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
      process.kill(postmaster, 'SIGINT');
      const bound = Date.now() + STOP_GUARD_MS;
      while (
        (await fetch(`http://127.0.0.1:${b.port}/readyz`)).status !== 503 ||
        survivors(b.npm.pid!).some((p) => p.includes('postgres'))
      ) {
        if (Date.now() > bound) throw new Error('the embedded postmaster did not stop');
      }
      await expectStopped(b, 'SIGINT', 'group');
      expect(existsSync(join(dir, 'pg', 'postmaster.pid'))).toBe(false);
    },
    2 * (START_GUARD_MS + STOP_GUARD_MS),
  );
});
