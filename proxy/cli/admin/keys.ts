/**
 * `npm run admin -- keys list|rotate`: the access-token signing keys in JWT_KEYS_DIR (the same
 * as `npm run keys`, proxy/core/keys.ts); no database. For add/promote/retire on several
 * instances use `npm run keys` (docs/deployment.md).
 */
import { loadConfig } from '../../core/config.ts';
import { listKeys, rotateKey } from '../../core/keys.ts';
import { type CommandGroup, printDone, printRows } from './common.ts';

export const keys: CommandGroup = {
  summary: 'access-token signing keys (JWT_KEYS_DIR)',
  commands: {
    list: {
      usage: 'list',
      summary: 'every key: kid, algorithm, state (signing / next / verifies)',
      offline: true,
      async run(_db, args) {
        const cfg = loadConfig();
        const rows = (await listKeys(cfg.keysDir, cfg.jwtAlg)).map((k) => ({
          kid: k.kid,
          alg: k.alg,
          state: k.signing ? 'signing' : k.status === 'next' ? 'next' : 'verifies',
        }));
        printRows(args, rows, ['kid', 'alg', 'state']);
      },
    },
    rotate: {
      usage: 'rotate',
      summary: 'create a new key and sign with it (one instance or development; old keys keep verifying)',
      offline: true,
      async run(_db, args) {
        const cfg = loadConfig();
        const kid = await rotateKey(cfg.keysDir, cfg.jwtAlg);
        printDone(args, `new ${cfg.jwtAlg} signing key ${kid} in ${cfg.keysDir}`, { kid, alg: cfg.jwtAlg });
      },
    },
  },
};
