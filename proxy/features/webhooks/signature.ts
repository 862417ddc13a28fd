/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com/, "Signature scheme"): the
 * secret is `whsec_` + base64 of the key; the signed content is `<webhook-id>.<webhook-timestamp>.<body>`;
 * `webhook-signature` is `v1,<base64 HMAC-SHA256>` (space-separated when several).
 */
import { createHmac } from 'node:crypto';

/** The key bytes of a `whsec_` secret. */
export function secretKey(secret: string): Buffer {
  if (!/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret)) throw new Error('not a whsec_ secret');
  return Buffer.from(secret.slice('whsec_'.length), 'base64');
}

/** The three headers of one attempt (`timestamp` in whole seconds since the epoch). */
export function signatureHeaders(secret: string, id: string, timestamp: number, body: string): Record<string, string> {
  const mac = createHmac('sha256', secretKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${mac}` };
}
