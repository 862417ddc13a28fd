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
