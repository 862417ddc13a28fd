/**
 * One OAuth/OIDC round trip with oauth4webapi, as explicit request/process pairs:
 * discovery (the discovered issuer must equal the configured one: G4), the authorization
 * URL (code + PKCE S256 + fresh state and nonce + minimal scopes: G1), and the callback
 * (state and RFC 9207 `iss` checked, code exchanged with the verifier, ID token required
 * and validated with the expected nonce for OIDC, UserInfo `sub` must equal the ID token's:
 * G2-G5). Every request to the provider has a timeout (G7).
 */
import * as oauth from 'oauth4webapi';
import { AuthError } from '../../core/errors.ts';
import type { ProviderConfig } from './providers.ts';
import type { OAuthTransaction } from './transaction.ts';

export interface ProviderAccount {
  issuer: string;
  subject: string;
  email: string | null;
  profile: Record<string, unknown>;
  accessToken: string;
  refreshToken: string | null;
  expiresAt: Date | null;
}

/**
 * Plain http is accepted only for a loopback provider outside production (the test IdP);
 * the opt-out is visible here, at the one place it is decided.
 */
export function insecureOption(url: string, production: boolean): { [oauth.allowInsecureRequests]?: boolean } {
  const u = new URL(url);
  const loopback = u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]';
  return u.protocol === 'http:' && loopback && !production ? { [oauth.allowInsecureRequests]: true } : {};
}

function upstream(err: unknown): never {
  if (err instanceof AuthError) throw err;
  if (err instanceof oauth.ResponseBodyError || err instanceof oauth.AuthorizationResponseError) {
    throw new AuthError('OAUTH', { cause: err });
  }
  if (err instanceof oauth.OperationProcessingError || err instanceof oauth.UnsupportedOperationError) {
    throw new AuthError('OAUTH', { cause: err });
  }
  throw new AuthError('UPSTREAM', { cause: err });
}

export class ProviderClient {
  private as?: oauth.AuthorizationServer;
  readonly client: oauth.Client;
  private readonly auth: oauth.ClientAuth;

  constructor(
    readonly p: ProviderConfig,
    private readonly production: boolean,
    /** Every request to the provider gives up after this long (OAUTH_PROVIDER_TIMEOUT_MS). */
    private readonly timeoutMs = 10_000,
  ) {
    this.client = { client_id: p.clientId };
    this.auth = oauth.ClientSecretPost(p.clientSecret);
  }

  private opts(url: string) {
    return { signal: AbortSignal.timeout(this.timeoutMs), ...insecureOption(url, this.production) };
  }

  /** The authorization server metadata: discovered for OIDC, from the preset for OAuth 2. */
  async server(): Promise<oauth.AuthorizationServer> {
    if (this.as) return this.as;
    if (this.p.kind === 'oauth2') {
      const e = this.p.endpoints!;
      this.as = {
        issuer: this.p.issuer,
        authorization_endpoint: e.authorization,
        token_endpoint: e.token,
        userinfo_endpoint: e.userinfo,
      };
      return this.as;
    }
    try {
      const issuer = new URL(this.p.issuer);
      const res = await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...this.opts(this.p.issuer) });
      this.as = await oauth.processDiscoveryResponse(issuer, res);
    } catch (e) {
      upstream(e);
    }
    return this.as!;
  }

  async authorizationUrl(tx: OAuthTransaction): Promise<URL> {
    const as = await this.server();
    const url = new URL(as.authorization_endpoint!);
    url.searchParams.set('client_id', this.p.clientId);
    url.searchParams.set('redirect_uri', this.p.redirectUri);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('scope', this.p.scopes.join(' '));
    url.searchParams.set('state', tx.state);
    if (this.p.kind === 'oidc') url.searchParams.set('nonce', tx.nonce);
    if (this.p.pkce) {
      url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(tx.verifier));
      url.searchParams.set('code_challenge_method', 'S256');
    }
    if (this.p.formPost) url.searchParams.set('response_mode', 'form_post');
    return url;
  }

  /** Validates the callback and returns the provider account. Throws AuthError OAUTH/UPSTREAM. */
  async callback(params: URLSearchParams, tx: OAuthTransaction): Promise<ProviderAccount> {
    const as = await this.server();
    let callbackParams: URLSearchParams;
    try {
      // Checks state against the expected one explicitly, and `iss` (RFC 9207) when present
      // or when the server advertises it.
      callbackParams = oauth.validateAuthResponse(as, this.client, params, tx.state);
    } catch (e) {
      throw new AuthError('OAUTH', { cause: e });
    }
    try {
      const res = await oauth.authorizationCodeGrantRequest(
        as,
        this.client,
        this.auth,
        callbackParams,
        this.p.redirectUri,
        this.p.pkce ? tx.verifier : oauth.nopkce,
        this.opts(as.token_endpoint!),
      );
      if (this.p.kind === 'oidc') {
        const result = await oauth.processAuthorizationCodeResponse(as, this.client, res, {
          expectedNonce: tx.nonce,
          requireIdToken: true,
        });
        const claims = oauth.getValidatedIdTokenClaims(result)!;
        let profile: Record<string, unknown> = { ...claims };
        if (as.userinfo_endpoint) {
          const ui = await oauth.userInfoRequest(as, this.client, result.access_token, this.opts(as.userinfo_endpoint));
          profile = { ...profile, ...(await oauth.processUserInfoResponse(as, this.client, claims.sub, ui)) };
        }
        return this.account(claims.iss, claims.sub, profile, result);
      }
      const result = await oauth.processAuthorizationCodeResponse(as, this.client, res);
      const profile = await this.oauth2Profile(result.access_token);
      const subject = this.p.endpoints!.subject(profile);
      if (!subject) throw new AuthError('OAUTH', { message: 'The provider returned no account id' });
      return this.account(this.p.issuer, subject, profile, result);
    } catch (e) {
      upstream(e);
    }
  }

  private account(
    issuer: string,
    subject: string,
    profile: Record<string, unknown>,
    t: oauth.TokenEndpointResponse,
  ): ProviderAccount {
    // Only a verified email is kept: it is used for the collision check and the new account.
    const verified = profile.email_verified === true || profile.email_verified === 'true' || this.p.kind === 'oauth2';
    const email = verified && typeof profile.email === 'string' ? profile.email : null;
    const keep = [
      'name',
      'given_name',
      'family_name',
      'picture',
      'login',
      'avatar_url',
      'locale',
      'preferred_username',
    ];
    return {
      issuer,
      subject,
      email,
      profile: Object.fromEntries(Object.entries(profile).filter(([k]) => keep.includes(k))),
      accessToken: t.access_token,
      refreshToken: t.refresh_token ?? null,
      expiresAt: typeof t.expires_in === 'number' ? new Date(Date.now() + t.expires_in * 1000) : null,
    };
  }

  /** Plain OAuth 2: the user endpoint (and GitHub's verified-emails endpoint). */
  private async oauth2Profile(accessToken: string): Promise<Record<string, unknown>> {
    const e = this.p.endpoints!;
    const get = async (url: string) => {
      const res = await fetch(url, {
        headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json', 'user-agent': 'pgauth' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!res.ok) throw new AuthError('UPSTREAM', { message: `user endpoint answered ${res.status}` });
      return res.json() as Promise<unknown>;
    };
    const profile = (await get(e.userinfo)) as Record<string, unknown>;
    let email = e.email?.(profile);
    if (e.emails) {
      const list = (await get(e.emails)) as { email?: string; primary?: boolean; verified?: boolean }[];
      email = list.find((x) => x.primary && x.verified)?.email ?? undefined;
    }
    return { ...profile, email: email ?? null };
  }

  /** Renews an access token with a refresh token (the refresh job). */
  async refresh(
    refreshToken: string,
  ): Promise<{ accessToken: string; refreshToken: string | null; expiresAt: Date | null }> {
    const as = await this.server();
    try {
      const res = await oauth.refreshTokenGrantRequest(
        as,
        this.client,
        this.auth,
        refreshToken,
        this.opts(as.token_endpoint!),
      );
      const t = await oauth.processRefreshTokenResponse(as, this.client, res);
      return {
        accessToken: t.access_token,
        refreshToken: t.refresh_token ?? null,
        expiresAt: typeof t.expires_in === 'number' ? new Date(Date.now() + t.expires_in * 1000) : null,
      };
    } catch (e) {
      upstream(e);
    }
  }
}

export const randomState = () => oauth.generateRandomState();
export const randomNonce = () => oauth.generateRandomNonce();
export const randomVerifier = () => oauth.generateRandomCodeVerifier();
