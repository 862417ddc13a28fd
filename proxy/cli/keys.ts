/**
 * `npm run keys -- rotate|list`: manage access-token signing keys in JWT_KEYS_DIR (default
 * .data/keys). `rotate` adds a new key that signs from the next start; keep the old file
 * until its tokens have expired (ACCESS_TOKEN_TTL), then delete it.
 */
import { loadConfig } from '../core/config.ts';
import { loadKeys, rotateKey } from '../core/keys.ts';

const dir = loadConfig().keysDir;
const cmd = process.argv[2];
if (cmd === 'rotate') {
  console.log(`new signing key ${await rotateKey(dir)} in ${dir}`);
} else if (cmd === 'list') {
  const ring = await loadKeys(dir, { create: false });
  for (const k of ring.jwks.keys) console.log(`${k.kid}${k.kid === ring.signing.kid ? '  (signing)' : ''}`);
} else {
  console.error('usage: npm run keys -- rotate|list');
  process.exit(2);
}
