--! Previous: sha1:c4f633fc7e1dc1d51ab0769ce96d791c33a7daf8
--! Hash: sha1:c2f790c8af6391b7d32afda12945490de83d1e59
--! Message: session claims and housekeeping

--! split: 0100-session-claims.sql
-- Session attributes that access tokens carry and SQL reads from the live session:
-- the assurance level and the methods used (aal, amr: RFC 8176; multi-factor sign-in),
-- the acting admin (act: RFC 8693; impersonation) and anonymous users.
do $$
begin
  if not exists (select 1 from information_schema.columns
                 where table_schema = 'app_private' and table_name = 'sessions' and column_name = 'aal') then
    alter table app_private.sessions
      add column aal text not null default 'aal1' constraint sessions_aal_check check (aal in ('aal1', 'aal2')),
      add column amr text[] not null default '{pwd}'
        constraint sessions_amr_check check (cardinality(amr) between 1 and 8),
      add column actor_id uuid references app_public.users (id) on delete set null;
  end if;
  if not exists (select 1 from information_schema.columns
                 where table_schema = 'app_public' and table_name = 'users' and column_name = 'is_anonymous') then
    alter table app_public.users add column is_anonymous boolean not null default false;
  end if;
end;
$$;
create index if not exists sessions_actor_id_idx on app_private.sessions (actor_id);
comment on column app_private.sessions.aal is 'Authentication assurance level reached by this session: aal1 (one factor) or aal2 (a second factor, or a passkey with user verification).';
comment on column app_private.sessions.amr is 'Authentication methods used (RFC 8176 values: pwd, otp, sms, hwk, swk, mfa, ...), in the order used.';
comment on column app_private.sessions.actor_id is 'When an admin impersonates the user: the admin (RFC 8693 act claim).';
comment on column app_public.users.is_anonymous is 'Signed in anonymously (no credential yet); linking one keeps the id and clears this.';

-- What the edge writes into each new access token besides sub/sid/role, from the live session.
create or replace function app_hidden.session_claims(p_session_id uuid) returns jsonb
language sql stable
-- Definer: reads app_private.sessions, which auth_edge cannot read.
security definer
set search_path = pg_catalog, pg_temp
as $$
  select jsonb_build_object('aal', s.aal, 'amr', to_jsonb(s.amr))
         || case when s.actor_id is not null
                 then jsonb_build_object('act', jsonb_build_object('sub', s.actor_id::text)) else '{}'::jsonb end
         || jsonb_build_object('is_anonymous', u.is_anonymous)
  from app_private.sessions s
  join app_public.users u on u.id = s.user_id
  where s.id = p_session_id
$$;
comment on function app_hidden.session_claims(uuid) is 'Edge only: the aal, amr, act and is_anonymous claims of a session''s next access token.';
revoke all on function app_hidden.session_claims(uuid) from public;
grant execute on function app_hidden.session_claims(uuid) to auth_edge;

-- Policy helpers: read from the live session on every statement, not from the token.
create or replace function app_hidden.current_aal() returns text
language sql stable
-- Definer: reads app_private.sessions for the caller's own session only.
security definer
set search_path = pg_catalog, pg_temp
as $$
  select s.aal from app_private.sessions s
  where s.id = app_hidden.current_session_id() and s.user_id = app_hidden.claimed_user_id()
    and s.revoked_at is null and s.expires_at > now()
$$;
comment on function app_hidden.current_aal() is 'The live session''s assurance level (aal1 or aal2), or NULL without a live session. For policies: (select app_hidden.current_aal()) = ''aal2''.';
revoke all on function app_hidden.current_aal() from public;
grant execute on function app_hidden.current_aal() to anonymous, app_user, bot;

create or replace function app_hidden.current_actor_id() returns uuid
language sql stable
-- Definer: reads app_private.sessions for the caller's own session only.
security definer
set search_path = pg_catalog, pg_temp
as $$
  select s.actor_id from app_private.sessions s
  where s.id = app_hidden.current_session_id() and s.user_id = app_hidden.claimed_user_id()
    and s.revoked_at is null and s.expires_at > now()
$$;
comment on function app_hidden.current_actor_id() is 'The admin acting as the user in this session (impersonation), or NULL.';
revoke all on function app_hidden.current_actor_id() from public;
grant execute on function app_hidden.current_actor_id() to anonymous, app_user, bot;

-- Every sign-in path starts its session here, saying how the user authenticated (amr, aal).
-- app_private.assert_can_sign_in is the one place a feature refuses a sign-in for the user
-- (a ban), whichever path it came by.
create or replace function app_private.assert_can_sign_in(p_user uuid) returns void
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
  -- Nothing refuses by default; the administration feature replaces this (bans).
  return;
end;
$$;
comment on function app_private.assert_can_sign_in(uuid) is 'Raises a registered error when the user may not start a session now (called by start_session for every sign-in path).';
revoke all on function app_private.assert_can_sign_in(uuid) from public;

drop function if exists app_private.start_session(uuid, inet, text);
create or replace function app_private.start_session(
  p_user uuid, p_ip inet, p_user_agent text, p_amr text[] default '{pwd}', p_aal text default 'aal1'
) returns app_hidden.auth_result
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_token text := rtrim(translate(encode(public.gen_random_bytes(32), 'base64'), '+/', '-_'), '=');
  v_session app_private.sessions;
begin
  perform app_private.assert_can_sign_in(p_user);
  insert into app_private.sessions (user_id, expires_at, user_agent, ip, amr, aal)
    values (p_user, now() + c.session_absolute, left(p_user_agent, 512), p_ip, p_amr, p_aal)
    returning * into v_session;
  insert into app_private.refresh_tokens (session_id, token_hash, expires_at)
    values (v_session.id, app_private.token_hash(v_token), least(now() + c.session_idle, v_session.expires_at));
  update app_private.sessions set revoked_at = now(), revoked_reason = 'evicted'
    where id in (select s.id from app_private.sessions s
                 where s.user_id = p_user and s.revoked_at is null and s.expires_at > now()
                 order by s.created_at desc, s.id offset c.max_sessions_per_user);
  return app_private.auth_ok(p_user, v_session.id, v_token, v_session.expires_at);
end;
$$;
comment on function app_private.start_session(uuid, inet, text, text[], text) is 'Starts a session with its first refresh token (session_absolute, session_idle), recording how the user authenticated (amr, aal); refuses through assert_can_sign_in; evicts the oldest beyond max_sessions_per_user.';
revoke all on function app_private.start_session(uuid, inet, text, text[], text) from public;

--! split: 0200-session-housekeeping.sql
-- Housekeeping of the session ledger: every client-credentials token (features/permissions)
-- opens a short session, and every sign-in leaves a row behind after it ends. Purged hourly by
-- the worker (features/email/queue.ts): service sessions an hour after they expire, other
-- sessions (with their refresh tokens, by cascade) 30 days after they expired or were
-- revoked. Sessions backing an API key stay with their key (its history lists them).
create or replace function app_private.purge_sessions() returns integer
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  v_service int;
  v_ended int;
begin
  delete from app_private.sessions s
    using app_private.service_sessions ss
    where ss.session_id = s.id and s.expires_at < now() - interval '1 hour';
  get diagnostics v_service = row_count;
  delete from app_private.sessions s
    where least(s.expires_at, coalesce(s.revoked_at, 'infinity')) < now() - interval '30 days'
      and not exists (select 1 from app_public.api_keys k where k.session_id = s.id);
  get diagnostics v_ended = row_count;
  return v_service + v_ended;
end;
$$;
comment on function app_private.purge_sessions() is 'Deletes client-credentials sessions an hour after expiry and other ended sessions (expired or revoked) after 30 days, except those backing an API key; run hourly by the worker (owner).';
revoke all on function app_private.purge_sessions() from public;
