/**
 * `npm run bench:rls`: the cost of row-level security at scale.
 *
 * Seeds 100k users, 1M documents, ~3M ACL rows, group relations and RBAC grants (200k user
 * roles, a table whose policy is `has_permission`), then times each query
 * as `app_user` under RLS (connected as the login role, claims set as the edge sets them)
 * against the equivalent hand-written query run without RLS (as the superuser: the owner
 * is itself subject to the forced policies), interleaved in the same run. Prints medians,
 * ratios and the plans' node types, and fails if a target is missed or a Seq Scan appears.
 * Uses ROOT_DATABASE_URL when set (database `pgauth_bench`), otherwise a throwaway cluster.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { startCluster } from '../test/harness/cluster.ts';
import { setup } from '../db/scripts/setup.ts';
import { dbConfigFromEnv, rootUrlFor } from '../db/scripts/config.ts';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 300);
const WARMUP = 30;

// The caller's principals without RLS: the same bounded traversal the policies use.
const PRINCIPALS = `
  with recursive g(id, depth) as (
    select e.object_id, 1 from app_public.relation_edge e where e.subject_id = $1 and e.object_type = 'group'
    union
    select e.object_id, g.depth + 1 from g join app_public.relation_edge e on e.subject_id = g.id and e.object_type = 'group'
    where g.depth < 8
  ), p as (select $1::uuid as subject_id union select id from g)`;

const QUERIES = {
  list: {
    rls: `select * from app_public.visible_documents()`,
    base: `${PRINCIPALS}, page as (
        select distinct c.document_id, c.document_created_at from p cross join lateral (
          select a.document_id, a.document_created_at from app_public.document_acl a where a.subject_id = p.subject_id
          order by a.document_created_at desc, a.document_id desc limit 20) c
        order by c.document_created_at desc, c.document_id desc limit 20)
      select d.* from page join app_public.documents d on d.id = page.document_id
      order by page.document_created_at desc, page.document_id desc`,
  },
  byId: {
    rls: `select * from app_public.documents where id = $2`,
    base: `${PRINCIPALS} select d.* from app_public.documents d where d.id = $2
      and exists (select 1 from app_public.document_acl a where a.document_id = d.id and a.subject_id in (select subject_id from p))`,
  },
  groupCheck: {
    rls: `select app_hidden.has_doc_role($2, 'viewer')`,
    base: `${PRINCIPALS} select exists (select 1 from app_public.document_acl a
      where a.document_id = $2 and a.subject_id in (select subject_id from p))`,
  },
  // A policy written with has_permission (O1) against the same check as a hand-written join.
  permitted: {
    rls: `select * from app_public.bench_reports order by created_at desc limit 20`,
    base: `select r.* from app_public.bench_reports r where exists (
        select 1 from app_public.user_roles ur join app_public.role_permissions rp on rp.role = ur.role
        where ur.user_id = $1 and (ur.expires_at is null or ur.expires_at > now())
          and rp.permission in ('reports:read', 'reports:*'))
      order by r.created_at desc limit 20`,
  },
} as const;
type QueryName = keyof typeof QUERIES;

// visible_documents() is a definer function, so EXPLAIN shows a Function Scan; its body's
// plan is checked by explaining the same statement with the principals as a parameter.
const LIST_BODY = `with page as (
    select distinct c.document_id, c.document_created_at from unnest($1::uuid[]) as p(subject_id)
    cross join lateral (select a.document_id, a.document_created_at from app_public.document_acl a
      where a.subject_id = p.subject_id and a.role >= 'viewer'
        and (a.document_created_at, a.document_id) < ('infinity', 'ffffffff-ffff-ffff-ffff-ffffffffffff')
      order by a.document_created_at desc, a.document_id desc limit 20) c
    order by c.document_created_at desc, c.document_id desc limit 20)
  select d.* from page join app_public.documents d on d.id = page.document_id
  order by page.document_created_at desc, page.document_id desc`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function nodeTypes(plan: unknown, out = new Set<string>()): Set<string> {
  if (plan && typeof plan === 'object') {
    const p = plan as Record<string, unknown>;
    if (typeof p['Node Type'] === 'string') {
      out.add(p['Node Type'] + (p['Relation Name'] ? `(${p['Relation Name']})` : ''));
    }
    for (const v of Object.values(p)) if (typeof v === 'object') nodeTypes(v, out);
  }
  return out;
}

async function time(client: pg.Client, sql: string, params: unknown[]): Promise<number> {
  const t = process.hrtime.bigint();
  await client.query(sql, params);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function main(): Promise<void> {
  const cluster = await startCluster();
  try {
    const env = { ROOT_DATABASE_URL: cluster.rootUrl, DATABASE_NAME: 'pgauth_bench' };
    const cfg = dbConfigFromEnv(env);
    const rootDbUrl = rootUrlFor(cfg, cfg.dbName);
    // BENCH_REUSE=1 keeps an already seeded pgauth_bench (for iterating on queries).
    const reuse = process.env.BENCH_REUSE === '1';
    if (!reuse) await setup(cfg, { reset: true, current: true });
    const root = new pg.Client({ connectionString: rootDbUrl });
    await root.connect();
    const t0 = Date.now();
    if (!reuse) {
      await root.query(readFileSync(new URL('./seed.sql', import.meta.url), 'utf8'));
      await root.query('vacuum analyze');
    }
    const counts = (
      await root.query(`select (select count(*) from app_public.users) u, (select count(*) from app_public.documents) d,
      (select count(*) from app_public.document_acl) a, (select count(*) from app_public.relation_edge) r`)
    ).rows[0];
    console.log(
      `seeded ${counts.u} users, ${counts.d} documents, ${counts.a} ACL rows, ${counts.r} relation edges in ${((Date.now() - t0) / 1000).toFixed(0)}s`,
    );

    const users = (
      await root.query(
        `select b.kind, b.id, s.id as sid from public.bench_users b join app_private.sessions s on s.user_id = b.id`,
      )
    ).rows;
    const auth = new pg.Client({ connectionString: cfg.authUrl });
    await auth.connect();
    let failed = false;
    console.log('\nuser     query       visible  rls ms  base ms  ratio  plan (rls)');
    for (const u of users) {
      const visible = (
        await root.query(
          `${PRINCIPALS} select count(distinct a.document_id)::int n from app_public.document_acl a where a.subject_id in (select subject_id from p)`,
          [u.id],
        )
      ).rows[0].n;
      await auth.query('begin');
      await auth.query(
        `select set_config('role', 'app_user', true), set_config('jwt.claims.user_id', $1, true), set_config('jwt.claims.session_id', $2, true)`,
        [u.id, u.sid],
      );
      const doc = (await auth.query(QUERIES.list.rls)).rows[0].id;
      const groupDoc =
        (
          await root.query(
            `select a.document_id from app_public.document_acl a join app_public.relation_edge e on e.object_id = a.subject_id
        where e.subject_id = $1 limit 1`,
            [u.id],
          )
        ).rows[0]?.document_id ?? doc;
      for (const name of Object.keys(QUERIES) as QueryName[]) {
        const params =
          name === 'list' || name === 'permitted' ? [u.id] : [u.id, name === 'groupCheck' ? groupDoc : doc];
        const rlsParams = params.slice(1);
        const rlsSql = QUERIES[name].rls.replace('$2', '$1');
        const { rls, base } = { rls: [] as number[], base: [] as number[] };
        for (let i = 0; i < WARMUP + ITERATIONS; i++) {
          const a = await time(auth, rlsSql, rlsParams);
          const b = await time(root, QUERIES[name].base, params);
          if (i >= WARMUP) {
            rls.push(a);
            base.push(b);
          }
        }
        const plan = (await auth.query(`explain (format json) ${rlsSql}`, rlsParams)).rows[0]['QUERY PLAN'];
        const types = [...nodeTypes(plan)];
        if (name === 'list') {
          const principals = (await auth.query('select app_hidden.current_principals() p')).rows[0].p;
          const body = (await root.query(`explain (format json) ${LIST_BODY}`, [principals])).rows[0]['QUERY PLAN'];
          types.push(...[...nodeTypes(body)].map((t) => `body:${t}`));
        }
        const ratio = median(rls) / median(base);
        const seq = types.some((t) => t.startsWith('Seq Scan(documents') || t.startsWith('Seq Scan(document_acl'));
        const ok = !seq && (u.kind === 'wide' ? median(rls) <= 50 : ratio <= 1.5);
        if (!ok) failed = true;
        console.log(
          `${u.kind.padEnd(8)} ${name.padEnd(11)} ${String(visible).padStart(7)} ${median(rls).toFixed(3).padStart(7)} ${median(base).toFixed(3).padStart(8)} ${ratio.toFixed(2).padStart(6)}  ${ok ? '' : 'MISSED '}${types.join(', ')}`,
        );
      }
      await auth.query('rollback');
    }
    await auth.end();
    await root.end();
    console.log(
      `\ntargets: ratio <= 1.5 (typical, heavy), <= 50 ms (wide), no Seq Scan on documents/ACL: ${failed ? 'MISSED' : 'met'}`,
    );
    process.exitCode = failed ? 1 : 0;
  } finally {
    await cluster.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
