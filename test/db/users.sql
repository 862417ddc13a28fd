-- Users, roles and identities: self, managed users, admins; no field escalation (A4);
-- secrets unreachable (H4); role changes effective on the next statement (E3).
select plan(48);

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
select is(tests.user_role(tests.id('lead')), 'app_user', 'A7: a domain rule ignores an unverified email');
select tests.verify_email(tests.id('lead'));
select is(tests.user_role(tests.id('lead')), 'manager', 'a domain rule (matched case-insensitively) promotes every verified email in the domain');
select lives_ok($$ insert into app_public.user_acl (user_id, subject_id, role) values (tests.id('robot'), tests.id('alice'), 'viewer') $$,
  'write_admin: an admin grants rights over a user record');
select tests.authenticate_as(tests.id('alice'));
select throws_ok($$ insert into app_public.user_acl (user_id, subject_id, role) values (tests.id('root'), tests.id('alice'), 'owner') $$,
  '42501', null, 'A4: a user cannot grant herself rights over another user');

select throws_ok($$ update app_public.users set email_verified_at = now() where id = tests.id('alice') $$, '42501', null,
  'A7: a user cannot mark her own email verified');
select throws_ok($$ select app_hidden.user_role(tests.id('root')) $$, '42501', null,
  'I1: user_role(id) cannot be called to probe whether (and as what) another user exists');

-- A7 (hardening 1): a domain rule promotes only a verified email. Register verifies nothing;
-- a provider's verified email (the only kind the edge passes to oauth_sign_in) does.
select tests.authenticate_as(tests.id('root'));
select throws_ok($$ update app_public.users set email_verified_at = now() where id = tests.id('root') $$, '42501', null,
  'A7: not even an admin can mark an email verified');
select lives_ok($$ insert into app_public.role_domain_rules (domain, role) values ('corp.test', 'admin') $$,
  'all_admin: an admin makes everyone at corp.test admin');
select tests.clear_authentication();
select throws_ok($$ select app_hidden.user_role(tests.id('root')) $$, '42501', null,
  'I1: anonymous cannot probe user_role(id) either');
-- The edge's entry points run as auth_edge (tests.as_edge: pgTAP is not callable by it).
select set_config('tests.reg', tests.as_edge(
  $$ select user_id || ' ' || role from app_hidden.register('mallory@corp.test', 'a long password', 'Mallory', null, null) $$), true);
select tests.remember('mallory', split_part(current_setting('tests.reg'), ' ', 1)::uuid);
select is(split_part(current_setting('tests.reg'), ' ', 2), 'app_user',
  'A7: an unverified registrant of a ruled domain gets an app_user session');
select is(tests.user_role(tests.id('mallory')), 'app_user', 'A7: ...and is app_user');
select tests.remember('ceo', tests.as_edge($$ select user_id from app_hidden.oauth_sign_in('corp', 'https://idp.corp.test', 'ceo-sub',
  'ceo@corp.test', '{}', false, null, null, null, null, null, null) $$)::uuid);
select is(tests.user_role(tests.id('ceo')), 'admin', 'A7: a provider-verified email in a ruled domain is promoted');
select is(tests.as_edge($$ select role from app_hidden.oauth_sign_in('corp', 'https://idp.corp.test', 'ceo-sub',
  'ceo@corp.test', '{}', false, null, null, null, null, null, null) $$), 'admin',
  'A7: ...and the session oauth_sign_in issues carries that role');

select tests.authenticate_as(tests.id('mallory'));
select is(app_hidden.current_app_role(), 'app_user', 'A7: the unverified registrant acts as app_user');
select is(tests.as_edge($$ select coalesce(error, 'ok') from app_hidden.oauth_sign_in('gmail', 'https://gmail.test', 'mallory-sub',
  'mallory@gmail.test', '{}', true, null, null, null, null, null, null) $$), 'ok',
  'mallory links a provider account with another verified address');
select is(tests.user_role(tests.id('mallory')), 'app_user', 'A7: a linked identity with another address verifies nothing');
select is(tests.as_edge($$ select coalesce(error, 'ok') from app_hidden.oauth_sign_in('corp', 'https://idp.corp.test', 'mallory-sub',
  'mallory@corp.test', '{}', true, null, null, null, null, null, null) $$), 'ok',
  'mallory links a provider account that verified mallory@corp.test');
select is(tests.user_role(tests.id('mallory')), 'admin', 'A7: an identity verifying the account''s own address applies the rule');

select tests.authenticate_as(tests.id('ceo'));
select is(app_hidden.current_app_role(), 'admin', 'the verified domain admin acts as admin');
select tests.set_email(tests.id('ceo'), 'chief@corp.test');
select is(app_hidden.current_app_role(), 'app_user', 'A7: changing the email of a promoted user demotes on the next statement');
select is((select email_verified_at from app_public.users where id = tests.id('ceo')), null,
  'A7: an email change clears email_verified_at');

select * from finish();
