-- Requirements that no other pgTAP file names (docs/security.md): A3, the database tests
-- themselves run as the production login role and reach data only through request roles.
select plan(6);

select is(current_setting('is_superuser'), 'off', 'A3: this file runs as a non-superuser');

select ok(
  not pg_has_role(session_user, (select nspowner from pg_namespace where nspname = 'app_public'), 'MEMBER'),
  'A3: this file does not run as the schema owner, nor as a member of it');

select is(
  (select array_agg(rolname::text order by rolname) from pg_roles r
   where rolcanlogin and not rolsuper
     and (select bool_and(pg_has_role(r.oid, q, 'MEMBER'))
          from unnest(array['anonymous', 'app_user', 'manager', 'admin', 'bot']) q)),
  array[session_user::text],
  'A3: this file runs as the one login role that can become the request roles (the server''s)');

select throws_ok(
  format('set role %I', (select nspowner::regrole::text from pg_namespace where nspname = 'app_public')),
  '42501', null, 'A3: this file cannot switch to the owner to get around RLS');

select tests.remember('alice', tests.create_user('alice@example.com'));
select tests.authenticate_as(tests.id('alice'));
select is(array[current_user::text, current_setting('row_security')], array['app_user', 'on'],
  'A3: acting as a user switches into a request role, with row security on');

select tests.clear_authentication();
select is(current_user::text, 'anonymous', 'A3: and back to anonymous, never to the login role');

select * from finish();
