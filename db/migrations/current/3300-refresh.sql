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
