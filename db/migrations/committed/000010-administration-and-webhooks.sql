--! Previous: sha1:80fa123feffa642759dbd3a343988f0dcd5a6fb2
--! Hash: sha1:7a440adcf14c56dd70d2d03a88b74e77f14f7fa9
--! Message: administration and webhooks

--! split: 3000-admin.sql
-- Administration (issue 12): bans, the admin API over users (list, show, revoke sessions,
-- unlink identities, set roles, delete, reset MFA), impersonation, account merging and audit
-- queries. Called by PostGraphile (app_public functions become adminUsers, banUser, ...), by
-- the edge (app_hidden.impersonate_user, proxy/features/admin/plugin.ts) and by the ops CLI
-- (proxy/cli/admin/), which connects as the owner and calls the same functions.
--
-- Threat model (O4): an admin operation is decided here, by the caller's live session and the
-- role tables, never by a token claim. app_hidden.admin_actor() is the one gate: no live
-- session is LOGIN; without the `admin:<action>` permission (the seed's admin role holds
-- admin:*; an API key only within its scope) DNIED; a target whose role ranks equal to or
-- above the caller's OUTRK, so admins cannot act on admins, and a role above the caller's is
-- never granted. Every operation writes an audit row naming the acting admin (or `cli`).
-- The CLI is recognised as a session that logged in as the schema owner itself
-- (session_user = the definer's owner, no SET ROLE), which no request role can become.

-- 3000-admin-gate.sql
-- Bans: while a row is live (banned_until null = forever, or in the future) every sign-in
-- path is refused in app_private.assert_can_sign_in (start_session calls it).
create table if not exists app_private.user_bans (
  user_id uuid primary key references app_public.users on delete cascade,
  banned_until timestamptz null,
  reason text not null constraint user_bans_reason_check check (length(reason) between 1 and 500),
  banned_by uuid references app_public.users (id) on delete set null,
  banned_at timestamptz not null default now()
);
create index if not exists user_bans_banned_by_idx on app_private.user_bans (banned_by);
call app_private.enable_rls('app_private.user_bans');
comment on table app_private.user_bans is 'A ban per user: sign-in is refused (BANND) until banned_until (NULL: until unbanned).';

-- How long an impersonation session lives (also the refresh token's limit).
do $$
begin
  if not exists (select 1 from information_schema.columns
                 where table_schema = 'app_private' and table_name = 'auth_config' and column_name = 'impersonation_ttl') then
    alter table app_private.auth_config add column impersonation_ttl interval not null default '1 hour'
      constraint auth_config_impersonation_ttl_check check (impersonation_ttl between interval '1 minute' and interval '1 day');
  end if;
end;
$$;
comment on column app_private.auth_config.impersonation_ttl is 'Lifetime of an impersonation session (impersonateUser); its refresh token ends with it.';

-- Audit trail queries filter by the subject of an event.
create index if not exists audit_log_target_id_idx on app_public.audit_log (target_id, id desc);

insert into app_public.permissions (name, description) values
  ('admin:*', 'Every administration action (subject to the role rule: never on an equal or higher role).'),
  ('admin:read', 'List and inspect users (adminUsers, adminUser).'),
  ('admin:ban', 'Ban and unban users.'),
  ('admin:sessions', 'Revoke users'' sessions.'),
  ('admin:identities', 'Unlink users'' sign-in providers.'),
  ('admin:roles', 'Set users'' application roles (never above your own).'),
  ('admin:delete', 'Delete (anonymise) users.'),
  ('admin:mfa', 'Remove users'' second factors.'),
  ('admin:impersonate', 'Sign in as a user of a lower role, for a limited time.'),
  ('admin:merge', 'Merge two accounts.'),
  ('admin:audit', 'Read the audit log through adminAuditLog.')
on conflict (name) do nothing;
insert into app_public.role_permissions (role, permission)
  select r.name, 'admin:*' from app_public.app_roles r where r.db_role = 'admin'
on conflict (role, permission) do nothing;

-- Refuses a sign-in while the user is banned (replaces the no-op of 0100-session-claims.sql).
create or replace function app_private.assert_can_sign_in(p_user uuid) returns void
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
  if exists (select 1 from app_private.user_bans b
             where b.user_id = p_user and (b.banned_until is null or b.banned_until > now())) then
    raise exception 'This account is banned' using errcode = 'BANND';
  end if;
end;
$$;
comment on function app_private.assert_can_sign_in(uuid) is 'Raises BANND while the user is banned (app_private.user_bans); called by start_session for every sign-in path.';
revoke all on function app_private.assert_can_sign_in(uuid) from public;

-- The rank of the highest database role a user's live application roles imply (bots and
-- plain users 1, manager 2, admin 3), whether or not the user is disabled.
create or replace function app_private.role_rank(p_user uuid) returns int
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select coalesce(max(case r.db_role when 'admin' then 3 when 'manager' then 2 else 1 end), 1)
  from app_private.user_app_roles(p_user) x
  join app_public.app_roles r on r.name = x.role
$$;
comment on function app_private.role_rank(uuid) is 'O4: 3 admin, 2 manager, 1 anyone else: the highest DB role implied by the user''s live application roles (disabled or not).';
revoke all on function app_private.role_rank(uuid) from public;

-- True in the ops CLI: the connection logged in as the owner and set no role.
create or replace function app_private.is_cli() returns boolean
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select pg_catalog.current_setting('role') = 'none'
     and session_user = (select pg_catalog.pg_get_userbyid(n.nspowner) from pg_catalog.pg_namespace n where n.nspname = 'app_private')
$$;
comment on function app_private.is_cli() is 'True when the caller is the ops CLI: logged in as the schema owner, no SET ROLE (request roles always run under SET ROLE as the login role).';
revoke all on function app_private.is_cli() from public;

create or replace function app_hidden.admin_actor(p_permission text, p_target uuid) returns uuid
language plpgsql stable
-- Definer: reads the role tables and sessions for the caller's live session and the target's
-- rank, which a request role cannot read for others.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_me uuid;
begin
  if app_private.is_cli() then
    if p_target is not null and not exists (select 1 from app_public.users u where u.id = p_target) then
      raise exception 'No such user' using errcode = 'NTFND';
    end if;
    return null;
  end if;
  v_me := app_hidden.current_user_id();
  if v_me is null then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  if not app_hidden.has_permission(p_permission) then
    raise exception 'Permission denied' using errcode = 'DNIED';
  end if;
  if p_target is not null then
    if not exists (select 1 from app_public.users u where u.id = p_target) then
      raise exception 'No such user' using errcode = 'NTFND';
    end if;
    if app_private.role_rank(p_target) >= app_private.role_rank(v_me) then
      raise exception 'That user''s role is equal to or higher than yours' using errcode = 'OUTRK';
    end if;
  end if;
  return v_me;
end;
$$;
comment on function app_hidden.admin_actor(text, uuid) is 'O4 gate of every admin operation: the acting admin (NULL for the ops CLI). LOGIN without a live session, DNIED without the permission, NTFND for a missing target, OUTRK when the target''s role is equal to or higher than yours.';
revoke all on function app_hidden.admin_actor(text, uuid) from public;
grant execute on function app_hidden.admin_actor(text, uuid) to app_user;

-- One audit row for an admin event about a user, attributed to the caller (or `cli`).
create or replace function app_private.admin_audit(p_event text, p_target uuid, p_detail jsonb) returns void
language sql volatile
set search_path = pg_catalog, pg_temp
as $$
  insert into app_public.audit_log (actor_user_id, actor_session_id, actor_role, event, table_name, target_id, detail)
  values (app_hidden.claimed_user_id(), app_hidden.current_session_id(),
          case when app_private.is_cli() then 'cli'
               when pg_catalog.current_setting('role') = 'auth_edge'
                 then coalesce(nullif(pg_catalog.current_setting('jwt.claims.role', true), ''), 'anonymous')
               else pg_catalog.current_setting('role') end,
          p_event, 'app_public.users', p_target::text, p_detail)
$$;
comment on function app_private.admin_audit(text, uuid, jsonb) is 'Appends an admin event about a user to audit_log, actor_role `cli` for the ops CLI.';
revoke all on function app_private.admin_audit(text, uuid, jsonb) from public;

-- Ends every live session of a user (API keys and impersonation sessions included).
create or replace function app_private.revoke_user_sessions(p_user uuid, p_reason text) returns int
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_n int;
begin
  update app_private.sessions s set revoked_at = now(), revoked_reason = p_reason
    where s.user_id = p_user and s.revoked_at is null;
  get diagnostics v_n = row_count;
  return v_n;
end;
$$;
comment on function app_private.revoke_user_sessions(uuid, text) is 'Revokes every session of a user now; returns how many.';
revoke all on function app_private.revoke_user_sessions(uuid, text) from public;

-- 3010-admin-users.sql
-- What an admin sees of a user.
drop type if exists app_public.admin_user_detail cascade;
drop type if exists app_public.admin_user cascade;
create type app_public.admin_user as (
  id uuid,
  email text,
  display_name text,
  is_bot boolean,
  created_at timestamptz,
  last_sign_in_at timestamptz,
  email_verified_at timestamptz,
  disabled_at timestamptz,
  is_banned boolean,
  banned_until timestamptz,
  ban_reason text,
  roles text[],
  factor_count int,
  providers text[]
);
comment on type app_public.admin_user is 'A user as an administrator sees them.';
comment on column app_public.admin_user.last_sign_in_at is 'Start of the newest session that was not an impersonation.';
comment on column app_public.admin_user.is_banned is 'A ban is in force now (sign-in refused with BANND).';
comment on column app_public.admin_user.banned_until is 'End of the ban in force (NULL with is_banned: until unbanned).';
comment on column app_public.admin_user.roles is 'Live application roles (granted, domain rules, defaults).';
comment on column app_public.admin_user.factor_count is 'Active second factors.';
comment on column app_public.admin_user.providers is 'Linked sign-in providers.';

drop type if exists app_public.admin_session cascade;
create type app_public.admin_session as (
  id uuid, created_at timestamptz, last_used_at timestamptz, expires_at timestamptz,
  user_agent text, ip text, aal text, amr text[], actor_id uuid, is_api_key boolean
);
comment on type app_public.admin_session is 'A live session of a user; actor_id is the admin of an impersonation session.';

drop type if exists app_public.admin_identity cascade;
create type app_public.admin_identity as (provider text, issuer text, subject text, email text, created_at timestamptz);
comment on type app_public.admin_identity is 'A sign-in provider linked to a user.';

create type app_public.admin_user_detail as (
  account app_public.admin_user,
  sessions app_public.admin_session[],
  identities app_public.admin_identity[],
  recent_audit jsonb
);
comment on type app_public.admin_user_detail is 'A user with their live sessions, linked providers and latest 20 audit rows (as them or about them).';

create or replace function app_private.admin_user_row(p_user uuid) returns app_public.admin_user
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select u.id, u.email::text, u.display_name, u.is_bot, u.created_at,
    (select max(s.created_at) from app_private.sessions s where s.user_id = u.id and s.actor_id is null),
    u.email_verified_at, u.disabled_at,
    b.user_id is not null, b.banned_until, b.reason,
    array(select x.role from app_private.user_app_roles(u.id) x order by 1),
    (select count(*)::int from app_private.mfa_factors f where f.user_id = u.id and f.status = 'active'),
    array(select i.provider from app_public.user_identities i where i.user_id = u.id order by 1)
  from app_public.users u
  left join app_private.user_bans b
    on b.user_id = u.id and (b.banned_until is null or b.banned_until > now())
  where u.id = p_user
$$;
comment on function app_private.admin_user_row(uuid) is 'The admin_user view of one user.';
revoke all on function app_private.admin_user_row(uuid) from public;

create or replace function app_public.admin_users(
  search text default null, role text default null, banned boolean default null,
  verified boolean default null, disabled boolean default null,
  before_created_at timestamptz default null, before_id uuid default null, max_rows int default 20
) returns setof app_public.admin_user
language plpgsql stable
-- Definer: joins sessions, bans and factors (app_private); admin_actor decides first.
security definer
set search_path = pg_catalog, pg_temp
as $$
#variable_conflict use_column
begin
  perform app_hidden.admin_actor('admin:read', null);
  return query
    select r.*
    from (
      select u.id, u.created_at from app_public.users u
      where (admin_users.search is null
             or pg_catalog.strpos(pg_catalog.lower(u.email::text), pg_catalog.lower(admin_users.search)) > 0
             or pg_catalog.strpos(pg_catalog.lower(coalesce(u.display_name, '')), pg_catalog.lower(admin_users.search)) > 0)
        and (admin_users.verified is null or (u.email_verified_at is not null) = admin_users.verified)
        and (admin_users.disabled is null or (u.disabled_at is not null) = admin_users.disabled)
        and (admin_users.banned is null or exists (
               select 1 from app_private.user_bans b
               where b.user_id = u.id and (b.banned_until is null or b.banned_until > now())) = admin_users.banned)
        and (admin_users.role is null or exists (
               select 1 from app_private.user_app_roles(u.id) x where x.role = admin_users.role))
        and (u.created_at, u.id) < (coalesce(admin_users.before_created_at, 'infinity'),
                                    coalesce(admin_users.before_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))
      order by u.created_at desc, u.id desc
      limit least(greatest(coalesce(admin_users.max_rows, 20), 1), 100)
    ) page
    cross join lateral app_private.admin_user_row(page.id) r
    order by page.created_at desc, page.id desc;
end;
$$;
comment on function app_public.admin_users(text, text, boolean, boolean, boolean, timestamptz, uuid, int) is
  'Admin: users newest first. search matches email or name (case-insensitive substring); role, banned, verified, disabled filter. Keyset pages: pass the last row''s createdAt/id as beforeCreatedAt/beforeId; at most 100 rows. Needs admin:read.';
revoke all on function app_public.admin_users(text, text, boolean, boolean, boolean, timestamptz, uuid, int) from public;
grant execute on function app_public.admin_users(text, text, boolean, boolean, boolean, timestamptz, uuid, int) to app_user;

create or replace function app_public.admin_user(id uuid) returns app_public.admin_user_detail
language plpgsql stable
-- Definer: reads sessions and the audit log of another user; admin_actor decides first.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v app_public.admin_user_detail;
begin
  perform app_hidden.admin_actor('admin:read', null);
  v.account := app_private.admin_user_row(admin_user.id);
  if (v.account).id is null then
    raise exception 'No such user' using errcode = 'NTFND';
  end if;
  v.sessions := array(
    select row(s.id, s.created_at, s.last_used_at, s.expires_at, s.user_agent, host(s.ip), s.aal, s.amr, s.actor_id,
               exists (select 1 from app_public.api_keys k where k.session_id = s.id))::app_public.admin_session
    from app_private.sessions s
    where s.user_id = admin_user.id and s.revoked_at is null and s.expires_at > now()
    order by s.last_used_at desc);
  v.identities := array(
    select row(i.provider, i.issuer, i.subject, i.email::text, i.created_at)::app_public.admin_identity
    from app_public.user_identities i where i.user_id = admin_user.id order by i.provider);
  v.recent_audit := coalesce((
    select jsonb_agg(jsonb_build_object('id', a.id, 'at', a.at, 'event', a.event, 'actorUserId', a.actor_user_id,
                                        'actorRole', a.actor_role, 'tableName', a.table_name, 'targetId', a.target_id,
                                        'detail', a.detail) order by a.id desc)
    from (select * from app_public.audit_log a
          where a.target_id = admin_user.id::text or a.actor_user_id = admin_user.id
          order by a.id desc limit 20) a), '[]');
  return v;
end;
$$;
comment on function app_public.admin_user(uuid) is 'Admin: one user with live sessions, linked providers and the latest 20 audit rows about or by them. Needs admin:read.';
revoke all on function app_public.admin_user(uuid) from public;
grant execute on function app_public.admin_user(uuid) to app_user;

-- 3020-admin-actions.sql
create or replace function app_public.ban_user(user_id uuid, reason text, "until" timestamptz default null)
returns app_public.admin_user
language plpgsql volatile
-- Definer: writes bans and revokes sessions (app_private); admin_actor decides first (O4).
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_actor uuid := app_hidden.admin_actor('admin:ban', ban_user.user_id);
  v_n int;
begin
  if coalesce(btrim(ban_user.reason), '') = '' then
    raise exception 'A reason is required' using errcode = 'REASN';
  end if;
  if ban_user.until is not null and ban_user.until <= now() then
    raise exception 'The ban must end in the future' using errcode = 'BADRQ';
  end if;
  insert into app_private.user_bans (user_id, banned_until, reason, banned_by)
    values (ban_user.user_id, ban_user.until, ban_user.reason, v_actor)
    on conflict on constraint user_bans_pkey do update
      set banned_until = excluded.banned_until, reason = excluded.reason, banned_by = excluded.banned_by, banned_at = now();
  v_n := app_private.revoke_user_sessions(ban_user.user_id, 'banned');
  perform app_private.admin_audit('user_banned', ban_user.user_id,
    jsonb_build_object('reason', ban_user.reason, 'until', ban_user.until, 'sessions_revoked', v_n));
  return app_private.admin_user_row(ban_user.user_id);
end;
$$;
comment on function app_public.ban_user(uuid, text, timestamptz) is 'Admin: ban a user until a time (NULL: until unbanned) with a reason; every session ends now and sign-in is refused (BANND). Needs admin:ban; never on an equal or higher role (OUTRK).';
revoke all on function app_public.ban_user(uuid, text, timestamptz) from public;
grant execute on function app_public.ban_user(uuid, text, timestamptz) to app_user;

create or replace function app_public.unban_user(user_id uuid) returns app_public.admin_user
language plpgsql volatile
-- Definer: deletes from app_private.user_bans; admin_actor decides first (O4).
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_actor uuid := app_hidden.admin_actor('admin:ban', unban_user.user_id);
begin
  delete from app_private.user_bans b where b.user_id = unban_user.user_id;
  if not found then
    raise exception 'This user is not banned' using errcode = 'NTFND';
  end if;
  perform app_private.admin_audit('user_unbanned', unban_user.user_id, jsonb_build_object('by', v_actor));
  return app_private.admin_user_row(unban_user.user_id);
end;
$$;
comment on function app_public.unban_user(uuid) is 'Admin: lift a user''s ban. Needs admin:ban; never on an equal or higher role (OUTRK).';
revoke all on function app_public.unban_user(uuid) from public;
grant execute on function app_public.unban_user(uuid) to app_user;

create or replace function app_public.admin_revoke_sessions(user_id uuid) returns int
language plpgsql volatile
-- Definer: revokes rows of app_private.sessions; admin_actor decides first (O4).
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_n int;
begin
  perform app_hidden.admin_actor('admin:sessions', admin_revoke_sessions.user_id);
  v_n := app_private.revoke_user_sessions(admin_revoke_sessions.user_id, 'revoked_by_admin');
  perform app_private.admin_audit('admin_sessions_revoked', admin_revoke_sessions.user_id, jsonb_build_object('count', v_n));
  return v_n;
end;
$$;
comment on function app_public.admin_revoke_sessions(uuid) is 'Admin: end every session of a user (API keys included) from their next request; returns how many. Needs admin:sessions.';
revoke all on function app_public.admin_revoke_sessions(uuid) from public;
grant execute on function app_public.admin_revoke_sessions(uuid) to app_user;

create or replace function app_public.admin_unlink_identity(user_id uuid, provider text, force boolean default false, reason text default null)
returns app_public.admin_user
language plpgsql volatile
-- Definer: reads password state (app_private) and deletes identities; admin_actor decides first.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_id uuid;
  v_last boolean;
begin
  perform app_hidden.admin_actor('admin:identities', admin_unlink_identity.user_id);
  select i.id into v_id from app_public.user_identities i
    where i.user_id = admin_unlink_identity.user_id and i.provider = admin_unlink_identity.provider for update;
  if v_id is null then
    raise exception 'No such linked provider' using errcode = 'NTFND';
  end if;
  v_last := not exists (select 1 from app_private.user_secrets s
                        where s.user_id = admin_unlink_identity.user_id and s.password_hash is not null)
        and not exists (select 1 from app_public.user_identities i
                        where i.user_id = admin_unlink_identity.user_id and i.id <> v_id);
  if v_last and not coalesce(admin_unlink_identity.force, false) then
    raise exception 'This is the user''s last way to sign in' using errcode = 'LASTM';
  end if;
  if v_last and coalesce(btrim(admin_unlink_identity.reason), '') = '' then
    raise exception 'A reason is required' using errcode = 'REASN';
  end if;
  delete from app_public.user_identities i where i.id = v_id;
  perform app_private.admin_audit('admin_identity_unlinked', admin_unlink_identity.user_id,
    jsonb_build_object('provider', admin_unlink_identity.provider, 'forced', v_last, 'reason', admin_unlink_identity.reason));
  return app_private.admin_user_row(admin_unlink_identity.user_id);
end;
$$;
comment on function app_public.admin_unlink_identity(uuid, text, boolean, text) is 'Admin: unlink a user''s sign-in provider. Refused (LASTM) when it is their last way to sign in, unless force with a reason (REASN without one). Needs admin:identities.';
revoke all on function app_public.admin_unlink_identity(uuid, text, boolean, text) from public;
grant execute on function app_public.admin_unlink_identity(uuid, text, boolean, text) to app_user;

create or replace function app_public.admin_set_roles(user_id uuid, roles text[]) returns app_public.admin_user
language plpgsql volatile
-- Definer: writes user_roles for users below the caller; admin_actor decides first (O4).
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_actor uuid := app_hidden.admin_actor('admin:roles', admin_set_roles.user_id);
  v_roles text[] := array(select distinct x from unnest(coalesce(admin_set_roles.roles, '{}')) x where x is not null);
  v_before text[];
  v_unknown text;
begin
  select x into v_unknown from unnest(v_roles) x
    where not exists (select 1 from app_public.app_roles r where r.name = x) limit 1;
  if v_unknown is not null then
    raise exception 'No such role' using errcode = 'NTFND';
  end if;
  if v_actor is not null and exists (
       select 1 from app_public.app_roles r
       where r.name = any (v_roles)
         and (case r.db_role when 'admin' then 3 when 'manager' then 2 else 1 end) > app_private.role_rank(v_actor)) then
    raise exception 'You cannot grant a role above your own' using errcode = 'OUTRK';
  end if;
  v_before := array(select ur.role from app_public.user_roles ur where ur.user_id = admin_set_roles.user_id order by 1);
  delete from app_public.role_grants g where g.user_id = admin_set_roles.user_id and g.role <> all (v_roles);
  delete from app_public.user_roles ur where ur.user_id = admin_set_roles.user_id and ur.role <> all (v_roles);
  insert into app_public.user_roles (user_id, role, granted_by)
    select admin_set_roles.user_id, x, v_actor from unnest(v_roles) x
  on conflict on constraint user_roles_pkey do nothing;
  perform app_private.admin_audit('admin_roles_set', admin_set_roles.user_id,
    jsonb_build_object('before', to_jsonb(v_before), 'after', to_jsonb(v_roles)));
  return app_private.admin_user_row(admin_set_roles.user_id);
end;
$$;
comment on function app_public.admin_set_roles(uuid, text[]) is 'Admin: set exactly the application roles granted to a user (default roles and domain rules still apply). Never on an equal or higher role, never a role above your own (OUTRK). Needs admin:roles.';
revoke all on function app_public.admin_set_roles(uuid, text[]) from public;
grant execute on function app_public.admin_set_roles(uuid, text[]) to app_user;

create or replace function app_public.admin_reset_mfa(user_id uuid) returns app_public.admin_user
language plpgsql volatile
-- Definer: deletes app_private.mfa_factors (secrets cascade); admin_actor decides first (O4).
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_n int;
begin
  perform app_hidden.admin_actor('admin:mfa', admin_reset_mfa.user_id);
  delete from app_private.mfa_factors f where f.user_id = admin_reset_mfa.user_id;
  get diagnostics v_n = row_count;
  -- What belonged to those factors goes with them: an old recovery code or trusted device must
  -- not stand in for a factor enrolled later (N10).
  delete from app_private.mfa_recovery_codes r where r.user_id = admin_reset_mfa.user_id;
  delete from app_private.trusted_devices t where t.user_id = admin_reset_mfa.user_id;
  perform app_private.admin_audit('admin_mfa_reset', admin_reset_mfa.user_id, jsonb_build_object('factors', v_n));
  return app_private.admin_user_row(admin_reset_mfa.user_id);
end;
$$;
comment on function app_public.admin_reset_mfa(uuid) is 'Admin: remove every second factor of a user, with their recovery codes and trusted devices (they sign in with one factor and may enrol again). Needs admin:mfa.';
revoke all on function app_public.admin_reset_mfa(uuid) from public;
grant execute on function app_public.admin_reset_mfa(uuid) to app_user;

create or replace function app_public.admin_delete_user(user_id uuid) returns boolean
language plpgsql volatile
-- Definer: erases credentials and personal data across app_private; admin_actor decides first.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_id uuid := admin_delete_user.user_id;
begin
  perform app_hidden.admin_actor('admin:delete', v_id);
  perform app_private.revoke_user_sessions(v_id, 'deleted');
  delete from app_public.api_keys k where k.user_id = v_id;
  delete from app_public.user_identities i where i.user_id = v_id;
  delete from app_private.mfa_factors f where f.user_id = v_id;
  delete from app_private.email_tokens t where t.user_id = v_id;
  delete from app_private.password_history h where h.user_id = v_id;
  update app_private.user_secrets s set password_hash = null, password_updated_at = null where s.user_id = v_id;
  delete from app_public.role_grants g where g.user_id = v_id;
  delete from app_public.user_roles ur where ur.user_id = v_id;
  delete from app_public.user_acl a where a.user_id = v_id or a.subject_id = v_id;
  delete from app_public.relation_edge e where e.subject_type = 'user' and e.subject_id = v_id;
  delete from app_private.user_bans b where b.user_id = v_id;
  -- The id stays (documents, audit rows and foreign keys keep pointing at it); who it was does not.
  update app_public.users u
    set email = ('deleted-' || v_id::text || '@deleted.invalid')::public.citext, display_name = null,
        email_verified_at = null, disabled_at = coalesce(u.disabled_at, now())
    where u.id = v_id;
  perform app_private.admin_audit('user_deleted', v_id, null);
  return true;
end;
$$;
comment on function app_public.admin_delete_user(uuid) is 'Admin: delete a user''s personal data: credentials, providers, factors, keys, roles, memberships and sessions go; the row stays anonymised and disabled (email deleted-<id>@deleted.invalid) so audit rows keep the id. Needs admin:delete.';
revoke all on function app_public.admin_delete_user(uuid) from public;
grant execute on function app_public.admin_delete_user(uuid) to app_user;

-- 3030-admin-merge.sql
create or replace function app_public.merge_users(source_id uuid, target_id uuid) returns app_public.admin_user
language plpgsql volatile
-- Definer: moves rows of both users across app_public and app_private; admin_actor decides for
-- each user first (O4). One statement, so one transaction: all moves or none.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_src uuid := merge_users.source_id;
  v_dst uuid := merge_users.target_id;
  v_counts jsonb := '{}';
  v_n int;
begin
  perform app_hidden.admin_actor('admin:merge', v_src);
  perform app_hidden.admin_actor('admin:merge', v_dst);
  if v_src = v_dst then
    raise exception 'Cannot merge a user into itself' using errcode = 'MRGCF';
  end if;
  -- Lock both rows in a fixed order so concurrent merges cannot interleave.
  perform 1 from app_public.users u where u.id in (v_src, v_dst) order by u.id for update;
  if exists (select 1 from app_public.user_identities a join app_public.user_identities b
             on a.provider = b.provider where a.user_id = v_src and b.user_id = v_dst) then
    raise exception 'Both users have an identity of the same provider' using errcode = 'MRGCF';
  end if;
  update app_public.user_identities i set user_id = v_dst where i.user_id = v_src;
  get diagnostics v_n = row_count; v_counts := v_counts || jsonb_build_object('identities', v_n);

  insert into app_public.document_acl (document_id, subject_type, subject_id, role, document_created_at, granted_by, granted_at)
    select a.document_id, 'user', v_dst, a.role, a.document_created_at, a.granted_by, a.granted_at
    from app_public.document_acl a where a.subject_id = v_src
  on conflict on constraint document_acl_pkey do update set role = greatest(document_acl.role, excluded.role);
  delete from app_public.document_acl a where a.subject_id = v_src;
  get diagnostics v_n = row_count; v_counts := v_counts || jsonb_build_object('document_acl', v_n);
  update app_public.documents d set owner_id = v_dst where d.owner_id = v_src;

  insert into app_public.user_acl (user_id, subject_id, role, granted_by, granted_at)
    select a.user_id, v_dst, a.role, a.granted_by, a.granted_at
    from app_public.user_acl a where a.subject_id = v_src and a.user_id <> v_dst
  on conflict on constraint user_acl_pkey do update set role = greatest(user_acl.role, excluded.role);
  delete from app_public.user_acl a where a.subject_id = v_src;
  get diagnostics v_n = row_count; v_counts := v_counts || jsonb_build_object('user_acl', v_n);

  insert into app_public.relation_edge (subject_type, subject_id, relation, object_type, object_id, created_by, created_at)
    select 'user', v_dst, e.relation, e.object_type, e.object_id, e.created_by, e.created_at
    from app_public.relation_edge e where e.subject_type = 'user' and e.subject_id = v_src
  on conflict on constraint relation_edge_pkey do nothing;
  delete from app_public.relation_edge e where e.subject_type = 'user' and e.subject_id = v_src;
  get diagnostics v_n = row_count; v_counts := v_counts || jsonb_build_object('memberships', v_n);

  update app_private.mfa_factors f set user_id = v_dst where f.user_id = v_src;
  get diagnostics v_n = row_count; v_counts := v_counts || jsonb_build_object('factors', v_n);

  v_n := app_private.revoke_user_sessions(v_src, 'merged');
  v_counts := v_counts || jsonb_build_object('sessions_revoked', v_n);
  update app_public.users u set disabled_at = coalesce(u.disabled_at, now()) where u.id = v_src;

  perform app_private.admin_audit('users_merged', v_src, v_counts || jsonb_build_object('into', v_dst));
  perform app_private.admin_audit('users_merged', v_dst, v_counts || jsonb_build_object('from', v_src));
  return app_private.admin_user_row(v_dst);
end;
$$;
comment on function app_public.merge_users(uuid, uuid) is 'Admin: move the source user''s identities, ACL rows, group memberships, documents and factors to the target, revoke the source''s sessions and disable it, in one transaction. Refused (MRGCF) when both have an identity of the same provider. Needs admin:merge; neither user may rank equal to or above you (OUTRK).';
revoke all on function app_public.merge_users(uuid, uuid) from public;
grant execute on function app_public.merge_users(uuid, uuid) to app_user;

-- 3040-admin-audit.sql
-- Invoker: the admin reads the audit log under its own RLS policy (select_admin).
create or replace function app_public.admin_audit_log(
  user_id uuid default null, event text default null, success boolean default null,
  since timestamptz default null, "until" timestamptz default null,
  before_id bigint default null, max_rows int default 50
) returns setof app_public.audit_log
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
#variable_conflict use_column
begin
  perform app_hidden.admin_actor('admin:audit', null);
  return query
    select a.* from app_public.audit_log a
    where (admin_audit_log.user_id is null
           or a.actor_user_id = admin_audit_log.user_id or a.target_id = admin_audit_log.user_id::text)
      and (admin_audit_log.event is null or a.event = admin_audit_log.event)
      and (admin_audit_log.success is null
           or (a.event !~ '(failed|rejected|reuse|limited|denied|refused|locked|expired)') = admin_audit_log.success)
      and (admin_audit_log.since is null or a.at >= admin_audit_log.since)
      and (admin_audit_log.until is null or a.at < admin_audit_log.until)
      and (admin_audit_log.before_id is null or a.id < admin_audit_log.before_id)
    order by a.id desc
    limit least(greatest(coalesce(admin_audit_log.max_rows, 50), 1), 100);
end;
$$;
comment on function app_public.admin_audit_log(uuid, text, boolean, timestamptz, timestamptz, bigint, int) is
  'Admin: audit rows newest first, by or about a user, of an event, successful or not (failed, rejected, denied, limited, reuse, locked, expired events are failures), in [since, until). Keyset pages: pass the last row''s id as beforeId; at most 100. Runs under the audit log''s RLS as you; needs admin:audit.';
revoke all on function app_public.admin_audit_log(uuid, text, boolean, timestamptz, timestamptz, bigint, int) from public;
grant execute on function app_public.admin_audit_log(uuid, text, boolean, timestamptz, timestamptz, bigint, int) to app_user;

-- 3050-admin-impersonation.sql
-- Impersonation: a session as the user whose row names the admin (actor_id); the edge writes
-- act.sub into every access token of it (app_hidden.session_claims) and SQL sees the admin in
-- app_hidden.current_actor_id(). Time-limited by auth_config.impersonation_ttl. Edge only:
-- like every function that mints a session, a request role cannot call it.
create or replace function app_hidden.impersonate_user(p_user uuid, p_reason text, p_ip inet, p_user_agent text)
returns app_hidden.auth_result
language plpgsql volatile
-- Definer: starts a session (app_private); admin_actor decides first (O4).
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_actor uuid := app_hidden.admin_actor('admin:impersonate', p_user);
  v_amr text[];
  v_until timestamptz := now() + (select c.impersonation_ttl from app_private.auth_config c);
  v app_hidden.auth_result;
begin
  if v_actor is null then
    raise exception 'Impersonation needs a signed-in admin' using errcode = 'LOGIN';
  end if;
  if coalesce(btrim(p_reason), '') = '' then
    raise exception 'A reason is required' using errcode = 'REASN';
  end if;
  if exists (select 1 from app_public.users u where u.id = p_user and u.disabled_at is not null) then
    raise exception 'This account is disabled' using errcode = 'DNIED';
  end if;
  if exists (select 1 from app_private.sessions s where s.id = app_hidden.current_session_id() and s.actor_id is not null) then
    raise exception 'Already impersonating' using errcode = 'DNIED';
  end if;
  select s.amr into v_amr from app_private.sessions s where s.id = app_hidden.current_session_id();
  v := app_private.start_session(p_user, p_ip, p_user_agent, coalesce(v_amr, '{pwd}'), 'aal1');
  -- The admin's own sign-in stands in for the user's factors: never pending MFA (2001-mfa-sessions.sql).
  update app_private.sessions s set actor_id = v_actor, expires_at = least(s.expires_at, v_until), mfa_pending = false
    where s.id = v.session_id;
  update app_private.refresh_tokens t set expires_at = least(t.expires_at, v_until) where t.session_id = v.session_id;
  v := app_private.auth_ok(v.user_id, v.session_id, v.refresh_token, least(v.session_expires_at, v_until));
  perform app_private.admin_audit('impersonation_started', p_user,
    jsonb_build_object('actor', v_actor, 'session', v.session_id, 'reason', p_reason, 'until', v_until));
  perform app_private.admin_audit('impersonating', v_actor,
    jsonb_build_object('user', p_user, 'session', v.session_id, 'reason', p_reason, 'until', v_until));
  return v;
end;
$$;
comment on function app_hidden.impersonate_user(uuid, text, inet, text) is 'Edge only: a session as p_user for the calling admin (actor_id, act claim), ending after auth_config.impersonation_ttl; audited for both users. Needs admin:impersonate and a user of a lower role (OUTRK), and a reason (REASN).';
revoke all on function app_hidden.impersonate_user(uuid, text, inet, text) from public;
grant execute on function app_hidden.impersonate_user(uuid, text, inet, text) to auth_edge;

create or replace function app_hidden.stop_impersonating() returns boolean
language plpgsql volatile
-- Definer: revokes the caller's own impersonation session (app_private.sessions).
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_user uuid := app_hidden.current_user_id();
  v_actor uuid := app_hidden.current_actor_id();
  v_session uuid := app_hidden.current_session_id();
begin
  if v_user is null then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  if v_actor is null then
    raise exception 'This session is not an impersonation' using errcode = 'NOIMP';
  end if;
  update app_private.sessions s set revoked_at = now(), revoked_reason = 'impersonation_ended'
    where s.id = v_session and s.revoked_at is null;
  perform app_private.admin_audit('impersonation_ended', v_user, jsonb_build_object('actor', v_actor, 'session', v_session));
  perform app_private.admin_audit('impersonation_ended', v_actor, jsonb_build_object('user', v_user, 'session', v_session));
  return true;
end;
$$;
comment on function app_hidden.stop_impersonating() is 'Ends the caller''s impersonation session now (NOIMP when it is not one); audited for both users.';
revoke all on function app_hidden.stop_impersonating() from public;
grant execute on function app_hidden.stop_impersonating() to app_user;

-- O4: an impersonation is time-limited and marked with `act`, so nothing done in it may outlive
-- it as an unmarked credential of the user: no API key (its session would carry no actor and
-- live until the key's expiry), no second factor or passkey, no linked provider, no password.
-- Refused (DNIED) whatever feature's function writes the row; outside an impersonation
-- current_actor_id() is NULL and these triggers do nothing.
create or replace function app_private.tg__refuse_while_impersonating() returns trigger
language plpgsql volatile
-- Definer: reads the caller's own session (current_actor_id) whatever role writes the row.
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if app_hidden.current_actor_id() is not null then
    raise exception 'Not while impersonating: % cannot be created for the user', tg_argv[0] using errcode = 'DNIED';
  end if;
  return new;
end;
$$;
comment on function app_private.tg__refuse_while_impersonating() is 'O4: BEFORE trigger refusing (DNIED) a new credential of the user (API key, factor, provider, password) from an impersonation session.';
revoke all on function app_private.tg__refuse_while_impersonating() from public;

drop trigger if exists _050_refuse_while_impersonating on app_public.api_keys;
create trigger _050_refuse_while_impersonating before insert on app_public.api_keys
  for each row execute function app_private.tg__refuse_while_impersonating('an API key');
drop trigger if exists _050_refuse_while_impersonating on app_private.mfa_factors;
create trigger _050_refuse_while_impersonating before insert on app_private.mfa_factors
  for each row execute function app_private.tg__refuse_while_impersonating('a second factor');
drop trigger if exists _050_refuse_while_impersonating on app_public.user_identities;
create trigger _050_refuse_while_impersonating before insert on app_public.user_identities
  for each row execute function app_private.tg__refuse_while_impersonating('a linked provider');
drop trigger if exists _050_refuse_while_impersonating on app_private.user_secrets;
create trigger _050_refuse_while_impersonating before update of password_hash on app_private.user_secrets
  for each row when (new.password_hash is distinct from old.password_hash and new.password_hash is not null)
  execute function app_private.tg__refuse_while_impersonating('a password');

create or replace function app_public.current_actor() returns uuid
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select app_hidden.current_actor_id()
$$;
comment on function app_public.current_actor() is 'The admin impersonating you in this session (the token''s act.sub, read from the live session), or null. A UI shows a banner with it.';
revoke all on function app_public.current_actor() from public;
grant execute on function app_public.current_actor() to anonymous, app_user, bot;

--! split: 3100-webhooks.sql
-- Auth-event webhooks (issue 12, O5). Triggers on the tables that record an auth event
-- (users, sessions, user_secrets, mfa_factors, user_identities, user_bans) write the event to
-- an outbox (app_private.webhook_events) and one delivery per subscribed endpoint in the SAME
-- transaction as their cause: a rolled-back change sends nothing, a committed one is sent at
-- least once. Each delivery is a graphile-worker job (`webhook_deliver`,
-- proxy/features/webhooks/deliver.ts) that signs the body per Standard Webhooks with the
-- endpoint's secret, POSTs it to an address it checked against SSRF, and records every
-- attempt here (record_webhook_attempt), scheduling the next one with exponential backoff.
--
-- Threat model: payloads carry the event type and ids only (never emails, hashes or tokens);
-- endpoint secrets (`whsec_` + 256 random bits) live in app_private, are returned once at
-- creation and never readable by a request role; endpoints are created only through the edge
-- (create_webhook_endpoint, auth_edge only) after its URL check, managed and read by admins
-- under RLS. An event with no subscribed endpoint stores nothing (the hot path pays one scan
-- of a small table).

-- The closed list of event types (an endpoint filters on a subset; empty = all).
create or replace function app_private.webhook_event_types() returns text[]
language sql immutable
set search_path = pg_catalog, pg_temp
as $$
  select array['user.created', 'user.verified', 'user.deleted', 'user.banned', 'user.unbanned',
               'session.created', 'session.revoked', 'password.changed', 'mfa.enrolled', 'mfa.removed',
               'identity.linked', 'identity.unlinked']
$$;
comment on function app_private.webhook_event_types() is 'Every auth event a webhook endpoint can subscribe to.';
revoke all on function app_private.webhook_event_types() from public;

create table if not exists app_public.webhook_endpoints (
  id uuid primary key default gen_random_uuid(),
  url text not null constraint webhook_endpoints_url_check
    check (length(url) <= 2000 and url ~ '^https?://[^/?#@[:space:]]+(/[^[:space:]]*)?$'),
  description text constraint webhook_endpoints_description_check check (length(description) <= 200),
  event_types text[] not null default '{}',
  enabled boolean not null default true,
  created_by uuid references app_public.users (id) on delete set null,
  created_at timestamptz not null default now()
);
create index if not exists webhook_endpoints_created_by_idx on app_public.webhook_endpoints (created_by);
comment on table app_public.webhook_endpoints is
  E'@behavior -insert -update -delete -query:resource:connection -query:resource:list\nWhere auth events are POSTed (signed per Standard Webhooks). Admins only: adminWebhookEndpoints, adminCreateWebhookEndpoint, adminDeleteWebhookEndpoint.';
comment on column app_public.webhook_endpoints.url is 'https URL the events are POSTed to; refused when it resolves to a loopback, link-local or private address (O5).';
comment on column app_public.webhook_endpoints.description is 'What the endpoint is for.';
comment on column app_public.webhook_endpoints.event_types is 'Event types sent to this endpoint (user.created, session.revoked, ...); empty means all.';
comment on column app_public.webhook_endpoints.enabled is 'Events are queued for enabled endpoints only.';
comment on column app_public.webhook_endpoints.created_by is 'The admin who created it (NULL when created by the CLI).';
comment on column app_public.webhook_endpoints.created_at is 'When it was created.';

create table if not exists app_private.webhook_endpoint_secrets (
  endpoint_id uuid primary key references app_public.webhook_endpoints (id) on delete cascade,
  secret text not null constraint webhook_endpoint_secrets_secret_check check (secret ~ '^whsec_[A-Za-z0-9+/]{43}=$')
);
comment on table app_private.webhook_endpoint_secrets is 'Each endpoint''s signing secret (Standard Webhooks `whsec_` + base64 of 32 random bytes); shown once at creation.';

create table if not exists app_private.webhook_events (
  id uuid primary key default gen_random_uuid(),
  type text not null,
  data jsonb not null,
  created_at timestamptz not null default now()
);
comment on table app_private.webhook_events is 'The outbox: one row per auth event that had at least one subscribed endpoint, written in the transaction of its cause. `id` is the webhook-id.';

create table if not exists app_public.webhook_deliveries (
  id uuid primary key default gen_random_uuid(),
  endpoint_id uuid not null references app_public.webhook_endpoints (id) on delete cascade,
  event_id uuid not null references app_private.webhook_events (id) on delete cascade,
  event_type text not null,
  status text not null default 'pending'
    constraint webhook_deliveries_status_check check (status in ('pending', 'delivered', 'failed')),
  attempts integer not null default 0,
  next_attempt_at timestamptz default now(),
  last_response_status integer,
  last_error text,
  created_at timestamptz not null default now(),
  delivered_at timestamptz
);
create index if not exists webhook_deliveries_endpoint_id_idx on app_public.webhook_deliveries (endpoint_id, created_at desc);
create index if not exists webhook_deliveries_event_id_idx on app_public.webhook_deliveries (event_id);
comment on table app_public.webhook_deliveries is
  E'@behavior -insert -update -delete -query:resource:connection -query:resource:list\nOne event to one endpoint: its state and last outcome. Admins only (adminWebhookDeliveries).';
comment on column app_public.webhook_deliveries.event_id is E'@behavior -*\nThe event (its id is the webhook-id header).';
comment on column app_public.webhook_deliveries.event_type is 'The event type (user.created, ...).';
comment on column app_public.webhook_deliveries.status is 'pending (an attempt is due at next_attempt_at), delivered (a 2xx answer) or failed (attempts exhausted).';
comment on column app_public.webhook_deliveries.attempts is 'Attempts made so far.';
comment on column app_public.webhook_deliveries.next_attempt_at is 'When the next attempt is due (NULL once delivered or failed).';
comment on column app_public.webhook_deliveries.last_response_status is 'HTTP status of the last attempt (NULL when no answer came).';
comment on column app_public.webhook_deliveries.last_error is 'Why the last attempt failed (timeout, refused address, HTTP status).';
comment on column app_public.webhook_deliveries.delivered_at is 'When a 2xx answer came.';

create table if not exists app_public.webhook_attempts (
  id bigint generated always as identity primary key,
  delivery_id uuid not null references app_public.webhook_deliveries (id) on delete cascade,
  attempted_at timestamptz not null default now(),
  response_status integer,
  error text constraint webhook_attempts_error_check check (length(error) <= 500)
);
create index if not exists webhook_attempts_delivery_id_idx on app_public.webhook_attempts (delivery_id, id);
comment on table app_public.webhook_attempts is
  E'@behavior -insert -update -delete -query:resource:connection -query:resource:list\nEvery attempt of a delivery: its HTTP status or error. Admins only.';
comment on column app_public.webhook_attempts.attempted_at is 'When the attempt finished.';
comment on column app_public.webhook_attempts.response_status is 'HTTP status answered (NULL when none).';
comment on column app_public.webhook_attempts.error is 'Why it failed, NULL on success.';

-- Who manages webhooks: a signed-in admin (the `admin` DB role) holding `admin:webhooks` (the
-- seed's admin role has it through admin:*). The permission is what an API key must carry in
-- its scope: without it an admin's narrowly scoped key could otherwise add an endpoint and
-- receive every auth event, or read the deliveries (O2, O5).
insert into app_public.permissions (name, description) values
  ('admin:webhooks', 'Manage auth-event webhook endpoints and their deliveries (admins only).')
on conflict (name) do nothing;

create or replace function app_hidden.assert_webhook_admin() returns void
language plpgsql stable
-- Definer: reads the caller's own session, roles and key scope (has_permission).
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if app_hidden.current_user_id() is null then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  if app_hidden.current_app_role() is distinct from 'admin' or not app_hidden.has_permission('admin:webhooks') then
    raise exception 'Permission denied' using errcode = 'DNIED';
  end if;
end;
$$;
comment on function app_hidden.assert_webhook_admin() is 'LOGIN without a live session, DNIED unless the caller is an admin holding admin:webhooks (within an API key''s scope).';
revoke all on function app_hidden.assert_webhook_admin() from public;
grant execute on function app_hidden.assert_webhook_admin() to admin;

call app_private.enable_rls('app_public.webhook_endpoints');
call app_private.enable_rls('app_private.webhook_endpoint_secrets');
call app_private.enable_rls('app_private.webhook_events');
call app_private.enable_rls('app_public.webhook_deliveries');
call app_private.enable_rls('app_public.webhook_attempts');
drop policy if exists select_admin on app_public.webhook_endpoints;
create policy select_admin on app_public.webhook_endpoints for select to admin
  using ((select app_hidden.current_app_role()) = 'admin' and (select app_hidden.has_permission('admin:webhooks')));
drop policy if exists delete_admin on app_public.webhook_endpoints;
create policy delete_admin on app_public.webhook_endpoints for delete to admin
  using ((select app_hidden.current_app_role()) = 'admin' and (select app_hidden.has_permission('admin:webhooks')));
drop policy if exists select_admin on app_public.webhook_deliveries;
create policy select_admin on app_public.webhook_deliveries for select to admin
  using ((select app_hidden.current_app_role()) = 'admin' and (select app_hidden.has_permission('admin:webhooks')));
drop policy if exists select_admin on app_public.webhook_attempts;
create policy select_admin on app_public.webhook_attempts for select to admin
  using ((select app_hidden.current_app_role()) = 'admin' and (select app_hidden.has_permission('admin:webhooks')));
revoke all on app_public.webhook_endpoints, app_public.webhook_deliveries, app_public.webhook_attempts from public;
grant select, delete on app_public.webhook_endpoints to admin;
grant select on app_public.webhook_deliveries, app_public.webhook_attempts to admin;
drop trigger if exists _900_audit on app_public.webhook_endpoints;
create trigger _900_audit after insert or update or delete on app_public.webhook_endpoints
  for each row execute function app_private.tg__audit('id');

-- Owner only: the core of creating an endpoint, for the edge's function below and the CLI
-- (which connects as the owner). The caller has checked the URL against SSRF.
create or replace function app_private.add_webhook_endpoint(p_url text, p_event_types text[], p_description text,
  p_created_by uuid)
returns table (id uuid, secret text)
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_types text[] := coalesce(array(select distinct t from pg_catalog.unnest(p_event_types) t order by 1), '{}');
  v_secret text := 'whsec_' || pg_catalog.encode(public.gen_random_bytes(32), 'base64');
  v_id uuid;
begin
  if p_url is null or length(p_url) > 2000 or p_url !~ '^https?://[^/?#@[:space:]]+(/[^[:space:]]*)?$' then
    raise exception 'Invalid webhook URL' using errcode = 'BADRQ';
  end if;
  if not v_types operator(pg_catalog.<@) app_private.webhook_event_types() then
    raise exception 'Unknown event type' using errcode = 'BADRQ';
  end if;
  insert into app_public.webhook_endpoints (url, description, event_types, created_by)
    values (p_url, nullif(p_description, ''), v_types, p_created_by)
    returning webhook_endpoints.id into v_id;
  insert into app_private.webhook_endpoint_secrets (endpoint_id, secret) values (v_id, v_secret);
  return query select v_id, v_secret;
end;
$$;
comment on function app_private.add_webhook_endpoint(text, text[], text, uuid) is
  'Creates an endpoint with a new whsec_ secret (256 random bits), returned this once. Owner only (the edge function and the CLI call it after the SSRF check).';
revoke all on function app_private.add_webhook_endpoint(text, text[], text, uuid) from public;

drop type if exists app_hidden.created_webhook_endpoint cascade;
create type app_hidden.created_webhook_endpoint as (id uuid, secret text);

-- Security definer: writes the secret into app_private. Edge only (auth_edge): the edge checks
-- the URL's addresses first (O5), so a request role cannot skip the check. Admins only.
create or replace function app_hidden.create_webhook_endpoint(p_url text, p_event_types text[], p_description text)
returns app_hidden.created_webhook_endpoint
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_user uuid := app_hidden.current_user_id();
  v_row app_hidden.created_webhook_endpoint;
begin
  perform app_hidden.assert_webhook_admin();
  select a.id, a.secret into v_row from app_private.add_webhook_endpoint(p_url, p_event_types, p_description, v_user) a;
  return v_row;
end;
$$;
comment on function app_hidden.create_webhook_endpoint(text, text[], text) is
  'adminCreateWebhookEndpoint: an admin creates an endpoint (the edge has checked its URL); returns its id and its secret, shown once.';
revoke all on function app_hidden.create_webhook_endpoint(text, text[], text) from public;
grant execute on function app_hidden.create_webhook_endpoint(text, text[], text) to auth_edge;

create or replace function app_public.admin_webhook_endpoints() returns setof app_public.webhook_endpoints
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
  perform app_hidden.assert_webhook_admin();
  return query select e.* from app_public.webhook_endpoints e order by e.created_at desc, e.id;
end;
$$;
comment on function app_public.admin_webhook_endpoints() is 'Admins: every webhook endpoint (never its secret), newest first.';
revoke all on function app_public.admin_webhook_endpoints() from public;
grant execute on function app_public.admin_webhook_endpoints() to admin;

create or replace function app_public.admin_delete_webhook_endpoint(id uuid) returns app_public.webhook_endpoints
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_row app_public.webhook_endpoints;
begin
  perform app_hidden.assert_webhook_admin();
  delete from app_public.webhook_endpoints e where e.id = admin_delete_webhook_endpoint.id returning e.* into v_row;
  if v_row.id is null then
    raise exception 'No such endpoint' using errcode = 'NTFND';
  end if;
  return v_row;
end;
$$;
comment on function app_public.admin_delete_webhook_endpoint(uuid) is 'Admins: deletes a webhook endpoint with its secret and deliveries; nothing more is sent to it.';
revoke all on function app_public.admin_delete_webhook_endpoint(uuid) from public;
grant execute on function app_public.admin_delete_webhook_endpoint(uuid) to admin;

create or replace function app_public.admin_webhook_deliveries(endpoint_id uuid default null, failed_only boolean default false)
returns setof app_public.webhook_deliveries
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
  perform app_hidden.assert_webhook_admin();
  return query select d.* from app_public.webhook_deliveries d
  where (admin_webhook_deliveries.endpoint_id is null or d.endpoint_id = admin_webhook_deliveries.endpoint_id)
    and (not coalesce(admin_webhook_deliveries.failed_only, false) or d.status = 'failed' or d.last_error is not null)
  order by d.created_at desc, d.id;
end;
$$;
comment on function app_public.admin_webhook_deliveries(uuid, boolean) is
  'Admins: webhook deliveries, newest first, of one endpoint or all; failedOnly keeps those that failed at least once.';
revoke all on function app_public.admin_webhook_deliveries(uuid, boolean) from public;
grant execute on function app_public.admin_webhook_deliveries(uuid, boolean) to admin;

-- Queues the next attempt of a delivery as a graphile-worker job at p_run_at. The job key makes
-- a retry replace a job still waiting rather than add a second one.
create or replace function app_private.schedule_webhook_delivery(p_delivery_id uuid, p_run_at timestamptz)
returns void
-- plpgsql, so the body is checked when called: graphile_worker's schema is installed by the
-- worker's own migrations (db/scripts/setup.ts), not by ours (the shadow database lacks it).
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
begin
  perform graphile_worker.add_job('webhook_deliver', pg_catalog.json_build_object('delivery_id', p_delivery_id),
    run_at => p_run_at, max_attempts => 3, job_key => 'webhook:' || p_delivery_id::text);
end;
$$;
comment on function app_private.schedule_webhook_delivery(uuid, timestamptz) is 'Queues one attempt of a delivery (task webhook_deliver) at a time; owner only.';
revoke all on function app_private.schedule_webhook_delivery(uuid, timestamptz) from public;

-- Called by the triggers below (owner, in the cause's transaction).
create or replace function app_private.emit_webhook_event(p_type text, p_data jsonb) returns void
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_event uuid;
  v_delivery uuid;
begin
  if not exists (select 1 from app_public.webhook_endpoints e
                 where e.enabled and (e.event_types = '{}' or p_type = any (e.event_types))) then
    return;
  end if;
  insert into app_private.webhook_events (type, data) values (p_type, p_data) returning id into v_event;
  for v_delivery in
    insert into app_public.webhook_deliveries (endpoint_id, event_id, event_type)
      select e.id, v_event, p_type from app_public.webhook_endpoints e
      where e.enabled and (e.event_types = '{}' or p_type = any (e.event_types))
      returning id
  loop
    perform app_private.schedule_webhook_delivery(v_delivery, pg_catalog.now());
  end loop;
end;
$$;
comment on function app_private.emit_webhook_event(text, jsonb) is
  'Writes an auth event to the outbox with one delivery (and job) per subscribed enabled endpoint, in the current transaction; nothing when no endpoint subscribes.';
revoke all on function app_private.emit_webhook_event(text, jsonb) from public;

-- Security definer: the statement that causes an event may run as a request role (an admin's
-- ban), which cannot reach app_private or the queue. Arguments: the event type, then
-- `key=column` pairs: the payload holds those columns of the row (ids only) and nothing else.
create or replace function app_private.tg__webhook_event() returns trigger
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_row jsonb := case when tg_op = 'DELETE' then pg_catalog.to_jsonb(old) else pg_catalog.to_jsonb(new) end;
  v_data jsonb := '{}';
  v_i int;
begin
  for v_i in 1 .. tg_nargs - 1 loop
    v_data := v_data || pg_catalog.jsonb_build_object(pg_catalog.split_part(tg_argv[v_i], '=', 1),
                                                      v_row -> pg_catalog.split_part(tg_argv[v_i], '=', 2));
  end loop;
  perform app_private.emit_webhook_event(tg_argv[0], v_data);
  return null;
end;
$$;
comment on function app_private.tg__webhook_event() is 'AFTER row trigger: emits the webhook event named by the first argument with the row''s columns named by `key=column` arguments.';
revoke all on function app_private.tg__webhook_event() from public;

-- Security definer: as tg__webhook_event. A password set with the account (registration) is
-- not a change; one replaced, or set later on an account without one, is.
create or replace function app_private.tg_user_secrets__webhook_password() returns trigger
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if old.password_hash is not null
     or exists (select 1 from app_public.users u where u.id = new.user_id and u.created_at < pg_catalog.now()) then
    perform app_private.emit_webhook_event('password.changed', pg_catalog.jsonb_build_object('user_id', new.user_id));
  end if;
  return null;
end;
$$;
comment on function app_private.tg_user_secrets__webhook_password() is 'AFTER UPDATE OF password_updated_at: emits password.changed (not for the password chosen at registration).';
revoke all on function app_private.tg_user_secrets__webhook_password() from public;

drop trigger if exists _910_webhook_created on app_public.users;
create trigger _910_webhook_created after insert on app_public.users
  for each row execute function app_private.tg__webhook_event('user.created', 'user_id=id');
drop trigger if exists _911_webhook_verified on app_public.users;
create trigger _911_webhook_verified after insert on app_public.users
  for each row when (new.email_verified_at is not null)
  execute function app_private.tg__webhook_event('user.verified', 'user_id=id');
drop trigger if exists _912_webhook_verified_later on app_public.users;
create trigger _912_webhook_verified_later after update of email_verified_at on app_public.users
  for each row when (old.email_verified_at is null and new.email_verified_at is not null)
  execute function app_private.tg__webhook_event('user.verified', 'user_id=id');
drop trigger if exists _913_webhook_deleted on app_public.users;
create trigger _913_webhook_deleted after delete on app_public.users
  for each row execute function app_private.tg__webhook_event('user.deleted', 'user_id=id');

drop trigger if exists _910_webhook_created on app_private.sessions;
create trigger _910_webhook_created after insert on app_private.sessions
  for each row execute function app_private.tg__webhook_event('session.created', 'session_id=id', 'user_id=user_id');
drop trigger if exists _911_webhook_revoked on app_private.sessions;
create trigger _911_webhook_revoked after update of revoked_at on app_private.sessions
  for each row when (old.revoked_at is null and new.revoked_at is not null)
  execute function app_private.tg__webhook_event('session.revoked', 'session_id=id', 'user_id=user_id', 'reason=revoked_reason');

drop trigger if exists _910_webhook_password on app_private.user_secrets;
create trigger _910_webhook_password after update of password_updated_at on app_private.user_secrets
  for each row when (new.password_updated_at is distinct from old.password_updated_at and new.password_hash is not null)
  execute function app_private.tg_user_secrets__webhook_password();

drop trigger if exists _910_webhook_enrolled on app_private.mfa_factors;
create trigger _910_webhook_enrolled after insert on app_private.mfa_factors
  for each row when (new.status = 'active')
  execute function app_private.tg__webhook_event('mfa.enrolled', 'user_id=user_id', 'factor_id=id', 'kind=kind');
drop trigger if exists _911_webhook_activated on app_private.mfa_factors;
create trigger _911_webhook_activated after update of status on app_private.mfa_factors
  for each row when (old.status <> 'active' and new.status = 'active')
  execute function app_private.tg__webhook_event('mfa.enrolled', 'user_id=user_id', 'factor_id=id', 'kind=kind');
drop trigger if exists _912_webhook_removed on app_private.mfa_factors;
create trigger _912_webhook_removed after delete on app_private.mfa_factors
  for each row when (old.status = 'active')
  execute function app_private.tg__webhook_event('mfa.removed', 'user_id=user_id', 'factor_id=id', 'kind=kind');

drop trigger if exists _910_webhook_linked on app_public.user_identities;
create trigger _910_webhook_linked after insert on app_public.user_identities
  for each row execute function app_private.tg__webhook_event('identity.linked', 'user_id=user_id', 'identity_id=id', 'provider=provider');
drop trigger if exists _911_webhook_unlinked on app_public.user_identities;
create trigger _911_webhook_unlinked after delete on app_public.user_identities
  for each row execute function app_private.tg__webhook_event('identity.unlinked', 'user_id=user_id', 'identity_id=id', 'provider=provider');

-- Bans belong to the admin feature (3000-*.sql); this file also works before it exists.
do $$
begin
  if pg_catalog.to_regclass('app_private.user_bans') is not null then
    drop trigger if exists _910_webhook_banned on app_private.user_bans;
    create trigger _910_webhook_banned after insert or update on app_private.user_bans
      for each row execute function app_private.tg__webhook_event('user.banned', 'user_id=user_id', 'banned_until=banned_until', 'banned_by=banned_by');
    drop trigger if exists _911_webhook_unbanned on app_private.user_bans;
    create trigger _911_webhook_unbanned after delete on app_private.user_bans
      for each row execute function app_private.tg__webhook_event('user.unbanned', 'user_id=user_id');
  end if;
end
$$;

-- The worker's side (owner only; proxy/features/webhooks/deliver.ts).

-- What to send for a due delivery: nothing when it is no longer pending or its endpoint is
-- disabled or gone. The body is built from the stored event, so every attempt sends the same
-- bytes (Standard Webhooks' recommended shape: type, timestamp, data).
create or replace function app_private.webhook_delivery_target(p_delivery_id uuid)
returns table (url text, secret text, message_id text, body text)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select e.url, s.secret, ev.id::text,
         pg_catalog.json_build_object('type', ev.type,
           'timestamp', pg_catalog.to_char(ev.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
           'data', ev.data)::text
  from app_public.webhook_deliveries d
  join app_public.webhook_endpoints e on e.id = d.endpoint_id
  join app_private.webhook_endpoint_secrets s on s.endpoint_id = e.id
  join app_private.webhook_events ev on ev.id = d.event_id
  where d.id = p_delivery_id and d.status = 'pending' and e.enabled
$$;
comment on function app_private.webhook_delivery_target(uuid) is 'The URL, secret, webhook-id and body of a pending delivery to an enabled endpoint; no row otherwise. Owner only (the worker).';
revoke all on function app_private.webhook_delivery_target(uuid) from public;

-- Records one attempt; on failure schedules the next after p_retry_base * 2^(attempts-1)
-- (at most 6 hours) until p_max_attempts, then marks the delivery failed.
create or replace function app_private.record_webhook_attempt(p_delivery_id uuid, p_response_status integer,
  p_error text, p_max_attempts integer, p_retry_base interval)
returns text
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_ok boolean := p_error is null and p_response_status between 200 and 299;
  v_error text := case when v_ok then null
                       else left(coalesce(p_error, 'HTTP ' || coalesce(p_response_status::text, '?')), 500) end;
  v_d app_public.webhook_deliveries;
begin
  insert into app_public.webhook_attempts (delivery_id, response_status, error)
    values (p_delivery_id, p_response_status, v_error);
  update app_public.webhook_deliveries d set
    attempts = d.attempts + 1,
    last_response_status = p_response_status,
    last_error = v_error,
    status = case when v_ok then 'delivered' when d.attempts + 1 >= p_max_attempts then 'failed' else 'pending' end,
    delivered_at = case when v_ok then pg_catalog.now() end,
    next_attempt_at = case when v_ok or d.attempts + 1 >= p_max_attempts then null
                           else pg_catalog.now() + least(p_retry_base * pg_catalog.power(2, d.attempts), interval '6 hours') end
    where d.id = p_delivery_id
    returning d.* into v_d;
  if v_d.status = 'pending' then
    perform app_private.schedule_webhook_delivery(v_d.id, v_d.next_attempt_at);
  end if;
  return v_d.status;
end;
$$;
comment on function app_private.record_webhook_attempt(uuid, integer, text, integer, interval) is
  'Records an attempt (status code or error) and marks the delivery delivered, failed, or pending with its next attempt queued (exponential backoff). Owner only (the worker).';
revoke all on function app_private.record_webhook_attempt(uuid, integer, text, integer, interval) from public;

-- `npm run admin -- webhooks retry <delivery>`: a failed or waiting delivery is tried again now.
create or replace function app_private.retry_webhook_delivery(p_delivery_id uuid) returns boolean
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
begin
  update app_public.webhook_deliveries d set status = 'pending', next_attempt_at = pg_catalog.now()
    where d.id = p_delivery_id and d.status <> 'delivered';
  if not found then
    return false;
  end if;
  perform app_private.schedule_webhook_delivery(p_delivery_id, pg_catalog.now());
  return true;
end;
$$;
comment on function app_private.retry_webhook_delivery(uuid) is 'Queues an undelivered delivery for an attempt now (the CLI''s retry); false when there is no such undelivered delivery. Owner only.';
revoke all on function app_private.retry_webhook_delivery(uuid) from public;

-- Retention, run hourly by the worker's housekeeping (features/email/queue.ts): deliveries
-- a week after success or a month after they failed (attempts by cascade), then events that
-- no delivery refers to any more.
create index if not exists webhook_events_created_at_idx on app_private.webhook_events (created_at);
create or replace function app_private.purge_webhook_state() returns integer
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_deliveries int;
  v_events int;
begin
  delete from app_public.webhook_deliveries d
    where (d.status = 'delivered' and d.delivered_at < pg_catalog.now() - interval '7 days')
       or (d.status = 'failed' and d.created_at < pg_catalog.now() - interval '30 days');
  get diagnostics v_deliveries = row_count;
  delete from app_private.webhook_events e
    where e.created_at < pg_catalog.now() - interval '1 day'
      and not exists (select 1 from app_public.webhook_deliveries d where d.event_id = e.id);
  get diagnostics v_events = row_count;
  return v_deliveries + v_events;
end;
$$;
comment on function app_private.purge_webhook_state() is 'Deletes deliveries 7 days after success or 30 days after failure, then events without deliveries; hourly by the worker (owner).';
revoke all on function app_private.purge_webhook_state() from public;

-- Security definer: queues a job (graphile_worker, owner only). Admins only, checked here.
create or replace function app_public.admin_retry_webhook_delivery(id uuid) returns app_public.webhook_deliveries
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_row app_public.webhook_deliveries;
begin
  perform app_hidden.assert_webhook_admin();
  if not app_private.retry_webhook_delivery(admin_retry_webhook_delivery.id) then
    raise exception 'No undelivered delivery' using errcode = 'NTFND';
  end if;
  select d.* into v_row from app_public.webhook_deliveries d where d.id = admin_retry_webhook_delivery.id;
  return v_row;
end;
$$;
comment on function app_public.admin_retry_webhook_delivery(uuid) is 'Admins: queues a failed or waiting webhook delivery for an attempt now.';
revoke all on function app_public.admin_retry_webhook_delivery(uuid) from public;
grant execute on function app_public.admin_retry_webhook_delivery(uuid) to admin;
