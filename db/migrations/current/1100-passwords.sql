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
