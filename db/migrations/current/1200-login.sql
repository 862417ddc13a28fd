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
