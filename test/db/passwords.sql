-- Passwords: what bcrypt is fed (C2), the scheme upgrade, the policy, registration limits
-- (hardening item 8) and password change (C8). Edge calls as auth_edge, change_password as
-- the signed-in user.
select plan(28);

select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
-- An 80-byte password; under scheme 1 bcrypt was fed 'sha256:' || base64(sha256(it)).
select set_config('tests.long', repeat('x', 72) || 'abcdefgh', true);
select set_config('tests.literal', 'sha256:' || encode(sha256(convert_to(current_setting('tests.long'), 'UTF8')), 'base64'), true);

-- Scheme 2: every password is pre-hashed with HMAC under a fixed domain string.
select tests.remember('new', (app_hidden.register('new@example.com', current_setting('tests.long'), null, '192.0.2.20', 'ua')).user_id);
select is((tests.secrets_of(tests.id('new'))).password_scheme, 2::smallint, 'C2: new hashes use scheme 2 (HMAC pre-hash)');
select is((app_hidden.login('new@example.com', current_setting('tests.long'), '192.0.2.20', 'ua')).error, null, 'C2: the long password logs in');
select is((app_hidden.login('new@example.com', left(current_setting('tests.long'), 72), '192.0.2.20', 'ua')).error, 'CREDS',
  'C2: its 72-byte prefix does not');
select is((app_hidden.login('new@example.com', left(current_setting('tests.long'), 72) || 'zzzzzzzz', '192.0.2.20', 'ua')).error, 'CREDS',
  'C2: nor another password sharing those 72 bytes');
select is((app_hidden.login('new@example.com', current_setting('tests.literal'), '192.0.2.20', 'ua')).error, 'CREDS',
  'C2: nor the scheme-1 pre-hash string of it');
select tests.remember('short', (app_hidden.register('short@example.com', 'a short passphrase', null, '192.0.2.20', 'ua')).user_id);
-- base64(HMAC-SHA256(key 'pgauth/password/v2', 'a short passphrase')), computed outside the database.
select is((app_hidden.login('short@example.com', 'l8tc0ciPl6xMMRbysSbXvFAnHRVlrfu2rsDjmykCz5A=', '192.0.2.20', 'ua')).error, 'CREDS',
  'C2: typing a password''s scheme-2 pre-hash does not log in either');

-- Scheme 1 hashes (made before this migration) still verify, minus the literal, and are
-- upgraded on the next successful login.
select tests.remember('legacy', (app_hidden.register('legacy@example.com', 'placeholder password', null, '192.0.2.20', 'ua')).user_id);
select tests.set_password_hash(tests.id('legacy'), current_setting('tests.long'), 10);
select set_config('tests.legacy_hash', (tests.secrets_of(tests.id('legacy'))).password_hash, true);
select is((app_hidden.login('legacy@example.com', current_setting('tests.literal'), '192.0.2.20', 'ua')).error, 'CREDS',
  'C2: the literal sha256:<base64(sha256(pw))> of a long password no longer opens a scheme-1 account');
select is((app_hidden.login('legacy@example.com', left(current_setting('tests.long'), 72), '192.0.2.20', 'ua')).error, 'CREDS',
  'C2: nor does the 72-byte prefix');
select is((app_hidden.login('legacy@example.com', current_setting('tests.long'), '192.0.2.20', 'ua')).error, null,
  'C2: the real password still opens a scheme-1 account');
select is((tests.secrets_of(tests.id('legacy'))).password_scheme, 2::smallint, 'C2: ...which is then upgraded to scheme 2');
select isnt((tests.secrets_of(tests.id('legacy'))).password_hash, current_setting('tests.legacy_hash'), 'C2: ...with a new hash');
select is((app_hidden.login('legacy@example.com', current_setting('tests.long'), '192.0.2.20', 'ua')).error, null,
  'C2: the upgraded hash verifies');
select tests.remember('legacy2', (app_hidden.register('legacy2@example.com', 'placeholder password', null, '192.0.2.20', 'ua')).user_id);
select tests.set_password_hash(tests.id('legacy2'), 'short and legacy', 10);
select is((app_hidden.login('legacy2@example.com', 'short and legacy', '192.0.2.20', 'ua')).error, null,
  'C1/C2: a short scheme-1 password logs in and is upgraded');
select is((tests.secrets_of(tests.id('legacy2'))).password_scheme, 2::smallint, 'C1/C2: ...to scheme 2');

-- Policy: length bounds (password_min_length is tested in auth_config.sql).
select throws_ok($$ select app_hidden.register('weak@example.com', 'ninechars', null, '192.0.2.20', 'ua') $$, 'WEAKP', null,
  'WEAKP: fewer than 10 characters (the default minimum)');
select is((app_hidden.register('ok10@example.com', 'tencharsok', null, '192.0.2.20', 'ua')).error, null, 'ten characters are enough');
select throws_ok(format('select app_hidden.register(%L, %L, null, null, null)', 'huge@example.com', repeat('é', 513)), 'WEAKP', null,
  'WEAKP: more than 1 KiB (counted in bytes)');

-- Registration limits: per address and global, answered RATEL with an audit row.
select tests.set_auth_config('register_max_per_ip', '2');
select tests.set_auth_config('register_max_global', '1000000');
select tests.set_auth_config('register_window', '1 hour');
select app_hidden.register('flood' || i || '@example.com', 'a good long password', null, '198.51.100.40', 'ua') from generate_series(1, 2) i;
select is((app_hidden.register('flood3@example.com', 'a good long password', null, '198.51.100.40', 'ua')).error, 'RATEL',
  'item 8: an address over register_max_per_ip gets RATEL');
select is((tests.last_audit('register_rate_limited')).detail ->> 'ip', '198.51.100.40/32', 'item 8: the refusal is audited (it commits: a row, not an error)');
select is((app_hidden.register('elsewhere@example.com', 'a good long password', null, '198.51.100.41', 'ua')).error, null,
  'item 8: another address still registers');
select tests.advance_auth_clock(interval '1 hour 1 second');
select is((app_hidden.register('flood3@example.com', 'a good long password', null, '198.51.100.40', 'ua')).error, null,
  'item 8: the address registers again once its window has passed');

-- C8: change_password as the signed-in user.
select tests.remember('changer_sid', tests.authenticate_as(tests.id('short')));
select tests.remember('other_sid', tests.create_session(tests.id('short')));
select is(app_hidden.change_password('not the password', 'a brand new passphrase'), false, 'C8: a wrong current password is refused');
select is((tests.secrets_of(tests.id('short'))).failed_attempts, 1, 'C6/C8: ...and counted like a failed login');
select is(app_hidden.change_password('a short passphrase', 'a brand new passphrase'), true, 'C8: the right one changes it');
select is(tests.session_revoked(tests.id('other_sid')), 'password_changed', 'C8: the other sessions are revoked');
select app_hidden.change_password('guess ' || i, 'a third passphrase') from generate_series(1, 5) i;
select throws_ok($$ select app_hidden.change_password('a brand new passphrase', 'a third passphrase') $$, 'RATEL', null,
  'C6/C7: a locked account cannot change its password, even with the right one (RATEL)');
select is((tests.secrets_of(tests.id('short'))).failed_attempts, 0, 'C7: ...and that attempt is not counted');
select throws_ok($$ select app_hidden.change_password('a brand new passphrase', 'short') $$, 'RATEL', null,
  'C7: nor is anything checked while locked');

select * from finish();
