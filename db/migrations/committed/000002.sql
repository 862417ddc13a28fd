--! Previous: sha1:28eb42a737ec46abae1085a31777f0d99a521f76
--! Hash: sha1:07871dbef171111652aebdaca4bf7168296f4d97

--! split: 3000-auth-config.sql
-- Authentication settings: one row, changed by a DBA in a migration or with
--   update app_private.auth_config set bcrypt_cost = 13;
-- Threat model: nothing here is readable by request roles; refresh_secret keys the HMAC
-- that derives each rotated refresh token from its parent (see 3300-sessions-api.sql).

-- The current migration is re-run on every edit (db:watch), so it starts from a clean slate.
drop function if exists app_public.my_sessions(), app_hidden.revoke_sessions(uuid, boolean), app_hidden.logout(text),
  app_hidden.refresh(text, inet, text), app_hidden.login(text, text, inet, text),
  app_private.start_session(uuid, inet, text), app_private.successor_token(text), app_private.token_hash(text),
  app_hidden.change_password(text, text), app_hidden.register(text, text, text), app_private.assert_password_ok(text),
  app_private.bcrypt_cost_of(text), app_private.hash_password(text), app_private.password_input(text);
drop type if exists app_public.session_info, app_hidden.auth_result;
drop table if exists app_private.auth_config, app_private.ip_login_failures;

create table app_private.auth_config (
  id boolean primary key default true check (id),
  bcrypt_cost int not null default 12 check (bcrypt_cost between 10 and 16),
  password_min_length int not null default 10 check (password_min_length >= 8),
  account_max_failures int not null default 5,
  account_lock_max interval not null default '15 minutes',
  failure_window interval not null default '15 minutes',
  ip_max_failures int not null default 50,
  session_absolute interval not null default '30 days',
  session_idle interval not null default '7 days',
  refresh_grace interval not null default '30 seconds',
  max_sessions_per_user int not null default 10 check (max_sessions_per_user >= 1),
  refresh_secret bytea not null default public.gen_random_bytes(32)
);
insert into app_private.auth_config default values;
comment on table app_private.auth_config is 'Single-row authentication settings (bcrypt cost, limits, lifetimes).';
comment on column app_private.auth_config.account_lock_max is 'Upper bound of an account lockout (C7): the real user is delayed, never locked out for good.';
comment on column app_private.auth_config.refresh_grace is 'How long the immediate predecessor of a refresh token still answers (with the same successor).';
alter table app_private.auth_config enable row level security;
alter table app_private.auth_config force row level security;
create policy definer_all on app_private.auth_config to :DATABASE_OWNER using (true) with check (true);

create table app_private.ip_login_failures (
  ip inet primary key,
  window_start timestamptz not null default now(),
  failures int not null default 0
);
comment on table app_private.ip_login_failures is 'Failed logins per client address in the current window (C6); shared by every server instance.';
alter table app_private.ip_login_failures enable row level security;
alter table app_private.ip_login_failures force row level security;
create policy definer_all on app_private.ip_login_failures to :DATABASE_OWNER using (true) with check (true);

--! split: 3100-passwords.sql
-- Passwords: bcrypt through pgcrypto with an explicit cost (C1), pre-hashing of passwords
-- longer than bcrypt's 72 bytes (C2), registration, and password change (C8).
-- Threat model: hashes never leave app_private; an account without a hash can never pass
-- (C3); unknown accounts cost the same bcrypt work as known ones (C4).

create function app_private.password_input(p_password text) returns text
  language sql immutable
  set search_path = pg_catalog, pg_temp
as $$
  -- bcrypt silently ignores bytes past 72: longer passwords go through SHA-256 first.
  select case when octet_length(p_password) > 72
    then 'sha256:' || encode(public.digest(convert_to(p_password, 'UTF8'), 'sha256'), 'base64')
    else p_password end
$$;
comment on function app_private.password_input(text) is 'What is fed to bcrypt: the password, or its SHA-256 when over 72 bytes.';

create function app_private.hash_password(p_password text) returns text
  language sql volatile
  set search_path = pg_catalog, pg_temp
as $$
  select public.crypt(app_private.password_input(p_password),
                      public.gen_salt('bf', (select bcrypt_cost from app_private.auth_config)))
$$;
comment on function app_private.hash_password(text) is 'bcrypt at the configured cost.';

create function app_private.bcrypt_cost_of(p_hash text) returns int
  language sql immutable
  set search_path = pg_catalog, pg_temp
as $$
  select nullif(substring(p_hash from '^\$2[abxy]?\$(\d\d)\$'), '')::int
$$;
comment on function app_private.bcrypt_cost_of(text) is 'The cost factor recorded in a bcrypt hash.';

create function app_private.assert_password_ok(p_password text) returns void
  language plpgsql immutable
  set search_path = pg_catalog, pg_temp
as $$
begin
  if p_password is null or char_length(p_password) < 10 then
    raise exception 'Password is too short' using errcode = 'WEAKP';
  end if;
  if octet_length(p_password) > 1024 then
    raise exception 'Password is too long' using errcode = 'WEAKP';
  end if;
end;
$$;
comment on function app_private.assert_password_ok(text) is 'Minimum 10 characters, at most 1 KiB.';

-- Security definer: creates the user and writes its password hash in app_private.
-- Returns the new user id; signing in is a separate step (login) so sessions have one path.
create function app_hidden.register(p_email text, p_password text, p_name text) returns uuid
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_id uuid;
begin
  if p_email is null or p_email !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' or length(p_email) > 320 then
    raise exception 'Invalid email address' using errcode = 'EMAIL';
  end if;
  perform app_private.assert_password_ok(p_password);
  if exists (select 1 from app_public.users u where u.email operator(public.=) p_email::public.citext) then
    raise exception 'An account with this email already exists' using errcode = 'EMTKN';
  end if;
  insert into app_public.users (email, display_name) values (p_email, nullif(trim(p_name), '')) returning id into v_id;
  update app_private.user_secrets set password_hash = app_private.hash_password(p_password), password_updated_at = now()
    where user_id = v_id;
  return v_id;
end;
$$;
comment on function app_hidden.register(text, text, text) is 'Creates a password account. Errors: EMAIL, WEAKP, EMTKN.';
grant execute on function app_hidden.register(text, text, text) to anonymous;

-- Security definer: reads and writes the caller's hash. Needs the current password (C8),
-- counts a wrong one as a failed login, and revokes every other session of the user.
create function app_hidden.change_password(p_old text, p_new text) returns boolean
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_user uuid := app_hidden.current_user_id();
  v_hash text;
begin
  if v_user is null then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  select s.password_hash into v_hash from app_private.user_secrets s where s.user_id = v_user for update;
  if v_hash is null or v_hash <> public.crypt(app_private.password_input(coalesce(p_old, '')), v_hash) then
    update app_private.user_secrets set failed_attempts = failed_attempts + 1,
      first_failed_at = coalesce(first_failed_at, now()) where user_id = v_user;
    perform app_private.write_audit('password_change_failed', 'app_public.users', v_user::text, null, null);
    return false;
  end if;
  perform app_private.assert_password_ok(p_new);
  update app_private.user_secrets set password_hash = app_private.hash_password(p_new), password_updated_at = now(),
    failed_attempts = 0, first_failed_at = null, locked_until = null where user_id = v_user;
  update app_private.sessions set revoked_at = now(), revoked_reason = 'password_changed'
    where user_id = v_user and revoked_at is null and id is distinct from app_hidden.current_session_id();
  perform app_private.write_audit('password_changed', 'app_public.users', v_user::text, null, null);
  return true;
end;
$$;
comment on function app_hidden.change_password(text, text) is
  'Changes your password given the current one; false (committed as a failure) when it is wrong. Errors: LOGIN, WEAKP.';
grant execute on function app_hidden.change_password(text, text) to app_user, bot;

--! split: 3200-login.sql
-- Sessions API: login, refresh, logout, session management. Called by the edge's GraphQL
-- mutations (proxy/graphql/auth-plugin.ts) with the request's own role; returns outcomes as
-- rows instead of raising, so failure counters, lockouts and reuse revocations commit even
-- though the request fails (C5, F2, K2).
-- Refresh tokens: 32 random bytes, base64url; only SHA-256 hashes are stored (F1). A rotated
-- token's successor is HMAC(refresh_secret, token), so a retry of the same token inside the
-- grace window gets the same successor (F3: parallel tabs converge; L2: a lost response is
-- recoverable) without ever storing a token.

create type app_hidden.auth_result as (
  error text,
  user_id uuid,
  session_id uuid,
  role text,
  refresh_token text,
  session_expires_at timestamptz
);
comment on type app_hidden.auth_result is 'error is NULL on success, else a registered code (CREDS, RATEL, TOKEN, REUSE).';

create function app_private.token_hash(p_token text) returns bytea
  language sql immutable
  set search_path = pg_catalog, pg_temp
as $$
  select public.digest(convert_to(p_token, 'UTF8'), 'sha256')
$$;

create function app_private.successor_token(p_token text) returns text
  language sql stable
  set search_path = pg_catalog, pg_temp
as $$
  select rtrim(translate(encode(public.hmac(convert_to(p_token, 'UTF8'), c.refresh_secret, 'sha256'), 'base64'), '+/', '-_'), '=')
  from app_private.auth_config c
$$;
comment on function app_private.successor_token(text) is 'The deterministic successor of a refresh token (HMAC-SHA256 under refresh_secret).';

-- Creates a session and its first refresh token; evicts the oldest sessions over the limit.
create function app_private.start_session(p_user uuid, p_ip inet, p_user_agent text) returns app_hidden.auth_result
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_token text := rtrim(translate(encode(public.gen_random_bytes(32), 'base64'), '+/', '-_'), '=');
  v_session app_private.sessions;
begin
  insert into app_private.sessions (user_id, expires_at, user_agent, ip)
    values (p_user, now() + c.session_absolute, left(p_user_agent, 512), p_ip)
    returning * into v_session;
  insert into app_private.refresh_tokens (session_id, token_hash, expires_at)
    values (v_session.id, app_private.token_hash(v_token), least(now() + c.session_idle, v_session.expires_at));
  update app_private.sessions set revoked_at = now(), revoked_reason = 'evicted'
    where id in (select s.id from app_private.sessions s
                 where s.user_id = p_user and s.revoked_at is null and s.expires_at > now()
                 order by s.created_at desc offset c.max_sessions_per_user);
  return row(null, p_user, v_session.id, app_hidden.user_role(p_user), v_token, v_session.expires_at)::app_hidden.auth_result;
end;
$$;

-- Security definer: reads password hashes and writes counters. Never raises for bad
-- credentials: the failure must commit. Unknown email, wrong password, no password and a
-- locked account all answer CREDS after the same bcrypt work (C3, C4, C7).
create function app_hidden.login(p_email text, p_password text, p_ip inet, p_user_agent text)
returns app_hidden.auth_result
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_user app_public.users;
  v_secret app_private.user_secrets;
  v_ip app_private.ip_login_failures;
  v_ok boolean := false;
begin
  select * into v_ip from app_private.ip_login_failures where ip = p_ip for update;
  if v_ip.failures >= c.ip_max_failures and v_ip.window_start > now() - c.failure_window then
    perform app_private.write_audit('login_rate_limited', null, null, null, null, jsonb_build_object('ip', p_ip::text));
    return row('RATEL', null, null, null, null, null)::app_hidden.auth_result;
  end if;

  select * into v_user from app_public.users where email operator(public.=) p_email::public.citext and disabled_at is null;
  if found then
    select * into v_secret from app_private.user_secrets where user_id = v_user.id for update;
  end if;
  if v_secret.password_hash is not null and coalesce(v_secret.locked_until, '-infinity') <= now() then
    v_ok := v_secret.password_hash = public.crypt(app_private.password_input(coalesce(p_password, '')), v_secret.password_hash);
  else
    -- Same work as a real check, so timing does not tell the cases apart.
    perform public.crypt(app_private.password_input(coalesce(p_password, '')), public.gen_salt('bf', c.bcrypt_cost));
  end if;

  if not v_ok then
    insert into app_private.ip_login_failures as f (ip, failures) values (p_ip, 1)
      on conflict (ip) do update set
        failures = case when f.window_start > now() - c.failure_window then f.failures + 1 else 1 end,
        window_start = case when f.window_start > now() - c.failure_window then f.window_start else now() end;
    if v_secret.user_id is not null then
      update app_private.user_secrets s set
        failed_attempts = case when s.first_failed_at > now() - c.failure_window then s.failed_attempts + 1 else 1 end,
        first_failed_at = case when s.first_failed_at > now() - c.failure_window then s.first_failed_at else now() end
        where s.user_id = v_secret.user_id
        returning * into v_secret;
      if v_secret.failed_attempts >= c.account_max_failures then
        -- Exponential back-off, capped so the owner is delayed but never locked out for good.
        update app_private.user_secrets set locked_until = now() + least(
            c.account_lock_max, interval '1 minute' * power(2, least(v_secret.failed_attempts - c.account_max_failures, 10)))
          where user_id = v_secret.user_id;
      end if;
    end if;
    perform app_private.write_audit('login_failed', 'app_public.users', v_user.id::text, null, null,
      jsonb_build_object('ip', p_ip::text));
    return row('CREDS', null, null, null, null, null)::app_hidden.auth_result;
  end if;

  update app_private.user_secrets set failed_attempts = 0, first_failed_at = null, locked_until = null,
    -- Upgrade hashes made at a lower cost than configured (C1).
    password_hash = case when app_private.bcrypt_cost_of(password_hash) < c.bcrypt_cost
                         then app_private.hash_password(p_password) else password_hash end
    where user_id = v_user.id;
  perform app_private.write_audit('login', 'app_public.users', v_user.id::text, null, null, jsonb_build_object('ip', p_ip::text));
  return app_private.start_session(v_user.id, p_ip, p_user_agent);
end;
$$;
comment on function app_hidden.login(text, text, inet, text) is
  'Password sign-in. Returns error CREDS (any bad credential) or RATEL (address throttled), else a new session and refresh token.';
grant execute on function app_hidden.login(text, text, inet, text) to anonymous, app_user, bot;

--! split: 3300-refresh.sql
-- Refresh, logout and session management (see 3200-login.sql for the token scheme).
-- Rules: a token is valid while it is the newest of a live session's family and not past
-- its idle expiry nor the session's absolute expiry (D7). Presenting the immediate
-- predecessor of the newest token within refresh_grace returns that same newest token
-- (F3, F5). Presenting any other used token revokes the whole family and commits (F2); a
-- revoked family never comes back (F4). Row locks wait at most lock_timeout (F6): the edge
-- answers 503 and the client keeps its cookie.

-- Security definer: reads and rotates refresh tokens in app_private.
create function app_hidden.refresh(p_token text, p_ip inet, p_user_agent text) returns app_hidden.auth_result
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  set lock_timeout = '3s'
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_rt app_private.refresh_tokens;
  v_child app_private.refresh_tokens;
  v_session app_private.sessions;
  v_next text;
begin
  if p_token is null or p_token !~ '^[A-Za-z0-9_-]{43}$' then
    return row('TOKEN', null, null, null, null, null)::app_hidden.auth_result;
  end if;
  select * into v_rt from app_private.refresh_tokens where token_hash = app_private.token_hash(p_token) for update;
  if not found then
    return row('TOKEN', null, null, null, null, null)::app_hidden.auth_result;
  end if;
  select * into v_session from app_private.sessions where id = v_rt.session_id for update;
  if v_session.revoked_at is not null or v_session.expires_at <= now() or v_rt.revoked_at is not null
     or exists (select 1 from app_public.users u where u.id = v_session.user_id and u.disabled_at is not null) then
    return row('TOKEN', null, null, null, null, null)::app_hidden.auth_result;
  end if;
  v_next := app_private.successor_token(p_token);

  if v_rt.rotated_at is null then
    if v_rt.expires_at <= now() then
      return row('TOKEN', null, null, null, null, null)::app_hidden.auth_result;
    end if;
    update app_private.refresh_tokens set rotated_at = now() where id = v_rt.id;
    insert into app_private.refresh_tokens (session_id, token_hash, parent_id, expires_at)
      values (v_session.id, app_private.token_hash(v_next), v_rt.id, least(now() + c.session_idle, v_session.expires_at));
    update app_private.sessions set last_used_at = now(), ip = coalesce(p_ip, ip) where id = v_session.id;
    return row(null, v_session.user_id, v_session.id, app_hidden.user_role(v_session.user_id), v_next, v_session.expires_at)::app_hidden.auth_result;
  end if;

  select * into v_child from app_private.refresh_tokens where parent_id = v_rt.id;
  if v_rt.rotated_at > now() - c.refresh_grace and v_child.rotated_at is null and v_child.revoked_at is null
     and v_child.expires_at > now() then
    -- A concurrent or retried refresh of the same token: converge on the same successor.
    return row(null, v_session.user_id, v_session.id, app_hidden.user_role(v_session.user_id), v_next, v_session.expires_at)::app_hidden.auth_result;
  end if;

  -- Reuse of a rotated token: assume theft and end the whole family.
  update app_private.sessions set revoked_at = now(), revoked_reason = 'refresh_token_reuse' where id = v_session.id;
  update app_private.refresh_tokens set revoked_at = now() where session_id = v_session.id and revoked_at is null;
  perform app_private.write_audit('refresh_token_reuse', null, v_session.id::text, null, null,
    jsonb_build_object('user_id', v_session.user_id, 'ip', p_ip::text));
  return row('REUSE', null, null, null, null, null)::app_hidden.auth_result;
end;
$$;
comment on function app_hidden.refresh(text, inet, text) is
  'Rotates a refresh token. Errors: TOKEN (unknown, expired or revoked), REUSE (family revoked).';
grant execute on function app_hidden.refresh(text, inet, text) to anonymous, app_user, bot;

-- Security definer: revokes sessions in app_private. Ends the session of the access token
-- (if any) and the family of the refresh token presented (if any).
create function app_hidden.logout(p_refresh_token text) returns boolean
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_ids uuid[];
begin
  with ended as (
    update app_private.sessions s set revoked_at = now(), revoked_reason = 'logout'
    where s.revoked_at is null and (
      (s.id = app_hidden.current_session_id() and s.user_id = app_hidden.claimed_user_id())
      or s.id = (select rt.session_id from app_private.refresh_tokens rt where rt.token_hash = app_private.token_hash(p_refresh_token)))
    returning s.id
  ) select array_agg(id) into v_ids from ended;
  update app_private.refresh_tokens set revoked_at = now() where session_id = any (v_ids) and revoked_at is null;
  if v_ids is not null then
    perform app_private.write_audit('logout', null, array_to_string(v_ids, ','), null, null);
  end if;
  return v_ids is not null;
end;
$$;
comment on function app_hidden.logout(text) is 'Revokes the current session (and the refresh token''s). True if something was revoked.';
grant execute on function app_hidden.logout(text) to anonymous, app_user, bot;

-- Security definer: revokes the caller's sessions.
create function app_hidden.revoke_sessions(p_session_id uuid, p_all_others boolean) returns int
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_user uuid := app_hidden.current_user_id();
  v_n int;
begin
  if v_user is null then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  update app_private.sessions s set revoked_at = now(), revoked_reason = 'revoked_by_user'
    where s.user_id = v_user and s.revoked_at is null
      and (case when p_all_others then s.id <> app_hidden.current_session_id() else s.id = p_session_id end);
  get diagnostics v_n = row_count;
  perform app_private.write_audit('sessions_revoked', 'app_public.users', v_user::text, null, null, jsonb_build_object('count', v_n));
  return v_n;
end;
$$;
comment on function app_hidden.revoke_sessions(uuid, boolean) is
  'Revokes one of your sessions by id, or all but the current one. Returns how many.';
grant execute on function app_hidden.revoke_sessions(uuid, boolean) to app_user, bot;

create type app_public.session_info as (
  id uuid,
  created_at timestamptz,
  last_used_at timestamptz,
  expires_at timestamptz,
  user_agent text,
  ip text,
  is_current boolean
);
comment on type app_public.session_info is 'One of your active sign-ins.';

-- Security definer: lists the caller's own live sessions from app_private.
create function app_public.my_sessions() returns setof app_public.session_info
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
  select s.id, s.created_at, s.last_used_at, s.expires_at, s.user_agent, host(s.ip), s.id = app_hidden.current_session_id()
  from app_private.sessions s
  where s.user_id = app_hidden.current_user_id() and s.revoked_at is null and s.expires_at > now()
  order by s.last_used_at desc
$$;
comment on function app_public.my_sessions() is 'Your active sessions, most recently used first.';
grant execute on function app_public.my_sessions() to app_user, bot;
