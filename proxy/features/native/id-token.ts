/**
 * Sign in with a provider's ID token (issue 15, Q2): a native Google/Apple SDK (or any
 * configured OpenID provider's) signs the user in on the device and hands the app an ID token;
 * the app sends it with the raw nonce to `signInWithIdToken`. The edge verifies it here with
 * jose against the provider's JWKS, found through the provider's discovery document (issuer
 * pinned as in the redirect flow: G4) and cached (jose refetches on an unknown `kid`, at most
 * every 30 s): signature (asymmetric algorithms only, so never `none` or an HMAC), `iss` (the
 * configured issuer; Google's bare `accounts.google.com` too), `aud` in the provider's allow-list
 * (OIDC_<NAME>_ID_TOKEN_AUDIENCES, default its client id), `exp`/`iat` (30 s of clock skew),
 * and the nonce.
 *
 * The nonce rule, one for every provider: the app makes a random raw nonce, gives the
 * provider's SDK its SHA-256 in lower-case hex (Apple's ASAuthorizationAppleIDRequest.nonce,
 * Google's nonce parameter), and sends the raw one here; the token's `nonce` claim must equal
 * sha256hex(raw). A token whose nonce equals the raw value is refused: the token is readable by
 * anyone who holds it, so accepting its own nonce as proof would let a stolen token replay.
 *
 * Each token signs in once: SQL records (issuer, nonce claim) until the token expires, so a
 * copy of a used token and its raw nonce is refused.
 *
 * Then SQL signs in or registers exactly like the redirect flow (app_hidden.oauth_sign_in:
 * same (issuer, subject) identity, same linking rules, EMCOL on an email collision), with the
 * verified email only.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import { AuthError } from '../../core/errors.ts';
import { insecureOption } from '../oauth/flow.ts';
import type { ProviderConfig } from '../oauth/providers.ts';

export interface VerifiedIdToken {
  provider: string;
  issuer: string;
  subject: string;
  /** Only an address the provider says it verified. */
  email: string | null;
  profile: Record<string, unknown>;
  /** SHA-256 of (issuer, nonce claim): the token's identity for single use. */
  useHash: Buffer;
  expiresAt: Date;
}

/** Asymmetric signatures only: `none` and HMAC (a key the client could know) never verify. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const PROFILE_KEYS = ['name', 'given_name', 'family_name', 'picture', 'locale', 'preferred_username'];
/** Issuers some providers also put in tokens for the same accounts. */
const ISSUER_ALIASES: Record<string, string[]> = { 'https://accounts.google.com': ['accounts.google.com'] };

export const sha256hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

type KeySet = ReturnType<typeof createRemoteJWKSet>;

export class IdTokenVerifier {
  private readonly keySets = new Map<string, Promise<KeySet>>();

  constructor(
    private readonly providers: ReadonlyMap<string, ProviderConfig>,
    private readonly production: boolean,
    private readonly timeoutMs = 10_000,
  ) {}

  /** The provider's key set, from its discovery document (fetched once; retried after a failure). */
  private keySet(p: ProviderConfig): Promise<KeySet> {
    let ks = this.keySets.get(p.name);
    if (!ks) {
      ks = this.discover(p);
      this.keySets.set(p.name, ks);
      ks.catch(() => this.keySets.delete(p.name));
    }
    return ks;
  }

  private async discover(p: ProviderConfig): Promise<KeySet> {
    try {
      const issuer = new URL(p.issuer);
      const res = await oauth.discoveryRequest(issuer, {
        algorithm: 'oidc',
        signal: AbortSignal.timeout(this.timeoutMs),
        ...insecureOption(p.issuer, this.production),
      });
      const as = await oauth.processDiscoveryResponse(issuer, res);
      if (!as.jwks_uri) throw new Error('the provider publishes no jwks_uri');
      const jwks = new URL(as.jwks_uri);
      if (jwks.protocol !== 'https:' && !(oauth.allowInsecureRequests in insecureOption(jwks.href, this.production))) {
        throw new Error('jwks_uri must be https');
      }
      return createRemoteJWKSet(jwks, { timeoutDuration: this.timeoutMs, cooldownDuration: 30_000 });
    } catch (e) {
      throw new AuthError('UPSTREAM', { cause: e });
    }
  }

  /** Verifies the token for a configured OpenID provider; throws NTFND, IDTOKEN or UPSTREAM. */
  async verify(providerName: string, idToken: string, nonce: string): Promise<VerifiedIdToken> {
    const p = this.providers.get(providerName);
    if (p?.kind !== 'oidc') throw new AuthError('NTFND', { message: 'Unknown provider' });
    if (idToken.length > 16_384 || nonce.length < 16 || nonce.length > 512) throw new AuthError('IDTOKEN');
    const keys = await this.keySet(p);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(idToken, keys, {
        algorithms: ALGORITHMS,
        issuer: [p.issuer, ...(ISSUER_ALIASES[p.issuer] ?? [])],
        audience: p.idTokenAudiences,
        requiredClaims: ['sub', 'exp', 'iat'],
        clockTolerance: 30,
      }));
    } catch (e) {
      // The provider's key endpoint failing is the provider's fault; anything else is the token's.
      if (e instanceof errors.JWKSTimeout || e instanceof errors.JWKSInvalid || !(e instanceof errors.JOSEError)) {
        throw new AuthError('UPSTREAM', { cause: e });
      }
      throw new AuthError('IDTOKEN', { cause: e });
    }
    // Several audiences: the party it was issued to must be one of ours (OIDC Core 3.1.3.7).
    if (Array.isArray(payload.aud) && payload.aud.length > 1) {
      if (typeof payload.azp !== 'string' || !p.idTokenAudiences.includes(payload.azp)) throw new AuthError('IDTOKEN');
    }
    if (typeof payload.nonce !== 'string' || !sameString(payload.nonce, sha256hex(nonce))) {
      throw new AuthError('IDTOKEN');
    }
    const subject = payload.sub!;
    if (!subject || subject.length > 255) throw new AuthError('IDTOKEN');
    const verified = payload.email_verified === true || payload.email_verified === 'true';
    return {
      provider: p.name,
      // The configured issuer, so that an account signed in by redirect is the same identity.
      issuer: p.issuer,
      subject,
      email: verified && typeof payload.email === 'string' ? payload.email : null,
      profile: Object.fromEntries(Object.entries(payload).filter(([k]) => PROFILE_KEYS.includes(k))),
      useHash: createHash('sha256').update(`${p.issuer}\n${payload.nonce}`, 'utf8').digest(),
      expiresAt: new Date(payload.exp! * 1000),
    };
  }
}
