/**
 * Sign-in providers from the environment. For provider NAME (lower-case in URLs):
 *   OIDC_<NAME>_CLIENT_ID, OIDC_<NAME>_CLIENT_SECRET   required
 *   OIDC_<NAME>_ISSUER     any OpenID issuer (discovery); presets fill it in for known names
 *   OIDC_<NAME>_REDIRECT   the callback URL registered at the provider
 *                          (default PUBLIC_ORIGIN/auth/<name>/callback)
 *   OIDC_<NAME>_SCOPES     override the preset's minimal scopes
 *   OIDC_<NAME>_AUTHORIZATION_ENDPOINT / _TOKEN_ENDPOINT / _USERINFO_ENDPOINT
 *                          override a plain-OAuth 2 preset's endpoints
 *   OIDC_MICROSOFT_TENANT  the Entra ID tenant (default: organizations is not allowed; set it)
 *   OIDC_<NAME>_ID_TOKEN_AUDIENCES  client ids whose ID tokens signInWithIdToken accepts
 *                          (comma-separated; default the client id): e.g. the iOS/Android app's
 * Plain OAuth 2 presets (no OpenID) read the profile from the provider's user endpoint.
 */
export interface OAuth2Endpoints {
  authorization: string;
  token: string;
  userinfo: string;
  /** Where the stable account id and the email are in the user endpoint's JSON. `email`
   * returns only an address the provider says it verified (undefined otherwise): anything
   * that grants rights by email (domain rules) trusts it. */
  subject: (u: Record<string, unknown>) => string | undefined;
  email?: (u: Record<string, unknown>) => string | undefined;
  /** An extra endpoint listing verified emails (GitHub). */
  emails?: string;
}

export interface ProviderConfig {
  name: string;
  kind: 'oidc' | 'oauth2';
  /** For OIDC: the issuer to discover and to expect in ID tokens. For OAuth 2: a fixed identity namespace. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  scopes: string[];
  pkce: boolean;
  /** Apple returns the code by POST (response_mode=form_post). */
  formPost: boolean;
  endpoints?: OAuth2Endpoints;
  /** signInWithIdToken (features/native): the `aud` values accepted, e.g. the native apps' client ids. */
  idTokenAudiences: string[];
}

interface Preset {
  kind: 'oidc' | 'oauth2';
  issuer: string | ((env: NodeJS.ProcessEnv) => string);
  scopes: string[];
  pkce?: boolean;
  formPost?: boolean;
  endpoints?: OAuth2Endpoints;
}

const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);

export const PRESETS: Record<string, Preset> = {
  google: { kind: 'oidc', issuer: 'https://accounts.google.com', scopes: ['openid', 'email', 'profile'] },
  microsoft: {
    kind: 'oidc',
    issuer: (env) => {
      const tenant = env.OIDC_MICROSOFT_TENANT;
      // "common"/"organizations" issue per-tenant `iss` values that cannot be pinned (G4).
      if (!tenant || ['common', 'organizations', 'consumers'].includes(tenant)) {
        throw new Error('OIDC_MICROSOFT_TENANT must be a tenant id (multi-tenant issuers cannot be verified)');
      }
      return `https://login.microsoftonline.com/${tenant}/v2.0`;
    },
    scopes: ['openid', 'email', 'profile'],
  },
  apple: { kind: 'oidc', issuer: 'https://appleid.apple.com', scopes: ['openid', 'email', 'name'], formPost: true },
  linkedin: { kind: 'oidc', issuer: 'https://www.linkedin.com/oauth', scopes: ['openid', 'email', 'profile'] },
  slack: { kind: 'oidc', issuer: 'https://slack.com', scopes: ['openid', 'email', 'profile'] },
  twitch: { kind: 'oidc', issuer: 'https://id.twitch.tv/oauth2', scopes: ['openid', 'user:read:email'] },
  gitlab: { kind: 'oidc', issuer: 'https://gitlab.com', scopes: ['openid', 'email', 'profile'] },
  github: {
    kind: 'oauth2',
    issuer: 'https://github.com',
    scopes: ['read:user', 'user:email'],
    endpoints: {
      authorization: 'https://github.com/login/oauth/authorize',
      token: 'https://github.com/login/oauth/access_token',
      userinfo: 'https://api.github.com/user',
      emails: 'https://api.github.com/user/emails',
      subject: (u) => str(u.id),
      email: (u) => str(u.email),
    },
  },
  facebook: {
    kind: 'oauth2',
    issuer: 'https://www.facebook.com',
    scopes: ['email', 'public_profile'],
    endpoints: {
      authorization: 'https://www.facebook.com/v19.0/dialog/oauth',
      token: 'https://graph.facebook.com/v19.0/oauth/access_token',
      userinfo: 'https://graph.facebook.com/me?fields=id,name,email',
      subject: (u) => str(u.id),
      // Facebook does not document its email as verified: not used (A7, H1).
      email: () => undefined,
    },
  },
  twitter: {
    kind: 'oauth2',
    issuer: 'https://twitter.com',
    scopes: ['users.read', 'tweet.read', 'offline.access'],
    endpoints: {
      authorization: 'https://twitter.com/i/oauth2/authorize',
      token: 'https://api.twitter.com/2/oauth2/token',
      userinfo: 'https://api.twitter.com/2/users/me',
      subject: (u) => str((u.data as Record<string, unknown> | undefined)?.id),
    },
  },
  discord: {
    kind: 'oauth2',
    issuer: 'https://discord.com',
    scopes: ['identify', 'email'],
    endpoints: {
      authorization: 'https://discord.com/oauth2/authorize',
      token: 'https://discord.com/api/oauth2/token',
      userinfo: 'https://discord.com/api/users/@me',
      subject: (u) => str(u.id),
      email: (u) => (u.verified === true ? str(u.email) : undefined),
    },
  },
  bitbucket: {
    kind: 'oauth2',
    issuer: 'https://bitbucket.org',
    scopes: ['account', 'email'],
    pkce: false,
    endpoints: {
      authorization: 'https://bitbucket.org/site/oauth2/authorize',
      token: 'https://bitbucket.org/site/oauth2/access_token',
      userinfo: 'https://api.bitbucket.org/2.0/user',
      subject: (u) => str(u.uuid),
    },
  },
  spotify: {
    kind: 'oauth2',
    issuer: 'https://accounts.spotify.com',
    scopes: ['user-read-email'],
    endpoints: {
      authorization: 'https://accounts.spotify.com/authorize',
      token: 'https://accounts.spotify.com/api/token',
      userinfo: 'https://api.spotify.com/v1/me',
      subject: (u) => str(u.id),
      // Spotify documents its email as unverified: kept nowhere, it can grant nothing (A7).
      email: () => undefined,
    },
  },
};

/** Every configured provider, validated; throws on a half-configured one. */
export function loadProviders(env: NodeJS.ProcessEnv, publicOrigin: string): Map<string, ProviderConfig> {
  const names = new Set<string>();
  for (const key of Object.keys(env)) {
    const m = /^OIDC_([A-Z0-9]+)_CLIENT_ID$/.exec(key);
    if (m) names.add(m[1]!.toLowerCase());
  }
  const out = new Map<string, ProviderConfig>();
  for (const name of [...names].sort()) {
    const E = (suffix: string) => env[`OIDC_${name.toUpperCase()}_${suffix}`];
    const preset = PRESETS[name];
    const issuer =
      E('ISSUER') ?? (preset && (typeof preset.issuer === 'function' ? preset.issuer(env) : preset.issuer));
    if (!issuer) throw new Error(`OIDC_${name.toUpperCase()}_ISSUER is required (no preset named ${name})`);
    const clientSecret = E('CLIENT_SECRET');
    if (!clientSecret) throw new Error(`OIDC_${name.toUpperCase()}_CLIENT_SECRET is required`);
    const kind = preset?.kind ?? 'oidc';
    const endpoints = preset?.endpoints && {
      ...preset.endpoints,
      authorization: E('AUTHORIZATION_ENDPOINT') ?? preset.endpoints.authorization,
      token: E('TOKEN_ENDPOINT') ?? preset.endpoints.token,
      userinfo: E('USERINFO_ENDPOINT') ?? preset.endpoints.userinfo,
      emails: E('EMAILS_ENDPOINT') ?? preset.endpoints.emails,
    };
    out.set(name, {
      name,
      kind,
      issuer,
      clientId: E('CLIENT_ID')!,
      clientSecret,
      // Constant, from configuration: never derived from Host or X-Forwarded-Host (G1).
      redirectUri: E('REDIRECT') ?? `${publicOrigin}/auth/${name}/callback`,
      scopes: E('SCOPES')?.split(/[ ,]+/).filter(Boolean) ?? preset?.scopes ?? ['openid', 'email', 'profile'],
      pkce: preset?.pkce ?? true,
      formPost: preset?.formPost ?? false,
      endpoints,
      idTokenAudiences: E('ID_TOKEN_AUDIENCES')
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean) ?? [E('CLIENT_ID')!],
    });
  }
  return out;
}
