-- Optional seed (issue #11): nself's default application roles and permissions. Delete this
-- file before committing migrations to start from an empty catalogue; nothing else depends
-- on it. Re-runnable: existing rows are left as they are (an admin may have changed them).
-- 'user' is a default role (every enabled human holds it); 'moderator' and 'admin' are granted
-- through user_roles ('admin' also implies the admin DB role, see 6000-permissions-rbac.sql).
insert into app_public.app_roles (name, description, db_role, is_default) values
  ('user', 'Every signed-in person.', 'app_user', true),
  ('moderator', 'Moderates content.', 'app_user', false),
  ('admin', 'Administrators: implies the admin database role.', 'admin', false)
on conflict (name) do nothing;

insert into app_public.permissions (name, description) values
  ('users:read', 'Read user profiles.'),
  ('users:write', 'Change user profiles.'),
  ('users:*', 'Every action on users.'),
  ('posts:read', 'Read posts.'),
  ('posts:create', 'Create posts.'),
  ('posts:update', 'Edit posts.'),
  ('posts:delete', 'Delete posts.'),
  ('posts:*', 'Every action on posts.'),
  ('comments:*', 'Every action on comments.'),
  ('roles:*', 'Manage application roles and grants.')
on conflict (name) do nothing;

insert into app_public.role_permissions (role, permission) values
  ('user', 'users:read'), ('user', 'posts:read'), ('user', 'posts:create'),
  ('moderator', 'users:read'), ('moderator', 'posts:*'), ('moderator', 'comments:*'),
  ('admin', 'users:*'), ('admin', 'posts:*'), ('admin', 'comments:*'), ('admin', 'roles:*')
on conflict (role, permission) do nothing;
