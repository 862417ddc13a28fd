/**
 * Delivery: the graphile-worker task `webhook_deliver` (one job per attempt, queued by SQL:
 * db/migrations/committed/000010-administration-and-webhooks.sql). It reads what to send (webhook_delivery_target),
 * checks the endpoint's URL and addresses again (ssrf.ts: DNS may have changed since creation),
 * signs (signature.ts), POSTs to the checked address with an overall timeout, and records the
 * attempt (record_webhook_attempt), which queues the next one with exponential backoff. HTTP
 * failures are recorded, not thrown: graphile-worker's own retries only cover a crash or a lost
 * database connection. At least once: a receiver deduplicates on `webhook-id`.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { Logger, run, type Runner, type TaskList } from 'graphile-worker';
import type pg from 'pg';
import type { WebhooksConfig } from '../../core/config.ts';
import { signatureHeaders } from './signature.ts';
import { type CheckedTarget, resolveWebhookTarget, type Resolver, UnsafeTargetError } from './ssrf.ts';

export interface AttemptResult {
  /** The HTTP status answered, null when none came. */
  status: number | null;
  /** Why it failed (null on a 2xx). */
  error: string | null;
}

/** Longest response body read (then discarded); the rest is cut off. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/** POSTs `body` to the checked address only (the socket's lookup is pinned to it). */
export function postTo(
  target: CheckedTarget,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<AttemptResult> {
  const { address, family } = target;
  const lookup: LookupFunction = (_host, opts, cb) => {
    if ((opts as { all?: boolean }).all)
      (cb as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
    else cb(null, address, family);
  };
  const lib = target.url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = lib.request(target.url, {
      method: 'POST',
      agent: false,
      lookup,
      headers: {
        ...headers,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': 'pgauth-webhooks/1',
      },
    });
    const timer = setTimeout(() => {
      req.destroy();
      done({ status: null, error: `timeout after ${timeoutMs} ms` });
    }, timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) =>
      done({ status: null, error: `request failed: ${e.code ?? e.message}` }),
    );
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const finish = () => done({ status, error: status >= 200 && status < 300 ? null : `HTTP ${status}` });
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_RESPONSE_BYTES) {
          res.destroy();
          finish();
        }
      });
      res.on('end', finish);
      res.on('error', finish);
    });
    req.end(body);
  });
}

export interface DeliveryTarget {
  url: string;
  secret: string;
  message_id: string;
  body: string;
}

/** One attempt: the SSRF check, the signature, the POST. Never throws. */
export async function attemptDelivery(
  t: DeliveryTarget,
  s: Pick<WebhooksConfig, 'allowPrivate' | 'timeoutMs'>,
  resolve?: Resolver,
): Promise<AttemptResult> {
  let target: CheckedTarget;
  try {
    target = await resolveWebhookTarget(t.url, { allowPrivate: s.allowPrivate, resolve, timeoutMs: s.timeoutMs });
  } catch (e) {
    if (e instanceof UnsafeTargetError) return { status: null, error: `refused: ${e.message}` };
    throw e;
  }
  const headers = signatureHeaders(t.secret, t.message_id, Math.floor(Date.now() / 1000), t.body);
  return postTo(target, headers, t.body, s.timeoutMs);
}

/** The task list the worker runs (features/email composes it into the one worker). */
export function webhookTasks(s: WebhooksConfig): TaskList {
  return {
    webhook_deliver: async (payload, helpers) => {
      const id = (payload as { delivery_id?: unknown } | null)?.delivery_id;
      if (typeof id !== 'string') throw new Error('malformed webhook_deliver payload');
      const { rows } = await helpers.query<DeliveryTarget>('select * from app_private.webhook_delivery_target($1)', [
        id,
      ]);
      const t = rows[0];
      if (!t) return; // delivered, failed, disabled or deleted meanwhile
      const r = await attemptDelivery(t, s);
      await helpers.query('select app_private.record_webhook_attempt($1, $2, $3, $4, $5::interval)', [
        id,
        r.status,
        r.error,
        s.maxAttempts,
        `${s.retryBaseMs} milliseconds`,
      ]);
    },
  };
}

const logger = new Logger((scope) => (level, message) => {
  if (level !== 'error' && level !== 'warning') return;
  console.error(JSON.stringify({ level, job: 'webhook', scope: scope.label, message }));
});

/** A worker running only webhook deliveries on `pool` (the owner's): for tests and tools. */
export function startWebhookWorker(pool: pg.Pool, s: WebhooksConfig, pollIntervalMs = 1000): Promise<Runner> {
  return run({
    pgPool: pool,
    concurrency: 2,
    pollInterval: pollIntervalMs,
    noHandleSignals: true,
    logger,
    taskList: webhookTasks(s),
  });
}
