-- Claims and liveness: fail closed on missing/empty claims (A8, B4), and a revoked,
-- expired or disabled session loses access at once even with a valid token (D6).
select plan(12);

select tests.remember('alice', tests.create_user('alice@example.com'));
select tests.remember('bob', tests.create_user('bob@example.com'));
select tests.remember('doc', tests.create_document(tests.id('alice')));

select tests.clear_authentication();
select is(current_user::text, 'anonymous', 'B4: no token means the anonymous role');
select is(app_hidden.current_user_id(), null, 'B4: anonymous has no user id');
select is(app_hidden.current_principals(), '{}'::uuid[], 'A8: anonymous acts as no principal');
select throws_ok($$ select * from app_public.documents $$, '42501', null, 'anonymous cannot read documents at all');

select tests.authenticate_as(tests.id('alice'));
select is(app_hidden.current_user_id(), tests.id('alice'), 'a live session yields its user');
select is((select count(*)::int from app_public.documents), 1, 'alice sees her document');

select set_config('jwt.claims.user_id', '', true);
select is(app_hidden.current_user_id(), null, 'A8: an empty user claim is no user, not a match for anything');
select is((select count(*)::int from app_public.documents), 0, 'A8: empty claims see nothing');

select tests.remember('sid', tests.authenticate_as(tests.id('alice')));
select set_config('jwt.claims.session_id', '', true);
select is(app_hidden.current_user_id(), null, 'A8: a user claim without a session id is no user');

-- Alice's token with Bob's session (or the reverse) is not a user either.
select tests.authenticate_as(tests.id('alice'), tests.create_session(tests.id('bob')));
select is(app_hidden.current_user_id(), null, 'a session belonging to someone else does not authenticate');

select tests.remember('sid2', tests.authenticate_as(tests.id('alice')));
select tests.revoke_session(tests.id('sid2'));
select is((select count(*)::int from app_public.documents), 0, 'D6: a revoked session loses access on its next statement');

select tests.authenticate_as(tests.id('alice'));
select tests.disable_user(tests.id('alice'));
select is((select count(*)::int from app_public.documents), 0, 'D6: a disabled user loses access on the next statement');

select * from finish();
