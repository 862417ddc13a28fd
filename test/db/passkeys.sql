-- Passkeys in SQL (db/migrations/committed/000009-multi-factor-authentication-and-passkeys.sql), called as the edge calls them: as
-- auth_edge with the request's claims. The signature checks are the edge's (proved in Chromium
-- by test/browser/passkeys.test.ts); here: who may call what, challenges single-use and bound,
-- credentials usable only by their user, counter regressions refused and audited (N8).
select plan(61);

-- Edge only (A6): every request role is refused each entry point.
select throws_ok(
  format($f$do $d$ begin perform set_config('role', %L, true); perform %s; end $d$$f$, r.role, f.call),
  '42501', null, format('N8: %s cannot call %s (edge only)', r.role, f.name))
from (values (1, 'anonymous'), (2, 'app_user'), (3, 'admin')) r(o, role)
cross join (values
  (1, 'start_passkey_registration', $$app_hidden.start_passkey_registration()$$),
  (2, 'start_passkey_sign_in', $$app_hidden.start_passkey_sign_in(null)$$),
  (3, 'take_passkey_challenge', $$app_hidden.take_passkey_challenge(null, 'x', '\x01', false, null)$$),
  (4, 'passkey_refused', $$app_hidden.passkey_refused('sign_in', 'verification', null, null, null)$$),
  (5, 'finish_passkey_registration', $$app_hidden.finish_passkey_registration('\x01', '\x02', 0, null, null, false, 'singleDevice', null, null)$$),
  (6, 'finish_passkey_sign_in', $$app_hidden.finish_passkey_sign_in('sign_in', '\x01', 1, true, false, 'singleDevice', null, null)$$)
) f(o, name, call)
order by r.o, f.o;

-- Request roles never read credentials or challenges.
select throws_ok(format($f$do $d$ begin perform set_config('role', %L, true); perform * from app_private.%I; end $d$$f$, r, t),
  '42501', null, format('N8: %s cannot read app_private.%s', r, t))
from unnest(array['anonymous', 'app_user']) r cross join unnest(array['webauthn_credentials', 'webauthn_challenges']) t;

select tests.remember('alice', tests.create_user('alice@example.com'));
select tests.remember('bob', tests.create_user('bob@example.com'));

-- Registration: a challenge bound to alice's session.
select tests.remember('alice_s1', tests.authenticate_as(tests.id('alice')));
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select length(set_config('tests.reg', (app_hidden.start_passkey_registration()).challenge, true));
select matches(current_setting('tests.reg'), '^[A-Za-z0-9_-]{43}$', 'a challenge is 32 random bytes in base64url');
select is((app_hidden.take_passkey_challenge(null, 'not-the-challenge', null, true, '192.0.2.80')).error, 'PKCHL',
  'N8: a registration response for another challenge is refused');
select is((app_hidden.take_passkey_challenge(null, current_setting('tests.reg'), null, true, '192.0.2.80')).error, 'PKCHL',
  'N8: ...and that attempt spent the challenge (single-use)');
select length(set_config('tests.reg', (app_hidden.start_passkey_registration()).challenge, true));
select is((app_hidden.take_passkey_challenge(null, current_setting('tests.reg'), null, true, '192.0.2.80')).user_id, tests.id('alice'),
  'the session''s challenge is taken for its user');
select is((app_hidden.take_passkey_challenge(null, current_setting('tests.reg'), null, true, '192.0.2.80')).error, 'PKCHL',
  'N8: a registration challenge is single-use (replay refused)');
select is((app_hidden.finish_passkey_registration('\xa11ce1', '\xbeef', 0, array['internal'], null, false, 'singleDevice', 'Laptop', '192.0.2.80')).error,
  null, 'the verified credential is stored');
select is((app_hidden.finish_passkey_registration('\xa11ce1', '\xbeef', 0, array['internal'], null, false, 'singleDevice', 'Laptop', '192.0.2.80')).error,
  'PKREF', 'a credential id is registered once');
select is(tests.audit_events('mfa_enrolled') > 0, true, 'the enrolment is audited');

-- Bound to the session: another session of the same user cannot spend it.
select tests.authenticate_as(tests.id('alice'));
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select throws_ok($$ select app_hidden.start_passkey_registration() $$, 'MFARQ', null,
  'a second passkey needs an aal2 session once the account has a factor (step-up)');

select tests.authenticate_as(tests.id('bob'));
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select length(set_config('tests.bob_reg', (app_hidden.start_passkey_registration()).challenge, true));
select tests.authenticate_as(tests.id('bob'));
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select is((app_hidden.take_passkey_challenge(null, current_setting('tests.bob_reg'), null, true, '192.0.2.81')).error, 'PKCHL',
  'N8: a challenge bound to another session is refused');
select tests.authenticate_as(tests.id('bob'));
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select length(set_config('tests.bob_reg', (app_hidden.start_passkey_registration()).challenge, true));
select is((app_hidden.take_passkey_challenge(null, current_setting('tests.bob_reg'), null, true, '192.0.2.81')).error, null, 'bob''s own');
select is((app_hidden.finish_passkey_registration('\xb0b1', '\xbeef', 0, null, null, true, 'multiDevice', null, '192.0.2.81')).error, null,
  'bob registers a synced passkey');

-- First factor: anonymous, bound to the challenge id.
select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select length(set_config('tests.s', to_jsonb(app_hidden.start_passkey_sign_in(null))::text, true));
select is(current_setting('tests.s')::jsonb ->> 'purpose', 'sign_in', 'without a session: a first factor');
select is(current_setting('tests.s')::jsonb -> 'credentials', '[]'::jsonb, 'without an email: discoverable credentials');
select is((app_hidden.take_passkey_challenge(gen_random_uuid(), current_setting('tests.s')::jsonb ->> 'challenge', '\xa11ce1', false, '192.0.2.82')).error,
  'PKCHL', 'N8: the challenge is bound to its id');
select is((app_hidden.take_passkey_challenge((current_setting('tests.s')::jsonb ->> 'challenge_id')::uuid,
                                               current_setting('tests.s')::jsonb ->> 'challenge', '\xa11ce1', false, '192.0.2.82')).user_id,
  tests.id('alice'), 'the credential names its user');
select is((app_hidden.take_passkey_challenge((current_setting('tests.s')::jsonb ->> 'challenge_id')::uuid,
                                               current_setting('tests.s')::jsonb ->> 'challenge', '\xa11ce1', false, '192.0.2.82')).error,
  'PKCHL', 'N8: a sign-in challenge is single-use (replay refused)');
select tests.remember('alice_pk', (app_hidden.finish_passkey_sign_in('sign_in', '\xa11ce1', 5, true, false, 'singleDevice', '192.0.2.82', 'ua')).session_id);
select is(app_hidden.session_claims(tests.id('alice_pk')) - 'is_anonymous', '{"aal": "aal2", "amr": ["hwk"]}'::jsonb,
  'a passkey with user verification signs in at aal2, amr hwk');
select is((app_hidden.finish_passkey_sign_in('sign_in', '\xa11ce1', 5, true, false, 'singleDevice', '192.0.2.82', 'ua')).error, 'PKCTR',
  'N8: a counter that does not move forward is refused...');
select is((tests.last_audit('passkey_counter_regression')).detail ->> 'presented', '5', 'N8: ...and audited');
select is((app_hidden.finish_passkey_sign_in('sign_in', '\xa11ce1', 3, true, false, 'singleDevice', '192.0.2.82', 'ua')).error, 'PKCTR',
  'N8: a counter that goes back is refused');
select tests.remember('bob_pk', (app_hidden.finish_passkey_sign_in('sign_in', '\xb0b1', 0, false, true, 'multiDevice', '192.0.2.83', 'ua')).session_id);
select is(app_hidden.session_claims(tests.id('bob_pk')) - 'is_anonymous', '{"aal": "aal1", "amr": ["swk"], "mfa_pending": true}'::jsonb,
  'without user verification: aal1 (pending: the passkey is also the factor to complete); a synced passkey is swk; counters that stay at zero are accepted');

-- Credentials usable only by their user.
select length(set_config('tests.s', to_jsonb(app_hidden.start_passkey_sign_in('bob@example.com'))::text, true));
select is(jsonb_array_length(current_setting('tests.s')::jsonb -> 'credentials'), 1, 'with an email: that user''s credentials');
select is((app_hidden.take_passkey_challenge((current_setting('tests.s')::jsonb ->> 'challenge_id')::uuid,
                                               current_setting('tests.s')::jsonb ->> 'challenge', '\xa11ce1', false, '192.0.2.84')).error,
  'PKREF', 'N8: another user''s credential is refused for a sign-in started with an email');
select length(set_config('tests.s', to_jsonb(app_hidden.start_passkey_sign_in('nobody@example.com'))::text, true));
select is((app_hidden.take_passkey_challenge((current_setting('tests.s')::jsonb ->> 'challenge_id')::uuid,
                                               current_setting('tests.s')::jsonb ->> 'challenge', '\xa11ce1', false, '192.0.2.84')).error,
  'PKREF', 'N8: no credential signs in for an email without an account');
select length(set_config('tests.s', to_jsonb(app_hidden.start_passkey_sign_in(null))::text, true));
select is((app_hidden.take_passkey_challenge((current_setting('tests.s')::jsonb ->> 'challenge_id')::uuid,
                                               current_setting('tests.s')::jsonb ->> 'challenge', '\x0bad', false, '192.0.2.84')).error,
  'PKREF', 'N8: an unknown credential is refused');
select is(tests.audit_events('passkey_refused') > 0, true, 'N8: refusals are audited');
select throws_ok($$ select app_hidden.passkey_refused('sign_in', 'anything at all', null, null, null) $$, 'BADRQ', null,
  'the edge''s refusal reasons are a closed list');

-- Second factor: bound to alice's session, her credentials only, attempts counted (N3).
select tests.remember('alice_s3', tests.authenticate_as(tests.id('alice')));
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select length(set_config('tests.s', to_jsonb(app_hidden.start_passkey_sign_in(null))::text, true));
select is(current_setting('tests.s')::jsonb ->> 'purpose', 'second_factor', 'with a session: a second factor (or step-up)...');
select is(current_setting('tests.s')::jsonb ->> 'challenge_id' is not null
          and jsonb_array_length(current_setting('tests.s')::jsonb -> 'credentials') = 1, true,
  '...offering only the session user''s credentials');
select is((app_hidden.take_passkey_challenge(null, current_setting('tests.s')::jsonb ->> 'challenge', '\xb0b1', false, '192.0.2.85')).error,
  'PKREF', 'N8: another user''s credential is no second factor for this session');
select length(set_config('tests.s', to_jsonb(app_hidden.start_passkey_sign_in(null))::text, true));
select is((app_hidden.take_passkey_challenge(null, current_setting('tests.s')::jsonb ->> 'challenge', '\xa11ce1', false, '192.0.2.85')).purpose,
  'second_factor', 'the session''s own challenge and credential');
select is((app_hidden.finish_passkey_sign_in('second_factor', '\xa11ce1', 9, true, false, 'singleDevice', '192.0.2.85', 'ua')).session_id,
  tests.id('alice_s3'), 'a second factor raises the caller''s own session...');
select is(app_hidden.session_claims(tests.id('alice_s3')) - 'is_anonymous', '{"aal": "aal2", "amr": ["pwd", "hwk", "mfa"]}'::jsonb,
  '...to aal2 with hwk and mfa');
select lives_ok($$ select app_hidden.passkey_refused('second_factor', 'verification', tests.id('alice'), '\xa11ce1', '192.0.2.85') $$,
  'the edge reports a failed second factor');
select is(tests.last_mail('alice@example.com', 'mfa_notice') #>> '{data,what}',
  'A passkey was refused as the second factor of a sign-in to your account.', 'a failed second factor is mailed to the user');
select is(tests.last_mail('alice@example.com', 'mfa_notice') is not null
          and tests.audit_events('passkey_counter_regression') > 0, true, 'a counter regression is mailed and audited');
select tests.set_auth_config('mfa_max_user_failures', '1');
select length(set_config('tests.s', to_jsonb(app_hidden.start_passkey_sign_in(null))::text, true));
select is((app_hidden.take_passkey_challenge(null, current_setting('tests.s')::jsonb ->> 'challenge', '\xa11ce1', false, '192.0.2.85')).error,
  null, 'one attempt within the account''s limit');
select length(set_config('tests.s', to_jsonb(app_hidden.start_passkey_sign_in(null))::text, true));
select is((app_hidden.take_passkey_challenge(null, current_setting('tests.s')::jsonb ->> 'challenge', '\xa11ce1', false, '192.0.2.85')).error,
  'RATEL', 'N8: second-factor attempts count against the account''s MFA limit, new challenges or not');
