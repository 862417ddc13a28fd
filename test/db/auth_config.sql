-- Every setting in app_private.auth_config is read by the code it names: each test changes
-- one setting and watches the behaviour change (a setting that exists must work).
select plan(23);

select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select tests.remember('u', (app_hidden.register('u@example.com', 'the right passphrase', null, '192.0.2.70', 'ua')).user_id);

-- bcrypt_cost (C1): new hashes use it; a lower one is upgraded on the next login.
select tests.set_auth_config('bcrypt_cost', '11');
select tests.remember('c11', (app_hidden.register('c11@example.com', 'the right passphrase', null, '192.0.2.70', 'ua')).user_id);
select is(app_private_cost, 11, 'C1: bcrypt_cost = 11 makes cost-11 hashes')
  from (select substring((tests.secrets_of(tests.id('c11'))).password_hash from '^\$2a\$(\d\d)')::int app_private_cost) x;
select app_hidden.login('u@example.com', 'the right passphrase', '192.0.2.70', 'ua');
select is(substring((tests.secrets_of(tests.id('u'))).password_hash from '^\$2a\$(\d\d)')::int, 11,
  'C1: raising bcrypt_cost upgrades a cost-10 hash on the next login');
select tests.set_auth_config('bcrypt_cost', '10');
select throws_ok($$ select tests.set_auth_config('bcrypt_cost', '9') $$, '23514', null, 'C1: bcrypt_cost below 10 is refused');

-- password_min_length: register and change_password follow it; it cannot go under 8.
select tests.set_auth_config('password_min_length', '12');
select throws_ok($$ select app_hidden.register('p11@example.com', 'elevenchars', null, '192.0.2.70', 'ua') $$, 'WEAKP', null,
  'password_min_length = 12 refuses 11 characters at registration');
select is((app_hidden.register('p12@example.com', 'twelve chars', null, '192.0.2.70', 'ua')).error, null, '...and accepts 12');
select set_config('role', 'none', true);
select tests.authenticate_as(tests.id('u'));
select throws_ok($$ select app_hidden.change_password('the right passphrase', 'elevenchars') $$, 'WEAKP', null,
  'password_min_length = 12 refuses 11 characters as a new password');
select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select tests.set_auth_config('password_min_length', '10');
select throws_ok($$ select tests.set_auth_config('password_min_length', '7') $$, '23514', null, 'password_min_length cannot go under 8');

-- account_max_failures (C6): three failures lock when it is 3.
select tests.set_auth_config('account_max_failures', '3');
select app_hidden.login('u@example.com', 'wrong ' || i, '192.0.2.71', 'ua') from generate_series(1, 3) i;
select is((app_hidden.login('u@example.com', 'the right passphrase', '192.0.2.71', 'ua')).error, 'RATEL',
  'C6: account_max_failures = 3 locks after three failures');
select tests.advance_auth_clock(interval '1 hour');
select app_hidden.login('u@example.com', 'the right passphrase', '192.0.2.71', 'ua');
select tests.set_auth_config('account_max_failures', '5');

-- account_lock_max (C7): bounds every lock, even the first.
select tests.set_auth_config('account_lock_max', '30 seconds');
select app_hidden.login('u@example.com', 'wrong ' || i, '192.0.2.72', 'ua') from generate_series(1, 5) i;
select is((tests.secrets_of(tests.id('u'))).locked_until, now() + interval '30 seconds', 'C7: account_lock_max = 30 s bounds the lock');
select tests.advance_auth_clock(interval '31 seconds');
select is((app_hidden.login('u@example.com', 'the right passphrase', '192.0.2.72', 'ua')).error, null, 'C7: ...and the owner is in after it');
select tests.set_auth_config('account_lock_max', '15 minutes');

-- failure_window (C6): failures further apart than the window do not add up, per account and per address.
select tests.set_auth_config('failure_window', '1 minute');
select app_hidden.login('u@example.com', 'wrong ' || i, '192.0.2.73', 'ua') from generate_series(1, 4) i;
select tests.advance_auth_clock(interval '2 minutes');
select app_hidden.login('u@example.com', 'wrong 5', '192.0.2.73', 'ua');
select is(((tests.secrets_of(tests.id('u'))).failed_attempts, (tests.secrets_of(tests.id('u'))).locked_until),
  (1, null::timestamptz), 'C6: failure_window = 1 minute: a failure two minutes later starts a new count (no lock)');
select is(tests.ip_failures('192.0.2.73'), 1, 'C6: ...and a new count for the address');
select tests.set_auth_config('failure_window', '15 minutes');
select app_hidden.login('u@example.com', 'the right passphrase', '192.0.2.73', 'ua');

-- ip_max_failures (C6).
select tests.set_auth_config('ip_max_failures', '2');
select app_hidden.login('nobody' || i || '@example.com', 'x', '192.0.2.74', 'ua') from generate_series(1, 2) i;
select is((app_hidden.login('u@example.com', 'the right passphrase', '192.0.2.74', 'ua')).error, 'RATEL', 'C6: ip_max_failures = 2 throttles after two');
select tests.set_auth_config('ip_max_failures', '50');

-- session_absolute and session_idle (D7).
select tests.set_auth_config('session_absolute', '2 hours');
select tests.set_auth_config('session_idle', '1 hour');
select set_config('tests.s', (app_hidden.login('u@example.com', 'the right passphrase', '192.0.2.75', 'ua')).session_id::text, true);
select is(tests.session_expiry(current_setting('tests.s')::uuid), now() + interval '2 hours', 'D7: session_absolute sets the session''s lifetime');
select is(tests.newest_token_expiry(current_setting('tests.s')::uuid), now() + interval '1 hour', 'D7: session_idle sets the refresh token''s');
select tests.set_auth_config('session_absolute', '30 days');
select tests.set_auth_config('session_idle', '7 days');

-- refresh_grace (F5): a retry one minute later still converges when the grace is 5 minutes.
select tests.set_auth_config('refresh_grace', '5 minutes');
select set_config('tests.g1', r.refresh_token, true), set_config('tests.gs', r.session_id::text, true)
  from app_hidden.login('u@example.com', 'the right passphrase', '192.0.2.75', 'ua') r;
select set_config('tests.g2', (app_hidden.refresh(current_setting('tests.g1'), '192.0.2.75', 'ua')).refresh_token, true);
select tests.rewind_tokens(current_setting('tests.gs')::uuid, interval '1 minute');
select is((app_hidden.refresh(current_setting('tests.g1'), '192.0.2.75', 'ua')).refresh_token, current_setting('tests.g2'),
  'F3/F5: refresh_grace = 5 minutes: a retry after one minute converges (30 s would be REUSE)');
select tests.set_auth_config('refresh_grace', '30 seconds');
select is((app_hidden.refresh(current_setting('tests.g1'), '192.0.2.75', 'ua')).error, 'REUSE', 'F5: ...and with 30 s it is reuse');

-- max_sessions_per_user.
select tests.set_auth_config('max_sessions_per_user', '2');
select app_hidden.login('u@example.com', 'the right passphrase', '192.0.2.76', 'ua') from generate_series(1, 3);
select is(tests.live_sessions(tests.id('u')), 2, 'max_sessions_per_user = 2 keeps two live sessions');
select tests.set_auth_config('max_sessions_per_user', '10');

-- refresh_secret (F3): successors are derived under the current secret.
select set_config('tests.k1', (app_hidden.login('u@example.com', 'the right passphrase', '192.0.2.77', 'ua')).refresh_token, true);
select set_config('tests.before', tests.successor_of(current_setting('tests.k1')), true);
select tests.set_auth_config('refresh_secret', '\x' || repeat('ab', 32));
select isnt(tests.successor_of(current_setting('tests.k1')), current_setting('tests.before'), 'F3: changing refresh_secret changes successors');
select is((app_hidden.refresh(current_setting('tests.k1'), '192.0.2.77', 'ua')).refresh_token, tests.successor_of(current_setting('tests.k1')),
  'F3: refresh derives the successor under the current refresh_secret');

-- register_window, register_max_per_ip, register_max_global (hardening item 8).
select tests.set_auth_config('register_max_per_ip', '1');
select app_hidden.register('r1@example.com', 'a good long password', null, '192.0.2.78', 'ua');
select is((app_hidden.register('r2@example.com', 'a good long password', null, '192.0.2.78', 'ua')).error, 'RATEL',
  'item 8: register_max_per_ip = 1 allows one account per address');
select tests.set_auth_config('register_window', '1 minute');
select tests.advance_auth_clock(interval '61 seconds');
select is((app_hidden.register('r2@example.com', 'a good long password', null, '192.0.2.78', 'ua')).error, null,
  'item 8: register_window = 1 minute: the address registers again after it');
select tests.set_auth_config('register_max_per_ip', '1000');
select tests.set_auth_config('register_max_global', '1');
select is((app_hidden.register('r3@example.com', 'a good long password', null, '192.0.2.79', 'ua')).error, 'RATEL',
  'item 8: register_max_global = 1 stops every address once one account was registered in the window');

select * from finish();
