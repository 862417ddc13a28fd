-- Multi-factor sign-in in SQL (db/migrations/committed/000009-multi-factor-authentication-and-passkeys.sql), called as the edge
-- calls it: as auth_edge with the request's claims. TOTP codes are checked at the edge
-- (otpauth; test/http/mfa.test.ts), so here the edge's answer (the matched 30 s step) is
-- passed directly: replay, drift, throttling, limited sessions and step-up are SQL's.
select plan(99);

-- Edge only (A6): request roles cannot call the MFA entry points.
select throws_ok(
  format($f$do $d$ begin perform set_config('role', %L, true); perform %s; end $d$$f$, r.role, f.call),
  '42501', null, format('A6: %s cannot call %s (edge only)', r.role, f.name))
from (values (1, 'anonymous'), (2, 'app_user'), (3, 'admin')) r(o, role)
cross join (values
  (1, 'mfa_begin', $$app_hidden.mfa_begin(gen_random_uuid())$$),
  (2, 'mfa_finish_totp', $$app_hidden.mfa_finish_totp(gen_random_uuid(), 1)$$),
  (3, 'use_recovery_code', $$app_hidden.use_recovery_code('x')$$),
  (4, 'enroll_totp', $$app_hidden.enroll_totp(gen_random_uuid(), null, 'k', '\x00')$$),
  (5, 'trust_device', $$app_hidden.trust_device(null)$$)
) f(o, name, call)
order by r.o, f.o;

-- N1: secrets and codes are in tables no request role can read.
select ok(not bool_or(has_table_privilege(r, t, 'SELECT')),
  'N1: no request role can read TOTP secrets, recovery codes, SMS codes, phones or trusted devices')
  from unnest(array['anonymous', 'app_user', 'manager', 'admin', 'bot']) r,
       (select c.oid as t from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'app_private'
          and c.relname in ('mfa_totp_secrets', 'mfa_recovery_codes', 'mfa_sms_codes', 'mfa_phones', 'trusted_devices')) t;
select ok(not bool_or(has_schema_privilege(r, 'app_private', 'USAGE')), 'N1: ...nor even reach app_private')
  from unnest(array['anonymous', 'app_user', 'manager', 'admin', 'bot']) r;

-- The edge's step for now (30 s TOTP steps).
create temporary table step as select floor(extract(epoch from now()) / 30)::bigint as now;
grant select on step to public;

-- A user registers (session s0, no factor yet: aal1, not pending) and enrols TOTP.
select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
create temporary table r0 as select * from app_hidden.register('mia@example.com', 'mia''s long passphrase', 'Mia', '192.0.2.30', 'ua');
grant select on r0 to public;
select tests.remember('mia', (select user_id from r0));
select tests.remember('s0', (select session_id from r0));
select is((select mfa_required from r0), false, 'a user without a factor is not asked for one');

select tests.authenticate_as(tests.id('mia'), tests.id('s0'));
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select tests.remember('totp', app_hidden.enroll_totp(gen_random_uuid(), 'phone app', 'k1', '\x0102'));
select is((select kind || '/' || status from app_hidden.mfa_begin(tests.id('totp'))), 'totp/unverified',
  'mfa_begin hands the edge an unverified TOTP factor');
select is((select key_id from app_hidden.mfa_begin(tests.id('totp'))), 'k1', '...with its key id (the secret is encrypted by the edge)');
create temporary table enrol as select (r.auth).*, r.recovery_codes from app_hidden.mfa_finish_totp(tests.id('totp'), (select now from step)) r;
grant select on enrol to public;
select is((select error from enrol), null, 'the first right code activates the factor');
select is((select cardinality(recovery_codes) from enrol), 10, '...and returns ten recovery codes once');
select matches((select recovery_codes[1] from enrol), '^[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}$', '...of 48 random bits');
select is(tests.last_mail('mia@example.com', 'mfa_notice') #>> '{data,what}', 'A second factor (authenticator app) was added to your account.',
  'the enrolment is noticed by mail');
select is(tests.audit_count('mfa_enrolled', 'app_public.users', tests.id('mia')::text)::int, 1,
  '...and audited');
select set_config('role', 'app_user', true);
select is(app_hidden.current_aal(), 'aal2', 'enrolling raised the session to aal2');
select set_config('role', 'auth_edge', true);

-- N2: a step is accepted once; more than one step of drift never.
select is((select (r.auth).error from app_hidden.mfa_begin(tests.id('totp')) b, app_hidden.mfa_finish_totp(tests.id('totp'), (select now from step)) r),
  'MFAIN', 'N2: the same code (step) again is refused (replay)');
select is((select (app_hidden.mfa_finish_totp(tests.id('totp'), (select now - 1 from step))).auth.error), 'MFAIN',
  'N2: an older step than the last accepted one is refused');
select is((select (app_hidden.mfa_finish_totp(tests.id('totp'), (select now + 2 from step))).auth.error), 'MFAIN',
  'N2: two steps of drift are refused');
select is(tests.audit_count('mfa_failed', 'app_public.users', tests.id('mia')::text)::int, 3, 'N2: replays and drift are audited as failures');

-- N4: the next password sign-in is pending MFA and can do nothing else.
select tests.remember('doc', tests.create_document(tests.id('mia')));
select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
create temporary table r1 as select * from app_hidden.login('mia@example.com', 'mia''s long passphrase', '192.0.2.30', 'ua');
grant select on r1 to public;
select is((select mfa_required from r1), true, 'N4: login of a user with a factor answers mfa_required');
select is((select mfa_factors -> 0 ->> 'id' from r1), tests.id('totp')::text, '...with the active factors');
select is((select role from r1), 'app_user', 'N4: ...and the base role only');
select tests.remember('s1', (select session_id from r1));
select tests.authenticate_as(tests.id('mia'), tests.id('s1'));
select is(app_hidden.current_user_id(), null, 'N4: the pending session is nobody to policies');
select is((select count(*)::int from app_public.documents), 0, 'N4: it reads no application row (documents)');
select throws_ok($$ insert into app_public.documents (full_url) values ('https://example.com/pending') $$,
  '42501', null, 'N4: it writes none');
select is(tests.affected(format('delete from app_public.documents where id = %L', tests.id('doc'))), 0, 'N4: it deletes none');
select throws_ok($$ select app_public.regenerate_recovery_codes() $$, 'LOGIN', null, 'N4: it cannot regenerate recovery codes');
select is((select count(*)::int from app_public.my_mfa_factors()), 0, 'N4: nor list factors');
select throws_ok($$ select app_hidden.change_password('mia''s long passphrase', 'another long passphrase') $$, 'LOGIN', null,
  'N4: nor change the password');
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select throws_ok($$ select app_hidden.change_email('mia2@example.com', 'mia''s long passphrase', null) $$, 'LOGIN', null,
  'N4: nor change the email');
select throws_ok($$ select app_hidden.enroll_totp(gen_random_uuid(), 'mine', 'k1', '\x00') $$, 'MFARQ', null,
  'N4: nor enrol a factor of its own (a stolen password cannot add a second factor)');
select throws_ok($$ select * from app_hidden.trust_device('ua') $$, 'MFARQ', null, 'N10: nor trust its device');

-- N4: other first factors go through start_session too: a mailed sign-in code is one factor.
select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select app_hidden.request_sign_in_email('mia@example.com', '192.0.2.30');
select is((app_hidden.sign_in_with_email_code('mia@example.com', tests.last_mail('mia@example.com', 'sign_in') #>> '{data,code}',
           '192.0.2.30', 'ua')).mfa_required, true, 'N4: an email sign-in of a user with a factor is pending MFA too');
select tests.authenticate_as(tests.id('mia'), tests.id('s1'));
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);

-- N5: the challenge expires mfa_challenge_ttl (5 min) after the first factor.
select tests.age_session(tests.id('s1'), interval '6 minutes');
select is((select error from app_hidden.mfa_begin(tests.id('totp'))), 'MFAEX', 'N5: after 5 minutes the challenge is over');
select is((select (app_hidden.use_recovery_code((select recovery_codes[1] from enrol))).auth.error), 'MFAEX',
  'N5: ...for recovery codes too');

-- A fresh sign-in completes with the next code: aal2, amr, new tokens, rights back.
select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select tests.remember('s2', (app_hidden.login('mia@example.com', 'mia''s long passphrase', '192.0.2.30', 'ua')).session_id);
select tests.authenticate_as(tests.id('mia'), tests.id('s2'));
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
create temporary table r2 as
  select (r.auth).* from app_hidden.mfa_begin(tests.id('totp')) b, app_hidden.mfa_finish_totp(tests.id('totp'), (select now + 1 from step)) r;
grant select on r2 to public;
select is((select error from r2), null, 'verifyMfa: the next step''s code completes the sign-in');
select isnt((select refresh_token from r2), null, '...with a new refresh token');
select is((select mfa_required from r2), false, '...no longer pending');
select is(app_hidden.session_claims(tests.id('s2')) -> 'amr', '["pwd", "otp", "mfa"]'::jsonb, '...amr pwd, otp, mfa in the next token');
select is(app_hidden.session_claims(tests.id('s2')) ->> 'aal', 'aal2', '...aal2');
select tests.authenticate_as(tests.id('mia'), tests.id('s2'));
select is(app_hidden.current_user_id(), tests.id('mia'), 'N4: the completed session is the user again');
select is((select count(*)::int from app_public.documents where id = tests.id('doc')), 1, '...and reads her document');

-- N10: trusting this device right after the factor; the token skips the factor next time.
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
create temporary table dev as select * from app_hidden.trust_device('Firefox');
grant select on dev to public;
select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
create temporary table r3 as select * from app_hidden.login('mia@example.com', 'mia''s long passphrase', '192.0.2.30', 'ua', (select token from dev));
grant select on r3 to public;
select is((select mfa_required from r3), false, 'N10: a trusted device skips the second factor');
select is(app_hidden.session_claims((select session_id from r3)) -> 'amr', '["pwd", "trusted_device"]'::jsonb, 'N10: ...and says so in amr');
select is((app_hidden.login('mia@example.com', 'mia''s long passphrase', '192.0.2.30', 'ua',
           (select id::text from dev) || '.' || repeat('A', 43))).mfa_required, true,
  'N10: a forged token (right id, wrong secret) does not');
-- myTrustedDevices.isCurrent: the device this session signed in with (or trusted), not another's.
select tests.authenticate_as(tests.id('mia'), (select session_id from r3));
select is((select is_current from app_public.my_trusted_devices() where id = (select id from dev)), true,
  'myTrustedDevices: the device a session signed in with is its current one');
select tests.authenticate_as(tests.id('mia'), tests.id('s2'));
select is((select is_current from app_public.my_trusted_devices() where id = (select id from dev)), true,
  'myTrustedDevices: ...and the session that trusted it');
select tests.authenticate_as(tests.id('mia'));
select is((select is_current from app_public.my_trusted_devices() where id = (select id from dev)), false,
  'myTrustedDevices: ...not for another session of the user');

-- N6: step-up. An aal1 session of a user with a factor (started before enrolment) may not
-- remove a factor, regenerate codes, or change the password or email.
select tests.authenticate_as(tests.id('mia'));
select is(app_hidden.current_aal(), 'aal1', 'an older aal1 session');
select throws_ok(format('select app_public.remove_mfa_factor(%L)', tests.id('totp')), 'MFARQ', null,
  'N6: removing a factor needs aal2');
select throws_ok($$ select app_public.regenerate_recovery_codes() $$, 'MFARQ', null, 'N6: regenerating recovery codes needs aal2');
select throws_ok($$ select app_hidden.change_password('mia''s long passphrase', 'another long passphrase') $$, 'MFARQ', null,
  'N6: changing the password needs aal2');
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select throws_ok($$ select app_hidden.change_email('mia2@example.com', 'mia''s long passphrase', null) $$, 'MFARQ', null,
  'N6: changing the email needs aal2');
-- Step-up from that session with a recovery code (once only).
select is((app_hidden.use_recovery_code(upper((select recovery_codes[2] from enrol)))).auth.error, null,
  'step-up: a recovery code raises the aal1 session (case and dashes ignored)');
select set_config('role', 'app_user', true);
select is(app_hidden.current_aal(), 'aal2', '...to aal2, on the next statement');
select set_config('role', 'auth_edge', true);
select is((app_hidden.use_recovery_code((select recovery_codes[2] from enrol))).auth.error, 'MFAIN', 'a recovery code works once');
select tests.authenticate_as(tests.id('mia'), (select session_id from r3));
create temporary table regen as select app_public.regenerate_recovery_codes() as codes;
grant select on regen to public;
select is((select cardinality(codes) from regen), 10, 'N6: an aal2 session regenerates the codes');
select is(tests.last_mail('mia@example.com', 'mfa_notice') #>> '{data,what}',
  'New recovery codes were generated for your account; the old ones no longer work.', 'N6: ...noticed by mail');
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select is((app_hidden.use_recovery_code((select recovery_codes[3] from enrol))).auth.error, 'MFAIN',
  'regenerating voids the old codes');

-- N3: attempts are counted before the check, per factor and per account.
select tests.set_auth_config('mfa_max_factor_failures', '3');
select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select tests.remember('s4', (app_hidden.login('mia@example.com', 'mia''s long passphrase', '192.0.2.30', 'ua')).session_id);
select tests.authenticate_as(tests.id('mia'), tests.id('s4'));
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select is((select (r.auth).error from app_hidden.mfa_begin(tests.id('totp')) b, app_hidden.mfa_finish_totp(tests.id('totp'), null) r),
  'MFAIN', 'a wrong code is MFAIN') from generate_series(1, 2);
select is(tests.last_mail('mia@example.com', 'mfa_notice') #>> '{data,what}', 'A wrong second-factor code was entered for your account.',
  'a failed verification is noticed by mail');
select is((select error from app_hidden.mfa_begin(tests.id('totp'))), null, 'the third attempt is still allowed');
select is((select error from app_hidden.mfa_begin(tests.id('totp'))), 'RATEL', 'N3: the fourth is refused before any check');
select is(tests.audit_count('mfa_rate_limited', 'app_public.users', tests.id('mia')::text)::int, 1,
  'N3: ...and audited');
-- A new sign-in (a new challenge) does not reset the factor's counter.
select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select tests.remember('s5', (app_hidden.login('mia@example.com', 'mia''s long passphrase', '192.0.2.30', 'ua')).session_id);
select tests.authenticate_as(tests.id('mia'), tests.id('s5'));
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select is((select error from app_hidden.mfa_begin(tests.id('totp'))), 'RATEL', 'N3: a new challenge does not reset the limit');
-- The account limit covers recovery codes too.
select tests.set_auth_config('mfa_max_user_failures', '6');
select is((app_hidden.use_recovery_code('0000-0000-0000')).auth.error, 'RATEL',
  'N3: recovery codes share the account''s limit (no new budget by switching factor)');
select tests.set_auth_config('mfa_max_factor_failures', '5');
select tests.set_auth_config('mfa_max_user_failures', '10');

-- N7: a RESTRICTIVE aal2 policy bites on the next statement after step-up.
select tests.clear_authentication();
create temporary table secrets_probe (owner_id uuid, v text);
alter table secrets_probe enable row level security;
create policy select_own on secrets_probe for select to app_user using (owner_id = (select app_hidden.current_user_id()));
create policy require_aal2 on secrets_probe as restrictive for select to app_user using ((select app_hidden.current_aal()) = 'aal2');
insert into secrets_probe values (tests.id('mia'), 'launch codes');
grant select on secrets_probe to app_user;
select tests.authenticate_as(tests.id('mia'));
select is((select count(*)::int from secrets_probe), 0, 'N7: an aal1 session does not see rows behind a restrictive aal2 policy');
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select is((app_hidden.use_recovery_code((select codes[1] from regen))).auth.error, null, 'step-up in the same session...');
select set_config('role', 'app_user', true);
select is((select count(*)::int from secrets_probe), 1, 'N7: ...and the next statement sees them (the live session row, not the token)');

-- N9: SMS numbers are E.164, codes hashed and limited, only verified numbers get sign-in codes.
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select throws_ok($$ select * from app_hidden.enroll_phone('555-1234', null) $$, 'PHONE', null, 'N9: a number that is not E.164 is refused');
select tests.set_auth_config('sms_max_per_number', '2');
create temporary table ph as select * from app_hidden.enroll_phone('+15551234567', null);
grant select on ph to public;
select matches((select code from ph), '^[0-9]{6}$', 'N9: a 6-digit code for the edge to send');
select throws_ok(format('select * from app_hidden.send_sms_code(%L, null)', (select factor_id from ph)), 'NTFND', null,
  'N9: an unverified number receives no sign-in codes');
create temporary table ph2 as select * from app_hidden.enroll_phone('+15551234567', null);
grant select on ph2 to public;
select throws_ok($$ select * from app_hidden.enroll_phone('+15551234567', null) $$, 'RATEL', null, 'N9: sends are limited per number');
select is((select app_hidden.pending_phone_factor()), (select factor_id from ph2), 'verifyPhone finds the phone being enrolled');
select is((select (r.auth).error from app_hidden.mfa_begin((select factor_id from ph2)) b,
           app_hidden.mfa_finish_sms((select factor_id from ph2), (select code from ph)) r), 'MFAIN',
  'N9: the code of a replaced enrolment does not verify');
select is((select (r.auth).error from app_hidden.mfa_begin((select factor_id from ph2)) b,
           app_hidden.mfa_finish_sms((select factor_id from ph2), (select code from ph2)) r), null, 'the right code verifies the phone');
select is((select (r.auth).error from app_hidden.mfa_begin((select factor_id from ph2)) b,
           app_hidden.mfa_finish_sms((select factor_id from ph2), (select code from ph2)) r), 'MFAIN', 'N9: an SMS code works once');
select tests.set_auth_config('sms_max_per_number', '5');
select is((select count(*)::int from app_hidden.send_sms_code((select factor_id from ph2), null)), 1, 'a verified number receives sign-in codes');
select set_config('role', 'app_user', true);
select is((select array_agg(kind || '/' || status || '/' || coalesce(phone_hint, '') order by kind desc)::text from app_public.my_mfa_factors()),
  '{totp/active/,sms/active/67}', 'myMfaFactors lists every kind, phones by their last two digits');

-- removeMfaFactor (aal2 session): deleted and noticed.
select is(app_public.remove_mfa_factor((select factor_id from ph2)), true, 'an aal2 session removes a factor');
select is(tests.last_mail('mia@example.com', 'mfa_notice') #>> '{data,what}', 'A second factor (Phone ending 67) was removed from your account.',
  '...noticed by mail');
select throws_ok(format('select app_public.remove_mfa_factor(%L)', tests.id('totp')), 'NTFND', null, 'N1: ...only one''s own')
  from (select tests.authenticate_as(tests.create_user('other@example.com'))) x;

-- N10: a password reset forgets every trusted device.
select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select app_hidden.request_password_reset('mia@example.com', '192.0.2.30');
select is(app_hidden.reset_password(tests.last_mail('mia@example.com', 'reset_password') #>> '{data,token}', 'a brand new passphrase', '192.0.2.30'),
  null, 'a password reset...');
select is((app_hidden.login('mia@example.com', 'a brand new passphrase', '192.0.2.30', 'ua', (select token from dev))).mfa_required, true,
  'N10: ...voids the trusted device');

-- mfa_required_roles: an admin without a factor signs in limited to enrolling one.
select tests.set_auth_config('mfa_required_roles', '{admin}');
select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select tests.remember('ada', tests.create_user('ada@example.com', 'admin'));
select tests.set_password_hash(tests.id('ada'), 'ada''s long passphrase', 10);
create temporary table ra as select * from app_hidden.login('ada@example.com', 'ada''s long passphrase', '192.0.2.31', 'ua');
grant select on ra to public;
select is((select mfa_required::text || ' ' || mfa_factors::text || ' ' || role from ra), 'true [] app_user',
  'N4: an admin (mfa_required_roles) without a factor signs in pending, as app_user, with no factor to use');
select tests.authenticate_as(tests.id('ada'), (select session_id from ra));
select is(app_hidden.current_user_id(), null, 'N4: ...and is nobody to policies');
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select tests.remember('ada_totp', app_hidden.enroll_totp(gen_random_uuid(), null, 'k1', '\x00'));
select is((select (r.auth).role from app_hidden.mfa_begin(tests.id('ada_totp')) b,
           app_hidden.mfa_finish_totp(tests.id('ada_totp'), (select now from step)) r), 'admin',
  'after enrolling a factor the role applies (aal2)');

select * from finish();
