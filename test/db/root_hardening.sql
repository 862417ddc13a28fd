-- Root-level hardening (db/root-hardening.sql, run by setup as the superuser after
-- migrations): the superuser-owned functions the owner cannot revoke. test/db-schema/setup.test.ts
-- runs this file again after a second setup, so it also proves the hardening survives re-runs.
select plan(24);

-- (a) pgcrypto/citext functions in schema public.
select is_empty(
  $$ select p.oid::regprocedure::text from pg_proc p
     where p.pronamespace = 'public'::regnamespace
       and (p.proacl is null or exists (select 1 from aclexplode(p.proacl) a where a.grantee = 0)) $$,
  'A6: no function in schema public is executable by PUBLIC');

-- The allow-list, exactly: what invoker code evaluates as a request role (column defaults,
-- short_url, citext comparisons in policies and filters). manager/admin inherit app_user's.
select set_eq(
  $$ select r.rolname || ' ' || p.proname || '(' || (select coalesce(string_agg(t.typname, ',' order by a.n), '')
                                                     from unnest(p.proargtypes) with ordinality a(typ, n)
                                                     join pg_type t on t.oid = a.typ) || ')'
     from pg_proc p cross join pg_roles r
     where p.pronamespace = 'public'::regnamespace
       and r.rolname in ('anonymous', 'app_user', 'manager', 'admin', 'bot')
       and has_function_privilege(r.oid, p.oid, 'execute') $$,
  $$ values ('anonymous gen_random_uuid()'), ('anonymous citext_eq(citext,citext)'),
            ('bot gen_random_uuid()'), ('bot citext_eq(citext,citext)')
     union all
     select r || ' ' || f
     from unnest(array['app_user', 'manager', 'admin']) r
     cross join unnest(array['gen_random_uuid()', 'gen_random_bytes(int4)', 'citext_eq(citext,citext)',
                             'texticregexeq(citext,citext)']) f $$,
  'A6: request roles execute no function in schema public but the allow-list (manager and admin through app_user)');

select is_empty(
  $$ select p.oid::regprocedure::text from pg_proc p
     where p.pronamespace = 'public'::regnamespace
       and has_function_privilege(session_user, p.oid, 'execute') $$,
  'A6: the login role itself executes no function in schema public');

select is_empty(
  $$ select p.oid::regprocedure::text from pg_proc p
     where p.pronamespace = 'public'::regnamespace
       and not has_function_privilege((select datdba from pg_database where datname = current_database()), p.oid, 'execute') $$,
  'A6: the owner executes every function in schema public (definer functions call crypt, digest, hmac ...)');

select is_empty(
  $$ select d.defaclacl::text from pg_default_acl d
     where d.defaclrole = 10 and d.defaclnamespace = 0 and d.defaclobjtype = 'f'
       and exists (select 1 from aclexplode(d.defaclacl) a where a.grantee = 0)
     union all
     select 'no default ACL for the superuser''s functions'
     where not exists (select 1 from pg_default_acl d where d.defaclrole = 10 and d.defaclnamespace = 0 and d.defaclobjtype = 'f') $$,
  'A6: functions a later create extension adds are not executable by PUBLIC either');

-- (b) Large objects and pg_notify: no request role may create, write or read large objects.
select is_empty(
  $$ select r.rolname || ' ' || p.oid::regprocedure::text
     from pg_proc p cross join pg_roles r
     where p.pronamespace = 'pg_catalog'::regnamespace
       and (p.proname like 'lo\_%' or p.proname in ('loread', 'lowrite', 'pg_notify'))
       and r.rolname in ('anonymous', 'app_user', 'manager', 'admin', 'bot', session_user)
       and has_function_privilege(r.oid, p.oid, 'execute') $$,
  'A11: no request role (nor the login role) executes a large-object function or pg_notify');

set local role anonymous;
select throws_ok($$ select pg_catalog.lo_create(0) $$, '42501', null, 'A11: anonymous cannot create a large object (lo_create)');
select throws_ok($$ select pg_catalog.lo_from_bytea(0, 'x') $$, '42501', null, 'A11: anonymous cannot create a large object (lo_from_bytea)');
select throws_ok($$ select pg_catalog.pg_notify('c', 'x') $$, '42501', null, 'A11: anonymous cannot call pg_notify');
set local role app_user;
select throws_ok($$ select pg_catalog.lo_create(0) $$, '42501', null, 'A11: app_user cannot create a large object (lo_create)');
select throws_ok($$ select pg_catalog.lo_from_bytea(0, 'x') $$, '42501', null, 'A11: app_user cannot create a large object (lo_from_bytea)');
select throws_ok($$ select pg_catalog.pg_notify('c', 'x') $$, '42501', null, 'A11: app_user cannot call pg_notify');
set local role manager;
select throws_ok($$ select pg_catalog.lo_create(0) $$, '42501', null, 'A11: manager cannot create a large object (lo_create)');
select throws_ok($$ select pg_catalog.lo_from_bytea(0, 'x') $$, '42501', null, 'A11: manager cannot create a large object (lo_from_bytea)');
select throws_ok($$ select pg_catalog.pg_notify('c', 'x') $$, '42501', null, 'A11: manager cannot call pg_notify');
set local role admin;
select throws_ok($$ select pg_catalog.lo_create(0) $$, '42501', null, 'A11: admin cannot create a large object (lo_create)');
select throws_ok($$ select pg_catalog.lo_from_bytea(0, 'x') $$, '42501', null, 'A11: admin cannot create a large object (lo_from_bytea)');
select throws_ok($$ select pg_catalog.pg_notify('c', 'x') $$, '42501', null, 'A11: admin cannot call pg_notify');
set local role bot;
select throws_ok($$ select pg_catalog.lo_create(0) $$, '42501', null, 'A11: bot cannot create a large object (lo_create)');
select throws_ok($$ select pg_catalog.lo_from_bytea(0, 'x') $$, '42501', null, 'A11: bot cannot create a large object (lo_from_bytea)');
select throws_ok($$ select pg_catalog.pg_notify('c', 'x') $$, '42501', null, 'A11: bot cannot call pg_notify');
set local role app_user;
select throws_ok($$ select public.crypt('x', public.gen_salt('bf')) $$, '42501', null, 'A6: app_user cannot call pgcrypto''s crypt directly');
select throws_ok($$ select public.digest('x', 'sha256') $$, '42501', null, 'A6: app_user cannot call pgcrypto''s digest directly');
reset role;

-- The allowed side still works as the request roles.
select tests.authenticate_as(tests.create_user('hardening@example.com'));
select isnt_empty(
  $$ select 1 from app_public.users where email = 'HARDENING@example.com'::citext $$,
  'A6: app_user still compares citext (citext_eq is on the allow-list)');
select tests.clear_authentication();

select * from finish();
