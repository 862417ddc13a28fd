-- Housekeeping of the session ledger (committed/000008): client-credentials
-- sessions go an hour after expiry, ended sessions 30 days after they ended, and nothing live
-- or backing an API key is touched.
select plan(8);

select tests.remember('alice', tests.create_user('alice@example.com'));
select tests.remember('live', tests.create_session(tests.id('alice')));
select tests.remember('recent', tests.create_session(tests.id('alice')));
select tests.revoke_session(tests.id('recent'));
select tests.remember('old_revoked', tests.create_session(tests.id('alice')));
select tests.revoke_session(tests.id('old_revoked'));
select tests.age_session(tests.id('old_revoked'), interval '31 days');
select tests.remember('old_expired', tests.create_session(tests.id('alice'), interval '1 day'));
select tests.age_session(tests.id('old_expired'), interval '32 days');

-- A client-credentials session, expired two hours ago.
create temp table sa as select * from tests.create_service_account('ci');
grant select on sa to public;
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
create temp table cc as
  select * from app_hidden.client_credentials_token((select client_id from sa), (select client_secret from sa), '192.0.2.1', 300);
grant select on cc to public;
select tests.clear_authentication();
select tests.age_session((select session_id from cc), interval '2 hours');

-- An API key whose session was revoked long ago stays with its key.
select tests.authenticate_as(tests.id('alice'), tests.id('live'));
create temp table k as select * from app_public.create_api_key('old key', '{}', null);
grant select on k to public;
select app_public.revoke_api_key((select api_key_id from k));
select tests.clear_authentication();
select tests.remember('key_session', (select session_id from tests.api_key_session((select api_key_id from k))));
select tests.age_session(tests.id('key_session'), interval '40 days');

select is(tests.purge_sessions(), 3, 'the purge deletes the two old ended sessions and the expired service session');
select ok(tests.session_exists(tests.id('live')), 'a live session stays');
select ok(tests.session_exists(tests.id('recent')), 'a session revoked recently stays (30 days)');
select ok(not tests.session_exists(tests.id('old_revoked')), 'a session revoked 31 days ago is gone');
select ok(not tests.session_exists(tests.id('old_expired')), 'a session expired 31 days ago is gone');
select ok(not tests.session_exists((select session_id from cc)), 'a client-credentials session is gone an hour after expiry');
select ok(tests.session_exists(tests.id('key_session')), 'a session backing an API key stays with its key');
select is(tests.purge_sessions(), 0, 'a second purge finds nothing');

select * from finish();
