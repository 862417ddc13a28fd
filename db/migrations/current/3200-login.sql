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
