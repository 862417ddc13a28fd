-- Multi-factor sign-in (issue 10): the session side. A user with an active second factor (or
-- whose role is in auth_config.mfa_required_roles) who signs in with one factor gets a
-- session that is "pending MFA": current_user_id() is NULL for it, so every policy denies and
-- every function that needs a user refuses (N4); only the MFA entry points (which check the
-- session themselves) and logout work. Completing a factor (complete_mfa) raises the session to
-- aal2 and rotates its refresh token; the challenge expires mfa_challenge_ttl after sign-in
-- (N5). The decision is made in start_session, so password, OAuth and email sign-in all get it.
-- Called by: app_hidden.login (password), app_hidden.oauth_sign_in, app_private.email_sign_in
-- (through start_session); proxy/features/mfa (the factor checks that call complete_mfa).

do $$
begin
  if not exists (select 1 from information_schema.columns
                 where table_schema = 'app_private' and table_name = 'auth_config' and column_name = 'mfa_required_roles') then
    alter table app_private.auth_config
      add column mfa_required_roles text[] not null default '{}',
      add column mfa_challenge_ttl interval not null default '5 minutes',
      add column mfa_max_factor_failures int not null default 5,
      add column mfa_max_user_failures int not null default 10,
      add column mfa_failure_window interval not null default '15 minutes',
      add column trusted_device_ttl interval not null default '30 days',
      add constraint auth_config_mfa_check check (
        mfa_challenge_ttl > interval '0' and mfa_challenge_ttl <= interval '1 hour'
        and mfa_max_factor_failures between 1 and 100 and mfa_max_user_failures between 1 and 1000
        and mfa_failure_window > interval '0' and trusted_device_ttl > interval '0');
  end if;
  if not exists (select 1 from information_schema.columns
                 where table_schema = 'app_private' and table_name = 'sessions' and column_name = 'mfa_pending') then
    alter table app_private.sessions
      add column mfa_pending boolean not null default false,
      add column mfa_verified_at timestamptz;
  end if;
  if not exists (select 1 from pg_attribute
                 where attrelid = 'app_hidden.auth_result'::regclass and attname = 'mfa_required' and not attisdropped) then
    alter type app_hidden.auth_result add attribute mfa_required boolean, add attribute mfa_factors jsonb;
  end if;
end;
$$;
comment on column app_private.auth_config.mfa_required_roles is 'Roles (database roles such as admin, or app role names) whose users must use a second factor: without one they sign in limited to enrolling one.';
comment on column app_private.auth_config.mfa_challenge_ttl is 'How long after a first-factor sign-in the second factor may be given (N5).';
comment on column app_private.auth_config.mfa_max_factor_failures is 'Failed verifications per factor within mfa_failure_window before the factor is refused (N3).';
comment on column app_private.auth_config.mfa_max_user_failures is 'Failed verifications per account (all factors and recovery codes) within mfa_failure_window (N3).';
comment on column app_private.auth_config.trusted_device_ttl is 'How long a trusted device skips the second factor (N10).';
comment on column app_private.sessions.mfa_pending is 'Signed in with the first factor only, by a user who needs a second: the session can only complete MFA or sign out (current_user_id() is NULL) until created_at + mfa_challenge_ttl.';
comment on column app_private.sessions.mfa_verified_at is 'When a second factor was last verified in this session (step-up).';
comment on type app_hidden.auth_result is 'What login, register and refresh return: error is NULL on success, else a registered code (CREDS, RATEL, TOKEN, REUSE, ...). mfa_required: the session waits for a second factor (mfa_factors lists the active ones). Built only by app_private.auth_ok() and auth_error(), so a new field is set in one place.';

create or replace function app_private.auth_ok(p_user_id uuid, p_session_id uuid, p_refresh_token text, p_session_expires_at timestamptz)
returns app_hidden.auth_result
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v app_hidden.auth_result;
begin
  v.user_id := p_user_id;
  v.session_id := p_session_id;
  v.refresh_token := p_refresh_token;
  v.session_expires_at := p_session_expires_at;
  v.mfa_required := coalesce((select s.mfa_pending from app_private.sessions s where s.id = p_session_id), false);
  if v.mfa_required then
    -- Only the rights needed to finish signing in: the base signed-in role (whose
    -- current_user_id() is NULL anyway), never admin or manager before the second factor.
    v.role := 'app_user';
    v.mfa_factors := (select coalesce(jsonb_agg(jsonb_build_object('id', f.id, 'kind', f.kind, 'friendlyName', f.friendly_name)
                                                order by f.created_at, f.id), '[]'::jsonb)
                      from app_private.mfa_factors f where f.user_id = p_user_id and f.status = 'active');
  else
    v.role := app_hidden.user_role(p_user_id);
  end if;
  return v;
end;
$$;
comment on function app_private.auth_ok(uuid, uuid, text, timestamptz) is 'A successful auth_result: the session, its refresh token and the role the user is entitled to now; for a session pending MFA, mfa_required, the active factors and the base role app_user.';
revoke all on function app_private.auth_ok(uuid, uuid, text, timestamptz) from public;

create or replace function app_private.auth_error(p_code text) returns app_hidden.auth_result
language plpgsql immutable
set search_path = pg_catalog, pg_temp
as $$
declare
  v app_hidden.auth_result;
begin
  v.error := p_code;
  v.mfa_required := false;
  return v;
end;
$$;
comment on function app_private.auth_error(text) is 'A failed auth_result carrying only a registered error code (CREDS, RATEL, TOKEN, REUSE, MFAIN, MFAEX, ...).';
revoke all on function app_private.auth_error(text) from public;

-- The hottest function of the product: still one index lookup on the session row (the new
-- predicate is a column of that row, not a join).
create or replace function app_hidden.current_user_id() returns uuid
language plpgsql stable
-- Definer: reads app_private.sessions and the user's state, which request roles cannot read.
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  return (
    select s.user_id
    from app_private.sessions s
    join app_public.users u on u.id = s.user_id
    where s.id = app_hidden.current_session_id()
      and s.user_id = app_hidden.claimed_user_id()
      and s.revoked_at is null
      and s.expires_at > now()
      and not s.mfa_pending
      and u.disabled_at is null
      and (u.email_verified_at is not null
           or not (select c.email_verification_required from app_private.auth_config c)));
end;
$$;
comment on function app_hidden.current_user_id() is 'The calling user, only while the token''s session is live and not waiting for a second factor (N4), the user enabled and (when email_verification_required) the email verified; otherwise NULL.';
revoke all on function app_hidden.current_user_id() from public;
grant execute on function app_hidden.current_user_id() to anonymous, app_user, bot;

-- Whether signing in with one factor leaves this user short of what they need.
create or replace function app_private.mfa_needed(p_user uuid) returns boolean
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select exists (select 1 from app_private.mfa_factors f where f.user_id = p_user and f.status = 'active')
      or exists (select 1 from app_private.auth_config c
                 where cardinality(c.mfa_required_roles) > 0
                   and (app_hidden.user_role(p_user) = any (c.mfa_required_roles)
                        or exists (select 1 from app_private.user_app_roles(p_user) r where r.role = any (c.mfa_required_roles))))
$$;
comment on function app_private.mfa_needed(uuid) is 'True when the user has an active second factor (any kind) or a role listed in auth_config.mfa_required_roles.';
revoke all on function app_private.mfa_needed(uuid) from public;

create or replace function app_private.start_session(
  p_user uuid, p_ip inet, p_user_agent text, p_amr text[] default '{pwd}', p_aal text default 'aal1'
) returns app_hidden.auth_result
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_token text := rtrim(translate(encode(public.gen_random_bytes(32), 'base64'), '+/', '-_'), '=');
  v_session app_private.sessions;
begin
  perform app_private.assert_can_sign_in(p_user);
  insert into app_private.sessions (user_id, expires_at, user_agent, ip, amr, aal, mfa_pending)
    values (p_user, now() + c.session_absolute, left(p_user_agent, 512), p_ip, p_amr, p_aal,
            -- N4: one factor for a user who needs two: limited until complete_mfa.
            p_aal = 'aal1' and app_private.mfa_needed(p_user))
    returning * into v_session;
  insert into app_private.refresh_tokens (session_id, token_hash, expires_at)
    values (v_session.id, app_private.token_hash(v_token), least(now() + c.session_idle, v_session.expires_at));
  update app_private.sessions set revoked_at = now(), revoked_reason = 'evicted'
    where id in (select s.id from app_private.sessions s
                 where s.user_id = p_user and s.revoked_at is null and s.expires_at > now()
                 order by s.created_at desc, s.id offset c.max_sessions_per_user);
  return app_private.auth_ok(p_user, v_session.id, v_token, v_session.expires_at);
end;
$$;
comment on function app_private.start_session(uuid, inet, text, text[], text) is 'Starts a session with its first refresh token (session_absolute, session_idle), recording how the user authenticated (amr, aal); an aal1 sign-in of a user who needs a second factor starts pending MFA (N4); refuses through assert_can_sign_in; evicts the oldest beyond max_sessions_per_user.';
revoke all on function app_private.start_session(uuid, inet, text, text[], text) from public;

-- The contract every second factor ends with (TOTP, SMS, recovery codes here; passkeys in
-- proxy/features/passkeys): called by a definer function once the factor was verified.
create or replace function app_private.complete_mfa(p_session_id uuid, p_method text)
returns app_hidden.auth_result
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_s app_private.sessions;
  v_amr text[];
  v_token text := rtrim(translate(encode(public.gen_random_bytes(32), 'base64'), '+/', '-_'), '=');
begin
  select * into v_s from app_private.sessions s where s.id = p_session_id for update;
  if not found or v_s.revoked_at is not null or v_s.expires_at <= now()
     or exists (select 1 from app_public.users u where u.id = v_s.user_id and u.disabled_at is not null) then
    return app_private.auth_error('LOGIN');
  end if;
  if v_s.mfa_pending and v_s.created_at + c.mfa_challenge_ttl <= now() then
    -- N5: the challenge of this sign-in is over; sign in again.
    perform app_private.write_audit('mfa_challenge_expired', 'app_public.users', v_s.user_id::text, null, null,
      jsonb_build_object('session_id', v_s.id, 'method', p_method));
    return app_private.auth_error('MFAEX');
  end if;
  v_amr := v_s.amr;
  if not (p_method = any (v_amr)) then v_amr := v_amr || p_method; end if;
  if not ('mfa' = any (v_amr)) then v_amr := v_amr || 'mfa'::text; end if;
  update app_private.sessions set aal = 'aal2', amr = v_amr[1:8], mfa_pending = false, mfa_verified_at = now(),
    last_used_at = now()
    where id = v_s.id;
  -- New tokens: what the first factor alone was handed no longer refreshes.
  update app_private.refresh_tokens set revoked_at = now() where session_id = v_s.id and revoked_at is null;
  insert into app_private.refresh_tokens (session_id, token_hash, expires_at)
    values (v_s.id, app_private.token_hash(v_token), least(now() + c.session_idle, v_s.expires_at));
  perform app_private.write_audit('mfa_verified', 'app_public.users', v_s.user_id::text, null, null,
    jsonb_build_object('session_id', v_s.id, 'method', p_method, 'step_up', not v_s.mfa_pending));
  return app_private.auth_ok(v_s.user_id, v_s.id, v_token, v_s.expires_at);
end;
$$;
comment on function app_private.complete_mfa(uuid, text) is 'After a verified second factor (p_method: otp, sms, hwk, swk, ...): a live session pending MFA (within mfa_challenge_ttl: else MFAEX) or doing step-up becomes aal2 with p_method and mfa in amr, its refresh token is rotated, and auth_ok is returned so the edge issues new tokens. LOGIN when the session is not live.';
revoke all on function app_private.complete_mfa(uuid, text) from public;

-- Trusted devices (N10): a random token in a signed HttpOnly cookie (the edge signs and
-- checks the signature); stored as a hash, bound to the user, expiring, forgotten on
-- password reset or on request.
create table if not exists app_private.trusted_devices (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references app_public.users (id) on delete cascade,
  token_hash bytea not null unique,
  user_agent text constraint trusted_devices_user_agent_check check (length(user_agent) <= 512),
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  expires_at timestamptz not null
);
create index if not exists trusted_devices_user_id_idx on app_private.trusted_devices (user_id);
call app_private.enable_rls('app_private.trusted_devices');
-- The trusted device a session was started from or trusted in (myTrustedDevices.isCurrent).
alter table app_private.sessions add column if not exists trusted_device_id uuid
  references app_private.trusted_devices (id) on delete set null;
-- Not partial: the structure test wants every foreign key covered by a plain index.
drop index if exists app_private.sessions_trusted_device_id_idx;
create index sessions_trusted_device_id_idx on app_private.sessions (trusted_device_id);
comment on column app_private.sessions.trusted_device_id is 'The trusted device this session signed in with or trusted (myTrustedDevices.isCurrent); NULL otherwise.';
comment on table app_private.trusted_devices is 'Devices that skip the second factor at sign-in until expires_at (the cookie carries id.token; only the token''s hash is stored).';

-- True (and the device's last use recorded) when p_token is a live trusted device of the user.
create or replace function app_private.use_trusted_device(p_user uuid, p_token text) returns boolean
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
begin
  if p_token is null or p_token !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[A-Za-z0-9_-]{43}$' then
    return false;
  end if;
  update app_private.trusted_devices d set last_used_at = now()
    where d.id = split_part(p_token, '.', 1)::uuid and d.user_id = p_user
      and d.token_hash = app_private.token_hash(split_part(p_token, '.', 2)) and d.expires_at > now();
  return found;
end;
$$;
comment on function app_private.use_trusted_device(uuid, text) is 'Whether p_token (id.token from the device cookie) is a live trusted device of p_user; records its use.';
revoke all on function app_private.use_trusted_device(uuid, text) from public;

-- Password sign-in, now with the trusted-device token of the device cookie (N10).
drop function if exists app_hidden.login(text, text, inet, text);
create or replace function app_hidden.login(p_email text, p_password text, p_ip inet, p_user_agent text, p_device_token text default null)
returns app_hidden.auth_result
language plpgsql
-- Definer: reads password hashes and writes failure counters and sessions (app_private).
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_user app_public.users;
  v_secret app_private.user_secrets;
  v_new_hash text;
  v_locked_until timestamptz;
  v_result app_hidden.auth_result;
  -- An unknown address shares one bucket instead of escaping the per-address limit.
  v_addr inet := coalesce(p_ip, '0.0.0.0'::inet);
begin
  if exists (select 1 from app_private.ip_login_failures f
             where f.ip = v_addr and f.failures >= c.ip_max_failures and f.window_start > now() - c.failure_window) then
    perform app_private.write_audit('login_rate_limited', null, null, null, null,
      jsonb_build_object('ip', p_ip::text, 'reason', 'address'));
    return app_private.auth_error('RATEL');
  end if;

  select * into v_user from app_public.users where email operator(public.=) p_email::public.citext and disabled_at is null;
  if found then
    select * into v_secret from app_private.user_secrets where user_id = v_user.id;
    v_locked_until := v_secret.locked_until;
  else
    -- An unknown email is locked like an account, so RATEL tells nothing about existence (C4).
    select f.locked_until into v_locked_until from app_private.unknown_login_failures f
      where f.email_key = app_private.email_key(p_email);
  end if;
  if v_locked_until > now() then
    -- Not checked and not counted, the right password included (C7).
    perform app_private.write_audit('login_rate_limited', 'app_public.users', v_user.id::text, null, null,
      jsonb_build_object('ip', p_ip::text, 'reason', 'account_locked'));
    return app_private.auth_error('RATEL');
  end if;

  if not app_private.password_matches(p_password, v_secret.password_hash, v_secret.password_scheme) then
    insert into app_private.ip_login_failures as f (ip, failures) values (v_addr, 1)
      on conflict (ip) do update set
        failures = case when f.window_start > now() - c.failure_window then f.failures + 1 else 1 end,
        window_start = case when f.window_start > now() - c.failure_window then f.window_start else now() end;
    if v_secret.user_id is not null then
      perform app_private.record_password_failure(v_secret.user_id);
    else
      perform app_private.record_unknown_failure(p_email);
    end if;
    perform app_private.write_audit('login_failed', 'app_public.users', v_user.id::text, null, null,
      jsonb_build_object('ip', p_ip::text));
    return app_private.auth_error('CREDS');
  end if;

  -- [5030] An expired password (opt-in password_max_age) no longer signs in: the right
  -- password is answered with PWEXP (committed, audited); the owner resets it by email.
  if c.password_max_age is not null and v_secret.password_updated_at < now() - c.password_max_age then
    perform app_private.write_audit('login_password_expired', 'app_public.users', v_user.id::text, null, null,
      jsonb_build_object('ip', p_ip::text));
    return app_private.auth_error('PWEXP');
  end if;

  -- Upgrade an old scheme (C2) or a cost below the configured one (C1), hashed before the
  -- row is touched.
  if v_secret.password_scheme < app_private.current_password_scheme()
     or app_private.bcrypt_cost_of(v_secret.password_hash) < c.bcrypt_cost then
    v_new_hash := app_private.hash_password(p_password);
  end if;
  if v_new_hash is not null or v_secret.failed_attempts <> 0 or v_secret.first_failed_at is not null
     or v_secret.locked_until is not null or v_secret.lockouts <> 0 then
    update app_private.user_secrets s set failed_attempts = 0, first_failed_at = null, locked_until = null, lockouts = 0,
      password_hash = case when s.password_hash = v_secret.password_hash then coalesce(v_new_hash, s.password_hash) else s.password_hash end,
      password_scheme = case when s.password_hash = v_secret.password_hash and v_new_hash is not null
                             then app_private.current_password_scheme() else s.password_scheme end
      where s.user_id = v_user.id and coalesce(s.locked_until, '-infinity') <= now();
    if not found then
      -- Locked by concurrent failures while this check ran: the lock wins.
      return app_private.auth_error('RATEL');
    end if;
  end if;
  perform app_private.write_audit('login', 'app_public.users', v_user.id::text, null, null, jsonb_build_object('ip', p_ip::text));
  -- N10: a trusted device of this user stands in for the second factor, and says so in amr.
  if p_device_token is not null and app_private.mfa_needed(v_user.id)
     and app_private.use_trusted_device(v_user.id, p_device_token) then
    v_result := app_private.start_session(v_user.id, p_ip, p_user_agent, '{pwd,trusted_device}', 'aal2');
    update app_private.sessions s set trusted_device_id = split_part(p_device_token, '.', 1)::uuid
      where s.id = v_result.session_id;
    return v_result;
  end if;
  return app_private.start_session(v_user.id, p_ip, p_user_agent);
end;
$$;
comment on function app_hidden.login(text, text, inet, text, text) is 'Password sign-in. Returns error CREDS (any bad credential), RATEL (address throttled or account locked) or PWEXP (right password, older than auth_config.password_max_age), else a new session and refresh token; mfa_required when the user needs a second factor, unless p_device_token is a live trusted device of theirs.';
revoke all on function app_hidden.login(text, text, inet, text, text) from public;
grant execute on function app_hidden.login(text, text, inet, text, text) to auth_edge;
