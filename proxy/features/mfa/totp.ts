/**
 * TOTP at the edge (npm otpauth): RFC 6238, SHA-1, 6 digits, 30 s steps, one step of drift.
 * The secret is generated here, shown once, and stored encrypted with the provider-token key
 * scheme (../oauth/token-crypto.ts: AES-256-GCM, key id, the factor id as associated data),
 * so only this edge can read it (N1). Which step matched goes to SQL, which refuses a step
 * used before or out of drift (N2): the replay check is the database's, not this process's.
 */
import * as OTPAuth from 'otpauth';
import QRCode from 'qrcode';
import { decryptToken, encryptToken, type TokenKeys } from '../oauth/token-crypto.ts';

export const PERIOD = 30;
const COLUMN = 'totp_secret';

export interface NewTotp {
  secret: string;
  uri: string;
  qrCode: string;
  keyId: string;
  ciphertext: Buffer;
}

export async function newTotp(keys: TokenKeys, factorId: string, issuer: string, label: string): Promise<NewTotp> {
  const secret = new OTPAuth.Secret({ size: 20 });
  const totp = new OTPAuth.TOTP({ issuer, label, secret, algorithm: 'SHA1', digits: 6, period: PERIOD });
  const uri = totp.toString();
  return {
    secret: secret.base32,
    uri,
    qrCode: await QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 1 }),
    keyId: keys.current,
    ciphertext: encryptToken(keys, factorId, COLUMN, secret.base32),
  };
}

/** The 30 s step whose code `code` is (now or one step either side), or null. */
export function matchedStep(
  keys: TokenKeys,
  factorId: string,
  keyId: string,
  ciphertext: Buffer,
  code: unknown,
  now = Date.now(),
): number | null {
  if (typeof code !== 'string' || !/^\d{6}$/.test(code)) return null;
  const secret = OTPAuth.Secret.fromBase32(decryptToken(keys, keyId, factorId, COLUMN, ciphertext));
  const delta = OTPAuth.TOTP.validate({
    token: code,
    secret,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD,
    timestamp: now,
    window: 1,
  });
  return delta === null ? null : Math.floor(now / 1000 / PERIOD) + delta;
}
