--! Claims: the one way SQL learns who is calling.
-- The edge verifies the access token and sets, transaction-locally, exactly
--   role                     one of anonymous, app_user, manager, admin, bot
--   jwt.claims.user_id       the token's sub
--   jwt.claims.session_id    the token's sid
-- Everything else reads them only through these functions. An empty string is treated as
-- NULL (A8): set_config(..., '', true) is what "no user" looks like after a reset.

create function app_hidden.claimed_user_id() returns uuid
  language sql stable parallel safe
  set search_path = pg_catalog, pg_temp
as $$
  select nullif(current_setting('jwt.claims.user_id', true), '')::uuid
$$;
comment on function app_hidden.claimed_user_id() is
  'The user id claimed by the verified access token, or NULL. Not proof of a live session: use current_user_id().';

create function app_hidden.current_session_id() returns uuid
  language sql stable parallel safe
  set search_path = pg_catalog, pg_temp
as $$
  select nullif(current_setting('jwt.claims.session_id', true), '')::uuid
$$;
comment on function app_hidden.current_session_id() is
  'The session id (sid) from the verified access token, or NULL.';

grant execute on function app_hidden.claimed_user_id(), app_hidden.current_session_id()
  to anonymous, app_user, bot;
