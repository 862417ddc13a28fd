--! Previous: sha1:359485ea4d0899e15d08b7c461c8e7761432c683
--! Hash: sha1:8eb9ba114d6e2a7c49aba9fa8c2fd77b07f2e738
--! Message: api key requests, admin denials and sign-in methods

--! split: 6000-api-key-sessions.sql
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

--! split: 6100-admin-denials.sql
-- K2: an admin operation refused because its target ranks as high as the admin (OUTRK, O4)
-- is a denied authorization attempt like NTFND or DNIED: the edge audits it after the request.
create or replace function app_hidden.record_denied(p_operation text, p_code text) returns void
language plpgsql
-- Definer: writes the audit log, which no request role or the edge role can write.
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if p_operation is null or p_operation !~ '^[A-Za-z_][A-Za-z0-9_]{0,62}$' then
    raise exception 'The operation must be a GraphQL field name' using errcode = 'BADRQ';
  end if;
  if p_code is null or not (p_code = any (array['NTFND', 'DNIED', 'LASTO', 'LASTM', 'LOGIN', 'OUTRK'])) then
    raise exception 'Not a registered denial code' using errcode = 'BADRQ';
  end if;
  perform app_private.write_audit('access_denied', null, null, null, null,
    jsonb_build_object('operation', p_operation, 'code', p_code));
end;
$$;
comment on function app_hidden.record_denied(text, text) is 'Audit a refused operation (called by the edge after the failed request rolled back): p_operation is the GraphQL field name (not an alias), p_code one of NTFND, DNIED, LASTO, LASTM, LOGIN, OUTRK; anything else is refused with BADRQ.';
revoke all on function app_hidden.record_denied(text, text) from public;
grant execute on function app_hidden.record_denied(text, text) to auth_edge;

--! split: 6200-sign-in-methods.sql
-- The methods a session records (amr, RFC 8176) for the sign-in paths that used the default:
-- a link or code by email is a one-time password (`otp`); an OAuth / OpenID sign-in
-- (redirect, native app or ID token) is federated (`fed`, app_hidden.oauth_sign_in in the
-- native-apps migration).
create or replace function app_private.email_sign_in(v app_private.email_tokens, p_ip inet, p_user_agent text, p_how text)
returns app_hidden.auth_result
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
begin
  perform app_private.use_email_token(v);
  update app_public.users u set email_verified_at = now()
    where u.id = v.user_id and u.email_verified_at is null and u.email operator(public.=) v.email;
  perform app_private.write_audit('login', 'app_public.users', v.user_id::text, null, null,
    jsonb_build_object('ip', p_ip::text, 'method', p_how));
  return app_private.start_session(v.user_id, p_ip, p_user_agent, '{otp}');
end;
$$;
comment on function app_private.email_sign_in(app_private.email_tokens, inet, text, text) is 'Spends a sign-in token, verifies the address it reached and starts a session (amr otp).';
revoke all on function app_private.email_sign_in(app_private.email_tokens, inet, text, text) from public;
