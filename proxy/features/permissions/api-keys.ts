/**
 * Personal API keys at the edge (issue #11 part 2, O2): `Authorization: Bearer pga_...` is
 * verified by SQL (app_hidden.verify_api_key, executable by auth_edge only), which answers the
 * key's user, request role and backing session, or nothing.
 *
 * A verified key is remembered for a minute (by its SHA-256, never the key itself), so a busy
 * key costs one round trip a minute instead of one per request. That is safe because the key
 * is only a way to name its backing session: revoking the key revokes that session, the key's
 * expiry is the session's, and every statement checks the session and the user
 * (current_user_id), which with the `jwt.claims.api_key` setting (core/request.ts `apiKey`)
 * raises LOGIN for a dead session rather than answering as nobody. So a revoked key, an
 * expired one or a disabled user fails with 401 on the next request, cached or not; the
 * key's scope is re-read by has_permission on every statement. Unknown keys are not
 * remembered. last_used_at is recorded when the key is verified, at most once a minute anyway.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type pg from 'pg';
import { asEdge } from '../../core/db.ts';
import type { Identity } from '../../core/request.ts';

/** Resolves an API key to the identity a request with it runs as, or null. */
export type ApiKeyVerifier = (key: string) => Promise<Identity | null>;

/** The shape of a personal API key: `pga_<16 hex prefix>_<64 hex secret>`. */
export const API_KEY_PATTERN = /^pga_[0-9a-f]{16}_[0-9a-f]{64}$/;

/** How long a verified key is answered from memory. */
const REMEMBER_MS = 60_000;

export function apiKeyVerifier(pool: pg.Pool): ApiKeyVerifier {
  const verified = new LRUCache<string, Identity>({ max: 10_000, ttl: REMEMBER_MS });
  return async (key) => {
    if (!API_KEY_PATTERN.test(key)) return null;
    const digest = createHash('sha256').update(key).digest('base64');
    const hit = verified.get(digest);
    if (hit) return hit;
    const rows = await asEdge<{ user_id: string; role: Identity['role']; session_id: string }>(
      pool,
      null,
      'select user_id, role, session_id from app_hidden.verify_api_key($1)',
      [key],
    );
    const r = rows[0];
    if (!r) return null;
    const identity: Identity = { userId: r.user_id, sessionId: r.session_id, role: r.role, apiKey: true };
    verified.set(digest, identity);
    return identity;
  };
}
