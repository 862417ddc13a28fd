/**
 * `npm run keys -- <command>`: access-token signing keys in JWT_KEYS_DIR (default .data/keys).
 *
 *   list              every key: kid, algorithm, state (signing / verifies / next)
 *   add               publish a new key of JWT_ALG that verifies but does not sign yet
 *   promote <kid>     make it the signer (each instance's next reload, JWT_KEYS_RELOAD_MS)
 *   retire <kid>      remove a key that no longer signs (after ACCESS_TOKEN_TTL)
 *   rotate            add + promote at once: one instance, or development
 *
 * Several instances share the directory (or a copy of it): add, wait until every instance
 * has reloaded, promote, wait one access-token lifetime, retire (docs/deployment.md).
 */
import { loadConfig } from '../core/config.ts';
import { addKey, listKeys, promoteKey, retireKey, rotateKey } from '../core/keys.ts';

const cfg = loadConfig();
const dir = cfg.keysDir;
const [cmd, kid] = process.argv.slice(2);
const reload = cfg.keysReloadMs > 0 ? `within ${cfg.keysReloadMs / 1000} s` : 'at their next start';

async function main(): Promise<void> {
  switch (cmd) {
    case 'rotate':
      console.log(`new ${cfg.jwtAlg} signing key ${await rotateKey(dir, cfg.jwtAlg)} in ${dir}`);
      return;
    case 'add': {
      const k = await addKey(dir, cfg.jwtAlg);
      console.log(`published ${cfg.jwtAlg} key ${k} in ${dir} (verifies, does not sign)`);
      console.log(`instances load it ${reload}; then: npm run keys -- promote ${k}`);
      return;
    }
    case 'promote':
      if (!kid) break;
      promoteKey(dir, kid);
      console.log(`${kid} signs from each instance's next reload (${reload})`);
      console.log(`after ${cfg.accessTokenTtlSeconds} s more, retire the previous key: npm run keys -- retire <kid>`);
      return;
    case 'retire':
      if (!kid) break;
      await retireKey(dir, kid, cfg.jwtAlg);
      console.log(`removed ${kid}; its tokens are refused from each instance's next reload (${reload})`);
      return;
    case 'list':
      for (const k of await listKeys(dir, cfg.jwtAlg)) {
        const state = k.signing ? 'signing' : k.status === 'next' ? 'next (verifies, not signing)' : 'verifies';
        console.log(`${k.kid}  ${k.alg}  ${state}`);
      }
      return;
  }
  console.error('usage: npm run keys -- list | add | promote <kid> | retire <kid> | rotate');
  process.exit(2);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
