-- Password login and the refresh-token ledger, called as the edge calls them: as auth_edge,
-- with the request's (here: anonymous) claims.
select plan(34);

select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select tests.remember('zed', (app_hidden.register('zed@example.com', 'correct horse battery', 'Zed', '192.0.2.1', 'ua')).user_id);
select is(app_private_cost, (tests.auth_config()).bcrypt_cost, 'C1: new hashes use the configured bcrypt cost')
  from (select substring((tests.secrets_of(tests.id('zed'))).password_hash from '^\$2a\$(\d\d)')::int as app_private_cost) x;
select lives_ok($$ select app_hidden.register('zed@example.com', 'another good password', null, '192.0.2.1', 'ua') $$,
  'M2: registering a taken email raises nothing: it is answered like a free one (test/db/email.sql)');
select throws_ok($$ select app_hidden.register('new@example.com', 'short', null, '192.0.2.1', 'ua') $$, 'WEAKP', null, 'a short password fails with WEAKP');
select throws_ok($$ select app_hidden.register('not-an-email', 'a good long password', null, '192.0.2.1', 'ua') $$, 'EMAIL', null, 'a bad email fails with EMAIL');

select is((app_hidden.login('zed@example.com', 'correct horse battery', '192.0.2.1', 'ua')).error, null, 'the right password logs in');
select is((app_hidden.login('ZED@example.com', 'correct horse battery', '192.0.2.1', 'ua')).error, null, 'email matching is case-insensitive');
select is((app_hidden.login('zed@example.com', 'wrong horse battery', '192.0.2.1', 'ua')).error, 'CREDS', 'C4: a wrong password is CREDS');
select is((app_hidden.login('nobody@example.com', 'wrong horse battery', '192.0.2.1', 'ua')).error, 'CREDS', 'C4: an unknown email is the same CREDS');
select is((tests.secrets_of(tests.id('zed'))).failed_attempts, 1, 'C5: the failure is counted without raising');

-- C2: an 80-byte password is pre-hashed, so its 72-byte prefix does not match.
select tests.remember('long', (app_hidden.register('long@example.com', repeat('a', 72) || 'bcdefghi', null, '192.0.2.1', 'ua')).user_id);
select is((app_hidden.login('long@example.com', repeat('a', 72), '192.0.2.1', 'ua')).error, 'CREDS', 'C2: a 72-byte prefix of a long password does not log in');
select is((app_hidden.login('long@example.com', repeat('a', 72) || 'bcdefghi', '192.0.2.1', 'ua')).error, null, 'C2: the full long password does');

-- C3: an account without a password (OAuth-only) never passes.
select tests.clear_password(tests.id('long'));
select is((app_hidden.login('long@example.com', '', '192.0.2.1', 'ua')).error, 'CREDS', 'C3: an empty password does not open a password-less account');
select is((app_hidden.login('long@example.com', repeat('a', 72) || 'bcdefghi', '192.0.2.1', 'ua')).error, 'CREDS', 'C3: nor does the old one');

-- C1: a weaker hash is upgraded on the next successful login.
select tests.remember('old', (app_hidden.register('old@example.com', 'an old good password', null, '192.0.2.1', 'ua')).user_id);
select tests.set_password_hash(tests.id('old'), 'an old good password', 6);
select is((app_hidden.login('old@example.com', 'an old good password', '192.0.2.1', 'ua')).error, null, 'a cost-6 hash still verifies');
select is(substring((tests.secrets_of(tests.id('old'))).password_hash from '^\$2a\$(\d\d)')::int, (tests.auth_config()).bcrypt_cost,
  'C1: ...and is upgraded to the configured cost');
select ok((tests.auth_config()).bcrypt_cost >= 10, 'C1: the configured cost is at least 10');

-- C7: five failures lock the account for a bounded time; even the right password is refused meanwhile
-- (test/db/login.sql has the rest of the lock's rules).
select app_hidden.login('old@example.com', 'wrong password ' || i, '192.0.2.2', 'ua') from generate_series(1, 5) i;
select is((app_hidden.login('old@example.com', 'an old good password', '192.0.2.2', 'ua')).error, 'RATEL', 'C7: a locked account refuses even the right password, with RATEL');
select ok((tests.secrets_of(tests.id('old'))).locked_until <= now() + interval '15 minutes', 'C7: the lock is bounded by account_lock_max');
select is((tests.secrets_of(tests.id('old'))).failed_attempts, 0, 'C7: the right password during the lock is not counted');

-- C6: the per-address limit applies across accounts.
select tests.set_ip_limit(5);
select app_hidden.login('nobody' || i || '@example.com', 'x', '198.51.100.7', 'ua') from generate_series(1, 5) i;
select is((app_hidden.login('zed@example.com', 'correct horse battery', '198.51.100.7', 'ua')).error, 'RATEL', 'C6: an address over its limit is throttled');
select is((app_hidden.login('zed@example.com', 'correct horse battery', '198.51.100.8', 'ua')).error, null, 'another address is not');
select tests.set_ip_limit(50);

-- Refresh ledger
select tests.remember('s1', (app_hidden.login('zed@example.com', 'correct horse battery', '192.0.2.1', 'ua')).session_id);
select set_config('tests.t1', (select refresh_token from app_hidden.login('zed@example.com', 'correct horse battery', '192.0.2.1', 'ua')), true);
select tests.remember('s2', (app_hidden.refresh(current_setting('tests.t1'), '192.0.2.1', 'ua')).session_id);
select set_config('tests.t2', (app_hidden.refresh(current_setting('tests.t1'), '192.0.2.1', 'ua')).refresh_token, true);
select isnt(current_setting('tests.t2'), current_setting('tests.t1'), 'F1: refresh rotates the token');
select is((select bool_and(token_hash_len = 32) from tests.token_rows(tests.id('s2'))), true, 'F1: only 32-byte hashes are stored');
select is((app_hidden.refresh(current_setting('tests.t1'), '192.0.2.1', 'ua')).refresh_token, current_setting('tests.t2'),
  'F3: a concurrent refresh with the same token converges on the same successor');
select set_config('tests.t3', (app_hidden.refresh(current_setting('tests.t2'), '192.0.2.1', 'ua')).refresh_token, true);
select is((app_hidden.refresh(current_setting('tests.t1'), '192.0.2.1', 'ua')).error, 'REUSE',
  'F5: a token two generations old is reuse, even inside the grace window');
select is(tests.session_revoked(tests.id('s2')), 'refresh_token_reuse', 'F2: reuse revokes the whole family');
select is((app_hidden.refresh(current_setting('tests.t3'), '192.0.2.1', 'ua')).error, 'TOKEN', 'F2/F4: the newest token of a revoked family is dead too');

select set_config('tests.u1', (select refresh_token from app_hidden.login('zed@example.com', 'correct horse battery', '192.0.2.1', 'ua')), true);
select tests.remember('s3', (app_hidden.refresh(current_setting('tests.u1'), '192.0.2.1', 'ua')).session_id);
select tests.rewind_tokens(tests.id('s3'), interval '1 minute');
select is((app_hidden.refresh(current_setting('tests.u1'), '192.0.2.1', 'ua')).error, 'REUSE', 'F5: the grace window is short');

select set_config('tests.v1', (select refresh_token from app_hidden.login('zed@example.com', 'correct horse battery', '192.0.2.1', 'ua')), true);
select tests.remember('s4', (app_hidden.refresh(current_setting('tests.v1'), '192.0.2.1', 'ua')).session_id);
select tests.rewind_tokens(tests.id('s4'), interval '8 days');
select is((app_hidden.refresh((app_hidden.refresh(current_setting('tests.v1'), '192.0.2.1', 'ua')).refresh_token, '192.0.2.1', 'ua')).error, 'TOKEN',
  'D7: an idle token past session_idle is refused');
select set_config('tests.w1', (select refresh_token from app_hidden.login('zed@example.com', 'correct horse battery', '192.0.2.1', 'ua')), true);
select tests.remember('s5', (app_hidden.refresh(current_setting('tests.w1'), '192.0.2.1', 'ua')).session_id);
select tests.expire_session(tests.id('s5'));
select is((app_hidden.refresh((app_hidden.refresh(current_setting('tests.w1'), '192.0.2.1', 'ua')).refresh_token, '192.0.2.1', 'ua')).error, 'TOKEN',
  'D7: the absolute lifetime holds even under continuous refresh');
select is((app_hidden.refresh('not a token', '192.0.2.1', 'ua')).error, 'TOKEN', 'a malformed token is TOKEN');

-- Logout and session management
select set_config('tests.x1', (select refresh_token from app_hidden.login('zed@example.com', 'correct horse battery', '192.0.2.1', 'ua')), true);
select is(app_hidden.logout(current_setting('tests.x1')), true, 'logout by refresh token');
select is((app_hidden.refresh(current_setting('tests.x1'), '192.0.2.1', 'ua')).error, 'TOKEN', 'D6: a logged-out refresh token is dead');
select ok(tests.live_sessions(tests.id('zed')) <= 10, 'the oldest sessions are evicted beyond max_sessions_per_user');

select * from finish();
