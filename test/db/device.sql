-- The device authorization grant in SQL (committed/000012, RFC 8628, Q3): codes stored
-- hashed, user codes from an unambiguous alphabet, the poll interval enforced (slow_down),
-- expiry, guessing limited, approval only by a signed-in person, tokens delivered once.
-- Called as the edge calls: as auth_edge with the request's claims. Time moves by rewriting
-- the stored timestamps (tests.advance_device_clock), never by waiting.
select plan(47);

-- Edge only (A6).
select throws_ok(
  format($f$do $d$ begin perform set_config('role', %L, true); perform %s; end $d$$f$, r.role, f.call),
  '42501', null, format('A6: %s cannot call %s (edge only)', r.role, f.name))
from (values (1, 'anonymous'), (2, 'app_user')) r(o, role)
cross join (values
  (1, 'device_authorize', $$app_hidden.device_authorize('cli', 'CLI', null, null)$$),
  (2, 'device_token', $$app_hidden.device_token('x', 'cli', null, null)$$),
  (3, 'approve_device', $$app_hidden.approve_device('BCDF-GHJK', true, null)$$),
  (4, 'device_lookup', $$app_hidden.device_lookup('BCDF-GHJK', null)$$)
) f(o, name, call)
order by r.o, f.o;
select throws_ok($$ select * from app_private.device_codes $$, '42501', null, 'Q3: device codes are unreachable to request roles');

select tests.remember('ann', tests.create_user('ann@example.com'));
select tests.remember('bob', tests.create_user('bob@example.com'));

-- The device asks.
select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
create temp table dev as select * from app_hidden.device_authorize('cli', 'Example CLI', 'profile', '192.0.2.90');
grant select on dev to public;
select matches((select o_device_code from dev), '^[A-Za-z0-9_-]{43}$', 'Q3: the device code carries 256 random bits');
select matches((select o_user_code from dev), '^[BCDFGHJKLMNPQRSTVWXZ]{8}$', 'Q3: the user code is 8 letters of the unambiguous alphabet');
select is((select o_expires_in from dev), 600, 'codes expire after device_code_ttl (10 minutes)');
select is((select o_interval from dev), 5, 'the poll interval is 5 s');
select set_config('tests.device', (select o_device_code from dev), true);
select set_config('tests.user_code', (select o_user_code from dev), true);
select set_config('tests.user_code_shown', substr(current_setting('tests.user_code'), 1, 4) || '-' || substr(current_setting('tests.user_code'), 5), true);
select set_config('role', 'anonymous', true);
select is((select count(*)::int from tests.device_codes() d
           where d.device_code_hash = tests.sha256(current_setting('tests.device'))
             and d.user_code_hash = tests.sha256(current_setting('tests.user_code'))), 1,
  'Q3: both codes are stored only as SHA-256 hashes');
select set_config('role', 'auth_edge', true);

-- Polling: pending, then too fast.
select is((app_hidden.device_token(current_setting('tests.device'), 'cli', '192.0.2.90', 'cli/1')).error, 'authorization_pending',
  'a first poll: authorization_pending');
select is((app_hidden.device_token(current_setting('tests.device'), 'cli', '192.0.2.90', 'cli/1')).error, 'slow_down',
  'Q3: polling sooner than the interval: slow_down');
select set_config('role', 'anonymous', true);
select is((select poll_interval from tests.device_codes() d where d.device_code_hash = tests.sha256(current_setting('tests.device'))), 10,
  'Q3: ...and the interval grows by 5 s (RFC 8628 3.5)');
select tests.advance_device_clock('6 seconds');
select set_config('role', 'auth_edge', true);
select is((app_hidden.device_token(current_setting('tests.device'), 'cli', '192.0.2.90', 'cli/1')).error, 'slow_down',
  'Q3: 6 s later is still too fast for the grown interval');
select set_config('role', 'anonymous', true);
select tests.advance_device_clock('15 seconds');
select set_config('role', 'auth_edge', true);
select is((app_hidden.device_token(current_setting('tests.device'), 'cli', '192.0.2.90', 'cli/1')).error, 'authorization_pending',
  'waiting the interval: pending again');
select is((app_hidden.device_token(current_setting('tests.device'), 'other', '192.0.2.90', 'cli/1')).error, 'invalid_grant',
  'another client''s device code: invalid_grant');
select is((app_hidden.device_token('not-a-code', 'cli', '192.0.2.90', 'cli/1')).error, 'invalid_grant', 'an unknown device code: invalid_grant');

-- Approval needs a signed-in person.
select is((app_hidden.approve_device(current_setting('tests.user_code_shown'), true, '192.0.2.91')).error, 'LOGIN',
  'Q3: approval without a session: LOGIN');

select tests.remember('ann_sid', tests.authenticate_as(tests.id('ann')));
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select is((app_hidden.device_lookup(lower(current_setting('tests.user_code')), '192.0.2.91')).client_name, 'Example CLI',
  'the page shows the client''s name (codes are read case-insensitively, separator optional)');
select is((app_hidden.device_lookup(current_setting('tests.user_code_shown'), '192.0.2.91')).user_code, current_setting('tests.user_code_shown'),
  '...and the code as XXXX-XXXX');

-- Guessing: wrong codes counted per user; beyond the limit even the right code is refused.
select is((app_hidden.approve_device('BBBB-BBBB', true, '192.0.2.91')).error, 'DVCOD', 'Q3: a wrong user code: DVCOD')
  from generate_series(1, 5);
select is((app_hidden.approve_device(current_setting('tests.user_code_shown'), true, '192.0.2.91')).error, 'RATEL',
  'Q3: after 5 wrong codes the user is limited: even the right code is refused');
select is((app_hidden.device_lookup(current_setting('tests.user_code_shown'), '192.0.2.91')).error, 'RATEL',
  'Q3: ...lookups too');
select set_config('role', 'anonymous', true);
select tests.advance_device_clock('16 minutes');
select set_config('role', 'auth_edge', true);
select is((app_hidden.device_token(current_setting('tests.device'), 'cli', '192.0.2.90', 'cli/1')).error, 'expired_token',
  'Q3: an expired device code: expired_token');

-- A fresh authorization: approved once, delivered once.
select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
create temp table dev2 as select * from app_hidden.device_authorize('cli', 'Example CLI', null, '192.0.2.90');
grant select on dev2 to public;
select tests.remember('bob_sid', tests.authenticate_as(tests.id('bob')));
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select is((app_hidden.approve_device((select o_user_code from dev2), true, '192.0.2.92')).approved, true, 'bob approves');
select is((app_hidden.approve_device((select o_user_code from dev2), true, '192.0.2.92')).error, 'DVCOD',
  'a decided code cannot be decided again');
select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
create temp table got as select * from app_hidden.device_token((select o_device_code from dev2), 'cli', '192.0.2.90', 'cli/1');
grant select on got to public;
select is((select user_id from got), tests.id('bob'), 'the device receives a session of the approving user');
select isnt((select refresh_token from got), null, '...with its refresh token');
select is(app_hidden.session_claims((select session_id from got)) -> 'is_anonymous', 'false'::jsonb,
  '...a normal session the edge signs tokens for');
select set_config('role', 'anonymous', true);
select tests.advance_device_clock('1 minute');
select set_config('role', 'auth_edge', true);
select is((app_hidden.device_token((select o_device_code from dev2), 'cli', '192.0.2.90', 'cli/1')).error, 'invalid_grant',
  'Q3: tokens are delivered once: a second poll gets invalid_grant');
select is((app_hidden.device_token((select o_device_code from dev2), 'cli', '192.0.2.90', 'cli/1')).refresh_token, null,
  'Q3: ...and no token');

-- A service account cannot approve (it would mint a user session).
select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
create temp table dev4 as select * from app_hidden.device_authorize('cli', 'Example CLI', null, '192.0.2.90');
grant select on dev4 to public;
select tests.authenticate_as(tests.create_user('robot@example.com', 'bot'));
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select is((app_hidden.approve_device((select o_user_code from dev4), true, '192.0.2.93')).error, 'DNIED',
  'Q3: a service account cannot approve a device');

-- Denied.
select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
create temp table dev3 as select * from app_hidden.device_authorize('cli', 'Example CLI', null, '192.0.2.90');
grant select on dev3 to public;
select tests.authenticate_as(tests.id('bob'), tests.id('bob_sid'));
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select is((app_hidden.approve_device((select o_user_code from dev3), false, '192.0.2.92')).approved, false, 'bob denies');
select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select is((app_hidden.device_token((select o_device_code from dev3), 'cli', '192.0.2.90', 'cli/1')).error, 'access_denied',
  'a denied authorization: access_denied');
select set_config('role', 'anonymous', true);
select is(tests.audit_events('device_denied') >= 1, true, 'K2: the decision is audited');

-- Starting authorizations is limited per address.
select tests.set_auth_config('device_authorize_max_per_ip', '2');
select set_config('role', 'auth_edge', true);
select is((select count(*)::int from app_hidden.device_authorize('cli', 'Example CLI', null, '192.0.2.95')), 1, 'a first authorization from an address');
select is((select count(*)::int from app_hidden.device_authorize('cli', 'Example CLI', null, '192.0.2.95')), 1, 'a second');
select is((select count(*)::int from app_hidden.device_authorize('cli', 'Example CLI', null, '192.0.2.95')), 0,
  'Q3: beyond device_authorize_max_per_ip an address starts no more authorizations');
select is((select count(*)::int from app_hidden.device_authorize('cli', 'Example CLI', null, '192.0.2.96')), 1, '...another address does');

select * from finish();
