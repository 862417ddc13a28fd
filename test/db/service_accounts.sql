-- Service accounts (issue #11 part 3): client secrets hashed, two live during rotation, the
-- token call edge-only, failures limited per client and per address (O6), and revocation or
-- disable ending a bot's session on the next statement (O2).
select plan(14);

create temp table sa as select * from tests.create_service_account('ci');
grant select on sa to public;
select matches((select client_id from sa), '^svc_[0-9a-f]{16}$', 'a client id is svc_<prefix>');
select matches((select client_secret from sa), '^svs_[0-9a-f]{64}$', 'O2: a client secret carries 256 random bits');
select is(tests.user_role((select user_id from sa)), 'bot', 'the account is a bot user');

select tests.clear_authentication();
select throws_ok($$ select * from app_hidden.client_credentials_token('x', 'y', '192.0.2.1', 300) $$, '42501', null,
  'O6: only the edge role issues client-credentials tokens');
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
create temp table t1 as select * from app_hidden.client_credentials_token((select client_id from sa), (select client_secret from sa), '192.0.2.1', 300);
select is((select user_id from t1), (select user_id from sa), 'a valid secret yields the bot');
select is((select error from app_hidden.client_credentials_token((select client_id from sa), 'svs_wrong', '192.0.2.1', 300)),
  'invalid_client', 'O6: a wrong secret is invalid_client');
select is((select error from app_hidden.client_credentials_token('svc_0000000000000000', (select client_secret from sa), '192.0.2.2', 300)),
  'invalid_client', 'O6: an unknown client answers the same');

-- The bot's session is live for current_user_id().
select tests.authenticate_as((select user_id from sa), (select session_id from t1));
select is(app_hidden.current_user_id(), (select user_id from sa), 'the bot''s token session passes liveness');
select is(current_user::text, 'bot', 'the bot runs as the bot role');

-- Rotation: two live secrets; a third revokes the oldest and its sessions.
select tests.clear_authentication();
create temp table s2 as select tests.add_service_secret((select client_id from sa)) as secret;
create temp table s3 as select tests.add_service_secret((select client_id from sa)) as secret;
grant select on s2, s3 to public;
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select is((select error from app_hidden.client_credentials_token((select client_id from sa), (select client_secret from sa), '192.0.2.3', 300)),
  'invalid_client', 'O2: past two live secrets the oldest is revoked');
select is((select count(*)::int from app_hidden.client_credentials_token((select client_id from sa), (select secret from s2), '192.0.2.3', 300) where error is null),
  1, 'O2: the previous secret still works during rotation');
select tests.authenticate_as((select user_id from sa), (select session_id from t1));
select is(app_hidden.current_user_id(), null, 'O2: a revoked secret''s session is nobody on the next statement');

-- Limits: 10 failures for a client in a window refuse even the right secret.
select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select count(*) from generate_series(1, 10) i, app_hidden.client_credentials_token((select client_id from sa), 'svs_bad', ('192.0.2.' || (10 + i))::inet, 300);
select is((select error from app_hidden.client_credentials_token((select client_id from sa), (select secret from s3), '192.0.2.99', 300)),
  'limited', 'O6: failures are limited per client');
select count(*) from generate_series(1, 10) i, app_hidden.client_credentials_token('svc_' || lpad(i::text, 16, '0'), 'svs_bad', '198.51.100.7', 300);
select is((select error from app_hidden.client_credentials_token('svc_1111111111111111', 'x', '198.51.100.7', 300)),
  'limited', 'O6: failures are limited per address');

select * from finish();
