/**
 * Personal API keys at the edge (issue #11 part 2, O2): `Authorization: Bearer pga_...` is
 * verified by SQL (app_hidden.verify_api_key, executable by auth_edge only), which answers the
 * key's user, request role and backing session, or nothing. Nothing is cached: a revoked key,
 * an expired one or a disabled user fails on the next request, and every statement of the
 * request re-checks the session's liveness (current_user_id) and the key's scope
 * (has_permission, which finds the key from the session, never from a client value).
 */
import type pg from 'pg';
import { asEdge } from '../../core/db.ts';
import type { Identity } from '../../core/request.ts';

/** Resolves an API key to the identity a request with it runs as, or null. */
export type ApiKeyVerifier = (key: string) => Promise<Identity | null>;

/** The shape of a personal API key: `pga_<16 hex prefix>_<64 hex secret>`. */
export const API_KEY_PATTERN = /^pga_[0-9a-f]{16}_[0-9a-f]{64}$/;

export function apiKeyVerifier(pool: pg.Pool): ApiKeyVerifier {
  return async (key) => {
    if (!API_KEY_PATTERN.test(key)) return null;
    const rows = await asEdge<{ user_id: string; role: Identity['role']; session_id: string }>(
      pool,
      null,
      'select user_id, role, session_id from app_hidden.verify_api_key($1)',
      [key],
    );
    const r = rows[0];
    return r ? { userId: r.user_id, sessionId: r.session_id, role: r.role } : null;
  };
}
