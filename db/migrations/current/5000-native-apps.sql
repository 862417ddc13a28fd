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
