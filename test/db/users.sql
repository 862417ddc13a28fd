-- Users, roles and identities: self, managed users, admins; no field escalation (A4);
-- secrets unreachable (H4); role changes effective on the next statement (E3).
select plan(30);

select tests.remember('alice', tests.create_user('alice@example.com'));
select tests.remember('bob', tests.create_user('bob@example.com'));
select tests.remember('lead', tests.create_user('lead@example.com'));
select tests.remember('root', tests.create_user('root@example.com', 'admin'));
select tests.remember('robot', tests.create_user('robot@example.com', 'bot'));
select tests.grant_user_acl(tests.id('bob'), tests.id('lead'), 'viewer');
select tests.create_identity(tests.id('alice'), 'google', 'alice-sub');
select tests.create_identity(tests.id('bob'), 'google', 'bob-sub');

select tests.authenticate_as(tests.id('alice'));
select set_eq($$ select id from app_public.users $$, $$ select tests.id('alice') $$, 'select_self: a user sees only herself');
select is((select id from app_public."current_user"()), tests.id('alice'), 'current_user() is the caller');
select is(tests.affected($$ update app_public.users set display_name = 'Alice' where id = tests.id('alice') $$), 1,
  'update_self: a user renames herself');
select is(tests.affected($$ update app_public.users set display_name = 'x' where id = tests.id('bob') $$), 0,
  'a user cannot rename someone else');
select throws_ok($$ update app_public.users set email = 'root@example.com' where id = tests.id('alice') $$, '42501', null,
  'A4: email cannot be changed directly');
select throws_ok($$ update app_public.users set is_bot = true where id = tests.id('alice') $$, '42501', null,
  'A4: is_bot cannot be changed');
select throws_ok($$ update app_public.users set disabled_at = null where id = tests.id('alice') $$, '42501', null,
  'A4: a user cannot touch disabled_at');
select throws_ok($$ insert into app_public.role_grants (user_id, role) values (tests.id('alice'), 'admin') $$, '42501', null,
  'A4: a user cannot grant herself admin');
select throws_ok($$ select * from app_private.user_secrets $$, '42501', null, 'H4: password hashes are unreachable');
select throws_ok($$ select * from app_private.sessions $$, '42501', null, 'sessions are unreachable');
select throws_ok($$ select * from app_private.user_identity_tokens $$, '42501', null, 'H4: provider tokens are unreachable');
select throws_ok($$ select * from app_public.audit_log $$, '42501', null, 'only admins read the audit log');
select set_eq($$ select subject from app_public.user_identities $$, $$ values ('alice-sub') $$, 'select_own: only your own identities');
select is(tests.user_role(tests.id('alice')), 'app_user', 'a plain user resolves to app_user');

select tests.authenticate_as(tests.id('lead'));
select set_eq($$ select id from app_public.users $$, $$ values (tests.id('lead')), (tests.id('bob')) $$,
  'select_managed: a viewer over bob sees bob');
select is(tests.affected($$ update app_public.users set display_name = 'x' where id = tests.id('bob') $$), 0,
  'update_managed: viewer rights do not allow edits');
select is((select count(*)::int from app_public.user_acl), 1, 'select_involved: the lead sees his grant');
select tests.grant_user_acl(tests.id('alice'), tests.id('lead'), 'manager');
select is(tests.affected($$ update app_public.users set display_name = 'Al' where id = tests.id('alice') $$), 1,
  'update_managed: manager rights allow edits');

select tests.authenticate_as(tests.id('bob'));
select is((select count(*)::int from app_public.user_acl), 1, 'select_involved: bob sees who manages him');

select tests.authenticate_as(tests.id('robot'));
select is(current_user::text, 'bot', 'a service account gets the bot role');
select set_eq($$ select id from app_public.users $$, $$ select tests.id('robot') $$, 'select_self: a bot sees itself only');

select tests.authenticate_as(tests.id('root'));
select is((select count(*)::int from app_public.users
           where id in (tests.id('alice'), tests.id('bob'), tests.id('lead'), tests.id('root'), tests.id('robot'))), 5,
  'select_admin: an admin sees every user');
select is(tests.affected($$ update app_public.users set disabled_at = now() where id = tests.id('bob') $$), 1,
  'update_admin: an admin disables a user');
select is((select count(*)::int from app_public.user_identities where user_id in (tests.id('alice'), tests.id('bob'))), 2,
  'select_admin: an admin sees every identity');
select ok((select count(*) > 0 from app_public.audit_log), 'select_admin: an admin reads the audit log');
select lives_ok($$ insert into app_public.role_grants (user_id, role) values (tests.id('alice'), 'manager') $$,
  'all_admin: an admin grants a role');
select lives_ok($$ insert into app_public.role_domain_rules (domain, role) values ('Example.COM', 'manager') $$,
  'all_admin: an admin adds a domain rule');
select is(tests.user_role(tests.id('lead')), 'manager', 'a domain rule (matched case-insensitively) promotes everyone in the domain');
select lives_ok($$ insert into app_public.user_acl (user_id, subject_id, role) values (tests.id('robot'), tests.id('alice'), 'viewer') $$,
  'write_admin: an admin grants rights over a user record');
select tests.authenticate_as(tests.id('alice'));
select throws_ok($$ insert into app_public.user_acl (user_id, subject_id, role) values (tests.id('root'), tests.id('alice'), 'owner') $$,
  '42501', null, 'A4: a user cannot grant herself rights over another user');

select * from finish();
