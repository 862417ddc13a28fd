/**
 * Access tokens: short-lived JWTs in RFC 9068's profile (typ at+jwt; iss, aud, sub, client_id,
 * iat, exp, jti) signed with the ring's signing key (EdDSA or ES256, kid), plus sid and role.
 * Verification pins the algorithm to the key named by kid, the issuer, audience and type, and
 * requires exp/iat/sub/sid (E1); a token of another kind (an ID token, anything without our
 * typ) is refused (E2). client_id is informative for resource servers and not required on
 * verification, so tokens issued before it was added stay valid for their short life.
 */
import { randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import { LRUCache } from 'lru-cache';
import { type KeyRing, SIGNING_ALGS } from './keys.ts';
import { REQUEST_ROLES, type RequestRole } from '../../db/scripts/config.ts';

export const ACCESS_TOKEN_TYPE = 'at+jwt';

export interface AccessClaims {
  sub: string;
  sid: string;
  role: RequestRole;
  /** Claims added by the claims hook (O3); a reserved name among them refuses the token. */
  extra?: Record<string, unknown>;
  /** From the live session (app_hidden.session_claims): written last, so nothing overrides them. */
  session?: SessionClaims;
}

/** The session's own claims: assurance (aal, amr: RFC 8176), the acting admin (act: RFC 8693). */
export interface SessionClaims {
  aal?: 'aal1' | 'aal2';
  amr?: string[];
  act?: { sub: string };
  is_anonymous?: boolean;
  /** The session waits for its second factor: it can only complete MFA or sign out (N4). */
  mfa_pending?: true;
}

/** What SQL adds to each new access token (features/permissions/claims-hook.ts). */
export interface TokenClaims {
  /** The claims hook's claims. */
  extra: Record<string, unknown>;
  /** The session's aal, amr, act, is_anonymous (none for a client-credentials session). */
  session: SessionClaims | undefined;
}

export type ClaimsSource = (claims: { sub: string; sid: string; role: string }) => Promise<TokenClaims>;

/** Claims only the edge sets: a claims hook may not set or override them (O3). */
export const RESERVED_CLAIMS = new Set([
  'sub',
  'sid',
  'role',
  'iss',
  'aud',
  'exp',
  'iat',
  'nbf',
  'jti',
  'aal',
  'amr',
  'client_id',
  'act',
  'is_anonymous',
  'mfa_pending',
]);

export interface TokenSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
  /** RFC 9068 `client_id`: the client the token was issued to (JWT_CLIENT_ID). */
  clientId?: string;
}

/** The first-party web client, when no JWT_CLIENT_ID is configured. */
export const DEFAULT_CLIENT_ID = 'pgauth-web';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The hook's claims, refused whole (an Error: no token) if one is reserved (O3). */
function extraClaims(extra: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!extra) return {};
  for (const k of Object.keys(extra)) {
    if (RESERVED_CLAIMS.has(k)) throw new Error(`claims hook set the reserved claim ${k}`);
  }
  return extra;
}

export async function signAccessToken(keys: KeyRing, s: TokenSettings, claims: AccessClaims): Promise<string> {
  return (
    new SignJWT({
      ...extraClaims(claims.extra),
      ...claims.session,
      client_id: s.clientId ?? DEFAULT_CLIENT_ID,
      sid: claims.sid,
      role: claims.role,
    })
      .setProtectedHeader({ alg: keys.signing.alg, kid: keys.signing.kid, typ: ACCESS_TOKEN_TYPE })
      .setSubject(claims.sub)
      // Unique per token: EdDSA is deterministic, so two tokens minted in the same second
      // for the same session would otherwise be byte-identical.
      .setJti(randomUUID())
      .setIssuer(s.issuer)
      .setAudience(s.audience)
      .setIssuedAt()
      .setExpirationTime(`${s.ttlSeconds}s`)
      .sign(keys.signing.key)
  );
}

// Verified tokens, so a browser's repeated requests skip the signature check (EdDSA
// verification is ~0.2 ms, most of the edge's cost per request). Safe because the entry is
// the exact token string already verified against this key ring and settings, and its
// expiry is checked again on every hit. Revocation never relied on this: the database
// checks the session on every statement (D6).
// Keyed by the ring's verify map, which a reload replaces (core/keys.ts): once a key is
// retired, no token it signed is answered from a cache.
const verified = new WeakMap<KeyRing['verify'], LRUCache<string, { claims: AccessClaims; exp: number; key: string }>>();

/** Returns the verified claims, or null for any invalid token (the caller is anonymous). */
export async function verifyAccessToken(keys: KeyRing, s: TokenSettings, token: string): Promise<AccessClaims | null> {
  let cache = verified.get(keys.verify);
  if (!cache) {
    cache = new LRUCache({ max: 10_000 });
    verified.set(keys.verify, cache);
  }
  const settingsKey = `${s.issuer}|${s.audience}`;
  const hit = cache.get(token);
  if (hit && hit.key === settingsKey) {
    if (hit.exp > Date.now() / 1000) return hit.claims;
    cache.delete(token);
    return null;
  }
  const claims = await verifyUncached(keys, s, token);
  if (claims) cache.set(token, { claims, exp: claims.exp, key: settingsKey });
  return claims && { sub: claims.sub, sid: claims.sid, role: claims.role };
}

async function verifyUncached(
  keys: KeyRing,
  s: TokenSettings,
  token: string,
): Promise<(AccessClaims & { exp: number }) | null> {
  try {
    const { payload } = await jwtVerify(
      token,
      async (header) => {
        // Only our own keys by kid: no embedded jwk, no jku, no fallback key.
        if (header.jwk || header.jku || header.x5u || header.x5c)
          throw new joseErrors.JWSInvalid('key hints not allowed');
        let entry = header.kid ? keys.verify.get(header.kid) : undefined;
        // A kid published since the last read (another instance promoted it first): read the
        // directory again (core/keys.ts limits that to once a second), then decide.
        if (!entry && header.kid && keys.reload) {
          await keys.reload();
          entry = keys.verify.get(header.kid);
        }
        if (!entry) throw new joseErrors.JWKSNoMatchingKey();
        // A key verifies with its own algorithm only: no alg confusion across the ring.
        if (header.alg !== entry.alg) throw new joseErrors.JOSEAlgNotAllowed('alg does not match the key');
        return entry.key;
      },
      {
        // Both supported algorithms: the resolver above binds each kid to its own (a reload
        // may add a key of the other one while switching JWT_ALG).
        algorithms: [...SIGNING_ALGS],
        issuer: s.issuer,
        audience: s.audience,
        typ: ACCESS_TOKEN_TYPE,
        requiredClaims: ['exp', 'iat', 'sub', 'sid', 'role'],
        clockTolerance: 5,
      },
    );
    const role = payload.role as RequestRole;
    if (!REQUEST_ROLES.includes(role) || role === 'anonymous') return null;
    if (typeof payload.sub !== 'string' || !UUID.test(payload.sub)) return null;
    if (typeof payload.sid !== 'string' || !UUID.test(payload.sid)) return null;
    return { sub: payload.sub, sid: payload.sid, role, exp: payload.exp! };
  } catch {
    return null;
  }
}
