-- Anonymous users (committed/000012, Q4): off by default, limited per address, a user
-- without email whose upgrade (register, provider link) keeps its id and grants nothing by an
-- unverified address. Called as the edge calls: as auth_edge with the request's claims.
select plan(37);

-- Edge only (A6).
select throws_ok($$ do $d$ begin perform set_config('role', 'anonymous', true); perform app_hidden.sign_in_anonymously(null, null); end $d$ $$,
  '42501', null, 'A6: anonymous cannot call sign_in_anonymously (edge only)');
select throws_ok($$ do $d$ begin perform set_config('role', 'app_user', true); perform app_hidden.sign_in_anonymously(null, null); end $d$ $$,
  '42501', null, 'A6: app_user cannot call sign_in_anonymously (edge only)');

-- The schema: email nullable only for anonymous users.
select is((select anonymous_sign_in_enabled from tests.auth_config()), false, 'Q4: anonymous sign-in is off by default');
select throws_ok($$ select tests.create_user(null) $$, '23514', null, 'a user without email must be anonymous');

select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select is((app_hidden.sign_in_anonymously('192.0.2.80', 'ua')).error, 'ANOFF', 'Q4: off by default: ANOFF, no user');
select set_config('role', 'anonymous', true);
select tests.set_auth_config('anonymous_sign_in_enabled', 'true');
select tests.set_auth_config('anonymous_max_per_ip', '3');
select set_config('role', 'auth_edge', true);

create temp table anon as select * from app_hidden.sign_in_anonymously('192.0.2.80', 'ua');
grant select on anon to public;
select is((select error from anon), null, 'enabled: an anonymous sign-in succeeds');
select isnt((select refresh_token from anon), null, '...with a session and its refresh token');
select is((select role from anon), 'app_user', '...as app_user');
select tests.remember('anon', (select user_id from anon));
select tests.remember('anon_sid', (select session_id from anon));
select is(app_hidden.session_claims(tests.id('anon_sid')) -> 'is_anonymous', 'true'::jsonb, 'its tokens say is_anonymous: true');
select is(app_hidden.session_claims(tests.id('anon_sid')) -> 'amr', '["anonymous"]'::jsonb, '...and amr anonymous');
select isnt((app_hidden.sign_in_anonymously('192.0.2.80', 'ua')).error, 'RATEL', 'a second one from the address');
select isnt((app_hidden.sign_in_anonymously('192.0.2.80', 'ua')).error, 'RATEL', 'a third one');
select is((app_hidden.sign_in_anonymously('192.0.2.80', 'ua')).error, 'RATEL', 'Q4: limited per address (anonymous_max_per_ip)');
select is((app_hidden.sign_in_anonymously('192.0.2.81', 'ua')).error, null, 'Q4: ...another address is not limited');
select set_config('role', 'anonymous', true);
select tests.advance_device_clock('2 hours');
select set_config('role', 'auth_edge', true);
select is((app_hidden.sign_in_anonymously('192.0.2.80', 'ua')).error, null, '...and the window passes');

-- As the anonymous user: a normal user for policies, and SQL can tell.
select tests.authenticate_as(tests.id('anon'), tests.id('anon_sid'));
select is(app_hidden.current_user_id(), tests.id('anon'), 'the anonymous session is a live user');
select is(app_hidden.current_user_is_anonymous(), true, 'current_user_is_anonymous() is true for it');
select is((select email::text from app_public.users where id = tests.id('anon')), null, 'it has no email');
select tests.remember('doc', tests.returning_id($$ insert into app_public.documents (full_url) values ('https://example.org/anon') returning id $$));
select is((select count(*)::int from app_public.visible_documents()), 1, 'it creates and sees its document');

-- Upgrade by register: same id, not anonymous, address unverified; a domain rule does not fire.
select tests.add_domain_rule('corp.example', 'manager');
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
create temp table up as select * from app_hidden.register('anon@corp.example', 'violet tractor midnight sky', 'Anon', '192.0.2.82', 'ua');
grant select on up to public;
select is((select user_id from up), tests.id('anon'), 'Q4: register while anonymous keeps the user id');
select is((select role from up), 'app_user', 'Q4: an unverified address grants nothing (the manager domain rule does not fire)');
select is(app_hidden.session_claims((select session_id from up)) -> 'is_anonymous', 'false'::jsonb, 'the new session''s tokens say is_anonymous: false');
select is(app_hidden.session_claims(tests.id('anon_sid')) -> 'is_anonymous', 'false'::jsonb, '...and so do the old session''s next ones');
select is((app_hidden.login('anon@corp.example', 'violet tractor midnight sky', '192.0.2.82', 'ua')).user_id, tests.id('anon'),
  'the password signs in to the same user');
select set_config('role', 'anonymous', true);
select is(tests.user_role(tests.id('anon')), 'app_user', 'Q4: still app_user until verified');
select tests.verify_email(tests.id('anon'));
select is(tests.user_role(tests.id('anon')), 'manager', '...and the rule applies once the address is verified');
select tests.authenticate_as(tests.id('anon'), (select session_id from up));
select is((select count(*)::int from app_public.visible_documents() where id = tests.id('doc')), 1, 'Q4: the document is still its own');
select is(app_hidden.current_user_is_anonymous(), false, 'current_user_is_anonymous() is false after the upgrade');

-- A taken address: the anonymous caller keeps its own, still anonymous user (no decoy, no link).
select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
create temp table anon2 as select * from app_hidden.sign_in_anonymously('192.0.2.83', 'ua');
grant select on anon2 to public;
select tests.authenticate_as((select user_id from anon2), (select session_id from anon2));
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select is((app_hidden.register('anon@corp.example', 'another long passphrase', null, '192.0.2.83', 'ua')).user_id,
  (select user_id from anon2), 'Q4: a taken address keeps the anonymous caller''s own id');
select is(app_hidden.session_claims((select session_id from anon2)) -> 'is_anonymous', 'true'::jsonb,
  'Q4: ...and nothing is linked (still anonymous)');

-- Email flows of a user without email: nothing to mail, nothing breaks.
select tests.authenticate_as((select user_id from anon2), (select session_id from anon2));
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select lives_ok($$ select app_hidden.resend_verification_email('192.0.2.83') $$, 'resendVerificationEmail with no email does not fail');
select is((app_hidden.login('', 'x', '192.0.2.84', 'ua')).error, 'CREDS', 'login never matches a user without email');

-- Upgrade by linking a provider: same id, the provider's (verified) address when free.
select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
create temp table anon3 as select * from app_hidden.sign_in_anonymously('192.0.2.85', 'ua');
grant select on anon3 to public;
select tests.authenticate_as((select user_id from anon3), (select session_id from anon3));
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select is((app_hidden.oauth_sign_in('gh', 'https://gh.example', 'anon-linker', 'linker@example.org', '{}', true,
           null, null, null, null, '192.0.2.85', 'ua')).user_id, (select user_id from anon3),
  'Q4: linking a provider from an anonymous session keeps the user id');
select is(app_hidden.session_claims((select session_id from anon3)) -> 'is_anonymous', 'false'::jsonb, '...and the user is no longer anonymous');
select set_config('role', 'anonymous', true);
select tests.authenticate_as((select user_id from anon3), (select session_id from anon3));
select is((select email::text || ' ' || (email_verified_at is not null)::text from app_public.users where id = (select user_id from anon3)),
  'linker@example.org true', '...with the provider''s address, verified by the identity');
-- A provider whose address is taken: linked, no longer anonymous, a placeholder address.
select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
create temp table anon4 as select * from app_hidden.sign_in_anonymously('192.0.2.86', 'ua');
grant select on anon4 to public;
select tests.authenticate_as((select user_id from anon4), (select session_id from anon4));
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select is((app_hidden.oauth_sign_in('gh', 'https://gh.example', 'anon-linker-2', 'linker@example.org', '{}', true,
           null, null, null, null, '192.0.2.86', 'ua')).user_id, (select user_id from anon4),
  'Q4: a taken provider address still links to the same user');
select set_config('role', 'anonymous', true);
select tests.authenticate_as((select user_id from anon4), (select session_id from anon4));
select matches((select email::text from app_public.users where id = (select user_id from anon4)), '@users\.invalid$',
  'Q4: ...which gets a placeholder address, never the taken one');

select * from finish();
