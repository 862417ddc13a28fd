--! Previous: sha1:9fd8ee5126a9c06a1dcfd144506e566454a30b0a
--! Hash: sha1:ec254bbeac0c6531b17a8da0bc9bbe9d9744db36
--! Message: edge role, auth helpers and password and session hardening

--! split: 0500-edge-actor-role.sql
-- Audit rows written during one of the edge's entry points (run as `auth_edge`) name the
-- request role the caller had, which the edge passes from the verified token as
-- jwt.claims.role when it switches roles; every other audit row names the SET ROLE value.
create or replace function app_private.write_audit(
  p_event text, p_table text, p_target_id text, p_old jsonb, p_new jsonb, p_detail jsonb default null
) returns void
  language sql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
  insert into app_public.audit_log (actor_user_id, actor_session_id, actor_role, event, table_name, target_id, old_row, new_row, detail)
  values (app_hidden.claimed_user_id(), app_hidden.current_session_id(),
          case when current_setting('role') = 'auth_edge'
            then coalesce(nullif(current_setting('jwt.claims.role', true), ''), 'anonymous')
            else current_setting('role') end,
          p_event, p_table, p_target_id, app_private.strip_secrets(p_old), app_private.strip_secrets(p_new), p_detail)
$$;

--! split: 1000-auth-helpers.sql
-- Helpers for blocks the session API repeated: "who is signed in, or LOGIN", and the
-- construction of app_hidden.auth_result (the row login, register and refresh return).
-- Why: positional row(...)::app_hidden.auth_result casts were spread over every function, so
-- adding a field to the result meant editing each of them in the right position; results
-- are now built by name in one place. Callers: 1100-passwords.sql, 1200-login.sql,
-- 1300-sessions.sql (and any function that needs a signed-in caller).

-- Invoker: it only calls current_user_id(), which request roles may call themselves.
create or replace function app_hidden.require_user() returns uuid
  language plpgsql stable
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_user uuid := app_hidden.current_user_id();
begin
  if v_user is null then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  return v_user;
end;
$$;
comment on function app_hidden.require_user() is
  'The calling user (live session, enabled user); raises LOGIN when there is none.';
revoke all on function app_hidden.require_user() from public;
grant execute on function app_hidden.require_user() to anonymous, app_user, bot;

create or replace function app_private.auth_error(p_code text) returns app_hidden.auth_result
  language plpgsql immutable
  set search_path = pg_catalog, pg_temp
as $$
declare
  v app_hidden.auth_result;
begin
  v.error := p_code;
  return v;
end;
$$;
comment on function app_private.auth_error(text) is
  'A failed auth_result carrying only a registered error code (CREDS, RATEL, TOKEN, REUSE).';

-- The role is looked up here, at issue time, from the role tables (E3).
create or replace function app_private.auth_ok(
  p_user_id uuid, p_session_id uuid, p_refresh_token text, p_session_expires_at timestamptz
) returns app_hidden.auth_result
  language plpgsql stable
  set search_path = pg_catalog, pg_temp
as $$
declare
  v app_hidden.auth_result;
begin
  v.user_id := p_user_id;
  v.session_id := p_session_id;
  v.role := app_hidden.user_role(p_user_id);
  v.refresh_token := p_refresh_token;
  v.session_expires_at := p_session_expires_at;
  return v;
end;
$$;
comment on function app_private.auth_ok(uuid, uuid, text, timestamptz) is
  'A successful auth_result: the session, its refresh token and the role the user is entitled to now.';

comment on type app_hidden.auth_result is
  'What login, register and refresh return: error is NULL on success, else a registered code (CREDS, RATEL, TOKEN, REUSE). Built only by app_private.auth_ok() and auth_error(), so a new field is set in one place.';

--! split: 1010-auth-config.sql
-- Authentication settings and the durable counters that enforce them.
-- Threat model: every setting in app_private.auth_config must be read by the code it names
-- (a setting that exists must work; test/db/auth_config.sql changes each one and watches the
-- behaviour change). Registration gets the same kind of limits as login: per address and
-- globally, counted in tables shared by every server instance (hardening item 8: one address
-- created 55 accounts in 25 s, each a bcrypt hash).

alter table app_private.auth_config
  add column if not exists register_window interval not null default '1 hour',
  add column if not exists register_max_per_ip int not null default 20,
  add column if not exists register_max_global int not null default 1000;
do $$ begin
  if not exists (select 1 from pg_constraint where conname = 'auth_config_register_limits_check') then
    alter table app_private.auth_config add constraint auth_config_register_limits_check
      check (register_max_per_ip >= 1 and register_max_global >= 1 and register_window > interval '0');
  end if;
end $$;

comment on column app_private.auth_config.bcrypt_cost is
  'bcrypt cost of new hashes, and of the dummy check for unknown accounts; lower hashes are upgraded on the next login (C1).';
comment on column app_private.auth_config.password_min_length is
  'Shortest accepted password, in characters (never under 8); checked by register and change_password.';
comment on column app_private.auth_config.account_max_failures is
  'Failed password checks of one account within failure_window that lock it (C6).';
comment on column app_private.auth_config.account_lock_max is
  'Upper bound of one account lock (C7). Locks start at 1 minute and double while an attack goes on; they are never renewed by attempts made during the lock.';
comment on column app_private.auth_config.failure_window is
  'Window in which failures are counted, per account and per address; also how soon a new lock counts as the same attack (and so lasts longer).';
comment on column app_private.auth_config.ip_max_failures is
  'Failed logins per client address within failure_window before the address gets RATEL (C6).';
comment on column app_private.auth_config.session_absolute is
  'Absolute lifetime of a session, however often it is refreshed (D7).';
comment on column app_private.auth_config.session_idle is
  'Lifetime of each refresh token: a session unused for this long ends (D7).';
comment on column app_private.auth_config.refresh_grace is
  'How long the immediate predecessor of a refresh token still answers (with the same successor).';
comment on column app_private.auth_config.max_sessions_per_user is
  'Live sessions per user; signing in again evicts the oldest beyond this.';
comment on column app_private.auth_config.refresh_secret is
  'HMAC key deriving each rotated refresh token from its parent (F3). Changing it breaks only retries inside refresh_grace.';
comment on column app_private.auth_config.register_window is 'Window of the registration limits.';
comment on column app_private.auth_config.register_max_per_ip is
  'Accounts one client address may register within register_window (RATEL beyond).';
comment on column app_private.auth_config.register_max_global is
  'Accounts everyone together may register within register_window: a ceiling on bcrypt work and sign-up floods.';

-- Counters. Same shape and discipline as ip_login_failures: read without locks before the
-- bcrypt work, then counted with one atomic upsert, so no row lock is held during a hash.
create table if not exists app_private.ip_registrations (
  ip inet primary key,
  window_start timestamptz not null default now(),
  registrations int not null default 0
);
comment on table app_private.ip_registrations is 'Accounts registered per client address in the current register_window.';
alter table app_private.ip_registrations enable row level security;
alter table app_private.ip_registrations force row level security;
drop policy if exists definer_all on app_private.ip_registrations;
create policy definer_all on app_private.ip_registrations to :DATABASE_OWNER using (true) with check (true);

create table if not exists app_private.registration_totals (
  id boolean primary key default true check (id),
  window_start timestamptz not null default now(),
  registrations int not null default 0
);
comment on table app_private.registration_totals is 'Accounts registered by everyone in the current register_window (one row).';
insert into app_private.registration_totals default values on conflict do nothing;
alter table app_private.registration_totals enable row level security;
alter table app_private.registration_totals force row level security;
drop policy if exists definer_all on app_private.registration_totals;
create policy definer_all on app_private.registration_totals to :DATABASE_OWNER using (true) with check (true);

--! split: 1100-passwords.sql
-- Passwords: what is fed to bcrypt (C2), hashing at the configured cost (C1), the policy
-- (password_min_length), the account lock (C7), registration with its limits, and password
-- change (C8).
-- Threat model: hashes never leave app_private; an account without a hash can never pass
-- (C3); unknown accounts cost the same bcrypt work as known ones (C4).
--
-- C2, scheme 2: every password is pre-hashed as base64(HMAC-SHA256(key = 'pgauth/password/v2',
-- message = password)), 44 ASCII characters, before bcrypt. Scheme 1 fed short passwords to
-- bcrypt as typed and long ones as 'sha256:' || base64(sha256(password)), so typing that
-- literal string opened the account of the long password. Under scheme 2 no typed string
-- reaches bcrypt unhashed, so no password can equal another's pre-hash. Hashes record their
-- scheme; scheme 1 hashes keep verifying (minus that literal) and are rewritten as scheme 2
-- on the next successful login, where a low bcrypt cost is upgraded too (C1).
--
-- C7, the account lock: account_max_failures failed checks within failure_window lock the
-- account. A lock is never renewed: attempts during it are refused with RATEL without checking
-- the password and without counting (the owner's right password included), and when it ends
-- the count starts again from zero. Consecutive locks of one attack double from 1 minute up
-- to account_lock_max. An email that is no account is counted and locked the same way
-- (unknown_login_failures), so a RATEL does not reveal that an account exists. So an attacker cannot keep the owner out by failing slowly; one who
-- re-locks the account the moment each lock ends still gets account_max_failures guesses per
-- lock, and the owner's way back is an OAuth sign-in, or the password reset that comes with
-- the email feature (which clears the lock).
--
-- No row lock is held while bcrypt runs (issue 16): limits are read without locking, the
-- hash is computed, then counters change in one atomic statement. Concurrent in-flight checks
-- can therefore exceed a limit by at most their number (bounded by the server's pool).

do $$ begin
  if not exists (select 1 from information_schema.columns
                 where table_schema = 'app_private' and table_name = 'user_secrets' and column_name = 'password_scheme') then
    -- Rows that exist when this runs hold scheme 1 hashes; new ones get scheme 2.
    alter table app_private.user_secrets add column password_scheme smallint not null default 1
      constraint user_secrets_password_scheme_check check (password_scheme in (1, 2));
    alter table app_private.user_secrets alter column password_scheme set default 2;
  end if;
end $$;
alter table app_private.user_secrets add column if not exists lockouts int not null default 0;
comment on column app_private.user_secrets.password_scheme is
  'How the password was fed to bcrypt: 1 = as typed, SHA-256 over 72 bytes (legacy); 2 = HMAC-SHA256 pre-hash (C2).';
comment on column app_private.user_secrets.failed_attempts is 'Failed checks since first_failed_at (reset by a lock or a success).';
comment on column app_private.user_secrets.locked_until is 'While in the future, every password check of this account answers RATEL (C7).';
comment on column app_private.user_secrets.lockouts is 'Consecutive locks of the current attack: each lasts twice the previous, at most account_lock_max.';

create or replace function app_private.current_password_scheme() returns smallint
  language sql immutable
  set search_path = pg_catalog, pg_temp
as $$
  select 2::smallint
$$;
comment on function app_private.current_password_scheme() is 'The scheme hash_password() produces.';

-- Scheme 1 is app_private.password_input(text) (000001, frozen).
create or replace function app_private.password_input(p_password text, p_scheme int) returns text
  language sql immutable
  set search_path = pg_catalog, pg_temp
as $$
  select case p_scheme
    when 1 then app_private.password_input(p_password)
    when 2 then encode(public.hmac(convert_to(p_password, 'UTF8'), convert_to('pgauth/password/v2', 'UTF8'), 'sha256'), 'base64')
  end
$$;
comment on function app_private.password_input(text, int) is
  'What is fed to bcrypt under a scheme: 2 = base64(HMAC-SHA256(''pgauth/password/v2'', password)); 1 = legacy.';

create or replace function app_private.hash_password(p_password text) returns text
  language sql volatile
  set search_path = pg_catalog, pg_temp
as $$
  select public.crypt(app_private.password_input(p_password, app_private.current_password_scheme()),
                      public.gen_salt('bf', (select bcrypt_cost from app_private.auth_config)))
$$;
comment on function app_private.hash_password(text) is
  'bcrypt at the configured cost of the current scheme''s input; store password_scheme = current_password_scheme() with it.';

-- One bcrypt computation whatever the case, so timing does not tell an unknown or
-- password-less account from a wrong password (C3, C4).
create or replace function app_private.password_matches(p_password text, p_hash text, p_scheme int) returns boolean
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_password text := coalesce(p_password, '');
begin
  if p_hash is null
     -- Scheme 1 fed this exact form of a long password's pre-hash to bcrypt (C2).
     or (p_scheme = 1 and v_password ~ '^sha256:[A-Za-z0-9+/]{43}=$') then
    perform public.crypt(app_private.password_input(v_password, app_private.current_password_scheme()),
                         public.gen_salt('bf', (select bcrypt_cost from app_private.auth_config)));
    return false;
  end if;
  return coalesce(public.crypt(app_private.password_input(v_password, p_scheme), p_hash) = p_hash, false);
end;
$$;
comment on function app_private.password_matches(text, text, int) is
  'Checks a password against a hash of the given scheme; a NULL hash pays the same work and never matches.';

create or replace function app_private.assert_password_ok(p_password text) returns void
  language plpgsql stable
  set search_path = pg_catalog, pg_temp
as $$
begin
  if p_password is null
     or char_length(p_password) < greatest(8, (select c.password_min_length from app_private.auth_config c)) then
    raise exception 'Password is too short' using errcode = 'WEAKP';
  end if;
  if octet_length(p_password) > 1024 then
    raise exception 'Password is too long' using errcode = 'WEAKP';
  end if;
end;
$$;
comment on function app_private.assert_password_ok(text) is
  'At least auth_config.password_min_length characters (never fewer than 8), at most 1 KiB.';

-- Failure counters of an email that is no (enabled) account, kept exactly like an account's,
-- so that an unknown email is throttled and locked like a real one: the lock's RATEL must not
-- tell which addresses have accounts (C4; registration no longer does either: M2). Keyed by
-- SHA-256 of the lower-cased address (no address is stored); a row is forgotten once its
-- window and lock have passed.
create table if not exists app_private.unknown_login_failures (
  email_key bytea primary key check (length(email_key) = 32),
  failed_attempts int not null default 0,
  first_failed_at timestamptz,
  locked_until timestamptz,
  lockouts int not null default 0
);
create index if not exists unknown_login_failures_stale_idx on app_private.unknown_login_failures (greatest(first_failed_at, locked_until));
comment on table app_private.unknown_login_failures is
  'Failed logins for emails that are not enabled accounts, counted and locked like user_secrets (C4, C7).';
alter table app_private.unknown_login_failures enable row level security;
alter table app_private.unknown_login_failures force row level security;
drop policy if exists definer_all on app_private.unknown_login_failures;
create policy definer_all on app_private.unknown_login_failures to :DATABASE_OWNER using (true) with check (true);

create or replace function app_private.email_key(p_email text) returns bytea
  language sql immutable
  set search_path = pg_catalog, pg_temp
as $$
  select public.digest(convert_to(lower(coalesce(p_email, '')), 'UTF8'), 'sha256')
$$;
comment on function app_private.email_key(text) is 'Key of unknown_login_failures: SHA-256 of the lower-cased address.';

do $$ begin
  if not exists (select 1 from pg_type where typname = 'failure_state' and typnamespace = 'app_private'::regnamespace) then
    create type app_private.failure_state as (failed_attempts int, first_failed_at timestamptz, locked_until timestamptz, lockouts int);
  end if;
end $$;
comment on type app_private.failure_state is 'Failure counters of an account (user_secrets) or of an unknown email (unknown_login_failures).';

drop function if exists app_private.after_failure(app_private.user_secrets, app_private.auth_config);
-- The state after one more failed check of an unlocked account (see the header on C7).
create or replace function app_private.after_failure(
  p_failed_attempts int, p_first_failed_at timestamptz, p_locked_until timestamptz, p_lockouts int, c app_private.auth_config
) returns app_private.failure_state
  language plpgsql stable
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_in_window boolean := coalesce(p_first_failed_at > now() - c.failure_window, false);
  v_attempts int := case when v_in_window then p_failed_attempts + 1 else 1 end;
  v app_private.failure_state;
begin
  if v_attempts < c.account_max_failures then
    v.failed_attempts := v_attempts;
    v.first_failed_at := case when v_in_window then p_first_failed_at else now() end;
    v.locked_until := p_locked_until;
    v.lockouts := p_lockouts;
    return v;
  end if;
  -- A lock soon after the previous one ended belongs to the same attack: twice as long.
  v.lockouts := case when p_locked_until > now() - c.failure_window then p_lockouts + 1 else 1 end;
  v.locked_until := now() + least(c.account_lock_max, interval '1 minute' * power(2, least(v.lockouts - 1, 20)));
  v.failed_attempts := 0;
  v.first_failed_at := null;
  return v;
end;
$$;
comment on function app_private.after_failure(int, timestamptz, timestamptz, int, app_private.auth_config) is
  'Counts a failure; at account_max_failures locks for 1 minute, doubling per consecutive lock, at most account_lock_max.';

-- Counts a failed password check of an account, atomically: the single UPDATE re-reads a row
-- changed concurrently, so no failure is lost and none counts while a lock is on. Shared by
-- login and change_password.
create or replace function app_private.record_password_failure(p_user_id uuid) returns void
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_until timestamptz;
begin
  update app_private.user_secrets s
    set (failed_attempts, first_failed_at, locked_until, lockouts) =
      (select n.failed_attempts, n.first_failed_at, n.locked_until, n.lockouts
       from app_private.after_failure(s.failed_attempts, s.first_failed_at, s.locked_until, s.lockouts, c) n)
    where s.user_id = p_user_id and coalesce(s.locked_until, '-infinity') <= now()
    returning s.locked_until into v_until;
  if v_until > now() then
    perform app_private.write_audit('account_locked', 'app_public.users', p_user_id::text, null, null,
      jsonb_build_object('until', v_until));
  end if;
end;
$$;
comment on function app_private.record_password_failure(uuid) is
  'Counts a failed password check of an unlocked account, locking it at account_max_failures (C6, C7).';

-- The same for an email that is no enabled account (one atomic upsert), and forgets up to 100
-- stale rows of other emails (skipping rows another transaction holds: nobody waits).
create or replace function app_private.record_unknown_failure(p_email text) returns void
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
begin
  insert into app_private.unknown_login_failures as f (email_key, failed_attempts, first_failed_at, locked_until, lockouts)
    select app_private.email_key(p_email), n.failed_attempts, n.first_failed_at, n.locked_until, n.lockouts
    from app_private.after_failure(0, null, null, 0, c) n
    on conflict (email_key) do update
      set (failed_attempts, first_failed_at, locked_until, lockouts) =
        (select n.failed_attempts, n.first_failed_at, n.locked_until, n.lockouts
         from app_private.after_failure(f.failed_attempts, f.first_failed_at, f.locked_until, f.lockouts, c) n)
      where coalesce(f.locked_until, '-infinity') <= now();
  delete from app_private.unknown_login_failures
    where email_key in (select u.email_key from app_private.unknown_login_failures u
                        where greatest(u.first_failed_at, u.locked_until) < now() - c.failure_window
                        limit 100 for update skip locked);
end;
$$;
comment on function app_private.record_unknown_failure(text) is
  'Counts a failed login for an email that is no enabled account, exactly like record_password_failure (C4).';

drop function if exists app_hidden.register(text, text, text);

-- Security definer: creates the user, writes its hash and starts its first session in
-- app_private. Over a registration limit it returns RATEL (and its audit row commits);
-- invalid input raises. The limits count accounts created (a failed registration does no
-- bcrypt work), per address and in total, after the hash and atomically (see the header).
create or replace function app_hidden.register(p_email text, p_password text, p_name text, p_ip inet, p_user_agent text)
returns app_hidden.auth_result
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  -- An unknown address shares one bucket instead of escaping the per-address limit.
  v_addr inet := coalesce(p_ip, '0.0.0.0'::inet);
  v_hash text;
  v_id uuid;
begin
  if exists (select 1 from app_private.ip_registrations r
             where r.ip = v_addr and r.window_start > now() - c.register_window and r.registrations >= c.register_max_per_ip)
     or exists (select 1 from app_private.registration_totals t
                where t.window_start > now() - c.register_window and t.registrations >= c.register_max_global) then
    perform app_private.write_audit('register_rate_limited', null, null, null, null, jsonb_build_object('ip', p_ip::text));
    return app_private.auth_error('RATEL');
  end if;
  if p_email is null or p_email !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' or length(p_email) > 320 then
    raise exception 'Invalid email address' using errcode = 'EMAIL';
  end if;
  perform app_private.assert_password_ok(p_password);
  if exists (select 1 from app_public.users u where u.email operator(public.=) p_email::public.citext) then
    raise exception 'An account with this email already exists' using errcode = 'EMTKN';
  end if;

  v_hash := app_private.hash_password(p_password);
  begin
    insert into app_public.users (email, display_name) values (p_email, nullif(trim(p_name), '')) returning id into v_id;
  exception when unique_violation then
    -- The same email registered concurrently since the check above.
    raise exception 'An account with this email already exists' using errcode = 'EMTKN';
  end;
  update app_private.user_secrets set password_hash = v_hash, password_scheme = app_private.current_password_scheme(),
    password_updated_at = now()
    where user_id = v_id;

  insert into app_private.ip_registrations as r (ip, registrations) values (v_addr, 1)
    on conflict (ip) do update set
      registrations = case when r.window_start > now() - c.register_window then r.registrations + 1 else 1 end,
      window_start = case when r.window_start > now() - c.register_window then r.window_start else now() end;
  update app_private.registration_totals t set
    registrations = case when t.window_start > now() - c.register_window then t.registrations + 1 else 1 end,
    window_start = case when t.window_start > now() - c.register_window then t.window_start else now() end;

  perform app_private.write_audit('register', 'app_public.users', v_id::text, null, null, jsonb_build_object('ip', p_ip::text));
  return app_private.start_session(v_id, p_ip, p_user_agent);
end;
$$;
comment on function app_hidden.register(text, text, text, inet, text) is
  'Creates a password account and signs it in (one bcrypt hash, no second check). Returns error RATEL over a registration limit; raises EMAIL, WEAKP, EMTKN.';

-- Security definer: reads and writes the caller's hash. Needs the current password (C8),
-- counts a wrong one as a failed login (same lock as login; a locked account answers RATEL
-- and nothing is counted), and revokes every other session of the user. The current
-- password is checked without a row lock; the new hash is stored only if the old one is
-- still in place.
create or replace function app_hidden.change_password(p_old text, p_new text) returns boolean
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_user uuid := app_hidden.require_user();
  v_secret app_private.user_secrets;
  v_hash text;
begin
  select * into v_secret from app_private.user_secrets s where s.user_id = v_user;
  if v_secret.locked_until > now() then
    raise exception 'Too many attempts, try again later' using errcode = 'RATEL';
  end if;
  if not app_private.password_matches(p_old, v_secret.password_hash, v_secret.password_scheme) then
    perform app_private.record_password_failure(v_user);
    perform app_private.write_audit('password_change_failed', 'app_public.users', v_user::text, null, null);
    return false;
  end if;
  perform app_private.assert_password_ok(p_new);
  v_hash := app_private.hash_password(p_new);
  update app_private.user_secrets s set password_hash = v_hash, password_scheme = app_private.current_password_scheme(),
    password_updated_at = now(), failed_attempts = 0, first_failed_at = null, locked_until = null, lockouts = 0
    where s.user_id = v_user and s.password_hash = v_secret.password_hash;
  if not found then
    -- Changed by a concurrent request since it was checked: this one did not prove it.
    return false;
  end if;
  update app_private.sessions set revoked_at = now(), revoked_reason = 'password_changed'
    where user_id = v_user and revoked_at is null and id is distinct from app_hidden.current_session_id();
  perform app_private.write_audit('password_changed', 'app_public.users', v_user::text, null, null);
  return true;
end;
$$;
comment on function app_hidden.change_password(text, text) is
  'Changes your password given the current one; false (committed as a failure) when it is wrong. Errors: LOGIN, WEAKP, RATEL (account locked).';

--! split: 1200-login.sql
-- Password sign-in. Called by the edge as auth_edge (see 1900-edge-role.sql) inside the
-- request's transaction; returns outcomes as rows instead of raising, so failure counters,
-- locks and audit rows commit even though the request fails (C5, K2).
-- Threat model: unknown email, wrong password and no password all answer CREDS after the
-- same bcrypt work (C3, C4); an address over ip_max_failures and a locked account answer
-- RATEL without checking anything (C6, C7: see 1100-passwords.sql for the lock). An unknown
-- email is counted and locked like an account, so the lock is no oracle for existence.
-- Concurrency (issue 16): nothing is locked while bcrypt runs. Limits are read first without
-- locks, the password is checked, then the address counter is one atomic upsert and the
-- account counter one atomic update; a success writes the account row only when it has
-- something to reset or upgrade. Logins from one address (one NAT, one office) therefore run
-- in parallel even after a failure.

create or replace function app_hidden.login(p_email text, p_password text, p_ip inet, p_user_agent text)
returns app_hidden.auth_result
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_user app_public.users;
  v_secret app_private.user_secrets;
  v_new_hash text;
  v_locked_until timestamptz;
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
  return app_private.start_session(v_user.id, p_ip, p_user_agent);
end;
$$;
comment on function app_hidden.login(text, text, inet, text) is
  'Password sign-in. Returns error CREDS (any bad credential) or RATEL (address throttled or account locked), else a new session and refresh token.';

--! split: 1300-sessions.sql
-- Sessions: start, refresh, revoke. Same rules and token scheme as 000001 (3200-login.sql,
-- 3300-refresh.sql); redefined here so every result is built by app_private.auth_ok() /
-- auth_error() and every "signed in?" check is app_hidden.require_user().
-- Locks: refresh locks the presented token's row and its session's row, but only for
-- SHA-256/HMAC work (no bcrypt), bounded by lock_timeout (F6); that lock is what makes two
-- concurrent refreshes of one token converge (F3).

-- Creates a session and its first refresh token; evicts the oldest sessions over the limit.
create or replace function app_private.start_session(p_user uuid, p_ip inet, p_user_agent text) returns app_hidden.auth_result
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
                 order by s.created_at desc, s.id offset c.max_sessions_per_user);
  return app_private.auth_ok(p_user, v_session.id, v_token, v_session.expires_at);
end;
$$;
comment on function app_private.start_session(uuid, inet, text) is
  'Starts a session with its first refresh token (session_absolute, session_idle); evicts the oldest beyond max_sessions_per_user.';

-- Security definer: reads and rotates refresh tokens in app_private.
-- p_session_id: for cookie requests, the session the CSRF token is bound to; a refresh
-- token of any other session is refused untouched (D2).
create or replace function app_hidden.refresh(p_token text, p_ip inet, p_user_agent text, p_session_id uuid default null)
returns app_hidden.auth_result
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
    return app_private.auth_error('TOKEN');
  end if;
  select * into v_rt from app_private.refresh_tokens where token_hash = app_private.token_hash(p_token) for update;
  if not found or v_rt.session_id is distinct from coalesce(p_session_id, v_rt.session_id) then
    return app_private.auth_error('TOKEN');
  end if;
  select * into v_session from app_private.sessions where id = v_rt.session_id for update;
  if v_session.revoked_at is not null or v_session.expires_at <= now() or v_rt.revoked_at is not null
     or exists (select 1 from app_public.users u where u.id = v_session.user_id and u.disabled_at is not null) then
    return app_private.auth_error('TOKEN');
  end if;
  v_next := app_private.successor_token(p_token);

  if v_rt.rotated_at is null then
    if v_rt.expires_at <= now() then
      return app_private.auth_error('TOKEN');
    end if;
    update app_private.refresh_tokens set rotated_at = now() where id = v_rt.id;
    insert into app_private.refresh_tokens (session_id, token_hash, parent_id, expires_at)
      values (v_session.id, app_private.token_hash(v_next), v_rt.id, least(now() + c.session_idle, v_session.expires_at));
    update app_private.sessions set last_used_at = now(), ip = coalesce(p_ip, ip) where id = v_session.id;
    return app_private.auth_ok(v_session.user_id, v_session.id, v_next, v_session.expires_at);
  end if;

  select * into v_child from app_private.refresh_tokens where parent_id = v_rt.id;
  if v_rt.rotated_at > now() - c.refresh_grace and v_child.rotated_at is null and v_child.revoked_at is null
     and v_child.expires_at > now() then
    -- A concurrent or retried refresh of the same token: converge on the same successor.
    return app_private.auth_ok(v_session.user_id, v_session.id, v_next, v_session.expires_at);
  end if;

  -- Reuse of a rotated token: assume theft and end the whole family.
  update app_private.sessions set revoked_at = now(), revoked_reason = 'refresh_token_reuse' where id = v_session.id;
  update app_private.refresh_tokens set revoked_at = now() where session_id = v_session.id and revoked_at is null;
  perform app_private.write_audit('refresh_token_reuse', null, v_session.id::text, null, null,
    jsonb_build_object('user_id', v_session.user_id, 'ip', p_ip::text));
  return app_private.auth_error('REUSE');
end;
$$;
comment on function app_hidden.refresh(text, inet, text, uuid) is
  'Rotates a refresh token. Errors: TOKEN (unknown, expired or revoked), REUSE (family revoked).';

-- Security definer: revokes the caller's sessions.
create or replace function app_hidden.revoke_sessions(p_session_id uuid, p_all_others boolean) returns int
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_user uuid := app_hidden.require_user();
  v_n int;
begin
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

--! split: 1900-edge-role.sql
-- Edge-only entry points.
-- Threat model: these functions start sessions, rotate tokens, or write provider tokens and
-- audit rows on the edge's word (the edge has checked a password form's transport, an OAuth
-- callback, a CSRF binding). Granted to request roles, anyone able to run SQL as anonymous
-- could call oauth_sign_in and mint a session for any OAuth identity. They are executable
-- only by auth_edge: a NOLOGIN role that only the server's login role is a member of
-- (db/scripts/setup.ts), that is a member of no role and owns nothing. The edge switches to it
-- just for these calls, inside the request's transaction, after the request's claims are set:
--   select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
-- so claim readers (current_user_id(): refresh's session binding, logout, oauth_sign_in's
-- link intent) still see the request's identity, and jwt.claims.role names the request role
-- for audit rows (0500-edge-actor-role.sql). test/db/edge_role.sql proves both sides.

-- Exactly these nine and nothing else: whatever auth_edge was granted before is taken back.
revoke all on all functions in schema app_public, app_hidden, app_private from auth_edge;
revoke all on schema app_public, app_private from auth_edge;
grant usage on schema app_hidden to auth_edge;

do $$
declare
  v_fn regprocedure;
begin
  foreach v_fn in array array[
    'app_hidden.login(text, text, inet, text)',
    'app_hidden.register(text, text, text, inet, text)',
    'app_hidden.refresh(text, inet, text, uuid)',
    'app_hidden.logout(text, uuid)',
    'app_hidden.oauth_sign_in(text, text, text, text, jsonb, boolean, text, bytea, bytea, timestamptz, inet, text)',
    'app_hidden.oauth_rejected(text, text, inet)',
    'app_hidden.record_denied(text, text)',
    'app_hidden.lease_provider_tokens(int, interval)',
    'app_hidden.finish_provider_token_refresh(uuid, text, text, bytea, bytea, timestamptz)'
  ]::regprocedure[] loop
    execute format('revoke all on function %s from public, anonymous, app_user, manager, admin, bot', v_fn);
    execute format('grant execute on function %s to auth_edge', v_fn);
  end loop;
end $$;
