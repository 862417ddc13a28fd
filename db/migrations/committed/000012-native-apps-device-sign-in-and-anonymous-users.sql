--! Previous: sha1:f6f213c9811c46ae3cd4d565a3ad138a8fc283f4
--! Hash: sha1:359485ea4d0899e15d08b7c461c8e7761432c683
--! Message: native apps, device sign-in and anonymous users

--! split: 5000-native-apps.sql
-- App-initiated OAuth for native apps (RFC 8252, issue 15, Q1). The edge runs the flow with
-- the provider as for browsers; at the callback, instead of cookies, it asks for a one-time
-- authorization code bound to the registered app (client id), the exact redirect URI the app
-- used, its PKCE S256 challenge and the session oauth_sign_in started for the user. The app
-- redeems the code once, within 60 s, with the PKCE verifier at POST /auth/token and gets the
-- session's tokens in the body. Apps are registered in configuration (APP_<ID>_*): the edge
-- checks that the client and redirect URI are registered; SQL binds them to the code.
create table if not exists app_private.native_codes (
  code_hash bytea primary key check (length(code_hash) = 32),
  client_id text not null check (client_id ~ '^[a-z0-9]{1,100}$'),
  redirect_uri text not null check (length(redirect_uri) between 1 and 2000),
  code_challenge text not null check (code_challenge ~ '^[A-Za-z0-9_-]{43}$'),
  session_id uuid not null references app_private.sessions (id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create index if not exists native_codes_session_id_idx on app_private.native_codes (session_id);
create index if not exists native_codes_expires_at_idx on app_private.native_codes (expires_at);
comment on table app_private.native_codes is
  'One-time authorization codes of app-initiated OAuth (RFC 8252), as SHA-256 hashes: bound to the app, its redirect URI, its PKCE S256 challenge and the session started for the user; 60 s, single use (Q1).';
comment on column app_private.native_codes.used_at is 'When the code was presented: any second presentation revokes the session (RFC 6749 4.1.2).';
call app_private.enable_rls('app_private.native_codes');

-- The code: 256 random bits, base64url. The session has a refresh token that nobody holds
-- yet (the edge discarded it); the exchange replaces it.
create or replace function app_hidden.native_code_issue(
  p_session_id uuid, p_client_id text, p_redirect_uri text, p_code_challenge text
) returns text
language plpgsql volatile
-- Definer: writes app_private.native_codes and reads app_private.sessions, which auth_edge cannot.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_code text := rtrim(translate(encode(public.gen_random_bytes(32), 'base64'), '+/', '-_'), '=');
begin
  if p_code_challenge is null or p_code_challenge !~ '^[A-Za-z0-9_-]{43}$' then
    raise exception 'native_code_issue: a PKCE S256 challenge is required' using errcode = '22023';
  end if;
  if not exists (select 1 from app_private.sessions s
                 where s.id = p_session_id and s.revoked_at is null and s.expires_at > now()) then
    raise exception 'native_code_issue: no live session' using errcode = '22023';
  end if;
  -- Housekeeping: codes are worthless a minute after they were made.
  delete from app_private.native_codes where expires_at < now() - interval '1 hour';
  insert into app_private.native_codes (code_hash, client_id, redirect_uri, code_challenge, session_id, expires_at)
    values (app_private.token_hash(v_code), p_client_id, p_redirect_uri, p_code_challenge, p_session_id,
            now() + interval '60 seconds');
  return v_code;
end;
$$;
comment on function app_hidden.native_code_issue(uuid, text, text, text) is
  'Edge only: a one-time authorization code (60 s) for a registered native app, bound to its client id, redirect URI, PKCE S256 challenge and the session just started (Q1).';
revoke all on function app_hidden.native_code_issue(uuid, text, text, text) from public;
grant execute on function app_hidden.native_code_issue(uuid, text, text, text) to auth_edge;

-- Redeems a code: every check fails the same way (GRANT = RFC 6749 invalid_grant). The first
-- presentation uses the code up whatever its outcome; a second one revokes the session whose
-- tokens the first may have obtained. PKCE: BASE64URL(SHA256(verifier)) = challenge (RFC 7636).
create or replace function app_hidden.native_code_exchange(
  p_code text, p_client_id text, p_redirect_uri text, p_code_verifier text, p_ip inet, p_user_agent text
) returns app_hidden.auth_result
language plpgsql volatile
-- Definer: reads and updates app_private.native_codes, sessions and refresh_tokens.
security definer
set search_path = pg_catalog, pg_temp
set lock_timeout = '3s'
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_code app_private.native_codes;
  v_session app_private.sessions;
  v_token text := rtrim(translate(encode(public.gen_random_bytes(32), 'base64'), '+/', '-_'), '=');
begin
  if p_code is null or p_code !~ '^[A-Za-z0-9_-]{43}$'
     or p_code_verifier is null or p_code_verifier !~ '^[A-Za-z0-9._~-]{43,128}$' then
    return app_private.auth_error('GRANT');
  end if;
  select * into v_code from app_private.native_codes where code_hash = app_private.token_hash(p_code) for update;
  if not found then
    return app_private.auth_error('GRANT');
  end if;
  if v_code.used_at is not null then
    update app_private.sessions set revoked_at = now(), revoked_reason = 'code_reuse'
      where id = v_code.session_id and revoked_at is null;
    update app_private.refresh_tokens set revoked_at = now() where session_id = v_code.session_id and revoked_at is null;
    perform app_private.write_audit('native_code_reuse', null, v_code.session_id::text, null, null,
      jsonb_build_object('client_id', v_code.client_id, 'ip', p_ip::text));
    return app_private.auth_error('GRANT');
  end if;
  update app_private.native_codes set used_at = now() where code_hash = v_code.code_hash;
  if v_code.expires_at <= now()
     or v_code.client_id is distinct from p_client_id
     or v_code.redirect_uri is distinct from p_redirect_uri
     or v_code.code_challenge is distinct from
        rtrim(translate(encode(public.digest(convert_to(p_code_verifier, 'UTF8'), 'sha256'), 'base64'), '+/', '-_'), '=')
  then
    return app_private.auth_error('GRANT');
  end if;
  select * into v_session from app_private.sessions where id = v_code.session_id for update;
  if not found or v_session.revoked_at is not null or v_session.expires_at <= now()
     or exists (select 1 from app_public.users u where u.id = v_session.user_id and u.disabled_at is not null) then
    return app_private.auth_error('GRANT');
  end if;
  -- The session's first refresh token was never handed out: replace it with one for the app.
  update app_private.refresh_tokens set revoked_at = now() where session_id = v_session.id and revoked_at is null;
  insert into app_private.refresh_tokens (session_id, token_hash, expires_at)
    values (v_session.id, app_private.token_hash(v_token), least(now() + c.session_idle, v_session.expires_at));
  update app_private.sessions set last_used_at = now(), ip = coalesce(p_ip, ip),
      user_agent = coalesce(left(p_user_agent, 512), user_agent)
    where id = v_session.id;
  perform app_private.write_audit('native_code_exchange', null, v_session.id::text, null, null,
    jsonb_build_object('client_id', v_code.client_id, 'user_id', v_session.user_id, 'ip', p_ip::text));
  return app_private.auth_ok(v_session.user_id, v_session.id, v_token, v_session.expires_at);
end;
$$;
comment on function app_hidden.native_code_exchange(text, text, text, text, inet, text) is
  'Edge only: redeems a native app''s authorization code with its PKCE verifier (once, within 60 s, same client and redirect URI) for the session''s tokens. Errors: GRANT (any failure; reuse revokes the session).';
revoke all on function app_hidden.native_code_exchange(text, text, text, text, inet, text) from public;
grant execute on function app_hidden.native_code_exchange(text, text, text, text, inet, text) to auth_edge;

-- ID-token sign-in (Q2): each ID token signs in once. The edge verifies the token, then records
-- a hash of (issuer, nonce claim) until the token expires; a second presentation of the same
-- token (a copy taken from the app or its logs) is refused even with its raw nonce.
create table if not exists app_private.id_token_uses (
  use_hash bytea primary key check (length(use_hash) = 32),
  expires_at timestamptz not null
);
create index if not exists id_token_uses_expires_at_idx on app_private.id_token_uses (expires_at);
comment on table app_private.id_token_uses is
  'ID tokens already used by signInWithIdToken: SHA-256 of issuer and nonce claim, kept until the token expires (Q2).';
call app_private.enable_rls('app_private.id_token_uses');

create or replace function app_hidden.id_token_first_use(p_use_hash bytea, p_expires_at timestamptz) returns boolean
language plpgsql volatile
-- Definer: writes app_private.id_token_uses, which auth_edge cannot.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_new boolean;
begin
  if p_use_hash is null or length(p_use_hash) <> 32 or p_expires_at is null then
    raise exception 'id_token_first_use: a 32-byte hash and an expiry are required' using errcode = '22023';
  end if;
  delete from app_private.id_token_uses where expires_at < now() - interval '5 minutes';
  insert into app_private.id_token_uses (use_hash, expires_at)
    values (p_use_hash, least(p_expires_at, now() + interval '1 day') + interval '1 minute')
    on conflict do nothing
    returning true into v_new;
  return coalesce(v_new, false);
end;
$$;
comment on function app_hidden.id_token_first_use(bytea, timestamptz) is
  'Edge only: true the first time an ID token (hash of issuer and nonce claim) is used to sign in, false on a replay (Q2).';
revoke all on function app_hidden.id_token_first_use(bytea, timestamptz) from public;
grant execute on function app_hidden.id_token_first_use(bytea, timestamptz) to auth_edge;

--! split: 5100-anonymous-users.sql
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

--! split: 5150-device-grant.sql
-- The device authorization grant (RFC 8628; issue 15, Q3). The edge
-- (proxy/features/device/) calls, as auth_edge:
--   device_authorize   POST /auth/device/code: a device code (256 bits) and a user code
--                      (8 letters of BCDFGHJKLMNPQRSTVWXZ), both stored only as hashes;
--   device_lookup      the approval page: which client asks (counts wrong codes);
--   approve_device     the signed-in user approves or denies (GraphQL approveDevice or the
--                      page's CSRF-checked form);
--   device_token       POST /auth/token with the device grant: authorization_pending,
--                      slow_down, access_denied, expired_token, then one session of the
--                      approving user, once (the device code is spent in the same statement).
-- Threat model: user codes are short, so wrong ones are counted per user and per address and
-- refused beyond a limit (guessing); codes expire; the poll interval is enforced here (a
-- poll sooner than the interval after the last one adds 5 s to it, RFC 8628 3.5); a session
-- is started only by the poll that collects it, so its refresh token is never stored; API
-- keys, service accounts and impersonating admins cannot approve (they would mint a full
-- session of the user).

do $$
begin
  if not exists (select 1 from information_schema.columns
                 where table_schema = 'app_private' and table_name = 'auth_config' and column_name = 'device_code_ttl') then
    alter table app_private.auth_config
      add column device_code_ttl interval not null default '10 minutes',
      add column device_poll_interval integer not null default 5,
      add column device_user_code_max_failures integer not null default 5,
      add column device_user_code_max_failures_per_ip integer not null default 20,
      add column device_failure_window interval not null default '15 minutes',
      add constraint auth_config_device_check check (
        device_code_ttl between interval '1 minute' and interval '1 hour'
        and device_poll_interval between 1 and 60
        and device_user_code_max_failures >= 1 and device_user_code_max_failures_per_ip >= 1
        and device_failure_window > interval '0');
  end if;
end;
$$;
do $$
begin
  if not exists (select 1 from information_schema.columns
                 where table_schema = 'app_private' and table_name = 'auth_config' and column_name = 'device_authorize_max_per_ip') then
    alter table app_private.auth_config add column device_authorize_max_per_ip integer not null default 60
      constraint auth_config_device_authorize_check check (device_authorize_max_per_ip >= 1);
  end if;
end;
$$;
comment on column app_private.auth_config.device_authorize_max_per_ip is 'Device authorizations one client address may start per hour (the device gets 429 slow_down beyond).';
comment on column app_private.auth_config.device_code_ttl is 'Lifetime of a device authorization (device code and user code), RFC 8628 expires_in (Q3).';
comment on column app_private.auth_config.device_poll_interval is 'Seconds a device waits between polls (RFC 8628 interval); polling sooner adds 5 s (slow_down).';
comment on column app_private.auth_config.device_user_code_max_failures is 'Wrong user codes one user may enter within device_failure_window before RATEL (Q3).';
comment on column app_private.auth_config.device_user_code_max_failures_per_ip is 'Wrong user codes one client address may enter within device_failure_window before RATEL (Q3).';
comment on column app_private.auth_config.device_failure_window is 'Window of the user-code guessing limits.';

create table if not exists app_private.device_codes (
  id uuid primary key default gen_random_uuid(),
  device_code_hash bytea not null unique,
  user_code_hash bytea not null unique,
  client_id text not null check (length(client_id) between 1 and 100),
  client_name text not null check (length(client_name) between 1 and 200),
  scope text check (length(scope) <= 1000),
  status text not null default 'pending' check (status in ('pending', 'approved', 'denied', 'delivered')),
  user_id uuid references app_public.users (id) on delete cascade,
  approver_session_id uuid references app_private.sessions (id) on delete set null,
  session_id uuid references app_private.sessions (id) on delete set null,
  poll_interval integer not null check (poll_interval between 1 and 600),
  last_polled_at timestamptz,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  decided_at timestamptz,
  ip inet,
  check ((status = 'pending') = (user_id is null))
);
comment on table app_private.device_codes is 'Device authorizations (RFC 8628): codes stored as SHA-256 hashes, the approving user, the poll state; the session is started when the device collects it.';
create index if not exists device_codes_user_id_idx on app_private.device_codes (user_id);
create index if not exists device_codes_approver_session_id_idx on app_private.device_codes (approver_session_id);
create index if not exists device_codes_session_id_idx on app_private.device_codes (session_id);
create index if not exists device_codes_expires_at_idx on app_private.device_codes (expires_at);
call app_private.enable_rls('app_private.device_codes');

-- A user code in canonical form (upper case, no separator), or NULL when it cannot be one.
create or replace function app_private.device_user_code(p_code text) returns text
language sql immutable
set search_path = pg_catalog, pg_temp
as $$
  select v from (select upper(translate(coalesce(p_code, ''), '- ', '')) as v) x
  where v ~ '^[BCDFGHJKLMNPQRSTVWXZ]{8}$'
$$;
comment on function app_private.device_user_code(text) is 'Canonical user code: the 8 letters without separator, upper case; NULL for anything else.';
revoke all on function app_private.device_user_code(text) from public;

-- 8 letters from 20 consonants (no vowels: no words; no look-alikes such as 0/O, 1/I), drawn
-- without modulo bias: about 34 bits.
create or replace function app_private.new_device_user_code() returns text
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_alphabet constant text := 'BCDFGHJKLMNPQRSTVWXZ';
  v_bytes bytea;
  v_out text := '';
  v_b integer;
begin
  while length(v_out) < 8 loop
    v_bytes := public.gen_random_bytes(16);
    for i in 0..15 loop
      v_b := get_byte(v_bytes, i);
      if v_b < 240 and length(v_out) < 8 then
        v_out := v_out || substr(v_alphabet, v_b % 20 + 1, 1);
      end if;
    end loop;
  end loop;
  return v_out;
end;
$$;
comment on function app_private.new_device_user_code() is 'A random user code: 8 letters of BCDFGHJKLMNPQRSTVWXZ.';
revoke all on function app_private.new_device_user_code() from public;

create or replace function app_hidden.device_authorize(p_client_id text, p_client_name text, p_scope text, p_ip inet)
returns table (o_device_code text, o_user_code text, o_expires_in integer, o_interval integer)
language plpgsql volatile
-- Definer: writes app_private.device_codes, which auth_edge cannot.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_device text := rtrim(translate(encode(public.gen_random_bytes(32), 'base64'), '+/', '-_'), '=');
  v_user text;
begin
  if app_private.attempt_limited('device_authorize:ip:' || coalesce(p_ip, '0.0.0.0'::inet)::text,
                                 c.device_authorize_max_per_ip, interval '1 hour') then
    perform app_private.write_audit('device_authorize_rate_limited', null, null, null, null, jsonb_build_object('ip', p_ip::text));
    return;
  end if;
  -- Ended authorizations go after a day; they keep their user codes out of reuse till then.
  delete from app_private.device_codes d where d.expires_at < now() - interval '1 day';
  for i in 1..10 loop
    v_user := app_private.new_device_user_code();
    begin
      insert into app_private.device_codes (device_code_hash, user_code_hash, client_id, client_name, scope, poll_interval, expires_at, ip)
        values (app_private.token_hash(v_device), app_private.token_hash(v_user), p_client_id, p_client_name,
                nullif(p_scope, ''), c.device_poll_interval, now() + c.device_code_ttl, p_ip);
      return query select v_device, v_user, extract(epoch from c.device_code_ttl)::integer, c.device_poll_interval;
      return;
    exception when unique_violation then
      -- a user code still in use: draw another
    end;
  end loop;
  raise exception 'No free user code' using errcode = 'BADRQ';
end;
$$;
comment on function app_hidden.device_authorize(text, text, text, inet) is 'Edge only: starts a device authorization for a registered client (RFC 8628 3.2); returns the device code and user code (stored only hashed), their lifetime and the poll interval; no row over device_authorize_max_per_ip per hour.';
revoke all on function app_hidden.device_authorize(text, text, text, inet) from public;
grant execute on function app_hidden.device_authorize(text, text, text, inet) to auth_edge;

-- The caller who may approve: a live session of a person, not through an API key and not an
-- impersonating admin. Raises LOGIN or DNIED.
create or replace function app_private.device_approver() returns uuid
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_user uuid := app_private.session_user_id();
begin
  if v_user is null
     or exists (select 1 from app_private.sessions s where s.id = app_hidden.current_session_id() and s.mfa_pending) then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  if app_hidden.current_api_key_id() is not null or app_hidden.current_actor_id() is not null
     or exists (select 1 from app_public.users u where u.id = v_user and u.is_bot) then
    raise exception 'Permission denied' using errcode = 'DNIED';
  end if;
  return v_user;
end;
$$;
comment on function app_private.device_approver() is 'The signed-in person who may approve a device; raises LOGIN without a live session (or one pending MFA), DNIED for an API key, a service account or an impersonation.';
revoke all on function app_private.device_approver() from public;

-- The pending authorization a user code names, counting a wrong code against the user and the
-- address. Raises RATEL over a limit (checked first: a right code is refused too) or DVCOD.
create or replace function app_private.device_by_user_code(p_user_code text, p_user uuid, p_ip inet)
returns app_private.device_codes
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_user_key text := 'device_code:user:' || p_user;
  v_ip_key text := 'device_code:ip:' || coalesce(p_ip, '0.0.0.0'::inet)::text;
  v app_private.device_codes;
begin
  if app_private.attempt_over(v_user_key, c.device_user_code_max_failures, c.device_failure_window)
     or app_private.attempt_over(v_ip_key, c.device_user_code_max_failures_per_ip, c.device_failure_window) then
    perform app_private.write_audit('device_code_rate_limited', null, null, null, null, jsonb_build_object('ip', p_ip::text));
    raise exception 'Too many attempts' using errcode = 'RATEL';
  end if;
  select * into v from app_private.device_codes d
    where d.user_code_hash = app_private.token_hash(app_private.device_user_code(p_user_code))
      and d.status = 'pending' and d.expires_at > now()
    for update;
  if not found then
    perform app_private.attempt_limited(v_user_key, c.device_user_code_max_failures, c.device_failure_window);
    perform app_private.attempt_limited(v_ip_key, c.device_user_code_max_failures_per_ip, c.device_failure_window);
    perform app_private.write_audit('device_code_refused', null, null, null, null, jsonb_build_object('ip', p_ip::text));
    return null;
  end if;
  return v;
end;
$$;
comment on function app_private.device_by_user_code(text, uuid, inet) is 'The pending, unexpired device authorization of a user code (locked), or NULL after counting the wrong code; raises RATEL over the guessing limits (Q3).';
revoke all on function app_private.device_by_user_code(text, uuid, inet) from public;

do $$
begin
  if not exists (select 1 from pg_type t where t.typname = 'device_decision' and t.typnamespace = 'app_hidden'::regnamespace) then
    create type app_hidden.device_decision as (error text, client_id text, client_name text, scope text, user_code text, approved boolean);
  end if;
end;
$$;
comment on type app_hidden.device_decision is 'What device_lookup and approve_device answer: an error code, or the client that asks and the user code shown as XXXX-XXXX.';

create or replace function app_hidden.device_lookup(p_user_code text, p_ip inet) returns app_hidden.device_decision
language plpgsql volatile
-- Definer: reads app_private.device_codes and writes the guessing counters.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_user uuid;
  v app_private.device_codes;
  v_code text := app_private.device_user_code(p_user_code);
begin
  begin
    v_user := app_private.device_approver();
    v := app_private.device_by_user_code(p_user_code, v_user, p_ip);
  exception when sqlstate 'LOGIN' or sqlstate 'DNIED' or sqlstate 'RATEL' then
    -- Returned, not raised: the counted failure must commit with the answer.
    return row(sqlstate, null, null, null, null, null)::app_hidden.device_decision;
  end;
  if v.id is null then
    return row('DVCOD', null, null, null, null, null)::app_hidden.device_decision;
  end if;
  return row(null, v.client_id, v.client_name, v.scope, substr(v_code, 1, 4) || '-' || substr(v_code, 5, 4), null)::app_hidden.device_decision;
end;
$$;
comment on function app_hidden.device_lookup(text, inet) is 'Edge only: for the signed-in caller, the client that asks with this user code (the approval page shows its name). error LOGIN, DNIED, RATEL or DVCOD (unknown, expired or decided; counted against guessing, Q3).';
revoke all on function app_hidden.device_lookup(text, inet) from public;
grant execute on function app_hidden.device_lookup(text, inet) to auth_edge;

create or replace function app_hidden.approve_device(p_user_code text, p_approve boolean, p_ip inet)
returns app_hidden.device_decision
language plpgsql volatile
-- Definer: decides a row of app_private.device_codes and writes the guessing counters.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_user uuid;
  v app_private.device_codes;
  v_code text := app_private.device_user_code(p_user_code);
  v_approve boolean := coalesce(p_approve, true);
begin
  begin
    v_user := app_private.device_approver();
    v := app_private.device_by_user_code(p_user_code, v_user, p_ip);
  exception when sqlstate 'LOGIN' or sqlstate 'DNIED' or sqlstate 'RATEL' then
    -- Returned, not raised: the counted failure must commit with the answer.
    return row(sqlstate, null, null, null, null, null)::app_hidden.device_decision;
  end;
  if v.id is null then
    return row('DVCOD', null, null, null, null, null)::app_hidden.device_decision;
  end if;
  update app_private.device_codes d
    set status = case when v_approve then 'approved' else 'denied' end,
        user_id = v_user, approver_session_id = app_hidden.current_session_id(), decided_at = now()
    where d.id = v.id;
  perform app_private.write_audit(case when v_approve then 'device_approved' else 'device_denied' end,
    'app_public.users', v_user::text, null, null,
    jsonb_build_object('ip', p_ip::text, 'client_id', v.client_id, 'device_ip', v.ip::text));
  return row(null, v.client_id, v.client_name, v.scope, substr(v_code, 1, 4) || '-' || substr(v_code, 5, 4), v_approve)::app_hidden.device_decision;
end;
$$;
comment on function app_hidden.approve_device(text, boolean, inet) is 'Edge only: the signed-in caller approves (or, with p_approve false, denies) the device authorization of a user code; error LOGIN, DNIED, RATEL or DVCOD (Q3).';
revoke all on function app_hidden.approve_device(text, boolean, inet) from public;
grant execute on function app_hidden.approve_device(text, boolean, inet) to auth_edge;

-- The device's poll (RFC 8628 3.4, 3.5). The error column holds the RFC's error codes.
create or replace function app_hidden.device_token(p_device_code text, p_client_id text, p_ip inet, p_user_agent text)
returns app_hidden.auth_result
language plpgsql volatile
-- Definer: reads and spends app_private.device_codes and starts the session.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v app_private.device_codes;
  v_amr text[];
  v_aal text;
  v_session app_hidden.auth_result;
  v_err app_hidden.auth_result;
begin
  select * into v from app_private.device_codes d
    where d.device_code_hash = app_private.token_hash(coalesce(p_device_code, '')) for update;
  if not found or v.client_id is distinct from p_client_id or v.status = 'delivered' then
    -- Unknown, another client's, or already collected: tokens are delivered once.
    v_err.error := 'invalid_grant';
    return v_err;
  end if;
  if v.expires_at <= now() then
    v_err.error := 'expired_token';
    return v_err;
  end if;
  if v.last_polled_at is not null and now() < v.last_polled_at + make_interval(secs => v.poll_interval) then
    -- Too soon: the interval grows by 5 s for this and every later poll (RFC 8628 3.5).
    update app_private.device_codes d set poll_interval = least(d.poll_interval + 5, 600), last_polled_at = now()
      where d.id = v.id;
    v_err.error := 'slow_down';
    return v_err;
  end if;
  update app_private.device_codes d set last_polled_at = now() where d.id = v.id;
  if v.status = 'pending' then
    v_err.error := 'authorization_pending';
    return v_err;
  end if;
  if v.status = 'denied' then
    v_err.error := 'access_denied';
    return v_err;
  end if;
  -- Approved: a normal session of the approving user for the device, started now, once. It
  -- carries how the approving session authenticated (amr, aal): approval needed that session.
  select s.amr, s.aal into v_amr, v_aal from app_private.sessions s where s.id = v.approver_session_id;
  v_session := app_private.start_session(v.user_id, p_ip, p_user_agent, coalesce(v_amr, '{pwd}'), coalesce(v_aal, 'aal1'));
  update app_private.device_codes d set status = 'delivered', session_id = v_session.session_id where d.id = v.id;
  perform app_private.write_audit('device_signed_in', 'app_public.users', v.user_id::text, null, null,
    jsonb_build_object('ip', p_ip::text, 'client_id', v.client_id, 'session_id', v_session.session_id));
  return v_session;
end;
$$;
comment on function app_hidden.device_token(text, text, inet, text) is 'Edge only: a device''s poll. error is an RFC 8628 code (authorization_pending, slow_down, access_denied, expired_token, invalid_grant); once approved, a session of the approving user, delivered once (Q3).';
revoke all on function app_hidden.device_token(text, text, inet, text) from public;
grant execute on function app_hidden.device_token(text, text, inet, text) to auth_edge;
