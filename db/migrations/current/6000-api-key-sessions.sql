-- Requests with a personal API key (features/permissions/api-keys.ts): the edge remembers a
-- verified key for a minute and says so with the setting jwt.claims.api_key = '1'. The key
-- names its backing session, so SQL decides on every statement as for any session; for such
-- a request a dead session (key revoked or expired, user disabled) is an error (LOGIN, 401),
-- not an anonymous request, so the next request after a revocation fails whatever the edge
-- remembered (O2). The live path costs nothing more: the setting is read only when no user
-- was found.
create or replace function app_hidden.current_user_id() returns uuid
language plpgsql stable
-- Definer: reads app_private.sessions and the user's state, which request roles cannot read.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_user uuid;
begin
  select s.user_id into v_user
    from app_private.sessions s
    join app_public.users u on u.id = s.user_id
    where s.id = app_hidden.current_session_id()
      and s.user_id = app_hidden.claimed_user_id()
      and s.revoked_at is null
      and s.expires_at > now()
      and not s.mfa_pending
      and u.disabled_at is null
      and (u.email_verified_at is not null
           or not (select c.email_verification_required from app_private.auth_config c));
  if v_user is null and current_setting('jwt.claims.api_key', true) = '1' then
    raise exception 'This API key is no longer valid' using errcode = 'LOGIN';
  end if;
  return v_user;
end;
$$;
comment on function app_hidden.current_user_id() is 'The calling user, only while the token''s session is live and not waiting for a second factor (N4), the user enabled and (when email_verification_required) the email verified; otherwise NULL, or error LOGIN for a request made with an API key (its key revoked or expired, its user disabled: O2).';
revoke all on function app_hidden.current_user_id() from public;
grant execute on function app_hidden.current_user_id() to anonymous, app_user, bot;
