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
