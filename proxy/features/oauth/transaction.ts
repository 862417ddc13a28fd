/**
 * The OAuth transaction (state, nonce, PKCE verifier, provider, intent, returnTo, and for
 * linking the session it belongs to) travels in a short-lived cookie, encrypted and
 * authenticated (JWE dir/A256GCM) under a key derived from CSRF_SECRET. No server memory:
 * any instance can finish the flow. The cookie is HttpOnly, SameSite=Lax (None for
 * form_post providers, which return by cross-site POST), 10 minutes, and cleared on the
 * first callback so a state can never be replayed (G2).
 */
import { hkdfSync } from 'node:crypto';
import { EncryptJWT, jwtDecrypt } from 'jose';

export const TX_TTL_SECONDS = 600;

export interface OAuthTransaction {
  provider: string;
  state: string;
  nonce: string;
  verifier: string;
  intent: 'login' | 'link';
  returnTo: string;
  /** For intent=link: the session that started it. */
  sessionId?: string;
  /** App-initiated OAuth (features/native): the registered app the callback answers to. */
  app?: AppRequest;
}

/** What a native app asked for at /auth/<provider>/start (RFC 8252), checked against its registration. */
export interface AppRequest {
  client: string;
  redirectUri: string;
  /** PKCE S256 code_challenge of the app's own verifier. */
  codeChallenge: string;
  /** The app's state, returned to it verbatim. */
  state: string | null;
}

export function transactionKey(csrfSecret: Buffer): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', csrfSecret, Buffer.alloc(0), 'pgauth oauth transaction', 32));
}

export async function sealTransaction(key: Uint8Array, tx: OAuthTransaction): Promise<string> {
  return new EncryptJWT({ tx })
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .setIssuedAt()
    .setExpirationTime(`${TX_TTL_SECONDS}s`)
    .encrypt(key);
}

export async function openTransaction(key: Uint8Array, sealed: string | undefined): Promise<OAuthTransaction | null> {
  if (!sealed) return null;
  try {
    const { payload } = await jwtDecrypt(sealed, key, {
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    return (payload.tx as OAuthTransaction) ?? null;
  } catch {
    return null;
  }
}
