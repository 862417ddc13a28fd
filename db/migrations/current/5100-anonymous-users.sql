-- Anonymous users (issue 15, Q4). `signInAnonymously` (edge: proxy/features/anonymous/plugin.ts)
-- calls app_hidden.sign_in_anonymously as auth_edge: off unless
-- auth_config.anonymous_sign_in_enabled, limited per client address, it creates a user
-- with no email (users.is_anonymous) and a normal session. The user keeps its id (and its
-- data) when it later gets a credential: `register` while signed in anonymously sets the
-- email (unverified, so no domain rule grants anything until a mailed token verifies it)
-- and the password; linking a provider (oauth_sign_in with p_link) does the same with the
-- provider's identity. Tokens say is_anonymous from the live user row
-- (app_hidden.session_claims, 0100-session-claims.sql), policies read
-- app_hidden.current_user_is_anonymous().
-- Threat model: anonymous sign-in mints users for free, so it is opt-in and limited per
-- address; an anonymous user must never gain an address it did not prove (M6 rules apply
-- unchanged: email_verified_at stays NULL until verified).

-- An anonymous user has no email; every other user still must.
do $$
begin
  if exists (select 1 from information_schema.columns
             where table_schema = 'app_public' and table_name = 'users' and column_name = 'email' and is_nullable = 'NO') then
    alter table app_public.users alter column email drop not null;
  end if;
  if not exists (select 1 from pg_constraint where conname = 'users_email_or_anonymous_check'
                 and conrelid = 'app_public.users'::regclass) then
    alter table app_public.users add constraint users_email_or_anonymous_check check (email is not null or is_anonymous);
  end if;
  if not exists (select 1 from information_schema.columns
                 where table_schema = 'app_private' and table_name = 'auth_config' and column_name = 'anonymous_sign_in_enabled') then
    alter table app_private.auth_config
      add column anonymous_sign_in_enabled boolean not null default false,
      add column anonymous_max_per_ip integer not null default 10
        constraint auth_config_anonymous_max_per_ip_check check (anonymous_max_per_ip >= 1);
  end if;
end;
$$;
comment on column app_public.users.email is 'Unique, case-insensitive sign-in address; NULL only for an anonymous user (is_anonymous).';
comment on column app_private.auth_config.anonymous_sign_in_enabled is 'signInAnonymously works only when true (Q4: off by default).';
comment on column app_private.auth_config.anonymous_max_per_ip is 'Anonymous sign-ins one client address may make within register_window (RATEL beyond, Q4).';

-- Fixed-window counters of the native and device features (anonymous sign-ins per address,
-- wrong device user codes per user and per address), keyed by purpose and subject.
create table if not exists app_private.attempt_counters (
  key text primary key check (length(key) <= 200),
  hits integer not null default 0,
  window_start timestamptz not null default now()
);
comment on table app_private.attempt_counters is 'Fixed-window counters keyed ''<purpose>:<kind>:<subject>'' (anonymous sign-ins per address, device user-code failures per user and per address).';
call app_private.enable_rls('app_private.attempt_counters');

-- Counts one hit on p_key within p_window and answers whether the limit was already reached
-- (the hit is counted either way, so a refused attacker keeps its window full).
create or replace function app_private.attempt_limited(p_key text, p_max integer, p_window interval) returns boolean
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_hits integer;
begin
  insert into app_private.attempt_counters as a (key, hits) values (p_key, 1)
    on conflict (key) do update set
      hits = case when a.window_start > now() - p_window then a.hits + 1 else 1 end,
      window_start = case when a.window_start > now() - p_window then a.window_start else now() end
    returning hits into v_hits;
  return v_hits > p_max;
end;
$$;
comment on function app_private.attempt_limited(text, integer, interval) is 'Counts a hit on a fixed-window counter; true when it exceeds p_max within p_window.';
revoke all on function app_private.attempt_limited(text, integer, interval) from public;

-- Whether p_key is over p_max without counting.
create or replace function app_private.attempt_over(p_key text, p_max integer, p_window interval) returns boolean
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select coalesce((select a.hits >= p_max from app_private.attempt_counters a
                   where a.key = p_key and a.window_start > now() - p_window), false)
$$;
comment on function app_private.attempt_over(text, integer, interval) is 'True when the counter p_key already holds p_max hits within p_window.';
revoke all on function app_private.attempt_over(text, integer, interval) from public;

create or replace function app_hidden.sign_in_anonymously(p_ip inet, p_user_agent text) returns app_hidden.auth_result
language plpgsql volatile
-- Definer: creates a user and a session (app_private), which auth_edge cannot write.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_id uuid;
begin
  if not c.anonymous_sign_in_enabled then
    return app_private.auth_error('ANOFF');
  end if;
  if app_private.attempt_limited('anonymous:ip:' || coalesce(p_ip, '0.0.0.0'::inet)::text, c.anonymous_max_per_ip, c.register_window) then
    perform app_private.write_audit('anonymous_rate_limited', null, null, null, null, jsonb_build_object('ip', p_ip::text));
    return app_private.auth_error('RATEL');
  end if;
  insert into app_public.users (email, is_anonymous) values (null, true) returning id into v_id;
  perform app_private.write_audit('anonymous_sign_in', 'app_public.users', v_id::text, null, null, jsonb_build_object('ip', p_ip::text));
  return app_private.start_session(v_id, p_ip, p_user_agent, '{anonymous}');
end;
$$;
comment on function app_hidden.sign_in_anonymously(inet, text) is 'Edge only: creates an anonymous user (no email) and signs it in. Returns ANOFF unless auth_config.anonymous_sign_in_enabled, RATEL over anonymous_max_per_ip per register_window (Q4).';
revoke all on function app_hidden.sign_in_anonymously(inet, text) from public;
grant execute on function app_hidden.sign_in_anonymously(inet, text) to auth_edge;

create or replace function app_hidden.current_user_is_anonymous() returns boolean
language sql stable
-- Definer: reads the caller's own user row whatever the users policies let the role see.
security definer
set search_path = pg_catalog, pg_temp
as $$
  select coalesce((select u.is_anonymous from app_public.users u where u.id = app_hidden.current_user_id()), false)
$$;
comment on function app_hidden.current_user_is_anonymous() is 'True when the live session belongs to an anonymous user (no credential yet). For policies: not (select app_hidden.current_user_is_anonymous()).';
revoke all on function app_hidden.current_user_is_anonymous() from public;
grant execute on function app_hidden.current_user_is_anonymous() to anonymous, app_user, bot;

-- register: unchanged for everyone else; called by a live anonymous session it upgrades that
-- user in place (same id, same data) instead of creating another one.
create or replace function app_hidden.register(p_email text, p_password text, p_name text, p_ip inet, p_user_agent text)
returns app_hidden.auth_result
language plpgsql
-- Definer: writes users, secrets, sessions and counters (app_private) on the edge's word.
security definer
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
  v_me uuid := app_private.session_user_id();
  v_anon boolean := false;
begin
  if v_me is not null then
    select u.is_anonymous into v_anon from app_public.users u where u.id = v_me;
  end if;
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
      if v_anon then
        -- [5100] The anonymous user becomes a password account: same id, its data kept. The
        -- address is unverified (the trigger on email changes leaves email_verified_at NULL),
        -- so nothing is granted by it until the mailed token verifies it (Q4, M6).
        update app_public.users u set email = p_email, is_anonymous = false,
            display_name = coalesce(v_name, u.display_name)
          where u.id = v_me and u.is_anonymous
          returning u.id into v_id;
      else
        insert into app_public.users (email, display_name) values (p_email, v_name) returning id into v_id;
      end if;
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
    if v_anon then
      -- [5100] An anonymous caller keeps its own (still anonymous) user: a decoy would throw
      -- away its data; the answer names the caller's own id either way.
      return app_private.start_session(v_me, p_ip, p_user_agent, '{anonymous}');
    end if;
    return app_private.auth_decoy();
  end if;

  update app_private.user_secrets set password_hash = v_hash, password_scheme = app_private.current_password_scheme(),
    password_updated_at = clock_timestamp()
    where user_id = v_id;
  select * into v_tok from app_private.new_email_token(v_id, 'verify_email', p_email, c.email_verify_ttl);
  perform app_private.enqueue_mail('verify_email', p_email,
    jsonb_build_object('name', v_name, 'email', p_email, 'action', 'verify', 'token', v_tok.o_token,
                       'hours', extract(epoch from c.email_verify_ttl)::int / 3600));
  if v_anon then
    perform app_private.write_audit('anonymous_upgraded', 'app_public.users', v_id::text, null, null,
      jsonb_build_object('ip', p_ip::text, 'method', 'password'));
  else
    perform app_private.write_audit('register', 'app_public.users', v_id::text, null, null, jsonb_build_object('ip', p_ip::text));
  end if;
  return app_private.start_session(v_id, p_ip, p_user_agent);
end;
$$;
comment on function app_hidden.register(text, text, text, inet, text) is 'Creates a password account, mails its verification link and signs it in; called from an anonymous user''s session, it upgrades that user in place (same id). A taken address gets the same answer (a decoy session that opens nothing; an anonymous caller its own still-anonymous session) and its owner a notice (M2). Returns error RATEL over a registration limit; raises EMAIL, WEAKP.';
revoke all on function app_hidden.register(text, text, text, inet, text) from public;
grant execute on function app_hidden.register(text, text, text, inet, text) to auth_edge;

-- oauth_sign_in: as before, and a link from an anonymous user's session upgrades that user
-- (same id): it stops being anonymous and, if it has no email, takes the provider's address
-- when no account has it (verified only if the provider verified it: the identity trigger).
create or replace function app_hidden.oauth_sign_in(p_provider text, p_issuer text, p_subject text, p_email text, p_profile jsonb,
  p_link boolean, p_key_id text, p_access_enc bytea, p_refresh_enc bytea, p_expires_at timestamp with time zone, p_ip inet,
  p_user_agent text)
returns app_hidden.oauth_result
language plpgsql
-- Definer: writes identities, encrypted provider tokens and sessions on the edge's word.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_me uuid := app_hidden.current_user_id();
  v_identity app_public.user_identities;
  v_user uuid;
  v_session app_hidden.auth_result;
  v_detail jsonb := jsonb_build_object('provider', p_provider, 'issuer', p_issuer, 'ip', p_ip::text);
begin
  if p_link and v_me is null then
    -- [5100] An anonymous user is nobody to current_user_id() while email verification is
    -- required (it has no verified email); its live session still links.
    v_me := (select s.uid from (select app_private.session_user_id() as uid) s
             join app_public.users u on u.id = s.uid and u.is_anonymous);
  end if;
  if p_link and v_me is null then
    perform app_private.write_audit('oauth_rejected', 'app_public.user_identities', null, null, null, v_detail || '{"reason":"LOGIN"}');
    return row('LOGIN', null, null, null, null, null, null)::app_hidden.oauth_result;
  end if;
  select * into v_identity from app_public.user_identities i where i.issuer = p_issuer and i.subject = p_subject for update;

  if found then
    if p_link and v_identity.user_id <> v_me then
      perform app_private.write_audit('oauth_rejected', 'app_public.user_identities', v_identity.id::text, null, null, v_detail || '{"reason":"IDLNK"}');
      return row('IDLNK', null, null, null, null, null, null)::app_hidden.oauth_result;
    end if;
    v_user := v_identity.user_id;
    update app_public.user_identities set email = p_email, profile = coalesce(p_profile, '{}') where id = v_identity.id;
  else
    if p_link then
      if exists (select 1 from app_public.user_identities i where i.user_id = v_me and i.provider = p_provider) then
        perform app_private.write_audit('oauth_rejected', 'app_public.user_identities', null, null, null, v_detail || '{"reason":"PRVLN"}');
        return row('PRVLN', null, null, null, null, null, null)::app_hidden.oauth_result;
      end if;
      v_user := v_me;
      -- [5100] Upgrade an anonymous user: the provider's address if free (before the identity
      -- row, whose trigger verifies a matching address), and no longer anonymous.
      if exists (select 1 from app_public.users u where u.id = v_me and u.is_anonymous) then
        -- Without a free address it gets the placeholder a provider account without email
        -- gets at sign-up (users.invalid: never mailed, never matches a domain rule).
        update app_public.users u set is_anonymous = false,
            email = case when u.email is not null then u.email
                         when p_email is not null
                           and not exists (select 1 from app_public.users o where o.email operator(public.=) p_email::public.citext)
                         then p_email::public.citext
                         else (p_provider || '-' || md5(p_issuer || '|' || p_subject) || '@users.invalid')::public.citext end
          where u.id = v_me;
        perform app_private.write_audit('anonymous_upgraded', 'app_public.users', v_me::text, null, null,
          v_detail || '{"method":"oauth"}');
      end if;
    else
      -- Never link by email: a collision asks the user to sign in and link (H1).
      if p_email is not null and exists (select 1 from app_public.users u where u.email operator(public.=) p_email::public.citext) then
        perform app_private.write_audit('oauth_rejected', 'app_public.user_identities', null, null, null, v_detail || '{"reason":"EMCOL"}');
        return row('EMCOL', null, null, null, null, null, null)::app_hidden.oauth_result;
      end if;
      insert into app_public.users (email, display_name)
        values (coalesce(p_email, p_provider || '-' || md5(p_issuer || '|' || p_subject) || '@users.invalid'),
                nullif(left(coalesce(p_profile ->> 'name', p_profile ->> 'login', ''), 200), ''))
        returning id into v_user;
    end if;
    insert into app_public.user_identities (user_id, provider, issuer, subject, email, profile)
      values (v_user, p_provider, p_issuer, p_subject, p_email, coalesce(p_profile, '{}'))
      returning * into v_identity;
  end if;

  if exists (select 1 from app_public.users u where u.id = v_user and u.disabled_at is not null) then
    perform app_private.write_audit('oauth_rejected', 'app_public.user_identities', v_identity.id::text, null, null, v_detail || '{"reason":"DSBLD"}');
    return row('DSBLD', null, null, null, null, null, null)::app_hidden.oauth_result;
  end if;

  -- A sign-in with a provider's ID token (features/native) brings no provider tokens: the ones
  -- an earlier redirect sign-in stored are kept.
  if p_access_enc is not null or p_refresh_enc is not null then
    insert into app_private.user_identity_tokens as t (identity_id, key_id, access_token_enc, refresh_token_enc, access_token_expires_at)
      values (v_identity.id, coalesce(p_key_id, ''), p_access_enc, p_refresh_enc, p_expires_at)
      on conflict (identity_id) do update set key_id = excluded.key_id, access_token_enc = excluded.access_token_enc,
        refresh_token_enc = coalesce(excluded.refresh_token_enc, t.refresh_token_enc),
        access_token_expires_at = excluded.access_token_expires_at, refresh_attempts = 0, last_refresh_error = null,
        refresh_lease_until = null, updated_at = now();
  end if;

  if p_link then
    perform app_private.write_audit('oauth_linked', 'app_public.user_identities', v_identity.id::text, null, null, v_detail);
    return row(null, v_user, app_hidden.current_session_id(), app_hidden.user_role(v_user), null, null, v_identity.id)::app_hidden.oauth_result;
  end if;
  perform app_private.write_audit('oauth_sign_in', 'app_public.user_identities', v_identity.id::text, null, null, v_detail);
  v_session := app_private.start_session(v_user, p_ip, p_user_agent, '{fed}');
  return row(null, v_session.user_id, v_session.session_id, v_session.role, v_session.refresh_token,
             v_session.session_expires_at, v_identity.id)::app_hidden.oauth_result;
end;
$$;
comment on function app_hidden.oauth_sign_in(text, text, text, text, jsonb, boolean, text, bytea, bytea, timestamp with time zone, inet, text) is 'Signs in with (issuer, subject), registering a password-less user when new, or links it to your session (p_link); a link from an anonymous user upgrades it in place (same id).';
revoke all on function app_hidden.oauth_sign_in(text, text, text, text, jsonb, boolean, text, bytea, bytea, timestamp with time zone, inet, text) from public;
grant execute on function app_hidden.oauth_sign_in(text, text, text, text, jsonb, boolean, text, bytea, bytea, timestamp with time zone, inet, text) to auth_edge;

-- resendVerificationEmail: as before (000006), and nothing to do for a user without an email
-- (an anonymous user): no token, no mail.
create or replace function app_hidden.resend_verification_email(p_ip inet) returns text
language plpgsql
-- Definer: writes email tokens and the mail queue on the edge's word.
security definer
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
  if v_u.email_verified_at is not null or v_u.email is null then
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
comment on function app_hidden.resend_verification_email(inet) is 'Mails a new verification link to your (unverified) address: at most email_resend_max per email_request_window, email_resend_interval apart (RATEL); nothing for a user without an address (anonymous). Raises LOGIN without a session.';
revoke all on function app_hidden.resend_verification_email(inet) from public;
grant execute on function app_hidden.resend_verification_email(inet) to auth_edge;
