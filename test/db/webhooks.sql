-- Auth-event webhooks (db/migrations/committed/000010-administration-and-webhooks.sql, O5): events written to the
-- outbox in the transaction of their cause, ids only; endpoints created only through the edge
-- by admins, secrets unreachable; the worker's attempt bookkeeping and backoff. Delivery,
-- signatures and the SSRF checks are in test/http/webhooks.test.ts.
select plan(80);

select tests.remember('root', tests.create_user('root@example.com', 'admin'));
select tests.remember('alice', tests.create_user('alice@example.com'));

-- Refused sides: only admins manage endpoints, only the edge creates them, secrets unreachable.
select throws_ok(
  format($f$do $d$ begin perform set_config('role', %L, true); perform %s; end $d$$f$, r.role, f.call),
  '42501', null, format('O5: %s cannot call %s', r.role, f.name))
from (values (1, 'anonymous'), (2, 'app_user'), (3, 'admin')) r(o, role)
cross join (values
  (1, 'create_webhook_endpoint (edge only)', $$app_hidden.create_webhook_endpoint('https://hooks.example/', '{}', null)$$),
  (2, 'add_webhook_endpoint (owner only)', $$app_private.add_webhook_endpoint('https://hooks.example/', '{}', null, null)$$)
) f(o, name, call)
order by r.o, f.o;
select tests.authenticate_as(tests.id('alice'));
select throws_ok($$ select * from app_public.admin_webhook_endpoints() $$, '42501', null, 'O5: a non-admin cannot list endpoints');
select throws_ok($$ select * from app_public.admin_webhook_deliveries() $$, '42501', null, 'O5: a non-admin cannot list deliveries');
select throws_ok($$ select app_public.admin_delete_webhook_endpoint(gen_random_uuid()) $$, '42501', null,
  'O5: a non-admin cannot delete an endpoint');
select throws_ok($$ select * from app_public.webhook_endpoints $$, '42501', null, 'O5: a non-admin cannot read the endpoints table');
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select throws_ok($$ select app_hidden.create_webhook_endpoint('https://hooks.example/', '{}', null) $$, 'DNIED', null,
  'O5: through the edge, a non-admin cannot create an endpoint');
select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select throws_ok($$ select app_hidden.create_webhook_endpoint('https://hooks.example/', '{}', null) $$, 'LOGIN', null,
  'O5: through the edge, anonymous cannot create an endpoint');

-- An admin, through the edge.
select tests.authenticate_as(tests.id('root'));
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select throws_ok($$ select app_hidden.create_webhook_endpoint('ftp://hooks.example/', '{}', null) $$, 'BADRQ', null,
  'O5: a URL that is not http(s) is refused');
select throws_ok($$ select app_hidden.create_webhook_endpoint('https://user:pw@hooks.example/', '{}', null) $$, 'BADRQ', null,
  'O5: a URL with credentials is refused');
select throws_ok($$ select app_hidden.create_webhook_endpoint('https://hooks.example/', array['user.created', 'user.hacked'], null) $$,
  'BADRQ', null, 'an unknown event type is refused');
create temp table e1 as select * from app_hidden.create_webhook_endpoint('https://hooks.example/all', '{}', 'everything');
create temp table e2 as select * from app_hidden.create_webhook_endpoint('https://hooks.example/sessions', array['session.revoked'], null);
grant select on e1, e2 to public;
select tests.remember('e1', (select id from e1));
select tests.remember('e2', (select id from e2));
select matches((select secret from e1), '^whsec_[A-Za-z0-9+/]{43}=$', 'O5: the secret is whsec_ + base64');
select is(length(decode(substr((select secret from e1), 7), 'base64')), 32, 'O5: the secret is 256 random bits');
select isnt((select secret from e1), (select secret from e2), 'each endpoint has its own secret');
select tests.authenticate_as(tests.id('root'));
select is((select count(*)::int from app_public.admin_webhook_endpoints()), 2, 'an admin lists the endpoints');
select is((select created_by from app_public.admin_webhook_endpoints() where id = tests.id('e1')), tests.id('root'),
  'the endpoint records the admin who created it');
select is((select event_types from app_public.admin_webhook_endpoints() where id = tests.id('e2')), array['session.revoked'],
  'the endpoint keeps its event filter');
select ok(not exists (select 1 from information_schema.columns
                      where table_schema = 'app_public' and column_name ~ 'secret' and table_name ~ '^webhook'),
  'O5: no public webhook table has a secret column');
select throws_ok($$ select * from app_private.webhook_endpoint_secrets $$, '42501', null, 'O5: an admin cannot read secrets');
select throws_ok($$ select * from app_private.webhook_events $$, '42501', null, 'an admin cannot read the outbox table directly');
-- O2/O5: an admin's API key acts only within its scope: without admin:webhooks it cannot add an
-- endpoint (and so receive every auth event), list, delete or retry, nor read the tables.
select tests.authenticate_as(tests.id('root'));
create temp table wk as select * from app_public.create_api_key('narrow', '{}', null);
grant select on wk to public;
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select tests.remember('wk_sid', (select session_id from app_hidden.verify_api_key((select key from wk))));
select tests.authenticate_as(tests.id('root'), tests.id('wk_sid'));
select throws_ok($$ select * from app_public.admin_webhook_endpoints() $$, 'DNIED', null,
  'O5: an admin key without admin:webhooks cannot list endpoints');
select throws_ok($$ select * from app_public.admin_webhook_deliveries() $$, 'DNIED', null,
  'O5: ...nor list deliveries');
select throws_ok($$ select app_public.admin_delete_webhook_endpoint(tests.id('e2')) $$, 'DNIED', null,
  'O5: ...nor delete an endpoint');
select throws_ok($$ select app_public.admin_retry_webhook_delivery(gen_random_uuid()) $$, 'DNIED', null,
  'O5: ...nor retry a delivery');
select is((select count(*)::int from app_public.webhook_endpoints), 0, 'O5: ...nor read the endpoints table');
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select throws_ok($$ select app_hidden.create_webhook_endpoint('https://hooks.example/key', '{}', null) $$, 'DNIED', null,
  'O5: ...nor create an endpoint through the edge');
select tests.clear_authentication();

-- Events, in the transaction of their cause, with ids only.
select tests.remember('bob', tests.create_user('bob@example.com'));
select is((select data from tests.webhook_events() where type = 'user.created'), jsonb_build_object('user_id', tests.id('bob')),
  'O5: user.created carries the user id only');
select throws_ok($$ select * from app_public.webhook_deliveries $$, '42501', null, 'O5: deliveries are unreadable to anonymous');
select tests.authenticate_as(tests.id('root'));
select is((select array_agg(endpoint_id) from app_public.admin_webhook_deliveries() where event_type = 'user.created'),
  array[tests.id('e1')], 'user.created goes to the all-events endpoint only (the other filters it out)');
select tests.remember('d_created', (select id from app_public.admin_webhook_deliveries() where event_type = 'user.created'));
select is((select status from app_public.admin_webhook_deliveries() where id = tests.id('d_created')), 'pending',
  'a new delivery is pending');
select tests.clear_authentication();
select is((select count(*)::int from tests.webhook_jobs() where delivery_id = tests.id('d_created')), 1,
  'O5: each delivery is a job queued in the same transaction');
select throws_ok($$ do $d$ begin perform tests.create_user('ghost@example.com'); raise exception 'undo' using errcode = 'P0001'; end $d$ $$,
  'P0001', null, 'a change that rolls back...');
select is((select count(*)::int from tests.webhook_events() where type = 'user.created'), 1, '...leaves no event behind');

select tests.verify_email(tests.id('bob'));
select is((select data from tests.webhook_events() where type = 'user.verified'), jsonb_build_object('user_id', tests.id('bob')),
  'O5: user.verified when the email is verified');
select tests.remember('bob_sid', tests.create_session(tests.id('bob')));
select is((select data from tests.webhook_events() where type = 'session.created' and data ->> 'session_id' = tests.id('bob_sid')::text),
  jsonb_build_object('session_id', tests.id('bob_sid'), 'user_id', tests.id('bob')), 'O5: session.created');
select tests.revoke_session(tests.id('bob_sid'));
select is((select data - 'reason' from tests.webhook_events() where type = 'session.revoked' and data ->> 'user_id' = tests.id('bob')::text),
  jsonb_build_object('session_id', tests.id('bob_sid'), 'user_id', tests.id('bob')), 'O5: session.revoked');
select tests.authenticate_as(tests.id('root'));
select is((select count(*)::int from app_public.admin_webhook_deliveries() where event_type = 'session.revoked'), 2,
  'session.revoked goes to both endpoints');
select is((select count(*)::int from app_public.admin_webhook_deliveries(tests.id('e2'))), 1,
  'the filtered endpoint got that event only');
select tests.clear_authentication();

select tests.remember('carol_identity', tests.create_identity(tests.id('bob'), 'github', 'gh-1'));
select is((select data from tests.webhook_events() where type = 'identity.linked'),
  jsonb_build_object('user_id', tests.id('bob'), 'identity_id', tests.id('carol_identity'), 'provider', 'github'),
  'O5: identity.linked');

select tests.webhook_cause(format($$insert into app_private.mfa_factors (user_id, kind, status) values (%L, 'totp', 'unverified')$$, tests.id('bob')));
select is((select count(*)::int from tests.webhook_events() where type = 'mfa.enrolled'), 0, 'an unverified factor is not an enrolment');
select tests.webhook_cause(format($$update app_private.mfa_factors set status = 'active' where user_id = %L$$, tests.id('bob')));
select is((select data ->> 'kind' from tests.webhook_events() where type = 'mfa.enrolled'), 'totp',
  'O5: mfa.enrolled when a factor becomes active');
select tests.webhook_cause(format($$delete from app_private.mfa_factors where user_id = %L$$, tests.id('bob')));
select is((select data ->> 'user_id' from tests.webhook_events() where type = 'mfa.removed'), tests.id('bob')::text,
  'mfa.removed when an active factor is deleted');

select tests.webhook_cause(format($$insert into app_private.user_bans (user_id, reason, banned_by) values (%L, 'spam', %L)$$,
  tests.id('bob'), tests.id('root')));
select is((select data - 'banned_until' from tests.webhook_events() where type = 'user.banned'),
  jsonb_build_object('user_id', tests.id('bob'), 'banned_by', tests.id('root')), 'O5: user.banned (without the reason text)');

-- Registration sets a password (not a change); a later change is password.changed.
select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select tests.remember('dave', (app_hidden.register('dave@example.com', 'a good long password', null, null, null)).user_id);
select tests.clear_authentication();
select is((select count(*)::int from tests.webhook_events() where type = 'password.changed'), 0,
  'the password chosen at registration is not a change');
select tests.age_user(tests.id('dave'), interval '1 day');
select tests.authenticate_as(tests.id('dave'));
select ok(app_hidden.change_password('a good long password', 'another quite long passphrase 7'), 'dave changes his password');
select tests.clear_authentication();
select is((select data from tests.webhook_events() where type = 'password.changed'), jsonb_build_object('user_id', tests.id('dave')),
  'O5: password.changed');

select tests.webhook_cause(format($$delete from app_public.users where id = %L$$, tests.id('alice')));
select is((select data from tests.webhook_events() where type = 'user.deleted'), jsonb_build_object('user_id', tests.id('alice')),
  'user.deleted');
select ok(not exists (select 1 from tests.webhook_events() e, jsonb_object_keys(e.data) k
                      where k not in ('user_id', 'session_id', 'reason', 'identity_id', 'provider', 'factor_id', 'kind',
                                      'banned_until', 'banned_by')),
  'O5: payloads carry ids (and a kind, provider or reason word) only, never emails or secrets');
select ok(not exists (select 1 from tests.webhook_events() e where e.data::text ~* 'example\.com|whsec_|\$2[aby]\$'),
  'O5: no email address, secret or hash in any payload');

-- The worker's side: what it sends, and each attempt recorded with backoff.
select is((select url from tests.webhook_target(tests.id('d_created'))), 'https://hooks.example/all', 'the target is the endpoint URL');
select is((select secret from tests.webhook_target(tests.id('d_created'))), (select secret from e1), 'signed with the endpoint''s secret');
select is((select message_id from tests.webhook_target(tests.id('d_created'))),
  (select id::text from tests.webhook_events() where type = 'user.created' and data ->> 'user_id' = tests.id('bob')::text),
  'O5: the webhook-id is the event id');
select is((select (body::jsonb) - 'timestamp' from tests.webhook_target(tests.id('d_created'))),
  jsonb_build_object('type', 'user.created', 'data', jsonb_build_object('user_id', tests.id('bob'))),
  'the body is {type, timestamp, data}');
select is(tests.record_webhook_attempt(tests.id('d_created'), 500, null, 3, interval '1 minute'), 'pending',
  'O5: a 500 leaves the delivery pending...');
select tests.authenticate_as(tests.id('root'));
select is((select array[attempts::text, last_response_status::text, last_error, (next_attempt_at - now())::text]
           from app_public.admin_webhook_deliveries() where id = tests.id('d_created')),
  array['1', '500', 'HTTP 500', '00:01:00'], 'O5: ...recorded, with the next attempt after the base delay');
select tests.clear_authentication();
select is((select run_at - now() from tests.webhook_jobs() where delivery_id = tests.id('d_created')), interval '1 minute',
  'O5: the retry is one job at the next attempt''s time');
select is(tests.record_webhook_attempt(tests.id('d_created'), null, 'timeout after 10000 ms', 3, interval '1 minute'), 'pending',
  'a timeout is a failure too');
select is((select run_at - now() from tests.webhook_jobs() where delivery_id = tests.id('d_created')), interval '2 minutes',
  'O5: backoff doubles');
select is(tests.record_webhook_attempt(tests.id('d_created'), 502, null, 3, interval '1 minute'), 'failed',
  'O5: after the last attempt the delivery has failed');
select tests.authenticate_as(tests.id('root'));
select is((select array_agg(coalesce(response_status::text, error) order by id) from app_public.webhook_attempts
           where delivery_id = tests.id('d_created')), array['500', 'timeout after 10000 ms', '502'],
  'O5: every attempt is visible to admins');
select is((select count(*)::int from app_public.admin_webhook_deliveries(failed_only => true) where id = tests.id('d_created')), 1,
  'failedOnly lists it');
select tests.clear_authentication();
select tests.authenticate_as(tests.id('dave'));
select throws_ok($$ select app_public.admin_retry_webhook_delivery(tests.id('d_created')) $$, '42501', null,
  'O5: a non-admin cannot retry a delivery');
select tests.authenticate_as(tests.id('root'));
select is((select status from app_public.admin_retry_webhook_delivery(tests.id('d_created'))), 'pending',
  'an admin retries a failed delivery (adminRetryWebhookDelivery)');
select tests.clear_authentication();
select tests.record_webhook_attempt(tests.id('d_created'), 500, null, 1, interval '1 minute');
select ok(tests.retry_webhook_delivery(tests.id('d_created')), 'a failed delivery can be retried (the CLI''s retry)');
select is((select run_at from tests.webhook_jobs() where delivery_id = tests.id('d_created')), now(), '...queued for now');
select is(tests.record_webhook_attempt(tests.id('d_created'), 204, null, 3, interval '1 minute'), 'delivered', 'a 2xx delivers it');
select is((select count(*)::int from tests.webhook_target(tests.id('d_created'))), 0, 'a delivered delivery is not sent again');
select ok(not tests.retry_webhook_delivery(tests.id('d_created')), 'a delivered delivery is not retried');
select tests.authenticate_as(tests.id('root'));
select throws_ok($$ select app_public.admin_retry_webhook_delivery(tests.id('d_created')) $$, 'NTFND', null,
  'retrying a delivered delivery is NTFND');
select tests.clear_authentication();

-- Retention: a delivered delivery goes after a week, then its event.
select tests.webhook_cause(format($$update app_public.webhook_deliveries set delivered_at = now() - interval '8 days' where id = %L$$, tests.id('d_created')));
select tests.webhook_cause(format($$update app_private.webhook_events set created_at = now() - interval '8 days'
  where id = (select event_id from app_public.webhook_deliveries where id = %L)$$, tests.id('d_created')));
select tests.webhook_cause('select app_private.purge_webhook_state()');
select is((select count(*)::int from tests.webhook_events() where type = 'user.created' and data ->> 'user_id' = tests.id('bob')::text), 0,
  'the hourly purge removes a delivery a week after success, then its event');
select isnt((select count(*)::int from tests.webhook_events()), 0, '...and keeps recent events');

-- Deleting an endpoint: admins only, secrets and deliveries go with it, nothing more is queued.
select tests.authenticate_as(tests.id('root'));
select is((select id from app_public.admin_delete_webhook_endpoint(tests.id('e2'))), tests.id('e2'), 'an admin deletes an endpoint');
select throws_ok($$ select app_public.admin_delete_webhook_endpoint(tests.id('e2')) $$, 'NTFND', null, 'a second delete is NTFND');
select is((select count(*)::int from app_public.admin_webhook_deliveries(tests.id('e2'))), 0, 'its deliveries are gone');
select is((select count(*)::int from app_public.admin_delete_webhook_endpoint(tests.id('e1'))), 1, 'the other one too');
select tests.clear_authentication();
select tests.remember('erin', tests.create_user('erin@example.com'));
select is((select count(*)::int from tests.webhook_events() where data ->> 'user_id' = tests.id('erin')::text), 0,
  'with no endpoint, an event stores nothing');

select * from finish();
