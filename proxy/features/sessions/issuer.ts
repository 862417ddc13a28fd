/**
 * Turning a session the database started (or rotated) into what a client holds: a signed
 * access token, a CSRF token bound to the session, and for browsers the three cookies.
 * Shared by the GraphQL auth mutations and the OAuth callback.
 */
import type { Context } from 'hono';
import type { Config } from '../../core/config.ts';
import type { IssuedSession } from '../../core/request.ts';
import type { KeyRing } from '../../core/keys.ts';
import { type ClaimsSource, signAccessToken, type TokenSettings } from '../../core/tokens.ts';
import { refreshCookieValue, setSessionCookies, type CookieNames } from '../../core/cookies.ts';
import { issueCsrfToken } from '../../core/csrf-token.ts';

export interface SignedSession {
  session: IssuedSession;
  accessToken: string;
  accessTokenExpiresAt: Date;
  csrfToken: string;
}

export class SessionIssuer {
  constructor(
    private readonly cfg: Config,
    private readonly keys: KeyRing,
    readonly tokens: TokenSettings,
    readonly names: CookieNames,
  ) {}

  /** Extra claims for each new access token (the permissions feature's claims hook), if set. */
  claimsHook: ClaimsSource | null = null;

  async sign(session: IssuedSession): Promise<SignedSession> {
    const base = { sub: session.user_id, sid: session.session_id, role: session.role };
    const claims = this.claimsHook ? await this.claimsHook(base) : undefined;
    const accessToken = await signAccessToken(this.keys, this.tokens, { ...base, ...claims });
    return {
      session,
      accessToken,
      accessTokenExpiresAt: new Date(Date.now() + this.tokens.ttlSeconds * 1000),
      csrfToken: issueCsrfToken(this.cfg.csrfSecret, session.session_id),
    };
  }

  setCookies(c: Context, s: SignedSession): void {
    setSessionCookies(c, this.names, {
      accessToken: s.accessToken,
      accessMaxAge: this.tokens.ttlSeconds,
      refreshToken: refreshCookieValue(s.session.session_id, s.session.refresh_token),
      refreshExpires: new Date(s.session.session_expires_at),
      csrfToken: s.csrfToken,
    });
  }
}
