--! Previous: sha1:22806f5f99cb73db2196d957fbe674682567f8ff
--! Hash: sha1:c4f633fc7e1dc1d51ab0769ce96d791c33a7daf8
--! Message: permissions, api keys, service accounts, claims hook

--! split: 1-current.sql
-- Enter migration here

--! split: 6000-permissions-rbac.sql
-- RBAC as data (issue #11 part 1): application roles, permissions (`resource:action`),
-- role_permissions and user_roles, read by app_hidden.has_permission() in policies.
-- Threat model: a user must not raise their own permissions (A4, A7, O1): every table here is
-- writable by admins only, and the database trusts no permission list from a token: it
-- re-reads these tables on every statement, so a grant or revoke is effective on the next
-- statement (O1). The coarse DB roles (anonymous, app_user, manager, admin, bot) stay: an
-- application role may imply a DB role (app_roles.db_role), and user_role() now reads
-- user_roles; role_grants is kept as a write-through alias of user_roles for 'manager'/'admin'.

create table if not exists app_public.app_roles (
  name text primary key check (name ~ '^[a-z][a-z0-9_]{0,62}$'),
  description text,
  db_role text not null default 'app_user' check (db_role in ('app_user', 'manager', 'admin')),
  is_default boolean not null default false,
  created_at timestamptz not null default now()
);
comment on table app_public.app_roles is
  'Application roles. db_role is the database role holding the application role implies (app_user, manager or admin); a default role is held by every enabled human user without a row in user_roles.';
comment on column app_public.app_roles.db_role is 'The database request role this application role implies.';
comment on column app_public.app_roles.is_default is 'Held implicitly by every enabled, non-bot user.';

create table if not exists app_public.permissions (
  name text primary key check (name ~ '^[a-z][a-z0-9_]*:([a-z][a-z0-9_]*|\*)$'),
  description text,
  created_at timestamptz not null default now()
);
comment on table app_public.permissions is
  'Permissions as `resource:action` (posts:delete); `resource:*` granted to a role covers every action on the resource.';

create table if not exists app_public.role_permissions (
  role text not null references app_public.app_roles on delete cascade on update cascade,
  permission text not null references app_public.permissions on delete cascade on update cascade,
  granted_at timestamptz not null default now(),
  primary key (role, permission)
);
comment on table app_public.role_permissions is 'Which permissions an application role grants.';
create index if not exists role_permissions_permission_idx on app_public.role_permissions (permission);

create table if not exists app_public.user_roles (
  user_id uuid not null references app_public.users on delete cascade,
  role text not null references app_public.app_roles on delete cascade on update cascade,
  granted_by uuid references app_public.users on delete set null default app_hidden.claimed_user_id(),
  granted_at timestamptz not null default now(),
  expires_at timestamptz,
  primary key (user_id, role)
);
comment on table app_public.user_roles is
  'Application roles held by users; a row past expires_at grants nothing. Admins write it; users read their own.';
create index if not exists user_roles_role_idx on app_public.user_roles (role);
create index if not exists user_roles_granted_by_idx on app_public.user_roles (granted_by);

-- The roles the existing model knows, so role_grants and role_domain_rules keep meaning the
-- same thing (they name application roles now).
insert into app_public.app_roles (name, description, db_role) values
  ('manager', 'Staff: implies the manager database role.', 'manager'),
  ('admin', 'Administrators: implies the admin database role.', 'admin')
on conflict (name) do nothing;

-- Existing grants move into user_roles (re-runnable).
insert into app_public.user_roles (user_id, role, granted_by, granted_at)
  select g.user_id, g.role, g.granted_by, g.granted_at from app_public.role_grants g
on conflict (user_id, role) do nothing;

call app_private.enable_rls('app_public.app_roles');
call app_private.enable_rls('app_public.permissions');
call app_private.enable_rls('app_public.role_permissions');
call app_private.enable_rls('app_public.user_roles');

-- Role and permission definitions are not secret: signed-in users (a live session) may read them; only
-- admins (the entitled role from the tables, not the token) write them.
do $$
declare v_table text;
begin
  foreach v_table in array array['app_roles', 'permissions', 'role_permissions'] loop
    execute format('drop policy if exists select_all on app_public.%I', v_table);
    execute format('drop policy if exists select_signed_in on app_public.%I', v_table);
    execute format($p$create policy select_signed_in on app_public.%I for select to app_user, bot
      using ((select app_hidden.current_user_id()) is not null)$p$, v_table);
    execute format('drop policy if exists all_admin on app_public.%I', v_table);
    execute format($p$create policy all_admin on app_public.%I to admin
      using ((select app_hidden.current_app_role()) = 'admin')
      with check ((select app_hidden.current_app_role()) = 'admin')$p$, v_table);
  end loop;
end $$;

drop policy if exists select_own on app_public.user_roles;
create policy select_own on app_public.user_roles for select to app_user
  using (user_id = (select app_hidden.current_user_id()));
drop policy if exists all_admin on app_public.user_roles;
create policy all_admin on app_public.user_roles to admin
  using ((select app_hidden.current_app_role()) = 'admin')
  with check ((select app_hidden.current_app_role()) = 'admin');

grant select on app_public.app_roles, app_public.permissions, app_public.role_permissions to app_user, bot;
grant select on app_public.user_roles to app_user;
grant insert (name, description, db_role, is_default), update (description, db_role, is_default), delete
  on app_public.app_roles to admin;
grant insert (name, description), update (description), delete on app_public.permissions to admin;
grant insert (role, permission), delete on app_public.role_permissions to admin;
grant insert (user_id, role, expires_at), update (expires_at), delete on app_public.user_roles to admin;

drop trigger if exists _900_audit on app_public.app_roles;
create trigger _900_audit after insert or update or delete on app_public.app_roles
  for each row execute function app_private.tg__audit('name');
drop trigger if exists _900_audit on app_public.permissions;
create trigger _900_audit after insert or update or delete on app_public.permissions
  for each row execute function app_private.tg__audit('name');
drop trigger if exists _900_audit on app_public.role_permissions;
create trigger _900_audit after insert or update or delete on app_public.role_permissions
  for each row execute function app_private.tg__audit('role', 'permission');
drop trigger if exists _900_audit on app_public.user_roles;
create trigger _900_audit after insert or update or delete on app_public.user_roles
  for each row execute function app_private.tg__audit('user_id', 'role');

-- role_grants (000001) folds into user_roles: its rows are written through, so existing
-- callers (admins, fixtures) keep working while user_roles is the one source of truth.
-- Invoker on purpose: whoever writes role_grants (an admin, or the owner) may write user_roles.
create or replace function app_private.tg_role_grants__write_through() returns trigger
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
begin
  if tg_op = 'INSERT' then
    -- Only the columns an admin may write; granted_by/granted_at take their defaults.
    insert into app_public.user_roles (user_id, role) values (new.user_id, new.role)
      on conflict (user_id, role) do update set expires_at = null;
  elsif tg_op = 'DELETE' then
    delete from app_public.user_roles where user_id = old.user_id and role = old.role;
  end if;
  return null;
end;
$$;
drop trigger if exists _500_write_through on app_public.role_grants;
create trigger _500_write_through after insert or delete on app_public.role_grants
  for each row execute function app_private.tg_role_grants__write_through();
comment on table app_public.role_grants is
  'Deprecated alias: inserting or deleting a manager/admin grant here writes app_public.user_roles, which is what counts.';

-- Security definer: reads role tables regardless of the caller's visibility; policy helper,
-- so stable and side-effect free. plpgsql for its cached plan. Not executable by request roles.
-- The DB role is the highest one implied by the user's live application roles (user_roles,
-- or a domain rule for a verified email).
create or replace function app_hidden.user_role(p_user_id uuid) returns text
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_bot boolean;
  v_email text;
  v_verified boolean;
  v_implied text;
begin
  select u.is_bot, u.email::text, u.email_verified_at is not null into v_bot, v_email, v_verified
    from app_public.users u where u.id = p_user_id and u.disabled_at is null;
  if not found then
    return null;
  end if;
  if v_bot then
    return 'bot';
  end if;
  select r.db_role into v_implied
    from app_public.app_roles r
    where r.db_role operator(pg_catalog.<>) 'app_user'
      and (exists (select 1 from app_public.user_roles ur
                   where ur.user_id = p_user_id and ur.role = r.name
                     and (ur.expires_at is null or ur.expires_at > pg_catalog.now()))
           or (v_verified and exists (
                 select 1 from app_public.role_domain_rules d
                 where d.role = r.name
                   and d.domain operator(public.=) pg_catalog.split_part(v_email, '@', 2)::public.citext)))
    order by case r.db_role when 'admin' then 0 else 1 end
    limit 1;
  return coalesce(v_implied, 'app_user');
end;
$$;
comment on function app_hidden.user_role(uuid) is
  'The request role a user is entitled to now: the highest DB role implied by their live application roles (user_roles, or a domain rule for a verified email), bot for bots, app_user otherwise; NULL if disabled/missing. Owner only.';
revoke all on function app_hidden.user_role(uuid) from public, anonymous, app_user, bot;

-- Security definer: reads user_roles/role_permissions whatever the caller may see; takes only
-- the permission name, so it can only ever answer for the caller (its live session). Stable
-- and plpgsql (cached plan); policies call it as `(select app_hidden.has_permission('x:y'))`
-- so it runs once per statement. Index-backed: user_roles pk (user_id, role),
-- role_permissions pk (role, permission). A later part intersects this with an API key's scope.
create or replace function app_hidden.has_permission(p_permission text) returns boolean
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_user uuid := app_hidden.current_user_id();
begin
  if v_user is null or p_permission is null then
    return false;
  end if;
  return exists (
    select 1
    from app_public.role_permissions rp
    where rp.permission in (p_permission, pg_catalog.split_part(p_permission, ':', 1) || ':*')
      and rp.role in (select x.role from app_private.user_app_roles(v_user) x));
end;
$$;
comment on function app_hidden.has_permission(text) is
  'True when the calling user (live session) holds the permission (`resource:action`, or `resource:*`) through a live application role. Re-read from the tables on every statement.';
revoke all on function app_hidden.has_permission(text) from public;
grant execute on function app_hidden.has_permission(text) to anonymous, app_user, bot;

-- Owner only (no grant): the live application roles of a user: rows in user_roles not
-- expired, domain rules for a verified email, and default roles for humans. Its callers are
-- security definer functions that already decided whom they answer for.
create or replace function app_private.user_app_roles(p_user_id uuid) returns table (role text)
  language sql stable
  set search_path = pg_catalog, pg_temp
as $$
  select ur.role from app_public.user_roles ur
    where ur.user_id = p_user_id and (ur.expires_at is null or ur.expires_at > pg_catalog.now())
  union
  select d.role from app_public.users u
    join app_public.role_domain_rules d
      on d.domain operator(public.=) pg_catalog.split_part(u.email::text, '@', 2)::public.citext
    where u.id = p_user_id and u.email_verified_at is not null
  union
  select r.name from app_public.app_roles r, app_public.users u
    where r.is_default and u.id = p_user_id and not u.is_bot
$$;
comment on function app_private.user_app_roles(uuid) is
  'The live application roles of a user (user_roles not expired, domain rules for a verified email, default roles for humans). Owner only.';
revoke all on function app_private.user_app_roles(uuid) from public;

-- Security definer: reads the role tables; answers only for the caller's own row (NULL for
-- anyone else's), so it reveals no one else's permissions.
create or replace function app_public.users_permissions(u app_public.users) returns text[]
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_user uuid := app_hidden.current_user_id();
begin
  if v_user is null or u.id is distinct from v_user then
    return null;
  end if;
  return coalesce((
    select pg_catalog.array_agg(distinct rp.permission order by rp.permission)
    from app_public.role_permissions rp
    where rp.role in (select x.role from app_private.user_app_roles(v_user) x)), '{}');
end;
$$;
comment on function app_public.users_permissions(app_public.users) is
  'Your permissions (`resource:action`, `resource:*`) from your live application roles; null on anyone else''s user.';
revoke all on function app_public.users_permissions(app_public.users) from public;
grant execute on function app_public.users_permissions(app_public.users) to app_user, bot;

--! split: 6010-permissions-seed.sql
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

--! split: 6100-permissions-api-keys.sql
-- Personal API keys (issue #11 part 2). Threat model (O2): a key is a bearer credential that
-- lives long, so it is 256 random bits, shown once, stored only as a SHA-256 hash, found by a
-- public prefix, scoped to a subset of its creator's permissions (never more), expiring and
-- revocable, with its last use recorded. Each key is backed by a session row, so every
-- statement of a key's request passes current_user_id()'s liveness (the session revoked with
-- the key, the user disabled, the expiry passed: the next request is nobody). has_permission()
-- intersects the user's permissions with the key's when the session is a key's.

create table if not exists app_public.api_keys (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references app_public.users on delete cascade,
  name text not null check (length(name) between 1 and 100),
  prefix text not null unique check (prefix ~ '^[0-9a-f]{16}$'),
  permissions text[] not null default '{}',
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz not null default now(),
  session_id uuid not null unique references app_private.sessions on delete cascade
);
comment on table app_public.api_keys is
  'Your personal API keys (the secret is never stored: only its SHA-256 hash, in app_private). Create with createApiKey, revoke with revokeApiKey.';
comment on column app_public.api_keys.prefix is 'Public part of the key (`pga_<prefix>_...`), to recognise it.';
comment on column app_public.api_keys.permissions is 'What a request with this key may do: a subset of your permissions when it was created, intersected with your permissions now.';
comment on column app_public.api_keys.session_id is '@behavior -*';
create index if not exists api_keys_user_idx on app_public.api_keys (user_id);

create table if not exists app_private.api_key_secrets (
  api_key_id uuid primary key references app_public.api_keys on delete cascade,
  secret_hash bytea not null unique check (length(secret_hash) = 32)
);
comment on table app_private.api_key_secrets is 'SHA-256 of each API key (the whole `pga_..._...` string).';

call app_private.enable_rls('app_public.api_keys');
call app_private.enable_rls('app_private.api_key_secrets');
drop policy if exists select_own on app_public.api_keys;
create policy select_own on app_public.api_keys for select to app_user
  using (user_id = (select app_hidden.current_user_id()));
grant select (id, user_id, name, prefix, permissions, expires_at, last_used_at, revoked_at, created_at)
  on app_public.api_keys to app_user;
drop trigger if exists _900_audit on app_public.api_keys;
create trigger _900_audit after insert or update or delete on app_public.api_keys
  for each row execute function app_private.tg__audit('id');

-- Security definer: request roles cannot read api_keys by session. The key behind the
-- caller's session, or NULL for an ordinary session.
create or replace function app_hidden.current_api_key_id() returns uuid
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
begin
  return (select k.id from app_public.api_keys k where k.session_id = app_hidden.current_session_id());
end;
$$;
comment on function app_hidden.current_api_key_id() is
  'The API key the current request came with (from its session, not from a claim), or NULL.';
revoke all on function app_hidden.current_api_key_id() from public;
grant execute on function app_hidden.current_api_key_id() to anonymous, app_user, bot;

-- has_permission (6000) intersected with the key's scope when the session is an API key's.
create or replace function app_hidden.has_permission(p_permission text) returns boolean
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_user uuid := app_hidden.current_user_id();
  v_scope text[];
  v_wild text;
begin
  if v_user is null or p_permission is null then
    return false;
  end if;
  v_wild := pg_catalog.split_part(p_permission, ':', 1) || ':*';
  select k.permissions into v_scope from app_public.api_keys k
    where k.session_id = app_hidden.current_session_id();
  if found and not (p_permission = any (v_scope) or v_wild = any (v_scope)) then
    return false;
  end if;
  return exists (
    select 1
    from app_public.role_permissions rp
    where rp.permission in (p_permission, v_wild)
      and rp.role in (select x.role from app_private.user_app_roles(v_user) x));
end;
$$;
comment on function app_hidden.has_permission(text) is
  'True when the calling user (live session) holds the permission (`resource:action`, or `resource:*`) through a live application role, and, for a request with an API key, the key''s scope includes it. Re-read from the tables on every statement.';
revoke all on function app_hidden.has_permission(text) from public;
grant execute on function app_hidden.has_permission(text) to anonymous, app_user, bot;

create or replace function app_public.users_permissions(u app_public.users) returns text[]
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_user uuid := app_hidden.current_user_id();
begin
  if v_user is null or u.id is distinct from v_user then
    return null;
  end if;
  return coalesce((
    select pg_catalog.array_agg(distinct p.name order by p.name)
    from app_public.permissions p
    where app_hidden.has_permission(p.name)), '{}');
end;
$$;
comment on function app_public.users_permissions(app_public.users) is
  'Your permissions (`resource:action`, `resource:*` as catalogued) from your live application roles, within the API key''s scope for a key''s request; null on anyone else''s user.';
revoke all on function app_public.users_permissions(app_public.users) from public;
grant execute on function app_public.users_permissions(app_public.users) to app_user, bot;

do $$ begin
  if not exists (select 1 from pg_catalog.pg_type t join pg_catalog.pg_namespace n on n.oid = t.typnamespace
                 where n.nspname = 'app_public' and t.typname = 'created_api_key') then
    create type app_public.created_api_key as (api_key_id uuid, prefix text, key text);
  end if;
end $$;
comment on type app_public.created_api_key is 'A new API key: `key` is shown this once and never again.';

-- Security definer: writes the session and the hash, which request roles cannot. Answers only
-- for the caller; refuses a request made with an API key (a key cannot mint keys) and any
-- permission the caller does not hold now (SCOPE): a key never carries more than its creator.
create or replace function app_public.create_api_key(name text, permissions text[], expires_at timestamptz default null)
  returns app_public.created_api_key
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_user uuid := app_hidden.current_user_id();
  v_perm text;
  v_prefix text := pg_catalog.encode(public.gen_random_bytes(8), 'hex');
  v_key text;
  v_session uuid;
  v_id uuid;
begin
  if v_user is null then
    raise exception 'Not signed in' using errcode = 'LOGIN';
  end if;
  if app_hidden.current_api_key_id() is not null then
    raise exception 'Not allowed with an API key' using errcode = 'DNIED';
  end if;
  if create_api_key.expires_at is not null and create_api_key.expires_at <= pg_catalog.now() then
    raise exception 'expires_at must be in the future' using errcode = 'BADRQ';
  end if;
  if coalesce(pg_catalog.cardinality(create_api_key.permissions), 0) > 100 then
    raise exception 'Too many permissions' using errcode = 'BADRQ';
  end if;
  foreach v_perm in array coalesce(create_api_key.permissions, '{}') loop
    if not app_hidden.has_permission(v_perm) then
      raise exception 'A key cannot carry a permission you do not hold' using errcode = 'SCOPE';
    end if;
  end loop;
  -- 256 random bits of secret; the prefix only finds nothing (the hash is the lookup).
  v_key := 'pga_' || v_prefix || '_' || pg_catalog.encode(public.gen_random_bytes(32), 'hex');
  insert into app_private.sessions (user_id, expires_at, user_agent)
    values (v_user, coalesce(create_api_key.expires_at, 'infinity'), 'api key')
    returning id into v_session;
  insert into app_public.api_keys (user_id, name, prefix, permissions, expires_at, session_id)
    values (v_user, create_api_key.name, v_prefix,
            coalesce(array(select distinct x from pg_catalog.unnest(create_api_key.permissions) x order by 1), '{}'),
            create_api_key.expires_at, v_session)
    returning id into v_id;
  insert into app_private.api_key_secrets (api_key_id, secret_hash)
    values (v_id, public.digest(v_key, 'sha256'));
  return row(v_id, v_prefix, v_key)::app_public.created_api_key;
end;
$$;
comment on function app_public.create_api_key(text, text[], timestamptz) is
  'Creates a personal API key limited to `permissions` (each one you hold now), optionally expiring. The key (`pga_<prefix>_<secret>`) is returned this once. Not callable with an API key.';
revoke all on function app_public.create_api_key(text, text[], timestamptz) from public;
grant execute on function app_public.create_api_key(text, text[], timestamptz) to app_user;

-- Security definer: revokes the key's session in app_private. Only the caller's own keys.
create or replace function app_public.revoke_api_key(id uuid) returns boolean
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_session uuid;
begin
  update app_public.api_keys k set revoked_at = pg_catalog.now()
    where k.id = revoke_api_key.id and k.user_id = app_hidden.current_user_id() and k.revoked_at is null
    returning k.session_id into v_session;
  if v_session is null then
    return false;
  end if;
  update app_private.sessions set revoked_at = pg_catalog.now(), revoked_reason = 'api key revoked'
    where sessions.id = v_session and revoked_at is null;
  return true;
end;
$$;
comment on function app_public.revoke_api_key(uuid) is 'Revokes one of your API keys; requests with it fail from the next one. False when no such live key of yours.';
revoke all on function app_public.revoke_api_key(uuid) from public;
grant execute on function app_public.revoke_api_key(uuid) to app_user;

-- Security definer: request roles may not select session_id (an internal link); answers only
-- for the caller.
create or replace function app_public.my_api_keys() returns setof app_public.api_keys
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
  select k.* from app_public.api_keys k
  where k.user_id = app_hidden.current_user_id()
  order by k.created_at desc
$$;
comment on function app_public.my_api_keys() is 'Your API keys (never their secrets), newest first.';
revoke all on function app_public.my_api_keys() from public;
grant execute on function app_public.my_api_keys() to app_user;

-- Security definer, edge only (auth_edge): reads the hash table. Given the bearer string the
-- edge received, returns the key's user, request role and session if the key is live (not
-- revoked, not expired, user enabled), recording its last use; no row otherwise. Nothing is
-- cached: liveness is checked again by current_user_id() on every statement.
create or replace function app_hidden.verify_api_key(p_key text)
  returns table (user_id uuid, role text, session_id uuid, api_key_id uuid)
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_key app_public.api_keys;
begin
  if p_key is null or p_key !~ '^pga_[0-9a-f]{16}_[0-9a-f]{64}$' then
    return;
  end if;
  select k.* into v_key
    from app_private.api_key_secrets s join app_public.api_keys k on k.id = s.api_key_id
    where s.secret_hash = public.digest(p_key, 'sha256')
      and k.prefix = pg_catalog.split_part(p_key, '_', 2)
      and k.revoked_at is null and (k.expires_at is null or k.expires_at > pg_catalog.now());
  if not found then
    return;
  end if;
  -- At most one write a minute per key, so a busy key does not write on every request.
  update app_public.api_keys k set last_used_at = pg_catalog.now()
    where k.id = v_key.id and (k.last_used_at is null or k.last_used_at < pg_catalog.now() - interval '1 minute');
  return query select v_key.user_id, app_hidden.user_role(v_key.user_id), v_key.session_id, v_key.id
    where app_hidden.user_role(v_key.user_id) is not null;
end;
$$;
comment on function app_hidden.verify_api_key(text) is
  'Edge only: the user, request role, session and key id of a live API key, recording its use; no row for an unknown, revoked or expired key or a disabled user.';
revoke all on function app_hidden.verify_api_key(text) from public, anonymous, app_user, bot;
grant execute on function app_hidden.verify_api_key(text) to auth_edge;

-- Key sessions are not sign-ins: my_sessions (3000-read-path) lists only the others.
create or replace function app_public.my_sessions() returns setof app_public.session_info
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
begin
  return query
    select s.id, s.created_at, s.last_used_at, s.expires_at, s.user_agent, host(s.ip),
      s.id = app_hidden.current_session_id()
    from app_private.sessions s
    where s.user_id = app_hidden.current_user_id() and s.revoked_at is null and s.expires_at > now()
      and not exists (select 1 from app_public.api_keys k where k.session_id = s.id)
    order by s.last_used_at desc;
end;
$$;
comment on function app_public.my_sessions() is 'Your active sessions, most recently used first (API keys are listed by myApiKeys).';
revoke all on function app_public.my_sessions() from public;
grant execute on function app_public.my_sessions() to app_user, bot;

--! split: 6200-permissions-service-accounts.sql
-- Service accounts and client credentials (issue #11 part 3). A service account is a bot user
-- with a client id and up to two live secrets (rotation), each >= 256 random bits, shown once,
-- stored as SHA-256, optionally expiring (O2). POST /auth/token (grant_type=client_credentials)
-- calls app_hidden.client_credentials_token (auth_edge only), which creates a short-lived
-- session for the bot (tokens need `sid`), so every statement passes current_user_id()'s
-- liveness: revoking the secret (its sessions are revoked with it) or disabling the bot ends
-- access on the next request. Failures are counted per client and per address and refused
-- past a limit, without saying which check failed (O6).

create table if not exists app_private.service_clients (
  client_id text primary key check (client_id ~ '^svc_[0-9a-f]{16}$'),
  user_id uuid not null unique references app_public.users on delete cascade,
  name text not null check (length(name) between 1 and 100),
  created_at timestamptz not null default now()
);
comment on table app_private.service_clients is 'Service accounts: the client id of a bot user.';

create table if not exists app_private.service_secrets (
  id uuid primary key default gen_random_uuid(),
  client_id text not null references app_private.service_clients on delete cascade,
  secret_hash bytea not null unique check (length(secret_hash) = 32),
  created_at timestamptz not null default now(),
  expires_at timestamptz,
  revoked_at timestamptz
);
comment on table app_private.service_secrets is 'SHA-256 of each client secret; at most two live per client (rotation).';
drop index if exists app_private.service_secrets_client_idx;
create index if not exists service_secrets_client_id_idx on app_private.service_secrets (client_id);

create table if not exists app_private.service_sessions (
  session_id uuid primary key references app_private.sessions on delete cascade,
  secret_id uuid not null references app_private.service_secrets on delete cascade
);
comment on table app_private.service_sessions is 'Which secret opened each service session, so revoking the secret ends them.';
create index if not exists service_sessions_secret_idx on app_private.service_sessions (secret_id);

create table if not exists app_private.client_credential_failures (
  bucket text not null,
  window_start timestamptz not null,
  failures int not null default 0,
  primary key (bucket, window_start)
);
comment on table app_private.client_credential_failures is 'Failed client-credentials attempts per client id and per address, per 15-minute window (O6).';

call app_private.enable_rls('app_private.service_clients');
call app_private.enable_rls('app_private.service_secrets');
call app_private.enable_rls('app_private.service_sessions');
call app_private.enable_rls('app_private.client_credential_failures');

-- Owner only (the CLI runs as the owner): a new secret for a client; past two live secrets the
-- oldest is revoked with its sessions. Returns the secret, shown this once.
create or replace function app_private.add_service_secret(p_client_id text, p_expires_at timestamptz default null)
  returns text
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_secret text := 'svs_' || pg_catalog.encode(public.gen_random_bytes(32), 'hex');
  v_old uuid;
begin
  if not exists (select 1 from app_private.service_clients c where c.client_id = p_client_id) then
    raise exception 'No such service account' using errcode = 'NTFND';
  end if;
  -- clock_timestamp: secrets added in one transaction still order by age.
  insert into app_private.service_secrets (client_id, secret_hash, expires_at, created_at)
    values (p_client_id, public.digest(v_secret, 'sha256'), p_expires_at, pg_catalog.clock_timestamp());
  for v_old in
    select s.id from app_private.service_secrets s
    where s.client_id = p_client_id and s.revoked_at is null
    order by s.created_at desc offset 2
  loop
    perform app_private.revoke_service_secret(v_old);
  end loop;
  return v_secret;
end;
$$;
comment on function app_private.add_service_secret(text, timestamptz) is
  'Owner only: a new client secret (returned once); the oldest beyond two live ones is revoked with its sessions.';
revoke all on function app_private.add_service_secret(text, timestamptz) from public;

create or replace function app_private.revoke_service_secret(p_secret_id uuid) returns void
  language sql volatile
  set search_path = pg_catalog, pg_temp
as $$
  update app_private.service_secrets set revoked_at = pg_catalog.now() where id = p_secret_id and revoked_at is null;
  update app_private.sessions s set revoked_at = pg_catalog.now(), revoked_reason = 'service secret revoked'
    from app_private.service_sessions ss
    where ss.secret_id = p_secret_id and ss.session_id = s.id and s.revoked_at is null;
$$;
comment on function app_private.revoke_service_secret(uuid) is 'Owner only: revokes a client secret and every session it opened.';
revoke all on function app_private.revoke_service_secret(uuid) from public;

create or replace function app_private.create_service_account(p_name text, p_expires_at timestamptz default null)
  returns table (client_id text, client_secret text, user_id uuid)
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_client text := 'svc_' || pg_catalog.encode(public.gen_random_bytes(8), 'hex');
  v_user uuid;
begin
  insert into app_public.users (email, display_name, is_bot)
    values (v_client || '@service.invalid', p_name, true) returning id into v_user;
  update app_public.users set email_verified_at = pg_catalog.now() where id = v_user;
  insert into app_private.service_clients (client_id, user_id, name) values (v_client, v_user, p_name);
  return query select v_client, app_private.add_service_secret(v_client, p_expires_at), v_user;
end;
$$;
comment on function app_private.create_service_account(text, timestamptz) is
  'Owner only: a bot user with a client id and a first secret (returned once).';
revoke all on function app_private.create_service_account(text, timestamptz) from public;

create or replace function app_private.revoke_service_account(p_client_id text) returns void
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_id uuid;
begin
  for v_id in select s.id from app_private.service_secrets s where s.client_id = p_client_id and s.revoked_at is null loop
    perform app_private.revoke_service_secret(v_id);
  end loop;
  update app_public.users u set disabled_at = pg_catalog.now()
    from app_private.service_clients c where c.client_id = p_client_id and u.id = c.user_id and u.disabled_at is null;
end;
$$;
comment on function app_private.revoke_service_account(text) is 'Owner only: revokes every secret and session and disables the bot.';
revoke all on function app_private.revoke_service_account(text) from public;

-- Security definer, edge only (auth_edge): checks a client's secret and opens a short session
-- for its bot. Errors are returned in the row (not raised) so failure counts commit; the error
-- says only invalid_client or limited, never which check failed (O6).
create or replace function app_hidden.client_credentials_token(p_client_id text, p_secret text, p_ip inet, p_ttl_seconds int)
  returns table (user_id uuid, session_id uuid, error text)
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_window timestamptz := pg_catalog.to_timestamp(pg_catalog.floor(extract(epoch from pg_catalog.now()) / 900) * 900);
  v_limit constant int := 10;
  v_user uuid;
  v_secret uuid;
  v_session uuid;
  v_buckets text[] := array['client:' || coalesce(pg_catalog.left(p_client_id, 40), ''), 'ip:' || coalesce(pg_catalog.host(p_ip), '')];
begin
  if exists (select 1 from app_private.client_credential_failures f
             where f.bucket = any (v_buckets) and f.window_start = v_window and f.failures >= v_limit) then
    return query select null::uuid, null::uuid, 'limited'::text;
    return;
  end if;
  select c.user_id, s.id into v_user, v_secret
    from app_private.service_clients c
    join app_private.service_secrets s on s.client_id = c.client_id
    join app_public.users u on u.id = c.user_id
    where c.client_id = p_client_id
      and s.secret_hash = public.digest(coalesce(p_secret, ''), 'sha256')
      and s.revoked_at is null and (s.expires_at is null or s.expires_at > pg_catalog.now())
      and u.disabled_at is null and u.is_bot;
  if v_user is null then
    insert into app_private.client_credential_failures (bucket, window_start, failures)
      select b, v_window, 1 from pg_catalog.unnest(v_buckets) b
      on conflict (bucket, window_start) do update set failures = client_credential_failures.failures + 1;
    perform app_private.write_audit('client_credentials_failed', 'app_private.service_clients', null, null, null,
      pg_catalog.jsonb_build_object('client_id', pg_catalog.left(p_client_id, 40)));
    return query select null::uuid, null::uuid, 'invalid_client'::text;
    return;
  end if;
  insert into app_private.sessions (user_id, expires_at, user_agent, ip)
    values (v_user, pg_catalog.now() + pg_catalog.make_interval(secs => p_ttl_seconds), 'client credentials', p_ip)
    returning id into v_session;
  insert into app_private.service_sessions (session_id, secret_id) values (v_session, v_secret);
  return query select v_user, v_session, null::text;
end;
$$;
comment on function app_hidden.client_credentials_token(text, text, inet, int) is
  'Edge only: the bot user and a new short session for a valid client id and secret, or error invalid_client / limited (counted per client and per address).';
revoke all on function app_hidden.client_credentials_token(text, text, inet, int) from public, anonymous, app_user, bot;
grant execute on function app_hidden.client_credentials_token(text, text, inet, int) to auth_edge;

--! split: 6300-permissions-claims-hook.sql
-- Claims hook (issue #11 part 4). auth_config.claims_hook names a SQL function
-- (user_id uuid, session_id uuid, claims jsonb) -> jsonb, called when an access token is
-- issued; its object's keys are added to the token. Threat model (O3): a hook must not set or
-- override a reserved claim (identity, session, role, issuer, audience, lifetimes), and a hook
-- that errors or answers anything but an object must fail closed: no token, an audited error.
-- The hook runs as the owner (a security definer caller): only a DBA can set it.

do $$ begin
  if not exists (select 1 from information_schema.columns
                 where table_schema = 'app_private' and table_name = 'auth_config' and column_name = 'claims_hook') then
    alter table app_private.auth_config add column claims_hook regprocedure;
  end if;
end $$;
comment on column app_private.auth_config.claims_hook is
  'A function (uuid, uuid, jsonb) returning jsonb, called when an access token is issued to add claims (reserved ones refused: O3); NULL for none. For Hasura: app_private.hasura_claims(uuid, uuid, jsonb).';

-- Owner only (not exposed, so A7/B3's "no dynamic SQL in exposed functions" holds): runs the
-- hook. Dynamic SQL on purpose and only here: the statement is built from a regprocedure (an
-- existing function, its name printed schema-qualified and quoted by regproc), never from
-- client text.
create or replace function app_private.run_claims_hook(p_hook regprocedure, p_user_id uuid, p_session_id uuid, p_claims jsonb)
  returns jsonb
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_out jsonb;
begin
  execute pg_catalog.format('select %s($1::uuid, $2::uuid, $3::jsonb)', p_hook::oid::regproc)
    into v_out using p_user_id, p_session_id, p_claims;
  return v_out;
end;
$$;
comment on function app_private.run_claims_hook(regprocedure, uuid, uuid, jsonb) is 'Owner only: calls the configured claims hook.';
revoke all on function app_private.run_claims_hook(regprocedure, uuid, uuid, jsonb) from public;

-- Security definer, edge only (auth_edge): reads auth_config and runs the configured hook
-- through run_claims_hook. The error is returned, not raised, so its audit row commits.
create or replace function app_hidden.token_claims(p_user_id uuid, p_session_id uuid, p_claims jsonb)
  returns table (claims jsonb, error text)
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_hook regprocedure := (select c.claims_hook from app_private.auth_config c);
  v_out jsonb;
  v_reserved constant text[] := array['sub', 'sid', 'role', 'iss', 'aud', 'exp', 'iat', 'nbf', 'jti', 'aal', 'amr', 'client_id', 'act'];
  v_reason text;
begin
  if v_hook is null then
    return query select '{}'::jsonb, null::text;
    return;
  end if;
  begin
    if (select p.prorettype from pg_catalog.pg_proc p where p.oid = v_hook) <> 'jsonb'::regtype then
      v_reason := 'wrong_return_type';
    else
      v_out := app_private.run_claims_hook(v_hook, p_user_id, p_session_id, p_claims);
      if v_out is null or pg_catalog.jsonb_typeof(v_out) <> 'object' then
        v_reason := 'not_an_object';
      elsif exists (select 1 from pg_catalog.jsonb_object_keys(v_out) k where k = any (v_reserved)) then
        v_reason := 'reserved_claim';
      end if;
    end if;
  exception when others then
    v_reason := 'hook_failed';
  end;
  if v_reason is not null then
    perform app_private.write_audit('claims_hook_failed', 'app_private.auth_config', p_user_id::text, null, null,
      pg_catalog.jsonb_build_object('reason', v_reason, 'hook', v_hook::text, 'session_id', p_session_id));
    return query select null::jsonb, 'CLAIM'::text;
    return;
  end if;
  return query select v_out, null::text;
end;
$$;
comment on function app_hidden.token_claims(uuid, uuid, jsonb) is
  'Edge only: the extra claims of the configured claims hook for a new access token, or error CLAIM (audited) when the hook fails, answers no object or sets a reserved claim.';
revoke all on function app_hidden.token_claims(uuid, uuid, jsonb) from public, anonymous, app_user, bot;
grant execute on function app_hidden.token_claims(uuid, uuid, jsonb) to auth_edge;

-- The shipped hook for Hasura's JWT mode: the claims namespace with the allowed roles (the
-- user's application roles and its DB role), the default role (the DB role) and the user id.
-- Owner only: called by token_claims (a definer).
create or replace function app_private.hasura_claims(p_user_id uuid, p_session_id uuid, p_claims jsonb)
  returns jsonb
  language plpgsql stable
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_role text := coalesce(p_claims ->> 'role', app_hidden.user_role(p_user_id), 'app_user');
begin
  return pg_catalog.jsonb_build_object('https://hasura.io/jwt/claims', pg_catalog.jsonb_build_object(
    'x-hasura-allowed-roles',
      (select pg_catalog.jsonb_agg(distinct r order by r)
       from (select v_role as r union select x.role from app_private.user_app_roles(p_user_id) x) roles),
    'x-hasura-default-role', v_role,
    'x-hasura-user-id', p_user_id::text));
end;
$$;
comment on function app_private.hasura_claims(uuid, uuid, jsonb) is
  'Claims hook for Hasura: https://hasura.io/jwt/claims with x-hasura-allowed-roles (DB role and application roles), x-hasura-default-role (the DB role) and x-hasura-user-id. Switch on: update app_private.auth_config set claims_hook = ''app_private.hasura_claims(uuid, uuid, jsonb)''.';
revoke all on function app_private.hasura_claims(uuid, uuid, jsonb) from public;
