/**
 * Shared helpers for the negative HTTP tests: the owner connection (DATABASE_URL, subject to
 * forced RLS but with definer_all policies) to read or backdate private state, plain-fetch
 * GraphQL calls that bypass the cookie jar, and unique client addresses for rate-limit tests.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { CaughtMail } from '../../proxy/features/email/mailbox.ts';
import { Client, email, PASSWORD, REGISTER, type TestServer } from './server.ts';

let pool: pg.Pool | undefined;

/** Runs SQL as the schema owner. */
export async function owner<T extends pg.QueryResultRow = Record<string, unknown>>(
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run through npm test');
  pool ??= new pg.Pool({ connectionString: url, max: 2 });
  return (await pool.query<T>(text, values)).rows;
}

export async function closeOwner(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.end();
}

export interface RawResult {
  status: number;
  headers: Headers;
  raw: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests walk response JSON by field name
  json?: { data?: Record<string, any>; errors?: { message: string; extensions?: { code?: string } }[] };
}

/** POST /graphql with exactly the headers given (no jar, no automatic Origin or CSRF). */
export async function rawPost(
  srv: TestServer,
  body: string | object,
  headers: Record<string, string> = {},
): Promise<RawResult> {
  const res = await fetch(`${srv.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    redirect: 'manual',
  });
  return toResult(res);
}

export async function toResult(res: Response): Promise<RawResult> {
  const raw = await res.text();
  let json: RawResult['json'];
  try {
    json = JSON.parse(raw);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, raw, json };
}

/** A fresh IPv6 documentation address, unique per call: its own per-IP rate-limit bucket. */
export function uniqueIp(): string {
  const h = randomBytes(8).toString('hex').match(/.{4}/g)!;
  return `2001:db8:${h.join(':')}::1`;
}

/** Things an error body must never contain (J3, C9). */
export const LEAKS =
  /syntax|SQL|postgres|pg_|relation|constraint|violates|app_private|app_public|app_hidden|stack|\bat \w+ \(/i;

export interface NativeUser {
  userId: string;
  sessionId: string;
  email: string;
  accessToken: string;
  refreshToken: string;
}

/** Registers through the native flow (X-Token-Delivery: body), so tokens arrive in the body. */
export async function nativeUser(srv: TestServer, tag = 'native'): Promise<NativeUser> {
  const e = email(tag);
  const r = await new Client(srv.url, { origin: null }).gql<{ register: Omit<NativeUser, 'email'> }>(
    REGISTER,
    { email: e, password: PASSWORD },
    { headers: { 'x-token-delivery': 'body' } },
  );
  if (!r.data?.register) throw new Error(`register failed: ${r.raw}`);
  return { ...r.data.register, email: e };
}

/** The token of the link in a mail's text: PUBLIC_ORIGIN/auth/email/<action>?token=<token>. */
export function linkOf(m: CaughtMail, action: string): { url: URL; token: string } {
  const found = m.text.match(new RegExp(`(https?://\\S+/auth/email/${action}\\?token=[A-Za-z0-9_-]+)`));
  if (!found) throw new Error(`no ${action} link in: ${m.text}`);
  const url = new URL(found[1]!);
  return { url, token: url.searchParams.get('token')! };
}
