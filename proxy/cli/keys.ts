/**
 * `npm run keys -- rotate|list`: manage access-token signing keys in JWT_KEYS_DIR (default
 * .data/keys). `rotate` adds a new key of JWT_ALG (EdDSA unless set to ES256) that signs from
 * the next start; keep the old file until its tokens have expired (ACCESS_TOKEN_TTL), then
 * delete it. Switching JWT_ALG is such a rotation: tokens of the old key verify until then.
 */
import { loadConfig } from '../core/config.ts';
import { loadKeys, rotateKey } from '../core/keys.ts';

const cfg = loadConfig();
const dir = cfg.keysDir;
const cmd = process.argv[2];
if (cmd === 'rotate') {
  console.log(`new ${cfg.jwtAlg} signing key ${await rotateKey(dir, cfg.jwtAlg)} in ${dir}`);
} else if (cmd === 'list') {
  const ring = await loadKeys(dir, { create: false, alg: cfg.jwtAlg });
  for (const k of ring.jwks.keys) console.log(`${k.kid}  ${k.alg}${k.kid === ring.signing.kid ? '  (signing)' : ''}`);
} else {
  console.error('usage: npm run keys -- rotate|list');
  process.exit(2);
}
