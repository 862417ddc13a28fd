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
