/**
 * The trusted-device cookie (N10): `<device id>.<token>.<mac>`, HttpOnly, SameSite=Strict,
 * `__Host-` with secure cookies, expiring with the device (auth_config.trusted_device_ttl).
 * The MAC (HMAC-SHA256 under a key derived from the CSRF signing key) lets the edge drop a
 * forged cookie before SQL sees it; SQL holds the token's hash, binds it to the user, checks
 * expiry, and forgets it on reset or on request. Rotating the CSRF key voids the cookies.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { serialize } from 'hono/utils/cookie';

const VALUE =
  /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{43})$/;

export interface DeviceCookies {
  name: string;
  /** The token of a cookie whose MAC verifies, else null. */
  read(cookies: Record<string, string>): string | null;
  /** A Set-Cookie value carrying `token` until `expires`. */
  serialize(token: string, expires: Date): string;
}

export function deviceCookies(csrfSecret: Buffer, secure: boolean): DeviceCookies {
  const key = createHmac('sha256', csrfSecret).update('pgauth trusted-device cookie v1').digest();
  const mac = (token: string) => createHmac('sha256', key).update(token).digest('base64url');
  const name = `${secure ? '__Host-' : ''}pgauth-device`;
  return {
    name,
    read(cookies) {
      const m = VALUE.exec(cookies[name] ?? '');
      if (!m) return null;
      const want = Buffer.from(mac(m[1]!));
      const got = Buffer.from(m[2]!);
      return want.length === got.length && timingSafeEqual(want, got) ? m[1]! : null;
    },
    serialize(token, expires) {
      return serialize(name, `${token}.${mac(token)}`, {
        path: '/',
        secure,
        httpOnly: true,
        sameSite: 'Strict',
        expires,
        maxAge: Math.max(0, Math.floor((expires.getTime() - Date.now()) / 1000)),
      });
    },
  };
}
