--! Previous: sha1:c2f790c8af6391b7d32afda12945490de83d1e59
--! Hash: sha1:80fa123feffa642759dbd3a343988f0dcd5a6fb2
--! Message: multi-factor authentication and passkeys

--! split: 2000-mfa-factors.sql
-- Second factors (issue 10): one row per factor of any kind; each kind keeps its secret
-- material in its own app_private side table keyed by factor_id (TOTP secret, phone number,
-- WebAuthn credential). A factor counts for sign-in once status = 'active'.
create table if not exists app_private.mfa_factors (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references app_public.users (id) on delete cascade,
  kind text not null constraint mfa_factors_kind_check check (kind in ('totp', 'sms', 'webauthn')),
  friendly_name text constraint mfa_factors_friendly_name_check check (length(friendly_name) <= 100),
  status text not null default 'unverified' constraint mfa_factors_status_check check (status in ('unverified', 'active')),
  created_at timestamptz not null default now(),
  last_used_at timestamptz
);
create index if not exists mfa_factors_user_id_idx on app_private.mfa_factors (user_id);
create index if not exists mfa_factors_active_idx on app_private.mfa_factors (user_id) where status = 'active';
call app_private.enable_rls('app_private.mfa_factors');
comment on table app_private.mfa_factors is 'Second factors of every kind (totp, sms, webauthn); secrets live in per-kind side tables keyed by factor_id.';

--! split: 2001-mfa-sessions.sql
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

--! split: 2002-mfa-factors-api.sql
-- Second factors (issue 10): TOTP, SMS codes, recovery codes, trusted devices, step-up.
-- Threat model: a stolen password (or OAuth account, or mailbox) must not be enough once a
-- user has a factor; a stolen aal1 session must not be able to add its own factor, remove
-- one, or change the email/password (N6); codes cannot be guessed (attempts reserved per
-- factor and per account before each check, so batches and parallel requests count: N3) nor
-- replayed (N2); secrets are unreadable by request roles (N1: TOTP secrets AES-GCM encrypted
-- by the edge with the provider-token keys, recovery and SMS codes hashed).
-- TOTP codes are computed at the edge (npm otpauth) from the decrypted secret; SQL gets the
-- matched time step and refuses steps already used or out of drift. Called by
-- proxy/features/mfa (edge-only functions as auth_edge; app_public ones through GraphQL).

do $$
begin
  if not exists (select 1 from information_schema.columns
                 where table_schema = 'app_private' and table_name = 'mfa_factors' and column_name = 'failed_attempts') then
    alter table app_private.mfa_factors
      add column failed_attempts int not null default 0,
      add column first_failed_at timestamptz;
  end if;
  if to_regtype('app_hidden.mfa_result') is null then
    create type app_hidden.mfa_result as (auth app_hidden.auth_result, recovery_codes text[]);
  end if;
  if to_regtype('app_public.mfa_factor_info') is null then
    create type app_public.mfa_factor_info as (
      id uuid, kind text, friendly_name text, status text, created_at timestamptz, last_used_at timestamptz, phone_hint text);
  end if;
  if to_regtype('app_public.trusted_device_info') is null then
    create type app_public.trusted_device_info as (
      id uuid, user_agent text, created_at timestamptz, last_used_at timestamptz, expires_at timestamptz, is_current boolean);
  end if;
end;
$$;
comment on type app_hidden.mfa_result is 'A second-factor verification: the auth_result (new tokens or an error) and, after an enrolment, the recovery codes shown once.';
comment on type app_public.mfa_factor_info is 'One of your second factors (TOTP app, phone, passkey).';
comment on column app_public.mfa_factor_info.kind is 'totp, sms or webauthn.';
comment on column app_public.mfa_factor_info.status is 'unverified (enrolment not finished) or active.';
comment on column app_public.mfa_factor_info.phone_hint is 'For a phone: its last two digits.';
comment on type app_public.trusted_device_info is 'A device that skips the second factor when you sign in from it.';

-- Per-kind secrets (N1): no request role can read these tables (app_private, forced RLS).
create table if not exists app_private.mfa_totp_secrets (
  factor_id uuid primary key references app_private.mfa_factors (id) on delete cascade,
  key_id text not null,
  secret bytea not null,
  last_step bigint
);
call app_private.enable_rls('app_private.mfa_totp_secrets');
comment on table app_private.mfa_totp_secrets is 'TOTP secrets, AES-256-GCM encrypted by the edge (key key_id, associated data the factor id); last_step: the last accepted 30 s step (replay: N2).';

create table if not exists app_private.mfa_phones (
  factor_id uuid primary key references app_private.mfa_factors (id) on delete cascade,
  phone text not null constraint mfa_phones_phone_check check (phone ~ '^\+[1-9][0-9]{6,14}$')
);
call app_private.enable_rls('app_private.mfa_phones');
comment on table app_private.mfa_phones is 'The E.164 number of an SMS factor (N9).';

create table if not exists app_private.mfa_sms_codes (
  factor_id uuid primary key references app_private.mfa_factors (id) on delete cascade,
  code_hash bytea not null,
  expires_at timestamptz not null
);
call app_private.enable_rls('app_private.mfa_sms_codes');
comment on table app_private.mfa_sms_codes is 'The one outstanding SMS code of a factor, hashed, 5 minutes (N9).';

create table if not exists app_private.sms_sends (
  id bigint generated always as identity primary key,
  phone text not null,
  user_id uuid references app_public.users (id) on delete cascade,
  sent_at timestamptz not null default now()
);
create index if not exists sms_sends_phone_idx on app_private.sms_sends (phone, sent_at);
create index if not exists sms_sends_user_id_idx on app_private.sms_sends (user_id, sent_at);
create index if not exists sms_sends_sent_at_idx on app_private.sms_sends (sent_at);
call app_private.enable_rls('app_private.sms_sends');
comment on table app_private.sms_sends is 'Every SMS sent, for the per-number, per-account and global limits (toll fraud: N9).';

create table if not exists app_private.mfa_recovery_codes (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references app_public.users (id) on delete cascade,
  code_hash bytea not null,
  created_at timestamptz not null default now(),
  used_at timestamptz
);
create index if not exists mfa_recovery_codes_user_id_idx on app_private.mfa_recovery_codes (user_id);
call app_private.enable_rls('app_private.mfa_recovery_codes');
comment on table app_private.mfa_recovery_codes is 'Recovery codes, SHA-256 hashed (N1), each usable once.';

create table if not exists app_private.mfa_user_failures (
  user_id uuid primary key references app_public.users (id) on delete cascade,
  failures int not null default 0,
  window_start timestamptz not null default now()
);
call app_private.enable_rls('app_private.mfa_user_failures');
comment on table app_private.mfa_user_failures is 'Second-factor attempts per account in the current window (N3); reserved before each check.';

do $$
begin
  if not exists (select 1 from information_schema.columns
                 where table_schema = 'app_private' and table_name = 'auth_config' and column_name = 'sms_max_per_number') then
    alter table app_private.auth_config
      add column sms_window interval not null default '1 hour',
      add column sms_max_per_number int not null default 5,
      add column sms_max_per_user int not null default 10,
      add column sms_max_global int not null default 1000,
      add constraint auth_config_sms_check check (
        sms_window > interval '0' and sms_max_per_number >= 1 and sms_max_per_user >= 1 and sms_max_global >= 1);
  end if;
end;
$$;
comment on column app_private.auth_config.sms_max_global is 'SMS sent by the whole system per sms_window (toll-fraud brake, N9); also sms_max_per_number and sms_max_per_user.';

-- The caller's live session, pending MFA or not (the MFA entry points check it themselves,
-- because current_user_id() is NULL while it is pending).
create or replace function app_private.mfa_caller() returns app_private.sessions
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select s.* from app_private.sessions s
  join app_public.users u on u.id = s.user_id
  where s.id = app_hidden.current_session_id() and s.user_id = app_hidden.claimed_user_id()
    and s.revoked_at is null and s.expires_at > now() and u.disabled_at is null
$$;
comment on function app_private.mfa_caller() is 'The caller''s live session row, whether or not it waits for a second factor; NULL fields without one.';
revoke all on function app_private.mfa_caller() from public;

-- Enrolling a factor from a session that has not passed one would let a stolen password add
-- its own second factor: only an aal2 session, or a user who has no active factor yet.
create or replace function app_private.assert_may_enroll(p_s app_private.sessions) returns void
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
  if p_s.id is null then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  if p_s.aal <> 'aal2' and exists (select 1 from app_private.mfa_factors f where f.user_id = p_s.user_id and f.status = 'active') then
    raise exception 'Verify a second factor first' using errcode = 'MFARQ';
  end if;
end;
$$;
comment on function app_private.assert_may_enroll(app_private.sessions) is 'MFARQ unless the session is aal2 or the user has no active factor; LOGIN without a live session.';
revoke all on function app_private.assert_may_enroll(app_private.sessions) from public;

-- Step-up (N6): sensitive operations of a user with a factor need an aal2 session.
create or replace function app_private.assert_aal2_if_factor(p_user uuid) returns void
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
  if exists (select 1 from app_private.mfa_factors f where f.user_id = p_user and f.status = 'active')
     and coalesce(app_hidden.current_aal(), 'aal1') <> 'aal2' then
    raise exception 'Verify a second factor first' using errcode = 'MFARQ';
  end if;
end;
$$;
comment on function app_private.assert_aal2_if_factor(uuid) is 'Raises MFARQ when the user has an active factor and the live session is not aal2 (step-up, N6).';
revoke all on function app_private.assert_aal2_if_factor(uuid) from public;

-- Audit plus a mailed notice (issue: every enrolment, removal and failed verification).
create or replace function app_private.mfa_notice(p_user uuid, p_event text, p_what text, p_detail jsonb default '{}')
returns void
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  v_u app_public.users;
begin
  perform app_private.write_audit(p_event, 'app_public.users', p_user::text, null, null, p_detail);
  select * into v_u from app_public.users u where u.id = p_user;
  if v_u.email is not null and not v_u.is_bot then
    perform app_private.enqueue_mail('mfa_notice', v_u.email::text,
      jsonb_build_object('name', v_u.display_name, 'email', v_u.email::text, 'what', p_what));
  end if;
end;
$$;
comment on function app_private.mfa_notice(uuid, text, text, jsonb) is 'Writes an audit row and queues the mfa_notice mail (p_what: one sentence) to the user.';
revoke all on function app_private.mfa_notice(uuid, text, text, jsonb) from public;

-- N3: an attempt is counted before the code is checked (and the counter rows stay locked
-- until the transaction ends), so parallel or batched attempts all count; a success clears.
create or replace function app_private.mfa_reserve_attempt(p_user uuid, p_factor uuid) returns boolean
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_user_n int;
  v_factor_n int := 0;
begin
  insert into app_private.mfa_user_failures as f (user_id, failures, window_start) values (p_user, 1, now())
    on conflict (user_id) do update set
      failures = case when f.window_start > now() - c.mfa_failure_window then f.failures + 1 else 1 end,
      window_start = case when f.window_start > now() - c.mfa_failure_window then f.window_start else now() end
    returning f.failures into v_user_n;
  if p_factor is not null then
    update app_private.mfa_factors f set
      failed_attempts = case when f.first_failed_at > now() - c.mfa_failure_window then f.failed_attempts + 1 else 1 end,
      first_failed_at = case when f.first_failed_at > now() - c.mfa_failure_window then f.first_failed_at else now() end
      where f.id = p_factor
      returning f.failed_attempts into v_factor_n;
  end if;
  if v_user_n > c.mfa_max_user_failures or v_factor_n > c.mfa_max_factor_failures then
    perform app_private.write_audit('mfa_rate_limited', 'app_public.users', p_user::text, null, null,
      jsonb_build_object('factor_id', p_factor, 'account_attempts', v_user_n, 'factor_attempts', v_factor_n));
    return false;
  end if;
  return true;
end;
$$;
comment on function app_private.mfa_reserve_attempt(uuid, uuid) is 'Counts one second-factor attempt for the account and the factor (before the check); false when over mfa_max_user_failures / mfa_max_factor_failures in mfa_failure_window (N3).';
revoke all on function app_private.mfa_reserve_attempt(uuid, uuid) from public;

create or replace function app_private.mfa_attempt_succeeded(p_user uuid, p_factor uuid) returns void
language sql
set search_path = pg_catalog, pg_temp
as $$
  delete from app_private.mfa_user_failures f where f.user_id = p_user;
  update app_private.mfa_factors f set failed_attempts = 0, first_failed_at = null, last_used_at = now()
    where f.id = p_factor;
$$;
revoke all on function app_private.mfa_attempt_succeeded(uuid, uuid) from public;

-- A verification that did not match: audited and noticed; the attempt was counted already.
create or replace function app_private.mfa_failed(p_user uuid, p_factor uuid, p_reason text) returns app_hidden.mfa_result
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  v app_hidden.mfa_result;
begin
  if exists (select 1 from app_private.mfa_factors f where f.id = p_factor and f.status = 'unverified') then
    -- A typo while enrolling: audited, not mailed.
    perform app_private.write_audit('mfa_failed', 'app_public.users', p_user::text, null, null,
      jsonb_build_object('factor_id', p_factor, 'reason', p_reason, 'enrolment', true));
  else
    perform app_private.mfa_notice(p_user, 'mfa_failed',
      'A wrong second-factor code was entered for your account.',
      jsonb_build_object('factor_id', p_factor, 'reason', p_reason));
  end if;
  v.auth := app_private.auth_error('MFAIN');
  return v;
end;
$$;
revoke all on function app_private.mfa_failed(uuid, uuid, text) from public;

-- Ten fresh recovery codes (the old set is void): xxxx-xxxx-xxxx, 48 random bits each.
create or replace function app_private.new_recovery_codes(p_user uuid) returns text[]
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  v_codes text[] := '{}';
  v_hex text;
begin
  delete from app_private.mfa_recovery_codes r where r.user_id = p_user;
  for i in 1..10 loop
    v_hex := encode(public.gen_random_bytes(6), 'hex');
    v_codes := v_codes || (substr(v_hex, 1, 4) || '-' || substr(v_hex, 5, 4) || '-' || substr(v_hex, 9, 4));
    insert into app_private.mfa_recovery_codes (user_id, code_hash) values (p_user, app_private.token_hash(v_hex));
  end loop;
  return v_codes;
end;
$$;
comment on function app_private.new_recovery_codes(uuid) is 'Replaces the user''s recovery codes with ten new ones, returned once (stored hashed: N1).';
revoke all on function app_private.new_recovery_codes(uuid) from public;

-- An enrolment finished: the factor is active, the first factor of a user brings recovery
-- codes, and the session is raised to aal2.
create or replace function app_private.activate_factor(p_s app_private.sessions, p_factor uuid, p_method text)
returns app_hidden.mfa_result
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  v app_hidden.mfa_result;
  v_kind text;
begin
  update app_private.mfa_factors f set status = 'active' where f.id = p_factor returning f.kind into v_kind;
  if not exists (select 1 from app_private.mfa_recovery_codes r where r.user_id = p_s.user_id and r.used_at is null) then
    v.recovery_codes := app_private.new_recovery_codes(p_s.user_id);
  else
    v.recovery_codes := '{}';
  end if;
  perform app_private.mfa_notice(p_s.user_id, 'mfa_enrolled',
    format('A second factor (%s) was added to your account.', case v_kind when 'totp' then 'authenticator app' when 'sms' then 'phone' else v_kind end),
    jsonb_build_object('factor_id', p_factor, 'kind', v_kind));
  v.auth := app_private.complete_mfa(p_s.id, p_method);
  return v;
end;
$$;
revoke all on function app_private.activate_factor(app_private.sessions, uuid, text) from public;

-- TOTP enrolment: the edge generated the secret and encrypted it for this factor id.
create or replace function app_hidden.enroll_totp(p_factor_id uuid, p_friendly_name text, p_key_id text, p_secret bytea)
returns uuid
language plpgsql
-- Definer: writes app_private.mfa_factors and mfa_totp_secrets for the caller.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_s app_private.sessions := app_private.mfa_caller();
begin
  perform app_private.assert_may_enroll(v_s);
  -- An unfinished enrolment is replaced, not accumulated.
  delete from app_private.mfa_factors f where f.user_id = v_s.user_id and f.kind = 'totp' and f.status = 'unverified';
  insert into app_private.mfa_factors (id, user_id, kind, friendly_name) values (p_factor_id, v_s.user_id, 'totp', coalesce(nullif(trim(p_friendly_name), ''), 'Authenticator app'));
  insert into app_private.mfa_totp_secrets (factor_id, key_id, secret) values (p_factor_id, p_key_id, p_secret);
  perform app_private.write_audit('mfa_enroll_started', 'app_public.users', v_s.user_id::text, null, null,
    jsonb_build_object('factor_id', p_factor_id, 'kind', 'totp'));
  return p_factor_id;
end;
$$;
comment on function app_hidden.enroll_totp(uuid, text, text, bytea) is 'Edge only: records an unverified TOTP factor with its encrypted secret. MFARQ when the user already has a factor and the session is not aal2.';

-- Every verification starts here: the session, the factor, the challenge's age, the
-- attempt counted (N3). For TOTP it hands the edge the encrypted secret.
create or replace function app_hidden.mfa_begin(p_factor_id uuid)
returns table (error text, kind text, status text, key_id text, secret bytea)
language plpgsql
-- Definer: reads app_private factor rows and counts attempts.
security definer
set search_path = pg_catalog, pg_temp
as $$
#variable_conflict use_column
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_s app_private.sessions := app_private.mfa_caller();
  v_f app_private.mfa_factors;
begin
  if v_s.id is null then
    return query select 'LOGIN'::text, null::text, null::text, null::text, null::bytea;
    return;
  end if;
  if v_s.mfa_pending and v_s.created_at + c.mfa_challenge_ttl <= now() then
    return query select 'MFAEX'::text, null::text, null::text, null::text, null::bytea;
    return;
  end if;
  select * into v_f from app_private.mfa_factors f where f.id = p_factor_id and f.user_id = v_s.user_id;
  if not found then
    raise exception 'Not found' using errcode = 'NTFND';
  end if;
  if not app_private.mfa_reserve_attempt(v_s.user_id, v_f.id) then
    return query select 'RATEL'::text, v_f.kind, v_f.status, null::text, null::bytea;
    return;
  end if;
  return query select null::text, v_f.kind, v_f.status, t.key_id, t.secret
    from (select 1) one left join app_private.mfa_totp_secrets t on t.factor_id = v_f.id;
end;
$$;
comment on function app_hidden.mfa_begin(uuid) is 'Edge only: checks the caller''s session and factor and counts the attempt (N3); returns the factor''s kind and status and, for TOTP, the encrypted secret. Errors LOGIN, MFAEX, RATEL; raises NTFND.';

-- p_step: the 30 s step whose code matched (the edge checked now and one step either side),
-- or NULL when none did.
create or replace function app_hidden.mfa_finish_totp(p_factor_id uuid, p_step bigint)
returns app_hidden.mfa_result
language plpgsql
-- Definer: updates app_private factor state and the session.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_s app_private.sessions := app_private.mfa_caller();
  v_f app_private.mfa_factors;
  v_t app_private.mfa_totp_secrets;
  v app_hidden.mfa_result;
begin
  select * into v_f from app_private.mfa_factors f where f.id = p_factor_id and f.user_id = v_s.user_id and f.kind = 'totp';
  if not found then
    raise exception 'Not found' using errcode = 'NTFND';
  end if;
  select * into v_t from app_private.mfa_totp_secrets t where t.factor_id = v_f.id for update;
  if p_step is null then
    return app_private.mfa_failed(v_s.user_id, v_f.id, 'wrong_code');
  end if;
  -- N2: at most one step of drift, and a step at most once.
  if abs(p_step - floor(extract(epoch from now()) / 30)::bigint) > 1 then
    return app_private.mfa_failed(v_s.user_id, v_f.id, 'drift');
  end if;
  if v_t.last_step is not null and p_step <= v_t.last_step then
    return app_private.mfa_failed(v_s.user_id, v_f.id, 'replay');
  end if;
  update app_private.mfa_totp_secrets t set last_step = p_step where t.factor_id = v_f.id;
  perform app_private.mfa_attempt_succeeded(v_s.user_id, v_f.id);
  if v_f.status = 'unverified' then
    return app_private.activate_factor(v_s, v_f.id, 'otp');
  end if;
  v.auth := app_private.complete_mfa(v_s.id, 'otp');
  return v;
end;
$$;
comment on function app_hidden.mfa_finish_totp(uuid, bigint) is 'Edge only, after mfa_begin: the matched TOTP step (or NULL). Refuses a wrong code, a step out of drift or already used (MFAIN, N2), else activates an enrolment (with recovery codes) and completes MFA (aal2, new tokens).';

-- SMS: numbers, codes and the toll-fraud limits (N9).
create or replace function app_private.sms_allowed(p_phone text, p_user uuid) returns boolean
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
begin
  -- Serialize the global count so that parallel sends cannot all pass it.
  perform pg_catalog.pg_advisory_xact_lock(7428840010);
  -- The ledger keeps what the limits can still count.
  delete from app_private.sms_sends s where s.sent_at < now() - c.sms_window;
  if (select count(*) from app_private.sms_sends s where s.phone = p_phone and s.sent_at > now() - c.sms_window) >= c.sms_max_per_number
     or (select count(*) from app_private.sms_sends s where s.user_id = p_user and s.sent_at > now() - c.sms_window) >= c.sms_max_per_user
     or (select count(*) from app_private.sms_sends s where s.sent_at > now() - c.sms_window) >= c.sms_max_global then
    perform app_private.write_audit('sms_rate_limited', 'app_public.users', p_user::text, null, null,
      jsonb_build_object('phone_hint', right(p_phone, 2)));
    return false;
  end if;
  insert into app_private.sms_sends (phone, user_id) values (p_phone, p_user);
  return true;
end;
$$;
revoke all on function app_private.sms_allowed(text, uuid) from public;

create or replace function app_private.new_sms_code(p_factor uuid) returns text
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_code text := lpad(((('x' || encode(public.gen_random_bytes(4), 'hex'))::bit(32)::bigint) % 1000000)::text, 6, '0');
begin
  insert into app_private.mfa_sms_codes as m (factor_id, code_hash, expires_at)
    values (p_factor, app_private.token_hash(p_factor::text || ':' || v_code), now() + c.mfa_challenge_ttl)
    on conflict (factor_id) do update set code_hash = excluded.code_hash, expires_at = excluded.expires_at;
  return v_code;
end;
$$;
revoke all on function app_private.new_sms_code(uuid) from public;

create or replace function app_hidden.enroll_phone(p_phone text, p_ip inet)
returns table (factor_id uuid, phone text, code text)
language plpgsql
-- Definer: writes app_private factor rows and the send ledger.
security definer
set search_path = pg_catalog, pg_temp
as $$
#variable_conflict use_column
declare
  v_s app_private.sessions := app_private.mfa_caller();
  v_id uuid;
begin
  perform app_private.assert_may_enroll(v_s);
  if p_phone is null or p_phone !~ '^\+[1-9][0-9]{6,14}$' then
    raise exception 'Invalid phone number' using errcode = 'PHONE';
  end if;
  if not app_private.sms_allowed(p_phone, v_s.user_id) then
    raise exception 'Too many attempts, try again later' using errcode = 'RATEL';
  end if;
  delete from app_private.mfa_factors f where f.user_id = v_s.user_id and f.kind = 'sms' and f.status = 'unverified';
  insert into app_private.mfa_factors (user_id, kind, friendly_name) values (v_s.user_id, 'sms', 'Phone ending ' || right(p_phone, 2))
    returning id into v_id;
  insert into app_private.mfa_phones (factor_id, phone) values (v_id, p_phone);
  perform app_private.write_audit('mfa_enroll_started', 'app_public.users', v_s.user_id::text, null, null,
    jsonb_build_object('factor_id', v_id, 'kind', 'sms', 'ip', p_ip::text));
  return query select v_id, p_phone, app_private.new_sms_code(v_id);
end;
$$;
comment on function app_hidden.enroll_phone(text, inet) is 'Edge only: records an unverified SMS factor for an E.164 number (PHONE otherwise) and returns the code for the edge to send; limited per number, account and globally (RATEL, N9).';

-- A code for an active SMS factor only (a number receives codes after it was verified: N9).
create or replace function app_hidden.send_sms_code(p_factor_id uuid, p_ip inet)
returns table (phone text, code text)
language plpgsql
-- Definer: reads app_private phone rows and writes the send ledger.
security definer
set search_path = pg_catalog, pg_temp
as $$
#variable_conflict use_column
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_s app_private.sessions := app_private.mfa_caller();
  v_phone text;
begin
  if v_s.id is null then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  if v_s.mfa_pending and v_s.created_at + c.mfa_challenge_ttl <= now() then
    raise exception 'The second-factor challenge has expired' using errcode = 'MFAEX';
  end if;
  select p.phone into v_phone from app_private.mfa_factors f join app_private.mfa_phones p on p.factor_id = f.id
    where f.id = p_factor_id and f.user_id = v_s.user_id and f.kind = 'sms' and f.status = 'active';
  if v_phone is null then
    raise exception 'Not found' using errcode = 'NTFND';
  end if;
  if not app_private.sms_allowed(v_phone, v_s.user_id) then
    raise exception 'Too many attempts, try again later' using errcode = 'RATEL';
  end if;
  return query select v_phone, app_private.new_sms_code(p_factor_id);
end;
$$;
comment on function app_hidden.send_sms_code(uuid, inet) is 'Edge only: a new 5-minute code for one of the caller''s active SMS factors, for the edge to send (N9).';

create or replace function app_hidden.mfa_finish_sms(p_factor_id uuid, p_code text)
returns app_hidden.mfa_result
language plpgsql
-- Definer: reads hashed codes and updates factor state and the session.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_s app_private.sessions := app_private.mfa_caller();
  v_f app_private.mfa_factors;
  v app_hidden.mfa_result;
begin
  select * into v_f from app_private.mfa_factors f where f.id = p_factor_id and f.user_id = v_s.user_id and f.kind = 'sms';
  if not found then
    raise exception 'Not found' using errcode = 'NTFND';
  end if;
  delete from app_private.mfa_sms_codes m
    where m.factor_id = v_f.id and m.expires_at > now()
      and m.code_hash = app_private.token_hash(v_f.id::text || ':' || coalesce(p_code, ''));
  if not found then
    return app_private.mfa_failed(v_s.user_id, v_f.id, 'wrong_code');
  end if;
  perform app_private.mfa_attempt_succeeded(v_s.user_id, v_f.id);
  if v_f.status = 'unverified' then
    return app_private.activate_factor(v_s, v_f.id, 'sms');
  end if;
  v.auth := app_private.complete_mfa(v_s.id, 'sms');
  return v;
end;
$$;
comment on function app_hidden.mfa_finish_sms(uuid, text) is 'Edge only, after mfa_begin: checks the SMS code (hashed, 5 minutes, once), then activates an enrolment or completes MFA. MFAIN otherwise.';

-- The phone being enrolled: verifyPhone(code) names no factor.
create or replace function app_hidden.pending_phone_factor() returns uuid
language sql stable
-- Definer: reads app_private.mfa_factors for the caller.
security definer
set search_path = pg_catalog, pg_temp
as $$
  select f.id from app_private.mfa_factors f
  where f.user_id = (app_private.mfa_caller()).user_id and f.kind = 'sms' and f.status = 'unverified'
  order by f.created_at desc limit 1
$$;
comment on function app_hidden.pending_phone_factor() is 'Edge only: the caller''s unverified SMS factor, if any.';

-- Recovery codes.
create or replace function app_hidden.use_recovery_code(p_code text)
returns app_hidden.mfa_result
language plpgsql
-- Definer: reads hashed recovery codes and updates the session.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_s app_private.sessions := app_private.mfa_caller();
  v_norm text := lower(regexp_replace(coalesce(p_code, ''), '[^0-9A-Fa-f]', '', 'g'));
  v_id uuid;
  v app_hidden.mfa_result;
begin
  if v_s.id is null then
    v.auth := app_private.auth_error('LOGIN');
    return v;
  end if;
  if v_s.mfa_pending and v_s.created_at + c.mfa_challenge_ttl <= now() then
    v.auth := app_private.auth_error('MFAEX');
    return v;
  end if;
  if not app_private.mfa_reserve_attempt(v_s.user_id, null) then
    v.auth := app_private.auth_error('RATEL');
    return v;
  end if;
  update app_private.mfa_recovery_codes r set used_at = now()
    where r.id = (select r2.id from app_private.mfa_recovery_codes r2
                  where r2.user_id = v_s.user_id and r2.used_at is null and r2.code_hash = app_private.token_hash(v_norm)
                  limit 1 for update)
      and r.used_at is null
    returning r.id into v_id;
  if v_id is null then
    return app_private.mfa_failed(v_s.user_id, null, 'wrong_recovery_code');
  end if;
  perform app_private.mfa_attempt_succeeded(v_s.user_id, null);
  perform app_private.mfa_notice(v_s.user_id, 'mfa_recovery_code_used',
    format('A recovery code was used to sign in to your account (%s left).',
           (select count(*) from app_private.mfa_recovery_codes r where r.user_id = v_s.user_id and r.used_at is null)),
    jsonb_build_object('session_id', v_s.id));
  v.auth := app_private.complete_mfa(v_s.id, 'recovery_code');
  return v;
end;
$$;
comment on function app_hidden.use_recovery_code(text) is 'Edge only: spends one recovery code of the caller (once; counted per account: N3) and completes MFA. MFAIN, RATEL, MFAEX, LOGIN.';

create or replace function app_public.regenerate_recovery_codes() returns text[]
language plpgsql volatile
-- Definer: writes app_private.mfa_recovery_codes.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_user uuid := app_hidden.require_user();
  v_codes text[];
begin
  if coalesce(app_hidden.current_aal(), 'aal1') <> 'aal2' then
    raise exception 'Verify a second factor first' using errcode = 'MFARQ';
  end if;
  v_codes := app_private.new_recovery_codes(v_user);
  perform app_private.mfa_notice(v_user, 'mfa_recovery_codes_regenerated',
    'New recovery codes were generated for your account; the old ones no longer work.');
  return v_codes;
end;
$$;
comment on function app_public.regenerate_recovery_codes() is 'Ten new recovery codes, shown once; the old set stops working. Needs an aal2 session (step-up; MFARQ otherwise).';
revoke all on function app_public.regenerate_recovery_codes() from public;
grant execute on function app_public.regenerate_recovery_codes() to app_user;

-- Listing and removal (every kind, passkeys included).
create or replace function app_public.my_mfa_factors() returns setof app_public.mfa_factor_info
language sql stable
-- Definer: reads app_private.mfa_factors for the caller only.
security definer
set search_path = pg_catalog, pg_temp
as $$
  select f.id, f.kind, f.friendly_name, f.status, f.created_at, f.last_used_at, right(p.phone, 2)
  from app_private.mfa_factors f
  left join app_private.mfa_phones p on p.factor_id = f.id
  where f.user_id = app_hidden.current_user_id()
  order by f.created_at, f.id
$$;
comment on function app_public.my_mfa_factors() is 'Your second factors (authenticator apps, phones, passkeys), oldest first.';
revoke all on function app_public.my_mfa_factors() from public;
grant execute on function app_public.my_mfa_factors() to app_user;

create or replace function app_public.remove_mfa_factor(id uuid) returns boolean
language plpgsql volatile
-- Definer: deletes from app_private.mfa_factors for the caller only.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_user uuid := app_hidden.require_user();
  v_f app_private.mfa_factors;
begin
  select * into v_f from app_private.mfa_factors f where f.id = remove_mfa_factor.id and f.user_id = v_user;
  if not found then
    raise exception 'Not found' using errcode = 'NTFND';
  end if;
  perform app_private.assert_aal2_if_factor(v_user);
  delete from app_private.mfa_factors f where f.id = v_f.id;
  if not exists (select 1 from app_private.mfa_factors f where f.user_id = v_user and f.status = 'active') then
    delete from app_private.mfa_recovery_codes r where r.user_id = v_user;
    -- N10: with no second factor left, nothing is trusted to stand in for one: a factor
    -- enrolled later is not skipped by a device trusted before.
    delete from app_private.trusted_devices d where d.user_id = v_user;
  end if;
  if v_f.status = 'active' then
    perform app_private.mfa_notice(v_user, 'mfa_removed',
      format('A second factor (%s) was removed from your account.', coalesce(v_f.friendly_name, v_f.kind)),
      jsonb_build_object('factor_id', v_f.id, 'kind', v_f.kind));
  end if;
  return true;
end;
$$;
comment on function app_public.remove_mfa_factor(uuid) is 'Removes one of your second factors (of any kind). Needs an aal2 session when you have an active factor (MFARQ).';
revoke all on function app_public.remove_mfa_factor(uuid) from public;
grant execute on function app_public.remove_mfa_factor(uuid) to app_user;

-- Trusted devices (N10).
create or replace function app_hidden.trust_device(p_user_agent text)
returns table (id uuid, token text, expires_at timestamptz)
language plpgsql
-- Definer: writes app_private.trusted_devices for the caller.
security definer
set search_path = pg_catalog, pg_temp
as $$
#variable_conflict use_column
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_s app_private.sessions := app_private.mfa_caller();
  v_token text := rtrim(translate(encode(public.gen_random_bytes(32), 'base64'), '+/', '-_'), '=');
  v_id uuid;
  v_exp timestamptz := now() + c.trusted_device_ttl;
begin
  -- Only right after a second factor was verified in this session.
  if v_s.id is null or v_s.aal <> 'aal2' or v_s.mfa_pending or v_s.mfa_verified_at is null
     or v_s.mfa_verified_at < now() - c.mfa_challenge_ttl then
    raise exception 'Verify a second factor first' using errcode = 'MFARQ';
  end if;
  insert into app_private.trusted_devices (user_id, token_hash, user_agent, expires_at)
    values (v_s.user_id, app_private.token_hash(v_token), left(p_user_agent, 512), v_exp)
    returning trusted_devices.id into v_id;
  update app_private.sessions s set trusted_device_id = v_id where s.id = v_s.id;
  perform app_private.write_audit('trusted_device_added', 'app_public.users', v_s.user_id::text, null, null,
    jsonb_build_object('device_id', v_id));
  return query select v_id, v_id::text || '.' || v_token, v_exp;
end;
$$;
comment on function app_hidden.trust_device(text) is 'Edge only: right after a verified second factor, a trusted device of the caller (id.token for the signed cookie; the token is stored hashed).';

create or replace function app_public.my_trusted_devices() returns setof app_public.trusted_device_info
language sql stable
-- Definer: reads app_private.trusted_devices for the caller only.
security definer
set search_path = pg_catalog, pg_temp
as $$
  select d.id, d.user_agent, d.created_at, d.last_used_at, d.expires_at,
         d.id is not distinct from (select s.trusted_device_id from app_private.sessions s
                                    where s.id = app_hidden.current_session_id())
  from app_private.trusted_devices d
  where d.user_id = app_hidden.current_user_id() and d.expires_at > now()
  order by d.created_at desc, d.id
$$;
comment on function app_public.my_trusted_devices() is 'Devices that skip your second factor at sign-in.';
revoke all on function app_public.my_trusted_devices() from public;
grant execute on function app_public.my_trusted_devices() to app_user;

create or replace function app_public.forget_trusted_device(id uuid) returns boolean
language plpgsql volatile
-- Definer: deletes from app_private.trusted_devices for the caller only.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_user uuid := app_hidden.require_user();
begin
  delete from app_private.trusted_devices d where d.id = forget_trusted_device.id and d.user_id = v_user;
  if not found then
    raise exception 'Not found' using errcode = 'NTFND';
  end if;
  perform app_private.write_audit('trusted_device_forgotten', 'app_public.users', v_user::text, null, null,
    jsonb_build_object('device_id', forget_trusted_device.id));
  return true;
end;
$$;
comment on function app_public.forget_trusted_device(uuid) is 'Stops one of your trusted devices from skipping the second factor.';
revoke all on function app_public.forget_trusted_device(uuid) from public;
grant execute on function app_public.forget_trusted_device(uuid) to app_user;

revoke all on function app_hidden.enroll_totp(uuid, text, text, bytea) from public;
revoke all on function app_hidden.mfa_begin(uuid) from public;
revoke all on function app_hidden.mfa_finish_totp(uuid, bigint) from public;
revoke all on function app_hidden.enroll_phone(text, inet) from public;
revoke all on function app_hidden.send_sms_code(uuid, inet) from public;
revoke all on function app_hidden.mfa_finish_sms(uuid, text) from public;
revoke all on function app_hidden.pending_phone_factor() from public;
revoke all on function app_hidden.use_recovery_code(text) from public;
revoke all on function app_hidden.trust_device(text) from public;
grant execute on function app_hidden.enroll_totp(uuid, text, text, bytea), app_hidden.mfa_begin(uuid),
  app_hidden.mfa_finish_totp(uuid, bigint), app_hidden.enroll_phone(text, inet), app_hidden.send_sms_code(uuid, inet),
  app_hidden.mfa_finish_sms(uuid, text), app_hidden.pending_phone_factor(), app_hidden.use_recovery_code(text),
  app_hidden.trust_device(text) to auth_edge;

-- The label an authenticator app shows next to the issuer.
create or replace function app_hidden.mfa_account_email() returns text
language sql stable
-- Definer: auth_edge cannot read app_public.users.
security definer
set search_path = pg_catalog, pg_temp
as $$
  select u.email::text from app_public.users u where u.id = (app_private.mfa_caller()).user_id
$$;
comment on function app_hidden.mfa_account_email() is 'Edge only: the email of the caller''s live session (pending MFA or not), for the TOTP label.';
revoke all on function app_hidden.mfa_account_email() from public;
grant execute on function app_hidden.mfa_account_email() to auth_edge;

--! split: 2003-mfa-step-up.sql
-- Step-up (N6) and trusted devices (N10) in the credential changes: changing the password or
-- the email of a user with a factor needs an aal2 session (MFARQ), and neither works from a
-- session pending MFA; a password reset forgets every trusted device.
-- Definer (each of the three): reads and writes password hashes, sessions and tokens (app_private).
create or replace function app_hidden.change_password(p_old text, p_new text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_user uuid := app_hidden.require_user();
  v_secret app_private.user_secrets;
  v_u app_public.users;
  v_hash text;
begin
  -- N6: with a second factor, only an aal2 session changes the password.
  perform app_private.assert_aal2_if_factor(v_user);
  select * into v_secret from app_private.user_secrets s where s.user_id = v_user;
  if v_secret.locked_until > now() then
    raise exception 'Too many attempts, try again later' using errcode = 'RATEL';
  end if;
  if not app_private.password_matches(p_old, v_secret.password_hash, v_secret.password_scheme) then
    perform app_private.record_password_failure(v_user);
    perform app_private.write_audit('password_change_failed', 'app_public.users', v_user::text, null, null);
    return false;
  end if;
  select * into v_u from app_public.users u where u.id = v_user;
  perform app_private.assert_password_policy(p_new, v_user, v_u.email::text, v_u.display_name);
  v_hash := app_private.hash_password(p_new);
  update app_private.user_secrets s set password_hash = v_hash, password_scheme = app_private.current_password_scheme(),
    password_updated_at = clock_timestamp(), failed_attempts = 0, first_failed_at = null, locked_until = null, lockouts = 0
    where s.user_id = v_user and s.password_hash = v_secret.password_hash;
  if not found then
    return false;
  end if;
  update app_private.sessions set revoked_at = now(), revoked_reason = 'password_changed'
    where user_id = v_user and revoked_at is null and id is distinct from app_hidden.current_session_id();
  perform app_private.enqueue_mail('password_changed', v_u.email::text,
    jsonb_build_object('name', v_u.display_name, 'email', v_u.email::text));
  perform app_private.write_audit('password_changed', 'app_public.users', v_user::text, null, null);
  return true;
end;
$$;
COMMENT ON FUNCTION app_hidden.change_password(p_old text, p_new text) IS 'Changes your password given the current one; false (committed as a failure) when it is wrong. Errors: LOGIN, WEAKP, RATEL (account locked), MFARQ (a factor and no aal2 session: step-up).';
REVOKE ALL ON FUNCTION app_hidden.change_password(p_old text, p_new text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.change_password(p_old text, p_new text) TO app_user;
GRANT ALL ON FUNCTION app_hidden.change_password(p_old text, p_new text) TO bot;

create or replace function app_hidden.change_email(p_new_email text, p_password text, p_ip inet) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_user uuid := app_private.session_user_id();
  v_u app_public.users;
  v_secret app_private.user_secrets;
  v_tok record;
begin
  -- N4: not from a session pending MFA (session_user_id() does not look at that).
  if v_user is null or (app_private.mfa_caller()).mfa_pending then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  -- N6: with a second factor, only an aal2 session changes the email.
  perform app_private.assert_aal2_if_factor(v_user);
  if not app_private.valid_email(p_new_email) then
    raise exception 'Invalid email address' using errcode = 'EMAIL';
  end if;
  select * into v_u from app_public.users u where u.id = v_user;
  select * into v_secret from app_private.user_secrets s where s.user_id = v_user;
  if v_secret.locked_until > now() then
    return app_private.email_refused('change_email', 'RATEL', p_ip, v_user);
  end if;
  if not app_private.password_matches(p_password, v_secret.password_hash, v_secret.password_scheme) then
    perform app_private.record_password_failure(v_user);
    return app_private.email_refused('change_email', 'CREDS', p_ip, v_user);
  end if;
  if app_private.email_limited('change_email:user:' || v_user, c.email_request_max_per_address, c.email_request_window)
     or app_private.email_request_limited('change_email', p_new_email, p_ip) then
    return app_private.email_refused('change_email', 'RATEL', p_ip, v_user);
  end if;
  if v_u.email operator(public.=) p_new_email::public.citext then
    return null;
  end if;
  -- A taken address gets no token and no mail, and the answer is the same: whether an
  -- address has an account is not told to whoever types it here either.
  if not exists (select 1 from app_public.users u where u.email operator(public.=) p_new_email::public.citext) then
    select * into v_tok from app_private.new_email_token(v_user, 'change_email', p_new_email, c.email_change_ttl);
    perform app_private.enqueue_mail('change_email_confirm', p_new_email,
      jsonb_build_object('name', v_u.display_name, 'email', p_new_email, 'old_email', v_u.email::text,
                         'action', 'change-email', 'token', v_tok.o_token,
                         'hours', extract(epoch from c.email_change_ttl)::int / 3600));
  end if;
  perform app_private.enqueue_mail('change_email_notice', v_u.email::text,
    jsonb_build_object('name', v_u.display_name, 'email', v_u.email::text, 'new_email', p_new_email));
  perform app_private.write_audit('email_change_requested', 'app_public.users', v_user::text, null, null,
    jsonb_build_object('ip', p_ip::text));
  return null;
end;
$$;
COMMENT ON FUNCTION app_hidden.change_email(p_new_email text, p_password text, p_ip inet) IS 'Asks to change your email: the new address gets a confirmation link, the old one a notice (M6). Returns NULL, CREDS (wrong password, counted like a failed login) or RATEL; raises LOGIN, EMAIL, MFARQ (a factor and no aal2 session: step-up).';
REVOKE ALL ON FUNCTION app_hidden.change_email(p_new_email text, p_password text, p_ip inet) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.change_email(p_new_email text, p_password text, p_ip inet) TO auth_edge;

create or replace function app_hidden.reset_password(p_token text, p_new text, p_ip inet) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v app_private.email_tokens := app_private.live_email_token(p_token, 'reset_password');
  v_u app_public.users;
  v_hash text;
begin
  if v.id is null then
    return app_private.email_refused('reset_password', 'EMTOK', p_ip);
  end if;
  select * into v_u from app_public.users u where u.id = v.user_id;
  perform app_private.assert_password_policy(p_new, v.user_id, v_u.email::text, v_u.display_name);
  v_hash := app_private.hash_password(p_new);
  perform app_private.use_email_token(v);
  update app_private.user_secrets s set password_hash = v_hash, password_scheme = app_private.current_password_scheme(),
    password_updated_at = clock_timestamp(), failed_attempts = 0, first_failed_at = null, locked_until = null, lockouts = 0
    where s.user_id = v.user_id;
  update app_private.sessions set revoked_at = now(), revoked_reason = 'password_reset'
    where user_id = v.user_id and revoked_at is null;
  update app_private.refresh_tokens rt set revoked_at = now()
    from app_private.sessions s
    where rt.session_id = s.id and s.user_id = v.user_id and rt.revoked_at is null;
  -- N10: a reset forgets every trusted device (whoever reset may not trust them).
  delete from app_private.trusted_devices d where d.user_id = v.user_id;
  -- The link reached the address: it is verified, if still the user's.
  update app_public.users u set email_verified_at = now()
    where u.id = v.user_id and u.email_verified_at is null and u.email operator(public.=) v.email;
  perform app_private.enqueue_mail('password_changed', v_u.email::text,
    jsonb_build_object('name', v_u.display_name, 'email', v_u.email::text));
  perform app_private.write_audit('password_reset', 'app_public.users', v.user_id::text, null, null,
    jsonb_build_object('ip', p_ip::text));
  return null;
end;
$$;
COMMENT ON FUNCTION app_hidden.reset_password(p_token text, p_new text, p_ip inet) IS 'Sets a new password from a reset token: ends every session and refresh token, clears failures and the lock, verifies the address, mails a notice (M3), forgets the trusted devices (N10). Returns NULL or EMTOK; raises WEAKP.';
REVOKE ALL ON FUNCTION app_hidden.reset_password(p_token text, p_new text, p_ip inet) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.reset_password(p_token text, p_new text, p_ip inet) TO auth_edge;

--! split: 2004-mfa-pending-everywhere.sql
-- A session pending its second factor (N4) is nobody for the verify-only entry points too
-- (verify_email, resend_verification_email, the anonymous upgrade, device approval), and its
-- tokens say so (`mfa_pending: true`), so a resource server outside PostgreSQL can tell it from
-- a plain aal1 session.
create or replace function app_private.session_user_id() returns uuid
language plpgsql stable
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
      and u.disabled_at is null);
end;
$$;
comment on function app_private.session_user_id() is 'The caller''s user while its session is live, not pending a second factor and the user enabled, verified or not (for the verify-only calls).';
revoke all on function app_private.session_user_id() from public;

create or replace function app_hidden.session_claims(p_session_id uuid) returns jsonb
language sql stable
-- Definer: reads app_private.sessions, which auth_edge cannot read.
security definer
set search_path = pg_catalog, pg_temp
as $$
  select jsonb_build_object('aal', s.aal, 'amr', to_jsonb(s.amr))
         || case when s.actor_id is not null
                 then jsonb_build_object('act', jsonb_build_object('sub', s.actor_id::text)) else '{}'::jsonb end
         || jsonb_build_object('is_anonymous', u.is_anonymous)
         || case when s.mfa_pending then '{"mfa_pending": true}'::jsonb else '{}'::jsonb end
  from app_private.sessions s
  join app_public.users u on u.id = s.user_id
  where s.id = p_session_id
$$;
comment on function app_hidden.session_claims(uuid) is 'Edge only: the aal, amr, act, is_anonymous and mfa_pending claims of a session''s next access token.';
revoke all on function app_hidden.session_claims(uuid) from public;
grant execute on function app_hidden.session_claims(uuid) to auth_edge;

--! split: 2100-passkeys.sql
-- Passkeys (WebAuthn, issue 10, N8). The edge runs the protocol with @simplewebauthn/server
-- (proxy/features/passkeys/); this file keeps what must survive and decide: credentials with
-- their signature counters, single-use challenges, and the sign-in itself.
--
-- Threat model: request roles never read a credential or a challenge (app_private, no grants);
-- every entry point is executable by auth_edge only, which has checked the signature, origin,
-- RP ID and user verification before it calls the finish functions in the same transaction
-- as the challenge was taken. A challenge is stored as its SHA-256, expires after 5 minutes,
-- is deleted by the first attempt that presents it (success or not), and is bound to the
-- session that asked for it (registration, second factor) or to its own id (first factor,
-- no session yet). A credential signs in only its own user; a signature counter that does
-- not move forward (a cloned authenticator) refuses the sign-in and is audited.
--
-- Every passkey is also a row of app_private.mfa_factors (kind webauthn, status active), so
-- it counts as a factor and myMfaFactors/removeMfaFactor cover it (deleting the factor
-- deletes the credential).

create table if not exists app_private.webauthn_credentials (
  factor_id uuid primary key references app_private.mfa_factors (id) on delete cascade,
  user_id uuid not null references app_public.users (id) on delete cascade,
  credential_id bytea not null constraint webauthn_credentials_credential_id_key unique
    constraint webauthn_credentials_credential_id_check check (length(credential_id) between 1 and 1023),
  public_key bytea not null constraint webauthn_credentials_public_key_check check (length(public_key) <= 2048),
  sign_count bigint not null default 0 constraint webauthn_credentials_sign_count_check check (sign_count >= 0),
  transports text[] not null default '{}' constraint webauthn_credentials_transports_check check (cardinality(transports) <= 8),
  aaguid uuid,
  backed_up boolean not null default false,
  device_type text not null default 'singleDevice'
    constraint webauthn_credentials_device_type_check check (device_type in ('singleDevice', 'multiDevice')),
  created_at timestamptz not null default now(),
  last_used_at timestamptz
);
create index if not exists webauthn_credentials_user_id_idx on app_private.webauthn_credentials (user_id);
call app_private.enable_rls('app_private.webauthn_credentials');
comment on table app_private.webauthn_credentials is 'Passkeys: one WebAuthn credential per mfa_factors row (kind webauthn). Public keys and counters; never readable by request roles.';
comment on column app_private.webauthn_credentials.sign_count is 'The authenticator''s signature counter at its last use; a sign-in that does not move it forward (both zero excepted) is refused and audited (N8).';
comment on column app_private.webauthn_credentials.device_type is 'singleDevice (bound to one authenticator: amr hwk) or multiDevice (a synced passkey: amr swk).';

create table if not exists app_private.webauthn_challenges (
  id uuid primary key default gen_random_uuid(),
  purpose text not null
    constraint webauthn_challenges_purpose_check check (purpose in ('registration', 'sign_in', 'second_factor')),
  challenge_hash bytea not null,
  session_id uuid references app_private.sessions (id) on delete cascade,
  user_id uuid references app_public.users (id) on delete cascade,
  -- first factor with an email: the credential must be that user's (even when no user has it)
  email public.citext,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null default now() + interval '5 minutes',
  constraint webauthn_challenges_bound_check check ((purpose = 'sign_in') = (session_id is null))
);
create index if not exists webauthn_challenges_session_id_idx on app_private.webauthn_challenges (session_id);
create index if not exists webauthn_challenges_user_id_idx on app_private.webauthn_challenges (user_id);
create index if not exists webauthn_challenges_expires_at_idx on app_private.webauthn_challenges (expires_at);
call app_private.enable_rls('app_private.webauthn_challenges');
comment on table app_private.webauthn_challenges is 'Pending WebAuthn challenges (SHA-256 only): single-use, 5 minutes, bound to a session (registration, second_factor) or to their id (sign_in).';

-- ---------------------------------------------------------------------------------------
-- Helpers (owner only)

create or replace function app_private.base64url(p bytea) returns text
language sql immutable strict
set search_path = pg_catalog, pg_temp
as $$
  select rtrim(translate(encode(p, 'base64'), e'+/\n', '-_'), '=')
$$;
comment on function app_private.base64url(bytea) is 'Unpadded base64url, as WebAuthn writes credential ids and challenges.';
revoke all on function app_private.base64url(bytea) from public;

-- A fresh challenge: 32 random bytes, returned once in base64url, stored as its SHA-256.
-- Expired challenges of everyone and older ones of the same session and purpose go.
create or replace function app_private.new_passkey_challenge(
  p_purpose text, p_session_id uuid, p_user_id uuid, p_email text, out challenge_id uuid, out challenge text
)
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
begin
  delete from app_private.webauthn_challenges c where c.expires_at < now();
  if p_session_id is not null then
    delete from app_private.webauthn_challenges c where c.session_id = p_session_id and c.purpose = p_purpose;
  end if;
  challenge := app_private.base64url(public.gen_random_bytes(32));
  insert into app_private.webauthn_challenges (purpose, challenge_hash, session_id, user_id, email)
    values (p_purpose, public.digest(challenge, 'sha256'), p_session_id, p_user_id, p_email::public.citext)
    returning id into challenge_id;
end;
$$;
comment on function app_private.new_passkey_challenge(text, uuid, uuid, text) is 'Stores a new challenge (its hash) and returns it once.';
revoke all on function app_private.new_passkey_challenge(text, uuid, uuid, text) from public;

create or replace function app_private.passkey_allow_list(p_user_id uuid) returns jsonb
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select coalesce(jsonb_agg(jsonb_build_object('id', app_private.base64url(w.credential_id), 'transports', to_jsonb(w.transports))
                            order by w.created_at), '[]'::jsonb)
  from app_private.webauthn_credentials w where w.user_id = p_user_id
$$;
comment on function app_private.passkey_allow_list(uuid) is 'A user''s credentials as WebAuthn descriptors ({id, transports}).';
revoke all on function app_private.passkey_allow_list(uuid) from public;

create or replace function app_private.passkey_refusal(p_purpose text, p_reason text, p_user_id uuid, p_credential_id bytea, p_ip inet)
returns void
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_detail jsonb := jsonb_build_object('purpose', p_purpose, 'reason', p_reason, 'ip', p_ip::text,
                                       'credential', left(app_private.base64url(p_credential_id), 64));
begin
  -- A failed second factor is mailed like a wrong TOTP code: its sender passed the first factor
  -- (and is limited by mfa_reserve_attempt). Anonymous first-factor refusals are only audited:
  -- anyone may start one, so a mail each would be a mail bomb.
  if p_purpose = 'second_factor' and p_user_id is not null and p_reason <> 'challenge' then
    perform app_private.mfa_notice(p_user_id, 'passkey_refused', 'A passkey was refused as the second factor of a sign-in to your account.', v_detail);
  else
    perform app_private.write_audit('passkey_refused', 'app_public.users', p_user_id::text, null, null, v_detail);
  end if;
end;
$$;
comment on function app_private.passkey_refusal(text, text, uuid, bytea, inet) is 'Audits a refused passkey step (reason: challenge, credential, verification, user_verification, duplicate); a failed second factor is also mailed (mfa_notice).';
revoke all on function app_private.passkey_refusal(text, text, uuid, bytea, inet) from public;

-- ---------------------------------------------------------------------------------------
-- Edge entry points (auth_edge only)

drop type if exists app_hidden.passkey_start cascade;
create type app_hidden.passkey_start as (
  challenge_id uuid,
  challenge text,
  purpose text,
  user_id uuid,
  user_name text,
  display_name text,
  credentials jsonb
);
comment on type app_hidden.passkey_start is 'A started passkey ceremony: the challenge (once), whom it is for and their credentials (excludeCredentials or allowCredentials).';

create or replace function app_hidden.start_passkey_registration() returns app_hidden.passkey_start
language plpgsql volatile
-- Definer: writes app_private.webauthn_challenges and reads the caller's credentials.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_session app_private.sessions := app_private.mfa_caller();
  v app_hidden.passkey_start;
begin
  -- Adding a factor to an account that has one needs that factor first (N4, N6): otherwise a
  -- session that passed only the password could add its own passkey and complete MFA with it.
  perform app_private.assert_may_enroll(v_session);
  select c.challenge_id, c.challenge into v.challenge_id, v.challenge
    from app_private.new_passkey_challenge('registration', v_session.id, v_session.user_id, null) c;
  -- An anonymous user has no email yet: the authenticator shows a stable placeholder name.
  select 'registration', u.id, coalesce(u.email::text, 'user-' || left(u.id::text, 8)),
         coalesce(u.display_name, u.email::text, 'Anonymous user'), app_private.passkey_allow_list(u.id)
    into v.purpose, v.user_id, v.user_name, v.display_name, v.credentials
    from app_public.users u where u.id = v_session.user_id;
  return v;
end;
$$;
comment on function app_hidden.start_passkey_registration() is 'Edge only: a registration challenge bound to the caller''s session, the user''s name and existing credentials (to exclude). Raises LOGIN without a session, MFARQ when the account has a factor and the session is not aal2.';
revoke all on function app_hidden.start_passkey_registration() from public;
grant execute on function app_hidden.start_passkey_registration() to auth_edge;

create or replace function app_hidden.start_passkey_sign_in(p_email text) returns app_hidden.passkey_start
language plpgsql volatile
-- Definer: writes app_private.webauthn_challenges and reads credentials.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_session app_private.sessions := app_private.mfa_caller();
  v_user uuid;
  v app_hidden.passkey_start;
begin
  if v_session.id is not null then
    -- Signed in: the passkey is a second factor (or step-up) for this very session.
    select c.challenge_id, c.challenge into v.challenge_id, v.challenge
      from app_private.new_passkey_challenge('second_factor', v_session.id, v_session.user_id, null) c;
    v.purpose := 'second_factor';
    v.credentials := app_private.passkey_allow_list(v_session.user_id);
    return v;
  end if;
  if p_email is not null then
    v_user := (select u.id from app_public.users u where u.email operator(public.=) p_email::public.citext);
  end if;
  select c.challenge_id, c.challenge into v.challenge_id, v.challenge
    from app_private.new_passkey_challenge('sign_in', null, v_user, p_email) c;
  v.purpose := 'sign_in';
  -- No email: a discoverable credential (the authenticator offers its own list).
  v.credentials := case when v_user is null then '[]'::jsonb else app_private.passkey_allow_list(v_user) end;
  return v;
end;
$$;
comment on function app_hidden.start_passkey_sign_in(text) is 'Edge only: a sign-in challenge. Signed in: a second factor bound to the session; otherwise a first factor bound to the returned challenge_id, restricted to the user of p_email when given.';
revoke all on function app_hidden.start_passkey_sign_in(text) from public;
grant execute on function app_hidden.start_passkey_sign_in(text) to auth_edge;

drop type if exists app_hidden.passkey_taken cascade;
create type app_hidden.passkey_taken as (
  error text,
  purpose text,
  user_id uuid,
  public_key bytea,
  sign_count bigint,
  transports text[]
);
comment on type app_hidden.passkey_taken is 'A challenge taken for verification: error (PKCHL, PKREF) or what the edge verifies against.';

create or replace function app_hidden.take_passkey_challenge(
  p_challenge_id uuid, p_challenge text, p_credential_id bytea, p_registration boolean, p_ip inet
) returns app_hidden.passkey_taken
language plpgsql volatile
-- Definer: deletes from app_private.webauthn_challenges, reads credentials, audits.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_session app_private.sessions := app_private.mfa_caller();
  v_ch app_private.webauthn_challenges;
  v_cred app_private.webauthn_credentials;
  v_purpose text := case when p_registration then 'registration'
                         when p_challenge_id is null then 'second_factor' else 'sign_in' end;
begin
  -- Taken by the first attempt whatever it proves (single-use, N8).
  if v_purpose = 'sign_in' then
    delete from app_private.webauthn_challenges c where c.id = p_challenge_id and c.purpose = 'sign_in'
      returning * into v_ch;
  elsif v_session.id is not null then
    delete from app_private.webauthn_challenges c where c.session_id = v_session.id and c.purpose = v_purpose
      returning * into v_ch;
  end if;
  if v_ch.id is null or v_ch.expires_at <= now()
     or v_ch.challenge_hash <> public.digest(coalesce(p_challenge, ''), 'sha256') then
    perform app_private.passkey_refusal(v_purpose, 'challenge', v_session.user_id, p_credential_id, p_ip);
    return row('PKCHL', v_purpose, null, null, null, null)::app_hidden.passkey_taken;
  end if;
  if v_purpose = 'registration' then
    return row(null, v_purpose, v_ch.user_id, null, null, null)::app_hidden.passkey_taken;
  end if;
  select * into v_cred from app_private.webauthn_credentials w where w.credential_id = p_credential_id;
  -- A second factor counts as an attempt for the account and the factor, like a TOTP code (N3).
  if v_purpose = 'second_factor'
     and not app_private.mfa_reserve_attempt(v_ch.user_id, case when v_cred.user_id = v_ch.user_id then v_cred.factor_id end) then
    return row('RATEL', v_purpose, null, null, null, null)::app_hidden.passkey_taken;
  end if;
  -- A credential signs in its own user only: the session's, or the one the email named.
  if v_cred.factor_id is null
     or (v_ch.user_id is not null and v_cred.user_id <> v_ch.user_id)
     or (v_ch.email is not null and v_ch.user_id is null)
     or not exists (select 1 from app_public.users u where u.id = v_cred.user_id and u.disabled_at is null) then
    perform app_private.passkey_refusal(v_purpose, 'credential', coalesce(v_ch.user_id, v_cred.user_id), p_credential_id, p_ip);
    return row('PKREF', v_purpose, null, null, null, null)::app_hidden.passkey_taken;
  end if;
  return row(null, v_purpose, v_cred.user_id, v_cred.public_key, v_cred.sign_count, v_cred.transports)::app_hidden.passkey_taken;
end;
$$;
comment on function app_hidden.take_passkey_challenge(uuid, text, bytea, boolean, inet) is 'Edge only: spends the pending challenge (by id for a first factor, else the session''s) if it is the one presented, counts a second factor''s attempt (N3), and returns the credential to verify against; PKCHL (unknown, used, expired, another session''s), RATEL (too many second-factor attempts) or PKREF (unknown credential, another user''s), audited.';
revoke all on function app_hidden.take_passkey_challenge(uuid, text, bytea, boolean, inet) from public;
grant execute on function app_hidden.take_passkey_challenge(uuid, text, bytea, boolean, inet) to auth_edge;

create or replace function app_hidden.passkey_refused(p_purpose text, p_reason text, p_user_id uuid, p_credential_id bytea, p_ip inet)
returns void
language plpgsql volatile
-- Definer: writes the audit log.
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if p_purpose not in ('registration', 'sign_in', 'second_factor') or p_reason not in ('verification', 'user_verification') then
    raise exception 'Malformed request' using errcode = 'BADRQ';
  end if;
  perform app_private.passkey_refusal(p_purpose, p_reason, p_user_id, p_credential_id, p_ip);
end;
$$;
comment on function app_hidden.passkey_refused(text, text, uuid, bytea, inet) is 'Edge only: audits a response the edge refused (signature, origin, RP ID, user verification).';
revoke all on function app_hidden.passkey_refused(text, text, uuid, bytea, inet) from public;
grant execute on function app_hidden.passkey_refused(text, text, uuid, bytea, inet) to auth_edge;

drop type if exists app_hidden.passkey_registered cascade;
create type app_hidden.passkey_registered as (error text, factor_id uuid, mfa app_hidden.mfa_result);
comment on type app_hidden.passkey_registered is 'finish_passkey_registration''s answer: error (PKREF: the credential is registered already) or the new factor with what activating it gave (new tokens for the session, raised to aal2, and the first factor''s recovery codes).';

create or replace function app_hidden.finish_passkey_registration(
  p_credential_id bytea, p_public_key bytea, p_sign_count bigint, p_transports text[], p_aaguid uuid,
  p_backed_up boolean, p_device_type text, p_friendly_name text, p_ip inet
) returns app_hidden.passkey_registered
language plpgsql volatile
-- Definer: writes app_private.mfa_factors and webauthn_credentials, raises the session.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_session app_private.sessions := app_private.mfa_caller();
  v_factor uuid;
begin
  perform app_private.assert_may_enroll(v_session);
  if exists (select 1 from app_private.webauthn_credentials w where w.credential_id = p_credential_id) then
    perform app_private.passkey_refusal('registration', 'duplicate', v_session.user_id, p_credential_id, p_ip);
    return row('PKREF', null, null)::app_hidden.passkey_registered;
  end if;
  insert into app_private.mfa_factors (user_id, kind, friendly_name, status)
    values (v_session.user_id, 'webauthn', coalesce(nullif(left(p_friendly_name, 100), ''), 'Passkey'), 'unverified')
    returning id into v_factor;
  insert into app_private.webauthn_credentials
      (factor_id, user_id, credential_id, public_key, sign_count, transports, aaguid, backed_up, device_type)
    values (v_factor, v_session.user_id, p_credential_id, p_public_key, coalesce(p_sign_count, 0),
            coalesce(p_transports, '{}'), p_aaguid, coalesce(p_backed_up, false), coalesce(p_device_type, 'singleDevice'));
  -- Like every factor: active, noticed by mail, recovery codes with the first, session at aal2.
  return row(null, v_factor, app_private.activate_factor(v_session, v_factor,
    case when p_device_type = 'multiDevice' or p_backed_up then 'swk' else 'hwk' end))::app_hidden.passkey_registered;
end;
$$;
comment on function app_hidden.finish_passkey_registration(bytea, bytea, bigint, text[], uuid, boolean, text, text, inet) is 'Edge only, after take_passkey_challenge(registration) and verification in the same transaction: stores the passkey as a webauthn factor of the caller and activates it (app_private.activate_factor: notice, recovery codes for a first factor, the session raised to aal2 with new tokens).';
revoke all on function app_hidden.finish_passkey_registration(bytea, bytea, bigint, text[], uuid, boolean, text, text, inet) from public;
grant execute on function app_hidden.finish_passkey_registration(bytea, bytea, bigint, text[], uuid, boolean, text, text, inet) to auth_edge;

create or replace function app_hidden.finish_passkey_sign_in(
  p_purpose text, p_credential_id bytea, p_sign_count bigint, p_user_verified boolean, p_backed_up boolean,
  p_device_type text, p_ip inet, p_user_agent text
) returns app_hidden.auth_result
language plpgsql volatile
-- Definer: updates credentials and factors, starts or upgrades sessions, audits.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_cred app_private.webauthn_credentials;
  v_session app_private.sessions;
  v_amr text;
begin
  select * into v_cred from app_private.webauthn_credentials w where w.credential_id = p_credential_id for update;
  if v_cred.factor_id is null then
    perform app_private.passkey_refusal(p_purpose, 'credential', null, p_credential_id, p_ip);
    return app_private.auth_error('PKREF');
  end if;
  -- A counter that does not move forward means two authenticators share the key (N8).
  if (p_sign_count > 0 or v_cred.sign_count > 0) and p_sign_count <= v_cred.sign_count then
    -- Only the key itself signs such a response: its owner is told.
    perform app_private.mfa_notice(v_cred.user_id, 'passkey_counter_regression',
      'A sign-in with one of your passkeys was refused: the key may have been copied. Remove it if you are unsure.',
      jsonb_build_object('factor_id', v_cred.factor_id, 'stored', v_cred.sign_count, 'presented', p_sign_count,
                         'purpose', p_purpose, 'ip', p_ip::text));
    return app_private.auth_error('PKCTR');
  end if;
  update app_private.webauthn_credentials w
    set sign_count = greatest(p_sign_count, 0), last_used_at = now(), backed_up = coalesce(p_backed_up, w.backed_up)
    where w.factor_id = v_cred.factor_id;
  if p_purpose = 'second_factor' then
    perform app_private.mfa_attempt_succeeded(v_cred.user_id, v_cred.factor_id);
  else
    update app_private.mfa_factors f set last_used_at = now() where f.id = v_cred.factor_id;
  end if;
  -- RFC 8176: hwk for a key bound to one device, swk for a synced (multi-device) passkey.
  v_amr := case when p_device_type = 'multiDevice' or p_backed_up then 'swk' else 'hwk' end;
  if p_purpose = 'second_factor' then
    v_session := app_private.mfa_caller();
    if v_session.id is null or v_session.user_id <> v_cred.user_id then
      perform app_private.passkey_refusal(p_purpose, 'credential', v_session.user_id, p_credential_id, p_ip);
      return app_private.auth_error('PKREF');
    end if;
    return app_private.complete_mfa(v_session.id, v_amr);
  end if;
  perform app_private.write_audit('login', 'app_public.users', v_cred.user_id::text, null, null,
    jsonb_build_object('ip', p_ip::text, 'method', 'passkey', 'user_verified', coalesce(p_user_verified, false)));
  return app_private.start_session(v_cred.user_id, p_ip, p_user_agent, array[v_amr],
    case when p_user_verified then 'aal2' else 'aal1' end);
end;
$$;
comment on function app_hidden.finish_passkey_sign_in(text, bytea, bigint, boolean, boolean, text, inet, text) is 'Edge only, after take_passkey_challenge and verification in the same transaction: checks the counter (PKCTR, audited), then starts a session (sign_in: amr hwk/swk, aal2 with user verification) or completes MFA for the caller''s session (second_factor).';
revoke all on function app_hidden.finish_passkey_sign_in(text, bytea, bigint, boolean, boolean, text, inet, text) from public;
grant execute on function app_hidden.finish_passkey_sign_in(text, bytea, bigint, boolean, boolean, text, inet, text) to auth_edge;
