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
