/**
 * `npm run oauth -- list`            configured providers, their issuer and callback URL
 * `npm run oauth -- test <provider>` fetch discovery (or check the preset endpoints answer)
 * `npm run oauth:refresh`            renew due provider tokens once (as the server does)
 */
import { loadConfig } from '../core/config.ts';
import { createPool } from '../core/db.ts';
import { ProviderClient } from '../features/oauth/flow.ts';
import { refreshProviderTokens } from '../features/oauth/refresh-job.ts';

const cfg = loadConfig();
const providers = cfg.oauth.providers;
const [cmd, name] = process.argv.slice(2);

if (cmd === 'list') {
  if (!providers.size) console.log('no providers configured (set OIDC_<NAME>_CLIENT_ID / _CLIENT_SECRET)');
  for (const p of providers.values()) {
    console.log(
      `${p.name.padEnd(10)} ${p.kind.padEnd(6)} issuer=${p.issuer} redirect=${p.redirectUri} scopes=${p.scopes.join(' ')}${p.pkce ? ' pkce=S256' : ''}`,
    );
  }
} else if (cmd === 'test' && name) {
  const p = providers.get(name);
  if (!p) throw new Error(`provider ${name} is not configured`);
  const as = await new ProviderClient(p, cfg.production, cfg.oauth.providerTimeoutMs).server();
  console.log(`issuer                 ${as.issuer}`);
  for (const key of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri'] as const) {
    const url = as[key];
    if (!url) continue;
    const res = await fetch(url, { method: 'GET', signal: AbortSignal.timeout(10_000) }).catch((e: Error) => e);
    console.log(`${key.padEnd(22)} ${url} -> ${res instanceof Error ? res.message : res.status}`);
  }
  console.log(
    `RFC 9207 iss parameter ${as.authorization_response_iss_parameter_supported ? 'supported' : 'not advertised'}`,
  );
  console.log(
    `PKCE S256              ${as.code_challenge_methods_supported?.includes('S256') ? 'advertised' : p.pkce ? 'sent (not advertised)' : 'not used'}`,
  );
} else if (cmd === 'refresh') {
  const pool = createPool(cfg.db.authUrl, 2);
  const clients = new Map(
    [...providers].map(([n, p]) => [n, new ProviderClient(p, cfg.production, cfg.oauth.providerTimeoutMs)]),
  );
  if (!cfg.oauth.tokenKeys) throw new Error('no providers configured');
  const summary = await refreshProviderTokens(pool, clients, cfg.oauth.tokenKeys);
  console.log(`provider tokens renewed: ${summary.renewed}, failed: ${summary.failed}`);
  await pool.end();
} else {
  console.error('usage: npm run oauth -- list | test <provider> | refresh');
  process.exit(2);
}
