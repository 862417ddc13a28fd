/**
 * What the edge hands to GraphQL for one request: the verified identity (never anything
 * from headers or body: B2) and the hooks the auth mutations use to set or clear cookies.
 */
import type {} from 'postgraphile';
import type { RequestRole } from '../../db/scripts/config.ts';

export interface Identity {
  userId: string;
  sessionId: string;
  role: RequestRole;
}

/** A session the database just started or rotated (from app_hidden.auth_result). */
export interface IssuedSession {
  user_id: string;
  session_id: string;
  role: RequestRole;
  refresh_token: string;
  session_expires_at: Date;
}

export interface DeliveredTokens {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
}

export interface AuthRequest {
  identity: Identity | null;
  ip: string | null;
  userAgent: string | null;
  /** Native clients opt in to receiving tokens in the response body (no cookies). */
  bodyDelivery: boolean;
  /** The refresh cookie, for browsers. */
  refreshCookie: string | null;
  /** For cookie requests: the session the (verified) CSRF token is bound to. */
  csrfSessionId: string | null;
  /** False over WebSockets: credential mutations need the HTTP response to set cookies and
   * the client address for rate limits, so they are refused before touching the database. */
  canAuthenticate: boolean;
  /** Signs an access token and, for browsers, queues the session cookies. */
  issue(session: IssuedSession): Promise<DeliveredTokens>;
  /** Queues clearing of the session cookies. */
  clear(): void;
}

declare global {
  namespace Grafast {
    interface Context {
      auth?: AuthRequest;
    }
  }
}
