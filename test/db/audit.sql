-- The audit log: written by triggers with the real actor, append-only for everyone (K1).
select plan(9);

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

select * from finish();
