/**
 * Webhook targets against SSRF (O5). An endpoint URL must be https (http only with
 * WEBHOOK_ALLOW_PRIVATE=true, for development) without credentials, and EVERY address its host
 * resolves to must be public: not loopback, link-local, private, CGNAT, multicast, reserved,
 * unspecified, nor an IPv6 form that embeds one of those (IPv4-mapped, IPv4-translated,
 * IPv4-compatible, NAT64, 6to4); local-use NAT64 (64:ff9b:1::/48) and 2001::/23 (Teredo, ...)
 * are refused whole. Checked when the endpoint is created and again at every delivery; the delivery then
 * connects to the address it checked (deliver.ts pins it with the socket's `lookup`), so a DNS
 * answer that changes in between (rebinding) cannot redirect it.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Why a target is refused; the message is the edge's own and safe to show an admin. */
export class UnsafeTargetError extends Error {
  override readonly name = 'UnsafeTargetError';
}

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  blocked.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['100::', 64], // discard
  ['64:ff9b:1::', 48], // local-use IPv4/IPv6 translation (RFC 8215): only ever local targets
  ['2001::', 23], // IETF protocol assignments: Teredo (2001::/32), ORCHID, benchmarking
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (private)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  blocked.addSubnet(net, bits, 'ipv6');
}

/** The 8 16-bit groups of an IPv6 address (with an embedded dotted quad allowed). */
function ipv6Groups(ip: string): number[] {
  let s = ip.toLowerCase().replace(/%.*$/, '');
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    s = `${s.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? (s.split('::') as [string, string]) : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((g) => Number.parseInt(g, 16));
}

/** The IPv4 address an IPv6 address stands for (mapped, compatible, NAT64, 6to4), if any. */
function embeddedIpv4(ip: string): string | null {
  const g = ipv6Groups(ip);
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zero(0, 5) && g[5] === 0xffff) return v4(g[6]!, g[7]!); // ::ffff:a.b.c.d
  if (zero(0, 4) && g[4] === 0xffff && g[5] === 0) return v4(g[6]!, g[7]!); // ::ffff:0:a.b.c.d (SIIT, RFC 2765)
  if (zero(0, 6) && (g[6] !== 0 || g[7]! > 1)) return v4(g[6]!, g[7]!); // ::a.b.c.d (deprecated)
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6)) return v4(g[6]!, g[7]!); // NAT64 64:ff9b::/96
  if (g[0] === 0x2002) return v4(g[1]!, g[2]!); // 6to4 2002:a.b.c.d::/48
  return null;
}

/** True when `ip` must never be a webhook target (without WEBHOOK_ALLOW_PRIVATE). */
export function isForbiddenAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return blocked.check(ip, 'ipv4');
  if (family !== 6) return true;
  const v4 = embeddedIpv4(ip);
  if (v4 !== null && blocked.check(v4, 'ipv4')) return true;
  return blocked.check(ip.replace(/%.*$/, ''), 'ipv6');
}

/** Parses and checks the URL's form: https (http only when private targets are allowed), no
 * credentials, a host. Throws UnsafeTargetError. */
export function checkWebhookUrl(raw: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsafeTargetError('the URL does not parse');
  }
  if (raw.length > 2000) throw new UnsafeTargetError('the URL is longer than 2000 characters');
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) {
    throw new UnsafeTargetError('the URL must be https');
  }
  if (url.username || url.password) throw new UnsafeTargetError('the URL must not carry credentials');
  if (!url.hostname) throw new UnsafeTargetError('the URL has no host');
  return url;
}

export interface CheckedTarget {
  url: URL;
  /** The address to connect to (checked), and its family. */
  address: string;
  family: 4 | 6;
}

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;
const systemResolver: Resolver = (host) => dnsLookup(host, { all: true, verbatim: true });

/**
 * Checks the URL and resolves its host: every address must be allowed (one private answer
 * refuses the target, so a mixed answer cannot be raced). Returns the address to connect to.
 */
export async function resolveWebhookTarget(
  raw: string,
  opts: { allowPrivate: boolean; resolve?: Resolver; timeoutMs?: number },
): Promise<CheckedTarget> {
  const url = checkWebhookUrl(raw, opts.allowPrivate);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let answers: { address: string; family: number }[];
  if (isIP(host)) {
    answers = [{ address: host, family: isIP(host) }];
  } else {
    let timer: NodeJS.Timeout | undefined;
    try {
      const lookup = (opts.resolve ?? systemResolver)(host);
      answers = opts.timeoutMs
        ? await Promise.race([
            lookup,
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new Error('timeout')), opts.timeoutMs);
            }),
          ])
        : await lookup;
    } catch {
      throw new UnsafeTargetError(`the host ${host} does not resolve`);
    } finally {
      clearTimeout(timer);
    }
  }
  if (!answers.length) throw new UnsafeTargetError(`the host ${host} does not resolve`);
  if (!opts.allowPrivate) {
    const bad = answers.find((a) => isForbiddenAddress(a.address));
    if (bad) {
      throw new UnsafeTargetError(
        `${host === bad.address ? 'the address' : `the host ${host} resolves to`} ${bad.address}, a loopback, link-local, private or reserved address`,
      );
    }
  }
  const first = answers[0]!;
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
