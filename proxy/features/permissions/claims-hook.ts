/**
 * The claims hook at the edge (issue #11 part 4, O3): before an access token is signed, SQL
 * (app_hidden.token_claims, edge role only) runs `auth_config.claims_hook`, if any, and answers
 * the extra claims or error CLAIM (audited). A failure throws CLAIM: no token. signAccessToken
 * refuses reserved names again.
 */
import type pg from 'pg';
import { asEdge } from '../../core/db.ts';
import { AuthError } from '../../core/errors.ts';

export function claimsHook(pool: pg.Pool) {
  return async (claims: { sub: string; sid: string; role: string }): Promise<Record<string, unknown>> => {
    const rows = await asEdge<{ claims: Record<string, unknown> | null; error: string | null }>(
      pool,
      null,
      'select claims, error from app_hidden.token_claims($1, $2, $3)',
      [claims.sub, claims.sid, JSON.stringify(claims)],
    );
    const r = rows[0];
    if (!r || r.error || !r.claims) throw new AuthError('CLAIM');
    return r.claims;
  };
}
