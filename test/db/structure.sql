-- Structural guarantees: roles (A1, A7, A11), RLS forced everywhere (A2), views (A5),
-- definer functions (A6), no LEAKPROOF (A9), no identity-changing functions (B3), grants.
select plan(29);

select is(
  (select row(rolsuper, rolbypassrls, rolcreaterole, rolcreatedb, rolinherit)::text from pg_roles where rolname = session_user),
  '(f,f,f,f,f)',
  'A1: the login role is nosuperuser nobypassrls nocreaterole nocreatedb noinherit');

-- pgTAP's own temp tables are the only thing the login role may own, and only in pg_temp.
select is(
  (select count(*)::int from (
     select relowner as o, relnamespace as n from pg_class
     union all select proowner, pronamespace from pg_proc
     union all select nspowner, oid from pg_namespace
     union all select typowner, typnamespace from pg_type) x
   where o = (select oid from pg_roles where rolname = session_user)
     and n::regnamespace::text !~ '^pg_(toast_)?temp'),
  0, 'A1: the login role owns no objects');

select set_eq(
  $$ select r.rolname::text from pg_auth_members m join pg_roles r on r.oid = m.roleid
     where m.member = (select oid from pg_roles where rolname = session_user) $$,
  array['anonymous', 'app_user', 'manager', 'admin', 'bot', 'auth_edge'],
  'A1/A7: the login role can become exactly the five request roles and the edge''s own role');

select is_empty(
  $$ select m.rolname || '>' || r.rolname from pg_auth_members am
     join pg_roles r on r.oid = am.roleid join pg_roles m on m.oid = am.member
     where r.rolname = 'auth_edge' and m.rolname <> session_user
        or m.rolname = 'auth_edge' $$,
  'A7: auth_edge is a member of nothing, and only the login role is a member of it');

select set_eq(
  $$ select m.rolname || '>' || r.rolname from pg_auth_members am
     join pg_roles r on r.oid = am.roleid join pg_roles m on m.oid = am.member
     where m.rolname in ('anonymous', 'app_user', 'manager', 'admin', 'bot') $$,
  array['manager>app_user', 'admin>app_user'],
  'A7: request roles are members of nothing but app_user (manager, admin)');

select is_empty(
  $$ select rolname from pg_roles where rolname in ('anonymous', 'app_user', 'manager', 'admin', 'bot')
     and (rolsuper or rolbypassrls or rolcreaterole or rolcreatedb or rolcanlogin or rolreplication) $$,
  'A7: request roles have no attributes and cannot log in');

select is_empty(
  $$ select rolname from pg_roles where rolbypassrls and not rolsuper $$,
  'A11: no role but the superuser bypasses RLS (the owner included)');

select is_empty(
  $$ select n.nspname || '.' || c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname in ('app_public', 'app_hidden', 'app_private') and c.relkind in ('r', 'p')
       and not (c.relrowsecurity and c.relforcerowsecurity) $$,
  'A2: every table has RLS enabled and forced');

select is_empty(
  $$ select n.nspname || '.' || c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname in ('app_public', 'app_hidden', 'app_private') and c.relkind in ('r', 'p')
       and not exists (select 1 from pg_policy p where p.polrelid = c.oid) $$,
  'A2: every table has at least one policy');

select is_empty(
  $$ select n.nspname || '.' || c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname in ('app_public', 'app_hidden') and c.relkind in ('v', 'm')
       and not coalesce('security_invoker=true' = any (c.reloptions), false) $$,
  'A5: views reachable by request roles are security_invoker');

select is_empty(
  $$ select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname in ('app_public', 'app_hidden', 'app_private') and p.prosecdef
       and not coalesce('search_path=pg_catalog, pg_temp' = any (p.proconfig), false) $$,
  'A6: every security definer function pins search_path = pg_catalog, pg_temp');

select is_empty(
  $$ select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname in ('app_public', 'app_hidden', 'app_private')
       and (p.proacl is null or exists (select 1 from aclexplode(p.proacl) a where a.grantee = 0)) $$,
  'A6: no function in our schemas is executable by PUBLIC');

select is_empty(
  $$ select n.nspname from pg_namespace n
     where n.nspname in ('public', 'app_public', 'app_hidden', 'app_private')
       and exists (select 1 from aclexplode(n.nspacl) a where a.grantee = 0) $$,
  'PUBLIC has no privilege on our schemas');

select is_empty(
  $$ select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname in ('app_public', 'app_hidden', 'app_private')
       and exists (select 1 from aclexplode(c.relacl) a where a.grantee = 0) $$,
  'PUBLIC has no privilege on our tables or sequences');

select is_empty(
  $$ select r.rolname || ' on ' || n.nspname from pg_namespace n cross join pg_roles r
     where n.nspname = 'app_private' and r.rolname in ('anonymous', 'app_user', 'manager', 'admin', 'bot')
       and has_schema_privilege(r.oid, n.oid, 'usage') $$,
  'request roles cannot even look into app_private');

select is_empty(
  $$ select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname in ('app_public', 'app_hidden', 'app_private') and p.proleakproof $$,
  'A9: no custom LEAKPROOF functions');

select is_empty(
  $$ select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'app_hidden' and p.provolatile = 'v'
       and exists (select 1 from pg_policy pol
                   where coalesce(pg_get_expr(pol.polqual, pol.polrelid), '') || coalesce(pg_get_expr(pol.polwithcheck, pol.polrelid), '')
                         ~ ('app_hidden\.' || p.proname || '\(')) $$,
  'A9: every function a policy calls is stable or immutable');
select isnt_empty(
  $$ select 1 from pg_policy pol where pg_get_expr(pol.polqual, pol.polrelid) ~ 'app_hidden\.current_principals\(' $$,
  '(the A9 check above does see policy helpers)');

select is_empty(
  $$ select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname in ('app_public', 'app_hidden')
       and (p.prosrc ~* '\mexecute\M' or p.prosrc ~* 'set_config|\mset\s+(local\s+|session\s+)?(role\s+(to\s+)?[a-z_"'']|"?jwt\.)') $$,
  'A7/B3: no exposed function runs dynamic SQL or sets role or claims');

select is_empty(
  $$ select r.rolname from pg_roles r
     where r.rolname in ('anonymous', 'app_user', 'manager', 'admin', 'bot')
       and (pg_has_role(r.oid, 'pg_read_server_files', 'member') or pg_has_role(r.oid, 'pg_write_server_files', 'member')
         or pg_has_role(r.oid, 'pg_execute_server_program', 'member')) $$,
  'A11: request roles cannot read or write server files');

-- A8 / D6 / E3 (hardening 2): a policy that applies to anyone but the owner must decide by
-- the caller: each of its expressions calls a caller helper (live session, role from the
-- tables, principals). Constant-true or caller-blind policies let a role's bare database
-- role (an admin token after logout, demotion or disable, or empty claims) through.
select is_empty(
  $$ select c.oid::regclass || '.' || p.polname || ' ' || e.which
     from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace
     cross join lateral (values ('using', pg_get_expr(p.polqual, p.polrelid)),
                                ('with check', pg_get_expr(p.polwithcheck, p.polrelid))) e(which, expr)
     where n.nspname in ('app_public', 'app_hidden', 'app_private')
       and p.polroles <> array[(select d.datdba from pg_database d where d.datname = current_database())]
       and e.expr is not null
       and e.expr !~ 'app_hidden\.(current_user_id|current_app_role|current_principals|has_relation|has_doc_role|has_user_role|doc_access)\(' $$,
  'A8: no policy for a request role is constant or ignores the caller (only the owner''s definer_* policies are exempt)');
select isnt_empty(
  $$ select 1 from pg_policy p join pg_class c on c.oid = p.polrelid
     where p.polname = 'select_admin' and c.relname = 'audit_log' and c.relnamespace = 'app_public'::regnamespace
       and pg_get_expr(p.polqual, p.polrelid) ~ 'current_app_role' $$,
  '(the audit log''s admin policy is among those checked)');

select is_empty(
  $$ select r.rolname from pg_roles r cross join pg_proc p
     where r.rolname in ('anonymous', 'app_user', 'manager', 'admin', 'bot')
       and p.proname = 'user_role' and p.pronamespace = 'app_hidden'::regnamespace
       and has_function_privilege(r.oid, p.oid, 'execute') $$,
  'I1: no request role can call user_role(id) to probe other users');

-- Info 11: every foreign key has a (non-partial) index led by its columns.
select is_empty(
  $$ select c.conrelid::regclass || ' ' || c.conname
     from pg_constraint c join pg_namespace n on n.oid = c.connamespace
     where c.contype = 'f' and n.nspname in ('app_public', 'app_hidden', 'app_private')
       and not exists (
         select 1 from pg_index i
         where i.indrelid = c.conrelid and i.indpred is null
           and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey
           and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] <@ c.conkey) $$,
  'info 11: every foreign key has an index whose leading columns are its columns');

-- Issue 7: app_private.enable_rls gives a new table the RLS triad (run twice: re-runnable).
select ok(tests.enable_rls_probe() is not null, '(a scratch table through enable_rls)');
select is(
  (select row(c.relrowsecurity, c.relforcerowsecurity)::text from pg_class c
   where c.relname = 'rls_probe' and c.relnamespace = 'tests'::regnamespace),
  '(t,t)', 'A2: enable_rls enables and forces row-level security');
select is(
  (select string_agg(concat_ws(' ', p.polname, p.polcmd, p.polroles = array[c.relowner],
                               pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)), '; ')
   from pg_policy p join pg_class c on c.oid = p.polrelid
   where c.relname = 'rls_probe' and c.relnamespace = 'tests'::regnamespace),
  'definer_all * t true true',
  'A2: enable_rls adds exactly one definer_all policy, for the owner only');

select tests.authenticate_as(tests.create_user('copy@example.com'));
select throws_ok(
  $$ copy app_public.documents (full_url) from '/etc/hostname' $$,
  '42501', null, 'A11: COPY FROM is unavailable to request roles');
select throws_ok(
  $$ select set_config('role', (select r.rolname::text from pg_database d join pg_roles r on r.oid = d.datdba
                                where d.datname = current_database()), true) $$,
  '42501', null, 'A7: no request role (nor the login role) can become the owner');

select * from finish();
