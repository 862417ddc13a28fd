-- The email account lifecycle: verification, enumeration-safe registration, password reset,
-- sign-in by link or code, email change. Called by proxy/features/email/plugin.ts and
-- routes.ts as auth_edge (5900-email-grants.sql), like login and register.
-- Threat model:
-- * Enumeration (M2): register, requestPasswordReset and requestSignInEmail answer a known and
--   an unknown address alike (same result, same bcrypt work for register, same limits counted
--   per address whether it exists or not). register for a taken address returns a decoy
--   session (app_private.auth_decoy: ids and refresh token that exist nowhere, role app_user),
--   so the edge signs and delivers it exactly like a real one, and mails the owner a notice.
-- * Token use (M1, M3, M6): see 5000-email-tokens.sql. A token proves the address it was
--   mailed to: verification requires that it is still the user's email; a reset or a sign-in
--   link proves it too and marks it verified; an email change becomes effective only from the
--   new address's token, is noticed to the old one, and voids every token mailed before.
-- * Failures that must be recorded return their code in the result (EMTOK, RATEL, CREDS) so the
--   audit row and counters commit; invalid input raises (EMAIL, WEAKP, EMTKN).

create or replace function app_private.valid_email(p_email text) returns boolean
  language sql immutable
  set search_path = pg_catalog, pg_temp
as $$
  select p_email is not null and p_email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' and length(p_email) <= 320
    and p_email !~ '[[:cntrl:]<>",;:\\()\[\]]'
$$;
comment on function app_private.valid_email(text) is
  'An address we mail: one @, a dot in the domain, no spaces, control characters or header/HTML syntax, at most 320 characters (M7).';

-- A session-shaped result that opens nothing: the answer to a registration of a taken address (M2).
create or replace function app_private.auth_decoy() returns app_hidden.auth_result
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
declare
  v app_hidden.auth_result;
begin
  v.user_id := public.gen_random_uuid();
  v.session_id := public.gen_random_uuid();
  v.role := 'app_user';
  v.refresh_token := rtrim(translate(encode(public.gen_random_bytes(32), 'base64'), '+/', '-_'), '=');
  v.session_expires_at := now() + (select c.session_absolute from app_private.auth_config c);
  return v;
end;
$$;
comment on function app_private.auth_decoy() is
  'What register answers for a taken address: the shape of a new session (new user, role app_user) whose ids and refresh token exist nowhere (M2).';

-- Security definer: creates the user, writes its hash, starts its first session and queues
-- its verification mail in app_private. Same signature and grant (auth_edge) as
-- 1100-passwords.sql; a taken address now answers like a free one (M2).
create or replace function app_hidden.register(p_email text, p_password text, p_name text, p_ip inet, p_user_agent text)
returns app_hidden.auth_result
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_addr inet := coalesce(p_ip, '0.0.0.0'::inet);
  v_name text := nullif(trim(p_name), '');
  v_hash text;
  v_id uuid;
  v_existing app_public.users;
  v_tok record;
begin
  if exists (select 1 from app_private.ip_registrations r
             where r.ip = v_addr and r.window_start > now() - c.register_window and r.registrations >= c.register_max_per_ip)
     or exists (select 1 from app_private.registration_totals t
                where t.window_start > now() - c.register_window and t.registrations >= c.register_max_global) then
    perform app_private.write_audit('register_rate_limited', null, null, null, null, jsonb_build_object('ip', p_ip::text));
    return app_private.auth_error('RATEL');
  end if;
  if not app_private.valid_email(p_email) then
    raise exception 'Invalid email address' using errcode = 'EMAIL';
  end if;
  perform app_private.assert_password_policy(p_password, null, p_email, v_name);

  -- The same bcrypt work and the same counters whether the address is free or taken (M2).
  v_hash := app_private.hash_password(p_password);
  insert into app_private.ip_registrations as r (ip, registrations) values (v_addr, 1)
    on conflict (ip) do update set
      registrations = case when r.window_start > now() - c.register_window then r.registrations + 1 else 1 end,
      window_start = case when r.window_start > now() - c.register_window then r.window_start else now() end;
  update app_private.registration_totals t set
    registrations = case when t.window_start > now() - c.register_window then t.registrations + 1 else 1 end,
    window_start = case when t.window_start > now() - c.register_window then t.window_start else now() end;

  select * into v_existing from app_public.users u where u.email operator(public.=) p_email::public.citext;
  if not found then
    begin
      insert into app_public.users (email, display_name) values (p_email, v_name) returning id into v_id;
    exception when unique_violation then
      -- The same address registered concurrently since the check above: taken after all.
      select * into v_existing from app_public.users u where u.email operator(public.=) p_email::public.citext;
    end;
  end if;
  if v_id is null then
    perform app_private.enqueue_mail('account_exists', v_existing.email::text,
      jsonb_build_object('name', v_existing.display_name, 'email', v_existing.email::text));
    perform app_private.write_audit('register_existing_email', 'app_public.users', v_existing.id::text, null, null,
      jsonb_build_object('ip', p_ip::text));
    return app_private.auth_decoy();
  end if;

  update app_private.user_secrets set password_hash = v_hash, password_scheme = app_private.current_password_scheme(),
    password_updated_at = clock_timestamp()
    where user_id = v_id;
  select * into v_tok from app_private.new_email_token(v_id, 'verify_email', p_email, c.email_verify_ttl);
  perform app_private.enqueue_mail('verify_email', p_email,
    jsonb_build_object('name', v_name, 'email', p_email, 'action', 'verify', 'token', v_tok.o_token,
                       'hours', extract(epoch from c.email_verify_ttl)::int / 3600));
  perform app_private.write_audit('register', 'app_public.users', v_id::text, null, null, jsonb_build_object('ip', p_ip::text));
  return app_private.start_session(v_id, p_ip, p_user_agent);
end;
$$;
comment on function app_hidden.register(text, text, text, inet, text) is
  'Creates a password account, mails its verification link and signs it in. A taken address gets the same answer (a decoy session that opens nothing) and its owner a notice (M2). Returns error RATEL over a registration limit; raises EMAIL, WEAKP.';

-- Security definer: reads and writes the caller's hash. As 1100-passwords.sql, with the full
-- policy (personal data, history). The trigger on user_secrets voids mailed tokens (M1).
create or replace function app_hidden.change_password(p_old text, p_new text) returns boolean
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_user uuid := app_hidden.require_user();
  v_secret app_private.user_secrets;
  v_u app_public.users;
  v_hash text;
begin
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
comment on function app_hidden.change_password(text, text) is
  'Changes your password given the current one; false (committed as a failure) when it is wrong. Errors: LOGIN, WEAKP, RATEL (account locked).';

-- Records a refused token or code (the row commits: the result carries the code).
create or replace function app_private.email_refused(p_what text, p_code text, p_ip inet, p_user uuid default null)
returns text
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
begin
  perform app_private.write_audit('email_token_refused', case when p_user is not null then 'app_public.users' end,
    p_user::text, null, null, jsonb_build_object('purpose', p_what, 'code', p_code, 'ip', p_ip::text));
  return p_code;
end;
$$;
comment on function app_private.email_refused(text, text, inet, uuid) is 'Audits a refused email token, code or request and returns its error code.';

-- Security definer: reads tokens, writes email_verified_at (M6). NULL on success, else EMTOK.
create or replace function app_hidden.verify_email(p_token text, p_ip inet) returns text
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v app_private.email_tokens := app_private.live_email_token(p_token, 'verify_email');
begin
  if v.id is null
     or not exists (select 1 from app_public.users u where u.id = v.user_id and u.email operator(public.=) v.email) then
    return app_private.email_refused('verify_email', 'EMTOK', p_ip);
  end if;
  perform app_private.use_email_token(v);
  update app_public.users u set email_verified_at = now() where u.id = v.user_id and u.email_verified_at is null;
  perform app_private.write_audit('email_verified', 'app_public.users', v.user_id::text, null, null,
    jsonb_build_object('ip', p_ip::text));
  return null;
end;
$$;
comment on function app_hidden.verify_email(text, inet) is
  'Marks the address a verification token was mailed to as verified, if it is still the user''s. Returns NULL, or EMTOK (invalid, used, expired or for an older address).';

-- Security definer: writes tokens and the outbox. The caller's session, verified or not.
create or replace function app_hidden.resend_verification_email(p_ip inet) returns text
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_user uuid := app_private.session_user_id();
  v_u app_public.users;
  v_tok record;
begin
  if v_user is null then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  select * into v_u from app_public.users u where u.id = v_user;
  if v_u.email_verified_at is not null then
    return null;
  end if;
  if app_private.email_limited('resend:user:' || v_user, c.email_resend_max, c.email_request_window, c.email_resend_interval) then
    return app_private.email_refused('verify_email', 'RATEL', p_ip, v_user);
  end if;
  select * into v_tok from app_private.new_email_token(v_user, 'verify_email', v_u.email::text, c.email_verify_ttl);
  perform app_private.enqueue_mail('verify_email', v_u.email::text,
    jsonb_build_object('name', v_u.display_name, 'email', v_u.email::text, 'action', 'verify', 'token', v_tok.o_token,
                       'hours', extract(epoch from c.email_verify_ttl)::int / 3600));
  perform app_private.write_audit('verification_email_sent', 'app_public.users', v_user::text, null, null,
    jsonb_build_object('ip', p_ip::text));
  return null;
end;
$$;
comment on function app_hidden.resend_verification_email(inet) is
  'Mails a new verification link to your (unverified) address: at most email_resend_max per email_request_window, email_resend_interval apart (RATEL). Raises LOGIN without a session.';

-- Per-address and per-client-address limits of the anonymous requests, counted whether the
-- address has an account or not, so the limit itself tells nothing (M2, M5).
create or replace function app_private.email_request_limited(p_what text, p_email text, p_ip inet) returns boolean
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
begin
  return app_private.email_limited(p_what || ':ip:' || coalesce(p_ip, '0.0.0.0'::inet)::text, c.email_request_max_per_ip, c.email_request_window)
      or app_private.email_limited(p_what || ':addr:' || lower(left(coalesce(p_email, ''), 320)), c.email_request_max_per_address, c.email_request_window);
end;
$$;
comment on function app_private.email_request_limited(text, text, inet) is
  'True when a request for this address or from this client address is over its limit (M5).';

-- Security definer: reads users, writes tokens and the outbox. NULL for every well-formed
-- address, known or not (M2); RATEL over a limit.
create or replace function app_hidden.request_password_reset(p_email text, p_ip inet) returns text
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_u app_public.users;
  v_tok record;
begin
  if not app_private.valid_email(p_email) then
    raise exception 'Invalid email address' using errcode = 'EMAIL';
  end if;
  if app_private.email_request_limited('reset', p_email, p_ip) then
    return app_private.email_refused('reset_password', 'RATEL', p_ip);
  end if;
  select * into v_u from app_public.users u
    where u.email operator(public.=) p_email::public.citext and u.disabled_at is null and not u.is_bot;
  if found then
    select * into v_tok from app_private.new_email_token(v_u.id, 'reset_password', v_u.email::text, c.email_reset_ttl);
    perform app_private.enqueue_mail('reset_password', v_u.email::text,
      jsonb_build_object('name', v_u.display_name, 'email', v_u.email::text, 'action', 'reset', 'token', v_tok.o_token,
                         'minutes', extract(epoch from c.email_reset_ttl)::int / 60));
  end if;
  perform app_private.write_audit('password_reset_requested', case when found then 'app_public.users' end, v_u.id::text, null, null,
    jsonb_build_object('ip', p_ip::text, 'known', found));
  return null;
end;
$$;
comment on function app_hidden.request_password_reset(text, inet) is
  'Mails a password-reset link if the address has an account; answers the same either way (M2). Returns NULL or RATEL; raises EMAIL.';

-- Security definer: sets the hash, revokes sessions and refresh tokens (M3).
create or replace function app_hidden.reset_password(p_token text, p_new text, p_ip inet) returns text
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
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
comment on function app_hidden.reset_password(text, text, inet) is
  'Sets a new password from a reset token: ends every session and refresh token, clears failures and the lock, verifies the address, mails a notice (M3). Returns NULL or EMTOK; raises WEAKP.';

-- Security definer: reads users, writes tokens and the outbox. Nothing is mailed for an
-- unknown address, and the answer is the same (M2).
create or replace function app_hidden.request_sign_in_email(p_email text, p_ip inet) returns text
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_u app_public.users;
  v_tok record;
begin
  if not app_private.valid_email(p_email) then
    raise exception 'Invalid email address' using errcode = 'EMAIL';
  end if;
  if app_private.email_request_limited('sign_in', p_email, p_ip) then
    return app_private.email_refused('sign_in', 'RATEL', p_ip);
  end if;
  select * into v_u from app_public.users u
    where u.email operator(public.=) p_email::public.citext and u.disabled_at is null and not u.is_bot;
  if found then
    select * into v_tok from app_private.new_email_token(v_u.id, 'sign_in', v_u.email::text, c.email_sign_in_ttl, true);
    perform app_private.enqueue_mail('sign_in', v_u.email::text,
      jsonb_build_object('name', v_u.display_name, 'email', v_u.email::text, 'action', 'sign-in',
                         'token', v_tok.o_token, 'code', v_tok.o_code,
                         'minutes', extract(epoch from c.email_sign_in_ttl)::int / 60));
  end if;
  perform app_private.write_audit('sign_in_email_requested', case when found then 'app_public.users' end, v_u.id::text, null, null,
    jsonb_build_object('ip', p_ip::text, 'known', found));
  return null;
end;
$$;
comment on function app_hidden.request_sign_in_email(text, inet) is
  'Mails a sign-in link and a 6-digit code if the address has an account; answers the same either way (M2). Returns NULL or RATEL; raises EMAIL.';

-- Shared end of both email sign-ins: the token is spent, the address proven, a session starts.
create or replace function app_private.email_sign_in(v app_private.email_tokens, p_ip inet, p_user_agent text, p_how text)
returns app_hidden.auth_result
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
begin
  perform app_private.use_email_token(v);
  update app_public.users u set email_verified_at = now()
    where u.id = v.user_id and u.email_verified_at is null and u.email operator(public.=) v.email;
  perform app_private.write_audit('login', 'app_public.users', v.user_id::text, null, null,
    jsonb_build_object('ip', p_ip::text, 'method', p_how));
  return app_private.start_session(v.user_id, p_ip, p_user_agent);
end;
$$;
comment on function app_private.email_sign_in(app_private.email_tokens, inet, text, text) is
  'Spends a sign-in token, verifies the address it reached and starts a session.';

-- Security definer: reads tokens, starts a session. Returns EMTOK as a row so the audit commits.
create or replace function app_hidden.sign_in_with_email_token(p_token text, p_ip inet, p_user_agent text)
returns app_hidden.auth_result
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v app_private.email_tokens := app_private.live_email_token(p_token, 'sign_in');
begin
  if v.id is null or not exists (select 1 from app_public.users u where u.id = v.user_id and u.email operator(public.=) v.email) then
    perform app_private.email_refused('sign_in', 'EMTOK', p_ip);
    return app_private.auth_error('EMTOK');
  end if;
  return app_private.email_sign_in(v, p_ip, p_user_agent, 'email_link');
end;
$$;
comment on function app_hidden.sign_in_with_email_token(text, inet, text) is
  'Signs in with a mailed sign-in link''s token, like login. Returns error EMTOK (invalid, used or expired).';

-- Security definer: reads tokens, starts a session. Wrong codes are counted per code
-- (email_code_max_attempts, then the code dies), per account and per client address (M5).
create or replace function app_hidden.sign_in_with_email_code(p_email text, p_code text, p_ip inet, p_user_agent text)
returns app_hidden.auth_result
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_u app_public.users;
  v app_private.email_tokens;
  v_ip_key text := 'code:ip:' || coalesce(p_ip, '0.0.0.0'::inet)::text;
begin
  if exists (select 1 from app_private.email_limits l
             where l.key = v_ip_key and l.window_start > now() - c.email_request_window and l.count >= c.email_request_max_per_ip) then
    perform app_private.email_refused('sign_in_code', 'RATEL', p_ip);
    return app_private.auth_error('RATEL');
  end if;
  select * into v_u from app_public.users u
    where u.email operator(public.=) coalesce(p_email, '')::public.citext and u.disabled_at is null;
  if found and exists (select 1 from app_private.email_limits l
                       where l.key = 'code:user:' || v_u.id and l.window_start > now() - c.email_request_window
                         and l.count >= c.email_code_max_failures) then
    perform app_private.email_refused('sign_in_code', 'RATEL', p_ip, v_u.id);
    return app_private.auth_error('RATEL');
  end if;
  -- The newest live code of the account, locked: concurrent guesses are counted one by one.
  select * into v from app_private.email_tokens t
    where t.user_id = v_u.id and t.purpose = 'sign_in' and t.code_hash is not null
      and t.used_at is null and t.revoked_at is null and t.expires_at > now()
    order by t.created_at desc limit 1
    for update;
  if v.id is not null and p_code ~ '^[0-9]{6}$' and v.code_hash = app_private.email_code_hash(v.id, p_code)
     and v.email operator(public.=) v_u.email then
    return app_private.email_sign_in(v, p_ip, p_user_agent, 'email_code');
  end if;
  perform app_private.email_limited(v_ip_key, 2147483647, c.email_request_window);
  if v_u.id is not null then
    perform app_private.email_limited('code:user:' || v_u.id, 2147483647, c.email_request_window);
  end if;
  if v.id is not null then
    update app_private.email_tokens t set code_attempts = t.code_attempts + 1,
      revoked_at = case when t.code_attempts + 1 >= c.email_code_max_attempts then now() end
      where t.id = v.id;
  end if;
  perform app_private.email_refused('sign_in_code', 'EMTOK', p_ip, v_u.id);
    return app_private.auth_error('EMTOK');
end;
$$;
comment on function app_hidden.sign_in_with_email_code(text, text, inet, text) is
  'Signs in with the 6-digit code of a sign-in mail, like login. Returns error EMTOK (wrong, used or expired; a code dies after email_code_max_attempts wrong tries) or RATEL (too many wrong codes for the account or from the address).';

-- Security definer: checks the caller's password, writes tokens and the outbox. The caller's
-- session, verified or not (an unverified account may fix a mistyped address).
create or replace function app_hidden.change_email(p_new_email text, p_password text, p_ip inet) returns text
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_user uuid := app_private.session_user_id();
  v_u app_public.users;
  v_secret app_private.user_secrets;
  v_tok record;
begin
  if v_user is null then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
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
comment on function app_hidden.change_email(text, text, inet) is
  'Asks to change your email: the new address gets a confirmation link, the old one a notice (M6). Returns NULL, CREDS (wrong password, counted like a failed login) or RATEL; raises LOGIN, EMAIL.';

-- Security definer: writes users.email. The unique index keeps two confirmations of one
-- address apart: the loser gets EMTKN, nothing changes.
create or replace function app_hidden.confirm_email_change(p_token text, p_ip inet) returns text
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v app_private.email_tokens := app_private.live_email_token(p_token, 'change_email');
  v_old app_public.users;
begin
  if v.id is null then
    return app_private.email_refused('change_email', 'EMTOK', p_ip);
  end if;
  select * into v_old from app_public.users u where u.id = v.user_id for update;
  perform app_private.use_email_token(v);
  begin
    -- Verified in the same statement: the new address just proved itself, so the trigger
    -- that clears the verification of a changed email leaves it (2100-verified-email.sql).
    -- clock_timestamp(): a value distinct from an earlier verification in this transaction.
    update app_public.users u set email = v.email, email_verified_at = clock_timestamp() where u.id = v.user_id;
  exception when unique_violation then
    raise exception 'An account with this email already exists' using errcode = 'EMTKN';
  end;
  -- Tokens mailed to the old address (or to no longer current ones) die with it (M6).
  perform app_private.revoke_email_tokens(v.user_id, array['verify_email', 'reset_password', 'sign_in', 'change_email']);
  perform app_private.enqueue_mail('email_changed', v_old.email::text,
    jsonb_build_object('name', v_old.display_name, 'email', v_old.email::text, 'new_email', v.email::text));
  perform app_private.write_audit('email_changed', 'app_public.users', v.user_id::text, null, null,
    jsonb_build_object('ip', p_ip::text));
  return null;
end;
$$;
comment on function app_hidden.confirm_email_change(text, inet) is
  'Switches your email to the address a change token was mailed to, verified; the old address gets a notice and its tokens die (M6). Returns NULL or EMTOK; raises EMTKN when the address was taken meanwhile.';

-- GraphQL: User.emailVerified.
create or replace function app_public.users_email_verified(u app_public.users) returns boolean
  language sql stable
  set search_path = pg_catalog, pg_temp
as $$
  select u.email_verified_at is not null
$$;
comment on function app_public.users_email_verified(app_public.users) is
  'Whether the current email was verified (by a mailed link or code, or a provider''s verified claim).';
grant execute on function app_public.users_email_verified(app_public.users) to anonymous, app_user, bot;
