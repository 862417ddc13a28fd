-- Step-up (N6) and trusted devices (N10) in the credential changes: changing the password or
-- the email of a user with a factor needs an aal2 session (MFARQ), and neither works from a
-- session pending MFA; a password reset forgets every trusted device.
-- Definer (each of the three): reads and writes password hashes, sessions and tokens (app_private).
create or replace function app_hidden.change_password(p_old text, p_new text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_user uuid := app_hidden.require_user();
  v_secret app_private.user_secrets;
  v_u app_public.users;
  v_hash text;
begin
  -- N6: with a second factor, only an aal2 session changes the password.
  perform app_private.assert_aal2_if_factor(v_user);
  select * into v_secret from app_private.user_secrets s where s.user_id = v_user;
  if v_secret.locked_until > now() then
    raise exception 'Too many attempts, try again later' using errcode = 'RATEL';
  end if;
  if not app_private.password_matches(p_old, v_secret.password_hash, v_secret.password_scheme) then
    perform app_private.record_password_failure(v_user);
    perform app_private.write_audit('password_change_failed', 'app_public.users', v_user::text, null, null);
    return false;
  end if;
  select * into v_u from app_public.users u where u.id = v_user;
  perform app_private.assert_password_policy(p_new, v_user, v_u.email::text, v_u.display_name);
  v_hash := app_private.hash_password(p_new);
  update app_private.user_secrets s set password_hash = v_hash, password_scheme = app_private.current_password_scheme(),
    password_updated_at = clock_timestamp(), failed_attempts = 0, first_failed_at = null, locked_until = null, lockouts = 0
    where s.user_id = v_user and s.password_hash = v_secret.password_hash;
  if not found then
    return false;
  end if;
  update app_private.sessions set revoked_at = now(), revoked_reason = 'password_changed'
    where user_id = v_user and revoked_at is null and id is distinct from app_hidden.current_session_id();
  perform app_private.enqueue_mail('password_changed', v_u.email::text,
    jsonb_build_object('name', v_u.display_name, 'email', v_u.email::text));
  perform app_private.write_audit('password_changed', 'app_public.users', v_user::text, null, null);
  return true;
end;
$$;
COMMENT ON FUNCTION app_hidden.change_password(p_old text, p_new text) IS 'Changes your password given the current one; false (committed as a failure) when it is wrong. Errors: LOGIN, WEAKP, RATEL (account locked), MFARQ (a factor and no aal2 session: step-up).';
REVOKE ALL ON FUNCTION app_hidden.change_password(p_old text, p_new text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.change_password(p_old text, p_new text) TO app_user;
GRANT ALL ON FUNCTION app_hidden.change_password(p_old text, p_new text) TO bot;

create or replace function app_hidden.change_email(p_new_email text, p_password text, p_ip inet) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_user uuid := app_private.session_user_id();
  v_u app_public.users;
  v_secret app_private.user_secrets;
  v_tok record;
begin
  -- N4: not from a session pending MFA (session_user_id() does not look at that).
  if v_user is null or (app_private.mfa_caller()).mfa_pending then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  -- N6: with a second factor, only an aal2 session changes the email.
  perform app_private.assert_aal2_if_factor(v_user);
  if not app_private.valid_email(p_new_email) then
    raise exception 'Invalid email address' using errcode = 'EMAIL';
  end if;
  select * into v_u from app_public.users u where u.id = v_user;
  select * into v_secret from app_private.user_secrets s where s.user_id = v_user;
  if v_secret.locked_until > now() then
    return app_private.email_refused('change_email', 'RATEL', p_ip, v_user);
  end if;
  if not app_private.password_matches(p_password, v_secret.password_hash, v_secret.password_scheme) then
    perform app_private.record_password_failure(v_user);
    return app_private.email_refused('change_email', 'CREDS', p_ip, v_user);
  end if;
  if app_private.email_limited('change_email:user:' || v_user, c.email_request_max_per_address, c.email_request_window)
     or app_private.email_request_limited('change_email', p_new_email, p_ip) then
    return app_private.email_refused('change_email', 'RATEL', p_ip, v_user);
  end if;
  if v_u.email operator(public.=) p_new_email::public.citext then
    return null;
  end if;
  -- A taken address gets no token and no mail, and the answer is the same: whether an
  -- address has an account is not told to whoever types it here either.
  if not exists (select 1 from app_public.users u where u.email operator(public.=) p_new_email::public.citext) then
    select * into v_tok from app_private.new_email_token(v_user, 'change_email', p_new_email, c.email_change_ttl);
    perform app_private.enqueue_mail('change_email_confirm', p_new_email,
      jsonb_build_object('name', v_u.display_name, 'email', p_new_email, 'old_email', v_u.email::text,
                         'action', 'change-email', 'token', v_tok.o_token,
                         'hours', extract(epoch from c.email_change_ttl)::int / 3600));
  end if;
  perform app_private.enqueue_mail('change_email_notice', v_u.email::text,
    jsonb_build_object('name', v_u.display_name, 'email', v_u.email::text, 'new_email', p_new_email));
  perform app_private.write_audit('email_change_requested', 'app_public.users', v_user::text, null, null,
    jsonb_build_object('ip', p_ip::text));
  return null;
end;
$$;
COMMENT ON FUNCTION app_hidden.change_email(p_new_email text, p_password text, p_ip inet) IS 'Asks to change your email: the new address gets a confirmation link, the old one a notice (M6). Returns NULL, CREDS (wrong password, counted like a failed login) or RATEL; raises LOGIN, EMAIL, MFARQ (a factor and no aal2 session: step-up).';
REVOKE ALL ON FUNCTION app_hidden.change_email(p_new_email text, p_password text, p_ip inet) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.change_email(p_new_email text, p_password text, p_ip inet) TO auth_edge;

create or replace function app_hidden.reset_password(p_token text, p_new text, p_ip inet) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v app_private.email_tokens := app_private.live_email_token(p_token, 'reset_password');
  v_u app_public.users;
  v_hash text;
begin
  if v.id is null then
    return app_private.email_refused('reset_password', 'EMTOK', p_ip);
  end if;
  select * into v_u from app_public.users u where u.id = v.user_id;
  perform app_private.assert_password_policy(p_new, v.user_id, v_u.email::text, v_u.display_name);
  v_hash := app_private.hash_password(p_new);
  perform app_private.use_email_token(v);
  update app_private.user_secrets s set password_hash = v_hash, password_scheme = app_private.current_password_scheme(),
    password_updated_at = clock_timestamp(), failed_attempts = 0, first_failed_at = null, locked_until = null, lockouts = 0
    where s.user_id = v.user_id;
  update app_private.sessions set revoked_at = now(), revoked_reason = 'password_reset'
    where user_id = v.user_id and revoked_at is null;
  update app_private.refresh_tokens rt set revoked_at = now()
    from app_private.sessions s
    where rt.session_id = s.id and s.user_id = v.user_id and rt.revoked_at is null;
  -- N10: a reset forgets every trusted device (whoever reset may not trust them).
  delete from app_private.trusted_devices d where d.user_id = v.user_id;
  -- The link reached the address: it is verified, if still the user's.
  update app_public.users u set email_verified_at = now()
    where u.id = v.user_id and u.email_verified_at is null and u.email operator(public.=) v.email;
  perform app_private.enqueue_mail('password_changed', v_u.email::text,
    jsonb_build_object('name', v_u.display_name, 'email', v_u.email::text));
  perform app_private.write_audit('password_reset', 'app_public.users', v.user_id::text, null, null,
    jsonb_build_object('ip', p_ip::text));
  return null;
end;
$$;
COMMENT ON FUNCTION app_hidden.reset_password(p_token text, p_new text, p_ip inet) IS 'Sets a new password from a reset token: ends every session and refresh token, clears failures and the lock, verifies the address, mails a notice (M3), forgets the trusted devices (N10). Returns NULL or EMTOK; raises WEAKP.';
REVOKE ALL ON FUNCTION app_hidden.reset_password(p_token text, p_new text, p_ip inet) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.reset_password(p_token text, p_new text, p_ip inet) TO auth_edge;

