// `npm run oauth -- list | test <provider>` against the real OpenID Provider.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_ID, CLIENT_SECRET, startIdp, type Idp } from './idp.ts';

const run = promisify(execFile);
let idp: Idp;
beforeAll(async () => {
  idp = await startIdp(['http://localhost:3000/auth/corp/callback']);
});
afterAll(async () => {
  await idp?.close();
});

const cli = (args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'proxy/cli/oauth.ts', ...args], {
    env: {
      ...process.env,
      OIDC_CORP_ISSUER: idp.issuer,
      OIDC_CORP_CLIENT_ID: CLIENT_ID,
      OIDC_CORP_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_GITHUB_CLIENT_ID: 'gh',
      OIDC_GITHUB_CLIENT_SECRET: 'ghs',
      DEV_SECRET_FILE: '/tmp/pgauth-cli-test-secret',
    },
  });

describe('oauth CLI', () => {
  it('lists configured providers with issuer, callback and scopes', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'proxy/cli/oauth.ts', 'list'], {
      env: {
        ...process.env,
        OIDC_CORP_ISSUER: 'https://sso.example.com',
        OIDC_CORP_CLIENT_ID: 'a',
        OIDC_CORP_CLIENT_SECRET: 'b',
        OIDC_GITHUB_CLIENT_ID: 'gh',
        OIDC_GITHUB_CLIENT_SECRET: 'ghs',
        DEV_SECRET_FILE: '/tmp/pgauth-cli-test-secret',
      },
    });
    expect(stdout).toMatch(
      /corp\s+oidc\s+issuer=https:\/\/sso\.example\.com redirect=http:\/\/localhost:3000\/auth\/corp\/callback/,
    );
    expect(stdout).toMatch(/github\s+oauth2\s+issuer=https:\/\/github\.com .*scopes=read:user user:email pkce=S256/);
  });

  it('tests a provider: discovery, endpoints, RFC 9207 and PKCE support', async () => {
    const { stdout } = await cli(['test', 'corp']);
    expect(stdout).toContain(`issuer                 ${idp.issuer}`);
    expect(stdout).toMatch(/token_endpoint .* -> \d{3}/);
    expect(stdout).toContain('RFC 9207 iss parameter supported');
    expect(stdout).toContain('PKCE S256              advertised');
  });
});
