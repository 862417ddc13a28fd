-- RBAC as data (issue #11 part 1): application roles and permissions in tables, managed by
-- admins under RLS, read by has_permission() on every statement (O1).
select plan(25);

select tests.remember('alice', tests.create_user('alice@example.com'));
select tests.remember('bob', tests.create_user('bob@example.com'));
select tests.remember('root', tests.create_user('root@example.com', 'admin'));

-- A sample table whose policies are written with has_permission on both sides (as a DBA
-- would in a migration), created for this transaction only by app_user (which may use
-- app_hidden); forced, so its owner is subject to the policies too.
select tests.authenticate_as(tests.id('bob'));
create temp table notes (id int primary key, body text);
alter table notes enable row level security;
alter table notes force row level security;
create policy select_perm on notes for select to app_user
  using ((select app_hidden.has_permission('notes:read')));
create policy insert_perm on notes for insert to app_user
  with check ((select app_hidden.has_permission('notes:write')));
create policy delete_perm on notes for delete to app_user
  using ((select app_hidden.has_permission('notes:delete')));
grant select, insert, delete on notes to app_user;
alter table notes no force row level security;
insert into notes values (1, 'seeded');
alter table notes force row level security;

-- The admin defines the catalogue through the API tables, under RLS.
select tests.authenticate_as(tests.id('root'));
select lives_ok($$
  insert into app_public.permissions (name) values ('notes:read'), ('notes:write'), ('notes:*');
  insert into app_public.app_roles (name, description) values ('reader', 'reads notes'), ('editor', 'edits notes');
  insert into app_public.role_permissions (role, permission) values ('reader', 'notes:read'), ('editor', 'notes:*');
$$, 'an admin manages roles and permissions under RLS');

select tests.authenticate_as(tests.id('alice'));
select is(app_hidden.has_permission('notes:read'), false, 'O1: no role, no permission');
select is((select count(*)::int from notes), 0, 'O1: a has_permission policy hides rows without the permission');
select throws_ok($$ insert into notes values (2, 'x') $$, '42501', null,
  'O1: a has_permission with-check refuses the write without the permission');
select throws_ok($$ insert into app_public.user_roles (user_id, role) values (tests.id('alice'), 'editor') $$, '42501', null,
  'O1: a user cannot grant herself a role');
select throws_ok($$ insert into app_public.role_permissions (role, permission) values ('user', 'notes:*') $$, '42501', null,
  'O1: a user cannot add a permission to a role');
select is((select app_public.users_permissions(u) from app_public.users u where u.id = tests.id('alice')),
  (select coalesce(array_agg(rp.permission order by rp.permission), '{}') from app_public.role_permissions rp
    join app_public.app_roles r on r.name = rp.role where r.is_default),
  'currentUser.permissions: only the default roles'' permissions before any grant');

select tests.authenticate_as(tests.id('root'));
select lives_ok($$ insert into app_public.user_roles (user_id, role) values (tests.id('alice'), 'reader') $$,
  'an admin grants alice reader');
select is((select granted_by from app_public.user_roles where user_id = tests.id('alice') and role = 'reader'),
  tests.id('root'), 'the grant records who granted it');

select tests.authenticate_as(tests.id('alice'));
select is((select count(*)::int from notes), 1, 'O1: the grant is effective on the next statement (reader sees rows)');
select throws_ok($$ insert into notes values (2, 'x') $$, '42501', null, 'O1: reader still cannot write');
select ok((select 'notes:read' = any (app_public.users_permissions(u)) from app_public.users u where u.id = tests.id('alice')),
  'currentUser.permissions lists the granted permission');
select is((select app_public.users_permissions(u) from app_public.users u where u.id = tests.id('bob')), null,
  'users_permissions answers null for anyone else');

select tests.authenticate_as(tests.id('root'));
select lives_ok($$ insert into app_public.user_roles (user_id, role) values (tests.id('alice'), 'editor') $$, 'an admin grants alice editor');
select tests.authenticate_as(tests.id('alice'));
select lives_ok($$ insert into notes values (2, 'x') $$, 'O1: resource:* covers notes:write on both policy sides');
select is(app_hidden.has_permission('notes:delete'), true, 'O1: resource:* covers an action not listed');

-- Revoke: effective on the next statement.
select tests.authenticate_as(tests.id('root'));
select is(tests.affected($$ delete from app_public.user_roles where user_id = tests.id('alice') and role = 'editor' $$), 1,
  'an admin revokes editor');
select tests.authenticate_as(tests.id('alice'));
select throws_ok($$ insert into notes values (3, 'y') $$, '42501', null, 'O1: a revoke is effective on the next statement');

-- Expiry: a grant past expires_at grants nothing.
select tests.authenticate_as(tests.id('root'));
select is(tests.affected($$ update app_public.user_roles set expires_at = now() - interval '1 second'
  where user_id = tests.id('alice') and role = 'reader' $$), 1, 'an admin sets an expiry in the past');
select tests.authenticate_as(tests.id('alice'));
select is((select count(*)::int from notes), 0, 'O1: an expired grant gives no permission');

-- The admin DB role is coarse: it implies no application permission by itself.
select tests.authenticate_as(tests.id('root'));
select is(app_hidden.has_permission('notes:read'), false, 'O1: the admin DB role does not imply a permission not granted');
select tests.authenticate_as(tests.id('alice'));
select tests.disable_user(tests.id('alice'));
select is(app_hidden.has_permission('users:read'), false, 'O1: a disabled user holds no permission on the next statement');
select tests.clear_authentication();
select is(app_hidden.has_permission('users:read'), false, 'O1: anonymous holds no permission');

-- role_grants folds into user_roles: an admin grant via the old table sets the DB role.
select tests.authenticate_as(tests.id('root'));
select lives_ok($$ insert into app_public.role_grants (user_id, role) values (tests.id('bob'), 'manager') $$,
  'a role_grants insert still works');
select is(tests.user_role(tests.id('bob')), 'manager', 'role_grants writes through user_roles; user_role() reads user_roles');

select * from finish();
