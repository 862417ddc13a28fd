-- Edge-only entry points (A6, A7): login, register, refresh, logout, the OAuth sign-in and
-- its rejection audit, record_denied and the provider-token job are executable by auth_edge
-- only, a role that nothing but the login role can become. Both sides: every request role is
-- refused (42501), auth_edge succeeds, with the request's claims still in effect.
select plan(66);

-- 5 request roles x 9 functions: each refused with 42501. The DO block switches role the
-- way the edge does; throws_ok's rollback of the failed call switches it back.
select throws_ok(
  format($f$do $d$ begin perform set_config('role', %L, true); perform %s; end $d$$f$, r.role, f.call),
  '42501', null, format('A6: %s cannot call %s (edge only)', r.role, f.name))
from (values (1, 'anonymous'), (2, 'app_user'), (3, 'manager'), (4, 'admin'), (5, 'bot')) r(o, role)
cross join (values
  (1, 'login', $$app_hidden.login('edge@example.com', 'some password', null, null)$$),
  (2, 'register', $$app_hidden.register('edge@example.com', 'a good long password', null, null, null)$$),
  (3, 'refresh', $$app_hidden.refresh('x', null, null, null)$$),
  (4, 'logout', $$app_hidden.logout(null, null)$$),
  (5, 'oauth_sign_in', $$app_hidden.oauth_sign_in('gh', 'https://gh.example', 'mint-me', null, null, false, null, null, null, null, null, null)$$),
  (6, 'oauth_rejected', $$app_hidden.oauth_rejected('gh', 'state', null)$$),
  (7, 'record_denied', $$app_hidden.record_denied('op', 'NTFND')$$),
  (8, 'lease_provider_tokens', $$app_hidden.lease_provider_tokens(1, interval '1 minute')$$),
  (9, 'finish_provider_token_refresh', $$app_hidden.finish_provider_token_refresh('00000000-0000-0000-0000-000000000000', 'e', null, null, null, null)$$)
) f(o, name, call)
order by r.o, f.o;

-- The role graph.
select is((select array_agg(m.member::regrole::text) from pg_auth_members m where m.roleid = 'auth_edge'::regrole),
  array[session_user::text], 'A7: the login role is the only member of auth_edge');
select ok(not exists (select 1 from pg_auth_members m where m.member = 'auth_edge'::regrole),
  'A7: auth_edge is a member of no role (in particular of no request role)');
select ok(not bool_or(pg_has_role(r, 'auth_edge', 'MEMBER')),
  'A7: no request role is a member of auth_edge, directly or not')
  from unnest(array['anonymous', 'app_user', 'manager', 'admin', 'bot']) r;
select is((select count(*)::int from pg_shdepend where refobjid = 'auth_edge'::regrole and deptype = 'o'), 0,
  'A1: auth_edge owns nothing');
select is((select array[rolcanlogin, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb] from pg_roles where rolname = 'auth_edge'),
  array[false, false, false, false, false], 'A7: auth_edge is NOLOGIN with no attributes');
select set_eq(
  $$ select n.nspname || '.' || p.proname || '(' || oidvectortypes(p.proargtypes) || ')'
     from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname in ('app_public', 'app_hidden', 'app_private') and has_function_privilege('auth_edge', p.oid, 'EXECUTE') $$,
  $$ values ('app_hidden.login(text, text, inet, text, text)'), ('app_hidden.register(text, text, text, inet, text)'),
       ('app_hidden.refresh(text, inet, text, uuid)'), ('app_hidden.logout(text, uuid)'),
       ('app_hidden.oauth_sign_in(text, text, text, text, jsonb, boolean, text, bytea, bytea, timestamp with time zone, inet, text)'),
       ('app_hidden.oauth_rejected(text, text, inet)'), ('app_hidden.record_denied(text, text)'),
       ('app_hidden.lease_provider_tokens(integer, interval)'),
       ('app_hidden.finish_provider_token_refresh(uuid, text, text, bytea, bytea, timestamp with time zone)'),
       -- the email feature's (committed/000006; request roles refused in test/db/email.sql)
       ('app_hidden.verify_email(text, inet)'), ('app_hidden.resend_verification_email(inet)'),
       ('app_hidden.request_password_reset(text, inet)'), ('app_hidden.reset_password(text, text, inet)'),
       ('app_hidden.request_sign_in_email(text, inet)'), ('app_hidden.sign_in_with_email_token(text, inet, text)'),
       ('app_hidden.sign_in_with_email_code(text, text, inet, text)'), ('app_hidden.change_email(text, text, inet)'),
       ('app_hidden.confirm_email_change(text, inet)'),
       -- the permissions feature's (committed/000007; refused in test/db/api_keys.sql)
       ('app_hidden.verify_api_key(text)'), ('app_hidden.client_credentials_token(text, text, inet, integer)'),
       ('app_hidden.token_claims(uuid, uuid, jsonb)'),
       -- session claims of each new token (committed/000008)
       ('app_hidden.session_claims(uuid)'),
       ('app_hidden.create_webhook_endpoint(text, text[], text)'), -- webhooks (committed/000010)
       ('app_hidden.native_code_issue(uuid, text, text, text)'), ('app_hidden.native_code_exchange(text, text, text, text, inet, text)'), ('app_hidden.id_token_first_use(bytea, timestamp with time zone)'), -- native apps (committed/000012)
       ('app_hidden.start_passkey_registration()'), ('app_hidden.start_passkey_sign_in(text)'), ('app_hidden.take_passkey_challenge(uuid, text, bytea, boolean, inet)'), ('app_hidden.passkey_refused(text, text, uuid, bytea, inet)'), ('app_hidden.finish_passkey_registration(bytea, bytea, bigint, text[], uuid, boolean, text, text, inet)'), ('app_hidden.finish_passkey_sign_in(text, bytea, bigint, boolean, boolean, text, inet, text)'), -- passkeys (committed/000009)
       ('app_hidden.impersonate_user(uuid, text, inet, text)'), -- impersonation (committed/000010; request roles refused in test/db/admin.sql)
       ('app_hidden.sign_in_anonymously(inet, text)'), ('app_hidden.device_authorize(text, text, text, inet)'), ('app_hidden.device_lookup(text, inet)'), ('app_hidden.approve_device(text, boolean, inet)'), ('app_hidden.device_token(text, text, inet, text)'), -- anonymous users and devices (committed/000012; refused in test/db/anonymous.sql, device.sql)
       ('app_hidden.enroll_totp(uuid, text, text, bytea)'), ('app_hidden.mfa_begin(uuid)'), ('app_hidden.mfa_finish_totp(uuid, bigint)'), ('app_hidden.enroll_phone(text, inet)'), ('app_hidden.send_sms_code(uuid, inet)'), ('app_hidden.mfa_finish_sms(uuid, text)'), ('app_hidden.pending_phone_factor()'), ('app_hidden.use_recovery_code(text)'), ('app_hidden.trust_device(text)'), ('app_hidden.mfa_account_email()'), -- MFA (committed/000009; refused in test/db/mfa.sql)
       -- the realtime socket watchdog (committed/000011)
       ('app_hidden.realtime_ended_sessions(uuid[])') $$,
  'A6: auth_edge can execute exactly the edge entry points');
select is((select count(*)::int from pg_class c
           where c.relnamespace in ('app_public'::regnamespace, 'app_hidden'::regnamespace, 'app_private'::regnamespace)
             and c.relkind in ('r', 'v', 'm', 'S')
             and (has_table_privilege('auth_edge', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE')
                  or has_any_column_privilege('auth_edge', c.oid, 'SELECT, INSERT, UPDATE'))), 0,
  'A6: auth_edge has no privilege on any table');

-- The allowed side, as the edge calls them: role switched, the request's claims kept.
select tests.remember('alice', tests.create_user('alice@example.com'));
select tests.remember('alice_sid', tests.authenticate_as(tests.id('alice')));
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select is((app_hidden.login('nobody@example.com', 'some password', '192.0.2.60', 'ua')).error, 'CREDS', 'A6: auth_edge calls login');
select isnt((app_hidden.register('edge@example.com', 'a good long password', null, '192.0.2.60', 'ua')).session_id, null,
  'A6: auth_edge calls register');
select is((app_hidden.refresh('x', '192.0.2.60', 'ua', null)).error, 'TOKEN', 'A6: auth_edge calls refresh');
select lives_ok($$ select app_hidden.oauth_rejected('gh', 'state', '192.0.2.60') $$, 'A6: auth_edge calls oauth_rejected');
select lives_ok($$ select app_hidden.record_denied('shareDocument', 'NTFND') $$, 'A6: auth_edge calls record_denied');
select lives_ok($$ select * from app_hidden.lease_provider_tokens(1, interval '1 minute') $$, 'A6: auth_edge calls lease_provider_tokens');
select lives_ok($$ select app_hidden.finish_provider_token_refresh('00000000-0000-0000-0000-000000000000', 'e', null, null, null, null) $$,
  'A6: auth_edge calls finish_provider_token_refresh');
-- Claims still count under auth_edge: a link goes to the caller's live session user.
select is((app_hidden.oauth_sign_in('gh', 'https://gh.example', 'alice-gh', null, null, true, null, null, null, null, '192.0.2.60', 'ua')).user_id,
  tests.id('alice'), 'H2: under auth_edge, oauth_sign_in links to the claims'' live user');

-- K2: audit rows written under auth_edge name the request's role, never auth_edge.
select is(((tests.last_audit('access_denied')).actor_role, (tests.last_audit('access_denied')).actor_user_id),
  ('app_user'::text, tests.id('alice')), 'K2: a denial recorded by the edge keeps the user and request role');
select is(app_hidden.logout(null, null), true, 'D6: under auth_edge, logout ends the claims'' session');
select is(tests.session_revoked(tests.id('alice_sid')), 'logout', 'D6: ...that very session');
select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select app_hidden.login('nobody@example.com', 'some password', '192.0.2.61', 'ua');
select is((tests.last_audit('login_failed')).actor_role, 'anonymous', 'K2: an anonymous failed login is recorded as anonymous');
select tests.remember('root', tests.create_user('root@example.com', 'admin'));
select tests.authenticate_as(tests.id('root'));
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select app_hidden.record_denied('deleteUser', 'DNIED');
select is((tests.last_audit('access_denied')).actor_role, 'admin', 'K2: an admin''s denial is recorded as admin');
select is((select count(*)::int from (select (tests.last_audit(e)).actor_role r
           from unnest(array['login_failed', 'register', 'oauth_rejected', 'oauth_linked', 'access_denied', 'logout', 'provider_token_refresh_failed']) e) x
           where r = 'auth_edge'), 0, 'K2: no audit row written by these calls names auth_edge as the actor role');

select * from finish();
