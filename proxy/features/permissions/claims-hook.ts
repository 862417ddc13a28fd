/**
 * The claims hook at the edge (issue #11 part 4, O3): before an access token is signed, SQL
 * (app_hidden.token_claims, edge role only) runs `auth_config.claims_hook`, if any, and answers
 * the extra claims or error CLAIM (audited). A failure throws CLAIM: no token. signAccessToken
 * refuses reserved names again.
 */
import type pg from 'pg';
import { asEdge } from '../../core/db.ts';
import { AuthError } from '../../core/errors.ts';
import type { ClaimsSource, SessionClaims } from '../../core/tokens.ts';

/** One round trip per token: the hook's claims and the session's own. */
export function claimsHook(pool: pg.Pool): ClaimsSource {
  return async (claims) => {
    const rows = await asEdge<{
      claims: Record<string, unknown> | null;
      error: string | null;
      session: SessionClaims | null;
    }>(
      pool,
      null,
      'select t.claims, t.error, app_hidden.session_claims($2) as session from app_hidden.token_claims($1, $2, $3) t',
      [claims.sub, claims.sid, JSON.stringify(claims)],
    );
    const r = rows[0];
    if (!r || r.error || !r.claims) throw new AuthError('CLAIM');
    return { extra: r.claims, session: r.session ?? undefined };
  };
}
