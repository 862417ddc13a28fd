/**
 * What the edge knows about one request, shared by the middleware, GraphQL and the
 * features: the verified identity (never anything from headers or body: B2), the hooks the
 * auth mutations use to set or clear cookies, and what went wrong (per request, on the Hono
 * context and the GraphQL context: no process-wide state).
 */
import type {} from 'postgraphile';
import type { RequestRole } from '../../db/scripts/config.ts';
import type { ErrorCode } from './errors.ts';

export interface Identity {
  userId: string;
  sessionId: string;
  role: RequestRole;
  /** A personal API key's identity (possibly from the edge's short cache): SQL then answers a
   * dead backing session with LOGIN (401) instead of treating the request as anonymous. */
  apiKey?: true;
}

/** A session the database just started or rotated (from app_hidden.auth_result). */
export interface IssuedSession {
  user_id: string;
  session_id: string;
  role: RequestRole;
  refresh_token: string;
  session_expires_at: Date;
  /** The session waits for a second factor (features/mfa); the active factors to offer. */
  mfa_required?: boolean | null;
  mfa_factors?: unknown;
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
  /** The trusted-device cookie's token once its signature verified (features/mfa), else null. */
  trustedDeviceToken?: string | null;
  /** Queues one more Set-Cookie value (browsers only; features/mfa's trusted-device cookie). */
  addCookie?(setCookie: string): void;
}

/** A refused operation to audit after the request (K2): the schema field name, never an alias. */
export interface Denial {
  field: string;
  code: ErrorCode;
}

/** Filled while GraphQL runs the request; read by the middleware after it. */
export interface Outcome {
  /** The database was unreachable: the response becomes a 503, cookies untouched (L1, F6). */
  unavailable: boolean;
  /** Every root field failed: the response takes the status of the first error's code. */
  status: number | null;
  denials: Denial[];
}

export const newOutcome = (): Outcome => ({ unavailable: false, status: null, denials: [] });

declare global {
  namespace Grafast {
    interface Context {
      auth?: AuthRequest;
      outcome?: Outcome;
    }
  }
}

declare module 'hono' {
  interface ContextVariableMap {
    auth: AuthRequest;
    outcome: Outcome;
  }
}
