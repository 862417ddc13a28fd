-- Passwords: bcrypt through pgcrypto with an explicit cost (C1), pre-hashing of passwords
-- longer than bcrypt's 72 bytes (C2), registration, and password change (C8).
-- Threat model: hashes never leave app_private; an account without a hash can never pass
-- (C3); unknown accounts cost the same bcrypt work as known ones (C4).

create function app_private.password_input(p_password text) returns text
  language sql immutable
  set search_path = pg_catalog, pg_temp
as $$
  -- bcrypt silently ignores bytes past 72: longer passwords go through SHA-256 first.
  select case when octet_length(p_password) > 72
    then 'sha256:' || encode(public.digest(convert_to(p_password, 'UTF8'), 'sha256'), 'base64')
    else p_password end
$$;
comment on function app_private.password_input(text) is 'What is fed to bcrypt: the password, or its SHA-256 when over 72 bytes.';

create function app_private.hash_password(p_password text) returns text
  language sql volatile
  set search_path = pg_catalog, pg_temp
as $$
  select public.crypt(app_private.password_input(p_password),
                      public.gen_salt('bf', (select bcrypt_cost from app_private.auth_config)))
$$;
comment on function app_private.hash_password(text) is 'bcrypt at the configured cost.';

create function app_private.bcrypt_cost_of(p_hash text) returns int
  language sql immutable
  set search_path = pg_catalog, pg_temp
as $$
  select nullif(substring(p_hash from '^\$2[abxy]?\$(\d\d)\$'), '')::int
$$;
comment on function app_private.bcrypt_cost_of(text) is 'The cost factor recorded in a bcrypt hash.';

create function app_private.assert_password_ok(p_password text) returns void
  language plpgsql immutable
  set search_path = pg_catalog, pg_temp
as $$
begin
  if p_password is null or char_length(p_password) < 10 then
    raise exception 'Password is too short' using errcode = 'WEAKP';
  end if;
  if octet_length(p_password) > 1024 then
    raise exception 'Password is too long' using errcode = 'WEAKP';
  end if;
end;
$$;
comment on function app_private.assert_password_ok(text) is 'Minimum 10 characters, at most 1 KiB.';

-- Security definer: creates the user and writes its password hash in app_private.
-- Returns the new user id; signing in is a separate step (login) so sessions have one path.
create function app_hidden.register(p_email text, p_password text, p_name text) returns uuid
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_id uuid;
begin
  if p_email is null or p_email !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' or length(p_email) > 320 then
    raise exception 'Invalid email address' using errcode = 'EMAIL';
  end if;
  perform app_private.assert_password_ok(p_password);
  if exists (select 1 from app_public.users u where u.email operator(public.=) p_email::public.citext) then
    raise exception 'An account with this email already exists' using errcode = 'EMTKN';
  end if;
  insert into app_public.users (email, display_name) values (p_email, nullif(trim(p_name), '')) returning id into v_id;
  update app_private.user_secrets set password_hash = app_private.hash_password(p_password), password_updated_at = now()
    where user_id = v_id;
  return v_id;
end;
$$;
comment on function app_hidden.register(text, text, text) is 'Creates a password account. Errors: EMAIL, WEAKP, EMTKN.';
grant execute on function app_hidden.register(text, text, text) to anonymous;

-- Security definer: reads and writes the caller's hash. Needs the current password (C8),
-- counts a wrong one as a failed login, and revokes every other session of the user.
create function app_hidden.change_password(p_old text, p_new text) returns boolean
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_user uuid := app_hidden.current_user_id();
  v_hash text;
begin
  if v_user is null then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  select s.password_hash into v_hash from app_private.user_secrets s where s.user_id = v_user for update;
  if v_hash is null or v_hash <> public.crypt(app_private.password_input(coalesce(p_old, '')), v_hash) then
    update app_private.user_secrets set failed_attempts = failed_attempts + 1,
      first_failed_at = coalesce(first_failed_at, now()) where user_id = v_user;
    perform app_private.write_audit('password_change_failed', 'app_public.users', v_user::text, null, null);
    return false;
  end if;
  perform app_private.assert_password_ok(p_new);
  update app_private.user_secrets set password_hash = app_private.hash_password(p_new), password_updated_at = now(),
    failed_attempts = 0, first_failed_at = null, locked_until = null where user_id = v_user;
  update app_private.sessions set revoked_at = now(), revoked_reason = 'password_changed'
    where user_id = v_user and revoked_at is null and id is distinct from app_hidden.current_session_id();
  perform app_private.write_audit('password_changed', 'app_public.users', v_user::text, null, null);
  return true;
end;
$$;
comment on function app_hidden.change_password(text, text) is
  'Changes your password given the current one; false (committed as a failure) when it is wrong. Errors: LOGIN, WEAKP.';
grant execute on function app_hidden.change_password(text, text) to app_user, bot;
