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
