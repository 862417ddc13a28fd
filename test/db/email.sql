-- The email lifecycle in SQL (db/migrations/committed/000006-email-lifecycle.sql), called as the edge
-- calls it: as auth_edge, with the request's claims. Each M item has its refused side here;
-- test/http/email.test.ts runs the same flows through GraphQL, the worker and real SMTP.
select plan(102);

-- Edge only (A6): every request role is refused each email entry point.
select throws_ok(
  format($f$do $d$ begin perform set_config('role', %L, true); perform %s; end $d$$f$, r.role, f.call),
  '42501', null, format('A6: %s cannot call %s (edge only)', r.role, f.name))
from (values (1, 'anonymous'), (2, 'app_user'), (3, 'admin')) r(o, role)
cross join (values
  (1, 'verify_email', $$app_hidden.verify_email('x', null)$$),
  (2, 'resend_verification_email', $$app_hidden.resend_verification_email(null)$$),
  (3, 'request_password_reset', $$app_hidden.request_password_reset('a@example.com', null)$$),
  (4, 'reset_password', $$app_hidden.reset_password('x', 'y', null)$$),
  (5, 'request_sign_in_email', $$app_hidden.request_sign_in_email('a@example.com', null)$$),
  (6, 'sign_in_with_email_token', $$app_hidden.sign_in_with_email_token('x', null, null)$$),
  (7, 'sign_in_with_email_code', $$app_hidden.sign_in_with_email_code('a@example.com', '123456', null, null)$$),
  (8, 'change_email', $$app_hidden.change_email('a@example.com', 'x', null)$$),
  (9, 'confirm_email_change', $$app_hidden.confirm_email_change('x', null)$$)
) f(o, name, call)
order by r.o, f.o;

-- M7: only definer functions enqueue. No request role (nor auth_edge) reaches the queue.
select throws_ok($$ do $d$ begin perform set_config('role', 'anonymous', true); perform graphile_worker.add_job('send_email', '{}'); end $d$ $$,
  '42501', null, 'M7: anonymous cannot add a job');
select throws_ok($$ do $d$ begin perform set_config('role', 'app_user', true); perform graphile_worker.add_job('send_email', '{}'); end $d$ $$,
  '42501', null, 'M7: app_user cannot add a job');
select throws_ok($$ do $d$ begin perform set_config('role', 'auth_edge', true); perform graphile_worker.add_job('send_email', '{}'); end $d$ $$,
  '42501', null, 'M7: auth_edge cannot add a job');
select ok(not bool_or(has_schema_privilege(r, 'graphile_worker', 'USAGE')),
  'M7: no request role nor auth_edge has USAGE on the queue''s schema')
  from unnest(array['anonymous', 'app_user', 'manager', 'admin', 'bot', 'auth_edge']) r;

select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);

-- M7: the mail is queued in the transaction of its cause.
select tests.remember('ann', (app_hidden.register('ann@example.com', 'ann''s long passphrase', 'Ann', '192.0.2.10', 'ua')).user_id);
select is(tests.last_mail('ann@example.com', 'verify_email') #>> '{data,action}', 'verify',
  'M7: register queues the verification mail in its own transaction');
select throws_ok($$ select app_hidden.register('rolled@example.com', 'a long passphrase here', null, '192.0.2.10', 'ua'), 1 / 0 $$,
  '22012', null, 'a registration whose transaction fails...');
select is(tests.mail_count('rolled@example.com'), 0, 'M7: ...queues nothing: a rolled-back request sends nothing');
select throws_ok($$ select app_hidden.register(e'eve@example.com\r\nBcc: all@example.com', 'a long passphrase here', null, '192.0.2.10', 'ua') $$,
  'EMAIL', null, 'M7: an address carrying a header line is refused (no header injection)');
select throws_ok($$ select app_hidden.request_password_reset('eve@example.com>,<all@example.com', '192.0.2.10') $$,
  'EMAIL', null, 'M7: an address carrying address syntax is refused');

-- M1: 256 random bits in the mail, only the hash stored.
select tests.remember('ann_verify', (select id from tests.email_tokens_of(tests.id('ann')) where purpose = 'verify_email'));
select matches(tests.last_mail('ann@example.com', 'verify_email') #>> '{data,token}', '^[A-Za-z0-9_-]{43}$',
  'M1: a mailed token is 43 base64url characters (256 bits)');
select is((select token_hash from tests.email_tokens_of(tests.id('ann')) where purpose = 'verify_email'),
  tests.sha256(tests.last_mail('ann@example.com', 'verify_email') #>> '{data,token}'),
  'M1: only its SHA-256 is stored');
select is(app_hidden.reset_password(tests.last_mail('ann@example.com', 'verify_email') #>> '{data,token}', 'a different passphrase', '192.0.2.10'),
  'EMTOK', 'M1: a token is bound to its purpose (a verification token cannot reset)');
select is(app_hidden.verify_email(tests.last_mail('ann@example.com', 'verify_email') #>> '{data,token}', '192.0.2.10'), null,
  'M6: the verification token verifies the address');
select is(app_hidden.verify_email(tests.last_mail('ann@example.com', 'verify_email') #>> '{data,token}', '192.0.2.10'), 'EMTOK',
  'M1: a token is single-use');
select is(tests.audit_events('email_token_refused') > 0, true, 'K2: a refused token is audited (the row commits with the answer)');

-- M2: a taken address answers like a free one; its owner gets a notice.
select tests.remember('decoy', (app_hidden.register('ann@example.com', 'another long passphrase', 'Mallory', '192.0.2.11', 'ua')).user_id);
select is(tests.user_role(tests.id('decoy')), null, 'M2: registering a taken address returns a user that does not exist...');
select is((app_hidden.register('ann@example.com', 'another long passphrase', 'Mallory', '192.0.2.11', 'ua')).error, null,
  'M2: ...with no error...');
select is(tests.last_mail('ann@example.com', 'account_exists') #>> '{data,email}', 'ann@example.com',
  'M2: ...and mails the owner a notice instead');
select is(tests.registrations('192.0.2.11'), 2, 'M2: a taken address is counted like a free one (same limits, same bcrypt work)');
select is(app_hidden.request_password_reset('nobody@example.com', '192.0.2.12'), null, 'M2: a reset for an unknown address answers the same...');
select is(tests.mail_count('nobody@example.com'), 0, 'M2: ...and mails nothing');
select is(app_hidden.request_sign_in_email('nobody@example.com', '192.0.2.12'), null, 'M2: a sign-in mail for an unknown address answers the same and sends nothing');
select is(app_hidden.request_password_reset('ann@example.com', '192.0.2.12'), null, 'a reset for a known address answers null');
select is(tests.last_mail('ann@example.com', 'reset_password') #>> '{data,action}', 'reset', '...and mails the link');

-- M1: a newer use voids the others of its purpose; a password change voids reset and sign-in tokens.
select tests.remember('x', (select id from tests.email_tokens_of(tests.id('ann')) where purpose = 'reset_password'));
select set_config('tests.reset1', tests.last_mail('ann@example.com', 'reset_password') #>> '{data,token}', true);
select app_hidden.request_password_reset('ann@example.com', '192.0.2.12');
select set_config('tests.reset2', tests.last_mail('ann@example.com', 'reset_password') #>> '{data,token}', true);
select app_hidden.request_sign_in_email('ann@example.com', '192.0.2.12');
select set_config('tests.signin1', tests.last_mail('ann@example.com', 'sign_in') #>> '{data,token}', true);

-- M3: a reset ends every session and refresh token, clears the lock, verifies, notices.
select tests.remember('ann_sid', (app_hidden.login('ann@example.com', 'ann''s long passphrase', '192.0.2.10', 'ua')).session_id);
select app_hidden.login('ann@example.com', 'wrong passphrase!', '192.0.2.13', 'ua') from generate_series(1, 5);
select isnt((tests.secrets_of(tests.id('ann'))).locked_until, null, 'the account is locked after 5 failures');
select throws_ok($$ select app_hidden.reset_password(current_setting('tests.reset2'), 'short', '192.0.2.10') $$, 'WEAKP', null,
  'a reset under the policy: a weak password is refused (the token stays unspent)');
select is(app_hidden.reset_password(current_setting('tests.reset2'), 'a brand new passphrase', '192.0.2.10'), null, 'M3: the reset succeeds');
select is(tests.session_revoked(tests.id('ann_sid')), 'password_reset', 'M3: every session is revoked');
select is(tests.live_refresh_tokens(tests.id('ann')), 0, 'M3: every refresh token is revoked');
select is(((tests.secrets_of(tests.id('ann'))).locked_until, (tests.secrets_of(tests.id('ann'))).failed_attempts), (null::timestamptz, 0),
  'M3: the lock and failure counters are cleared');
select is(tests.last_mail('ann@example.com', 'password_changed') #>> '{data,email}', 'ann@example.com', 'M3: a notice is mailed');
select is((app_hidden.login('ann@example.com', 'a brand new passphrase', '192.0.2.10', 'ua')).error, null, 'the new password signs in');
select is(app_hidden.reset_password(current_setting('tests.reset1'), 'yet another passphrase', '192.0.2.10'), 'EMTOK',
  'M1: using one reset token voided the older one');
select is((app_hidden.sign_in_with_email_token(current_setting('tests.signin1'), '192.0.2.10', 'ua')).error, 'EMTOK',
  'M1: the password change voided the outstanding sign-in link');

-- Sign-in by link: like login, once.
select app_hidden.request_sign_in_email('ann@example.com', '192.0.2.14');
select set_config('tests.signin2', tests.last_mail('ann@example.com', 'sign_in') #>> '{data,token}', true);
select isnt((app_hidden.sign_in_with_email_token(current_setting('tests.signin2'), '192.0.2.10', 'ua')).session_id, null,
  'a sign-in link starts a session');
select is((app_hidden.sign_in_with_email_token(current_setting('tests.signin2'), '192.0.2.10', 'ua')).error, 'EMTOK', 'M1: only once');
select app_hidden.request_sign_in_email('ann@example.com', '192.0.2.14');
select set_config('tests.signin3', tests.last_mail('ann@example.com', 'sign_in') #>> '{data,token}', true);
select tests.advance_email_clock('16 minutes');
select is((app_hidden.sign_in_with_email_token(current_setting('tests.signin3'), '192.0.2.10', 'ua')).error, 'EMTOK',
  'M1: a sign-in link expires after 15 minutes');

-- M5: a code dies after email_code_max_attempts wrong tries; the account after email_code_max_failures.
select tests.remember('bob', (app_hidden.register('bob@example.com', 'bob''s long passphrase', 'Bob', '192.0.2.20', 'ua')).user_id);
select app_hidden.request_sign_in_email('bob@example.com', '192.0.2.20');
select set_config('tests.code1', tests.last_mail('bob@example.com', 'sign_in') #>> '{data,code}', true);
select matches(current_setting('tests.code1'), '^[0-9]{6}$', 'the sign-in mail carries a 6-digit code');
select is((app_hidden.sign_in_with_email_code('bob@example.com', case when current_setting('tests.code1') = '000000' then '000001' else '000000' end,
  '192.0.2.21', 'ua')).error, 'EMTOK', 'a wrong code is EMTOK')
  from generate_series(1, 5);
select is((app_hidden.sign_in_with_email_code('bob@example.com', current_setting('tests.code1'), '192.0.2.21', 'ua')).error, 'EMTOK',
  'M5: after 5 wrong tries the code is dead, even the right one');
select app_hidden.request_sign_in_email('bob@example.com', '192.0.2.20');
select set_config('tests.code2', tests.last_mail('bob@example.com', 'sign_in') #>> '{data,code}', true);
select (app_hidden.sign_in_with_email_code('bob@example.com', case when current_setting('tests.code2') = '000000' then '000001' else '000000' end,
  '192.0.2.22', 'ua')).error from generate_series(1, 4);
select app_hidden.request_sign_in_email('bob@example.com', '192.0.2.20');
select set_config('tests.code3', tests.last_mail('bob@example.com', 'sign_in') #>> '{data,code}', true);
select (app_hidden.sign_in_with_email_code('bob@example.com', case when current_setting('tests.code3') = '000000' then '000001' else '000000' end,
  '192.0.2.23', 'ua')).error;
select is((app_hidden.sign_in_with_email_code('bob@example.com', current_setting('tests.code3'), '192.0.2.23', 'ua')).error, 'RATEL',
  'M5: 10 wrong codes for one account within the window refuse even a right code (RATEL)');
select tests.advance_email_clock('61 minutes');
select app_hidden.request_sign_in_email('bob@example.com', '192.0.2.20');
select isnt((app_hidden.sign_in_with_email_code('BOB@example.com', tests.last_mail('bob@example.com', 'sign_in') #>> '{data,code}', '192.0.2.23', 'ua')).session_id,
  null, 'a right code signs in (the address case-insensitively) once the window has passed');

-- M5: requests per address (known or not) and resends.
select is(array_agg(app_hidden.request_password_reset('carol@example.com', '192.0.2.30') order by n),
  array[null, null, null, null, null, 'RATEL']::text[], 'M5: the 6th reset request for one unknown address within the window is RATEL')
  from generate_series(1, 6) n;
select is(array_agg(app_hidden.request_sign_in_email('bob@example.com', '192.0.2.31') order by n),
  array[null, null, null, null, 'RATEL']::text[], 'M5: so is the 6th sign-in mail for a known address')
  from generate_series(1, 5) n;
select tests.remember('bob_sid', tests.authenticate_as(tests.id('bob')));
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select tests.remember('dan', (app_hidden.register('dan@example.com', 'dan''s long passphrase', 'Dan', '192.0.2.40', 'ua')).user_id);
select tests.authenticate_as(tests.id('dan'));
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select is(app_hidden.resend_verification_email('192.0.2.40'), null, 'a signed-in unverified user may ask for the mail again');
select is(app_hidden.resend_verification_email('192.0.2.40'), 'RATEL', 'M5: not within 60 s of the last one');
select tests.advance_email_clock('61 seconds');
select is(app_hidden.resend_verification_email('192.0.2.40'), null, 'M5: again after 60 s');
select tests.advance_email_clock('61 seconds');
select is(app_hidden.resend_verification_email('192.0.2.40'), null, 'M5: a third time');
select tests.advance_email_clock('61 seconds');
select is(app_hidden.resend_verification_email('192.0.2.40'), 'RATEL', 'M5: a fourth resend within the window is refused');
select is((select count(*)::int from tests.mails_to('dan@example.com') m where m ->> 'template' = 'verify_email'), 4,
  'registration plus three resends: four verification mails');

-- M6: email change confirmed by the new address, noticed to the old, re-evaluating domain rules.
select tests.clear_authentication();
select tests.verify_email(tests.id('dan'));
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select tests.authenticate_as(tests.id('dan'));
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select is(app_hidden.change_email('dan@corp.example', 'wrong passphrase!', '192.0.2.40'), 'CREDS', 'an email change needs the password');
select is(app_hidden.change_email('dan@corp.example', 'dan''s long passphrase', '192.0.2.40'), null, 'an email change is requested');
select is(tests.last_mail('dan@example.com', 'change_email_notice') #>> '{data,new_email}', 'dan@corp.example', 'M6: the old address gets a notice');
select is(tests.last_mail('dan@corp.example', 'change_email_confirm') #>> '{data,action}', 'change-email', 'M6: the new address gets the link');
select is(app_hidden.change_email('bob@example.com', 'dan''s long passphrase', '192.0.2.40'), null, 'M2: a change to a taken address answers the same...');
select is(tests.last_mail('bob@example.com', 'change_email_confirm'), null, '...and mails it no link');
select tests.add_domain_rule('corp.example', 'manager');
select is(app_hidden.confirm_email_change(tests.last_mail('dan@corp.example', 'change_email_confirm') #>> '{data,token}', '192.0.2.40'), null,
  'M6: the new address confirms the change');
select is(tests.user_role(tests.id('dan')), 'manager', 'M6: the confirmed (verified) new address gets its domain''s rule');
select is(app_hidden.verify_email(tests.last_mail('dan@example.com', 'verify_email') #>> '{data,token}', '192.0.2.40'), 'EMTOK',
  'M6: a verification token mailed to the old address no longer verifies anything');
select is(app_hidden.confirm_email_change('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '192.0.2.40'), 'EMTOK', 'an unknown change token is EMTOK');
select is(tests.last_mail('dan@example.com', 'email_changed') #>> '{data,new_email}', 'dan@corp.example', 'M6: the old address is told it changed');

-- M6: two accounts racing for one address: the second confirmation finds it taken.
select tests.authenticate_as(tests.id('bob'));
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select app_hidden.change_email('shared@example.com', 'bob''s long passphrase', '192.0.2.41');
select tests.authenticate_as(tests.id('dan'));
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select app_hidden.change_email('shared@example.com', 'dan''s long passphrase', '192.0.2.42');
select is(app_hidden.confirm_email_change(tests.last_mail('shared@example.com', 'change_email_confirm') #>> '{data,token}', '192.0.2.41'), null,
  'the first confirmation of an address wins');
select throws_ok($$ select app_hidden.confirm_email_change((select m #>> '{data,token}' from tests.mails_to('shared@example.com') m
                                                            where m ->> 'template' = 'change_email_confirm' limit 1), '192.0.2.42') $$,
  'EMTKN', null, 'M6: the second finds it taken (uniqueness holds under the race)');

-- M6: email_verification_required: an unverified account's session sees what anonymous sees.
select tests.clear_authentication();
select tests.set_auth_config('email_verification_required', 'true');
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select tests.remember('eve', (app_hidden.register('eve@example.com', 'eve''s long passphrase', 'Eve', '192.0.2.50', 'ua')).user_id);
select tests.authenticate_as(tests.id('eve'));
select is(app_hidden.current_user_id(), null, 'M6: with verification required, an unverified account is nobody to policies');
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select is(app_hidden.resend_verification_email('192.0.2.50'), null, '...but may ask for its verification mail');
select is(app_hidden.verify_email(tests.last_mail('eve@example.com', 'verify_email') #>> '{data,token}', '192.0.2.50'), null, '...and verify');
select tests.authenticate_as(tests.id('eve'));
select is(app_hidden.current_user_id(), tests.id('eve'), 'M6: once verified it is itself');
select throws_ok($$ update app_public.users set email_verified_at = now() where id = app_hidden.current_user_id() $$, '42501', null,
  'M6: a user cannot mark an email verified');
select tests.clear_authentication();

-- Housekeeping (the worker's hourly email_cleanup): tokens a week past expiry go.
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select tests.remember('old', (app_hidden.register('old@example.com', 'old''s long passphrase', 'Old', '192.0.2.60', 'ua')).user_id);
select tests.purge_email_state();
select is((select count(*)::int from tests.email_tokens_of(tests.id('old'))), 1, 'a fresh verification token is kept by the purge...');
select tests.advance_email_clock('9 days');
select cmp_ok(tests.purge_email_state(), '>', 0, '...which, 9 days on, deletes tokens a week past expiry and stale counters');
select is((select count(*)::int from tests.email_tokens_of(tests.id('old'))), 0, '...that token included');
select tests.clear_authentication();

select * from finish();
