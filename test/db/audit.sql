-- The audit log: written by triggers with the real actor, append-only for everyone (K1).
select plan(26);

select tests.remember('alice', tests.create_user('alice@example.com'));
select tests.remember('root', tests.create_user('root@example.com', 'admin'));

select tests.remember('alice_sid', tests.authenticate_as(tests.id('alice')));
select tests.remember('doc', tests.returning_id($$ insert into app_public.documents (full_url) values ('https://a/') returning id $$));
select tests.affected($$ update app_public.documents set comment = 'changed' where id = tests.id('doc') $$);

select tests.authenticate_as(tests.id('root'));
select results_eq(
  $$ select event, actor_user_id, actor_session_id, actor_role from app_public.audit_log
     where table_name = 'app_public.documents' and target_id = tests.id('doc')::text order by id $$,
  $$ values ('insert', tests.id('alice'), tests.id('alice_sid'), 'app_user'), ('update', tests.id('alice'), tests.id('alice_sid'), 'app_user') $$,
  'document changes are recorded with the acting user, session and role');
select is((select new_row ->> 'comment' from app_public.audit_log where event = 'update' and target_id = tests.id('doc')::text), 'changed',
  'the new row image is kept');
select is((select count(*)::int from app_public.audit_log where table_name = 'app_public.document_acl'
           and target_id = tests.id('doc') || '/' || tests.id('alice')), 1, 'the creator''s owner ACL row is recorded');
select throws_ok($$ insert into app_public.audit_log (event) values ('forged') $$, '42501', null, 'K1: an admin cannot forge audit rows');
select throws_ok($$ update app_public.audit_log set event = 'x' $$, '42501', null, 'K1: an admin cannot alter audit rows');
select throws_ok($$ delete from app_public.audit_log $$, '42501', null, 'K1: an admin cannot delete audit rows');
select throws_ok($$ truncate app_public.audit_log $$, '42501', null, 'K1: an admin cannot truncate the audit log');
select lives_ok($$ insert into app_public.role_grants (user_id, role) values (tests.id('alice'), 'manager') $$, 'an admin promotes alice');

select tests.authenticate_as(tests.id('alice'));
select set_eq($$ select role from app_public.role_grants $$, $$ values ('manager') $$, 'select_own: alice sees her own role grants');

-- D6/E3/A8 (hardening 2): reading the log needs a live admin session and the admin role in
-- the tables, not just the admin database role of an unexpired token.
select tests.remember('root_sid', tests.authenticate_as(tests.id('root')));
select ok((select count(*) from app_public.audit_log) > 0, 'select_admin: a live admin reads the audit log');
select set_config('jwt.claims.user_id', '', true);
select set_config('jwt.claims.session_id', '', true);
select is(current_user::text, 'admin', '(set role admin with empty claims)');
select is((select count(*)::int from app_public.audit_log), 0, 'A8: the admin role with empty claims reads no audit rows');
select tests.authenticate_as(tests.id('root'), tests.id('root_sid'));
select set_config('role', 'auth_edge', true);
select app_hidden.logout(null);
select set_config('role', 'admin', true);
select is((select count(*)::int from app_public.audit_log), 0, 'D6: after logout the admin''s access token reads no audit rows');
select tests.remember('root_sid2', tests.authenticate_as(tests.id('root')));
select tests.revoke_session(tests.id('root_sid2'));
select is((select count(*)::int from app_public.audit_log), 0, 'D6: after session revocation it reads no audit rows');
select tests.authenticate_as(tests.id('root'));
select tests.revoke_role(tests.id('root'), 'admin');
select is(current_user::text, 'admin', '(the demoted admin still holds the admin database role)');
select is((select count(*)::int from app_public.audit_log), 0, 'E3: after demotion it reads no audit rows on the next statement');
select tests.remember('root2', tests.create_user('root2@example.com', 'admin'));
select tests.authenticate_as(tests.id('root2'));
select ok((select count(*) from app_public.audit_log) > 0, '(a second admin reads the log)');
select tests.disable_user(tests.id('root2'));
select is((select count(*)::int from app_public.audit_log), 0, 'D6: after disable it reads no audit rows');

-- K2 (hardening 5): record_denied stores a GraphQL field name and a registered denial code,
-- never caller-chosen text (an alias, a path, free text). The edge calls it as auth_edge
-- with the request's claims.
select tests.remember('alice_sid2', tests.authenticate_as(tests.id('alice')));
select lives_ok($$ select tests.as_edge('select app_hidden.record_denied(''shareDocument'', ''DNIED'')') $$,
  'K2: a field name and a registered code are recorded');
select lives_ok($$ select tests.as_edge('select app_hidden.record_denied(''_unlinkProvider2'', ''LASTM'')') $$,
  'K2: any identifier-shaped field name is accepted');
select throws_ok($$ select tests.as_edge('select app_hidden.record_denied(''shareDocument.0.role'', ''DNIED'')') $$,
  'BADRQ', null, 'K2: a response path is refused (BADRQ)');
select throws_ok($$ select tests.as_edge('select app_hidden.record_denied(''all admins approved this'', ''DNIED'')') $$,
  'BADRQ', null, 'K2: free text is refused (BADRQ)');
select throws_ok($$ select tests.as_edge('select app_hidden.record_denied(''' || repeat('a', 64) || ''', ''DNIED'')') $$,
  'BADRQ', null, 'K2: a name longer than 63 characters is refused');
select throws_ok($$ select tests.as_edge('select app_hidden.record_denied(''shareDocument'', ''OOPS'')') $$,
  'BADRQ', null, 'K2: an unregistered denial code is refused');
select throws_ok($$ select tests.as_edge('select app_hidden.record_denied(null, ''DNIED'')') $$,
  'BADRQ', null, 'K2: a missing operation is refused');
select tests.remember('auditor', tests.create_user('auditor@example.com', 'admin'));
select tests.authenticate_as(tests.id('auditor'));
select results_eq(
  $$ select detail, actor_user_id, actor_session_id from app_public.audit_log where event = 'access_denied' order by id $$,
  $$ values ('{"operation": "shareDocument", "code": "DNIED"}'::jsonb, tests.id('alice'), tests.id('alice_sid2')),
            ('{"operation": "_unlinkProvider2", "code": "LASTM"}'::jsonb, tests.id('alice'), tests.id('alice_sid2')) $$,
  'K2: exactly the accepted denials are in the log, attributed to the claims');

select * from finish();
