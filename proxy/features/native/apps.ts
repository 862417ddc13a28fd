/**
 * Registered native and device apps (RFC 8252, RFC 8628), from APP_<ID>_* settings parsed in
 * proxy/core/config.ts. An app is a public client: it has no secret, so what binds a code to
 * it is its exact redirect URI (and PKCE). Redirect URIs are one of
 *   - a private-use scheme with a period, e.g. `com.example.app:/oauth` (RFC 8252 7.1);
 *   - a claimed https URI, e.g. `https://app.example.com/oauth` (7.2);
 *   - a loopback http URI on 127.0.0.1 or [::1] without a port, e.g.
 *     `http://127.0.0.1/callback`: any port matches, everything else exactly (7.3).
 * `localhost` is refused (8.3: it may resolve elsewhere).
 */
export interface NativeApp {
  /** The client id: lower-case <ID> of APP_<ID>_*, sent as `client` / `client_id`. */
  id: string;
  /** Shown to users (device approval page). */
  name: string;
  /** Registered redirect URIs, normalized (empty: the app cannot use app-initiated OAuth). */
  redirectUris: string[];
  /** May use the device authorization grant (RFC 8628). */
  deviceGrant: boolean;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]']);

/** Validates one registered redirect URI; returns it normalized or throws with the reason. */
export function parseRedirectUri(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`"${raw}" is not a URI`);
  }
  if (u.hash || raw.includes('#')) throw new Error(`"${raw}" must not have a fragment`);
  if (u.protocol === 'http:') {
    if (!LOOPBACK_HOSTS.has(u.hostname)) {
      throw new Error(`"${raw}": http is allowed only on the loopback address 127.0.0.1 or [::1]`);
    }
    if (u.port) throw new Error(`"${raw}": register a loopback URI without a port (any port is accepted)`);
    return u.toString();
  }
  // Kept as written: the app must send exactly the registered string (normalizing would make
  // `https://App.example.com/cb` or a path-less URI fail to match itself).
  if (u.protocol === 'https:') return raw;
  const scheme = u.protocol.slice(0, -1);
  if (!scheme.includes('.')) {
    throw new Error(`"${raw}": a private-use scheme must be a reverse domain name such as com.example.app`);
  }
  if (['javascript', 'data', 'file', 'blob', 'vbscript'].includes(scheme)) throw new Error(`"${raw}" is not allowed`);
  return raw;
}

/**
 * The registered URI that `given` matches, or null: exact string match, except that a
 * loopback URI matches with any port (RFC 8252 7.3). The path and query must be identical.
 */
export function matchRedirectUri(app: NativeApp, given: string | undefined | null): string | null {
  if (!given || given.length > 2000) return null;
  if (app.redirectUris.includes(given)) return given;
  // A loopback URI with a port (1-65535, no leading zero; read from the string itself, since
  // URL drops a default :80), no user info and no fragment; the rest must already be in
  // canonical form (no `..`, no case or escaping tricks) and equal a registered URI.
  const m = /^http:\/\/(127\.0\.0\.1|\[::1\]):([1-9][0-9]{0,4})([/?][^#]*)?$/.exec(given);
  if (!m || Number(m[2]) > 65535) return null;
  const rest = m[3] ?? '/';
  const candidate = `http://${m[1]}${rest.startsWith('?') ? `/${rest}` : rest}`;
  let canonical: string;
  try {
    canonical = new URL(candidate).toString();
  } catch {
    return null;
  }
  if (canonical !== candidate) return null;
  return app.redirectUris.includes(candidate) ? given : null;
}
