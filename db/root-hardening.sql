-- Root-level hardening of the app database: what the owner cannot do because the objects
-- belong to the superuser (pgcrypto/citext functions in schema public, pg_catalog builtins).
-- Run by `npm run db:setup` as ROOT_DATABASE_URL inside the app database after every
-- migration run, and by `db:commit` on the shadow database before it is dumped, so
-- db/schema.sql shows these grants. Idempotent. One parameter, a session setting bound by
-- setup.ts (set_config($1, $2)) and quoted here with format('%I'):
--   pgauth.owner_role
-- Threat model: a request role reaches only the functions listed here by name; it cannot
-- create large objects (storage outside RLS, owned by the role) nor send notifications to
-- other sessions. LISTEN is a command, not a function: PostgreSQL 15 cannot revoke it (see
-- db/CONVENTIONS.md). test/db/root_hardening.sql proves each line.

begin;
-- Serialised with roles.sql and migrations (setup.ts holds the same key for the whole setup).
select pg_catalog.pg_advisory_xact_lock(7428840001);

-- (a) Extension functions in schema public (pgcrypto, citext): EXECUTE for PUBLIC by default.
revoke execute on all routines in schema public from public;
do $$
declare
  v_owner text := pg_catalog.current_setting('pgauth.owner_role');
  v_bootstrap text := (select rolname from pg_catalog.pg_authid where oid = 10);
begin
  -- The owner runs every definer function (crypt, digest, hmac, gen_random_bytes, gen_salt,
  -- citext comparisons...), and owns policies that call them.
  execute pg_catalog.format('grant execute on all routines in schema public to %I', v_owner);
  -- Functions a later migration's `create extension` adds (its script runs as the bootstrap
  -- superuser) start the same way: the owner may call them, PUBLIC may not. (Per-schema
  -- default privileges cannot revoke, hence database-wide: only the superuser is affected.)
  execute pg_catalog.format('alter default privileges for role %I revoke execute on functions from public', v_bootstrap);
  execute pg_catalog.format('alter default privileges for role %I grant execute on functions to %I', v_bootstrap, v_owner);
end;
$$;

-- Request roles get only what invoker code evaluates as them:
-- column defaults (ids) ...
grant execute on function public.gen_random_uuid() to anonymous, app_user, bot;
-- ... app_hidden.random_short_url(), the short_url default of documents ...
grant execute on function public.gen_random_bytes(integer) to app_user;
-- ... the CHECKs on citext columns (users.email, role_domain_rules.domain), evaluated as
-- whoever writes the row (app_user updating herself, admin) ...
grant execute on function public.texticregexeq(public.citext, public.citext) to app_user;
-- ... and citext equality: GraphQL conditions and unique lookups on users.email, which any
-- request role may send (RLS then decides what it sees; without EXECUTE it would be an error).
grant execute on function public.citext_eq(public.citext, public.citext) to anonymous, app_user, bot;

-- (b) Large objects: a request role must not create (or write, or read) them.
revoke execute on function
  pg_catalog.lo_creat(integer), pg_catalog.lo_create(oid), pg_catalog.lo_from_bytea(oid, bytea),
  pg_catalog.lo_import(text), pg_catalog.lo_import(text, oid), pg_catalog.lo_export(oid, text),
  pg_catalog.lo_open(oid, integer), pg_catalog.lo_close(integer),
  pg_catalog.loread(integer, integer), pg_catalog.lowrite(integer, bytea),
  pg_catalog.lo_get(oid), pg_catalog.lo_get(oid, bigint, integer), pg_catalog.lo_put(oid, bigint, bytea),
  pg_catalog.lo_lseek(integer, integer, integer), pg_catalog.lo_lseek64(integer, bigint, integer),
  pg_catalog.lo_tell(integer), pg_catalog.lo_tell64(integer),
  pg_catalog.lo_truncate(integer, integer), pg_catalog.lo_truncate64(integer, bigint),
  pg_catalog.lo_unlink(oid)
  from public;

-- (c) Notifications: no request role signals other sessions from an expression. The NOTIFY
-- and LISTEN commands have no privilege check at all (PostgreSQL 15); request roles never run
-- statements of their own, only the expressions the edge and PostGraphile build, where
-- pg_notify() was the one way in.
revoke execute on function pg_catalog.pg_notify(text, text) from public;
-- The owner keeps it: graphile_worker.add_job() (the mail outbox, run inside the owner's
-- definer functions) wakes the workers with pg_notify('jobs:insert', ...).
do $$ begin
  execute pg_catalog.format('grant execute on function pg_catalog.pg_notify(text, text) to %I',
    pg_catalog.current_setting('pgauth.owner_role'));
end $$;

commit;
