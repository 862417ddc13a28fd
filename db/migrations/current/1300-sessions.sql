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
