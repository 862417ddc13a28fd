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
