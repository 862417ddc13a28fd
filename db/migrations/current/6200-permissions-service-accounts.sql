-- Service accounts and client credentials (issue #11 part 3). A service account is a bot user
-- with a client id and up to two live secrets (rotation), each >= 256 random bits, shown once,
-- stored as SHA-256, optionally expiring (O2). POST /auth/token (grant_type=client_credentials)
-- calls app_hidden.client_credentials_token (auth_edge only), which creates a short-lived
-- session for the bot (tokens need `sid`), so every statement passes current_user_id()'s
-- liveness: revoking the secret (its sessions are revoked with it) or disabling the bot ends
-- access on the next request. Failures are counted per client and per address and refused
-- past a limit, without saying which check failed (O6).

create table if not exists app_private.service_clients (
  client_id text primary key check (client_id ~ '^svc_[0-9a-f]{16}$'),
  user_id uuid not null unique references app_public.users on delete cascade,
  name text not null check (length(name) between 1 and 100),
  created_at timestamptz not null default now()
);
comment on table app_private.service_clients is 'Service accounts: the client id of a bot user.';

create table if not exists app_private.service_secrets (
  id uuid primary key default gen_random_uuid(),
  client_id text not null references app_private.service_clients on delete cascade,
  secret_hash bytea not null unique check (length(secret_hash) = 32),
  created_at timestamptz not null default now(),
  expires_at timestamptz,
  revoked_at timestamptz
);
comment on table app_private.service_secrets is 'SHA-256 of each client secret; at most two live per client (rotation).';
drop index if exists app_private.service_secrets_client_idx;
create index if not exists service_secrets_client_id_idx on app_private.service_secrets (client_id);

create table if not exists app_private.service_sessions (
  session_id uuid primary key references app_private.sessions on delete cascade,
  secret_id uuid not null references app_private.service_secrets on delete cascade
);
comment on table app_private.service_sessions is 'Which secret opened each service session, so revoking the secret ends them.';
create index if not exists service_sessions_secret_idx on app_private.service_sessions (secret_id);

create table if not exists app_private.client_credential_failures (
  bucket text not null,
  window_start timestamptz not null,
  failures int not null default 0,
  primary key (bucket, window_start)
);
comment on table app_private.client_credential_failures is 'Failed client-credentials attempts per client id and per address, per 15-minute window (O6).';

call app_private.enable_rls('app_private.service_clients');
call app_private.enable_rls('app_private.service_secrets');
call app_private.enable_rls('app_private.service_sessions');
call app_private.enable_rls('app_private.client_credential_failures');

-- Owner only (the CLI runs as the owner): a new secret for a client; past two live secrets the
-- oldest is revoked with its sessions. Returns the secret, shown this once.
create or replace function app_private.add_service_secret(p_client_id text, p_expires_at timestamptz default null)
  returns text
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_secret text := 'svs_' || pg_catalog.encode(public.gen_random_bytes(32), 'hex');
  v_old uuid;
begin
  if not exists (select 1 from app_private.service_clients c where c.client_id = p_client_id) then
    raise exception 'No such service account' using errcode = 'NTFND';
  end if;
  -- clock_timestamp: secrets added in one transaction still order by age.
  insert into app_private.service_secrets (client_id, secret_hash, expires_at, created_at)
    values (p_client_id, public.digest(v_secret, 'sha256'), p_expires_at, pg_catalog.clock_timestamp());
  for v_old in
    select s.id from app_private.service_secrets s
    where s.client_id = p_client_id and s.revoked_at is null
    order by s.created_at desc offset 2
  loop
    perform app_private.revoke_service_secret(v_old);
  end loop;
  return v_secret;
end;
$$;
comment on function app_private.add_service_secret(text, timestamptz) is
  'Owner only: a new client secret (returned once); the oldest beyond two live ones is revoked with its sessions.';
revoke all on function app_private.add_service_secret(text, timestamptz) from public;

create or replace function app_private.revoke_service_secret(p_secret_id uuid) returns void
  language sql volatile
  set search_path = pg_catalog, pg_temp
as $$
  update app_private.service_secrets set revoked_at = pg_catalog.now() where id = p_secret_id and revoked_at is null;
  update app_private.sessions s set revoked_at = pg_catalog.now(), revoked_reason = 'service secret revoked'
    from app_private.service_sessions ss
    where ss.secret_id = p_secret_id and ss.session_id = s.id and s.revoked_at is null;
$$;
comment on function app_private.revoke_service_secret(uuid) is 'Owner only: revokes a client secret and every session it opened.';
revoke all on function app_private.revoke_service_secret(uuid) from public;

create or replace function app_private.create_service_account(p_name text, p_expires_at timestamptz default null)
  returns table (client_id text, client_secret text, user_id uuid)
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_client text := 'svc_' || pg_catalog.encode(public.gen_random_bytes(8), 'hex');
  v_user uuid;
begin
  insert into app_public.users (email, display_name, is_bot)
    values (v_client || '@service.invalid', p_name, true) returning id into v_user;
  update app_public.users set email_verified_at = pg_catalog.now() where id = v_user;
  insert into app_private.service_clients (client_id, user_id, name) values (v_client, v_user, p_name);
  return query select v_client, app_private.add_service_secret(v_client, p_expires_at), v_user;
end;
$$;
comment on function app_private.create_service_account(text, timestamptz) is
  'Owner only: a bot user with a client id and a first secret (returned once).';
revoke all on function app_private.create_service_account(text, timestamptz) from public;

create or replace function app_private.revoke_service_account(p_client_id text) returns void
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_id uuid;
begin
  for v_id in select s.id from app_private.service_secrets s where s.client_id = p_client_id and s.revoked_at is null loop
    perform app_private.revoke_service_secret(v_id);
  end loop;
  update app_public.users u set disabled_at = pg_catalog.now()
    from app_private.service_clients c where c.client_id = p_client_id and u.id = c.user_id and u.disabled_at is null;
end;
$$;
comment on function app_private.revoke_service_account(text) is 'Owner only: revokes every secret and session and disables the bot.';
revoke all on function app_private.revoke_service_account(text) from public;

-- Security definer, edge only (auth_edge): checks a client's secret and opens a short session
-- for its bot. Errors are returned in the row (not raised) so failure counts commit; the error
-- says only invalid_client or limited, never which check failed (O6).
create or replace function app_hidden.client_credentials_token(p_client_id text, p_secret text, p_ip inet, p_ttl_seconds int)
  returns table (user_id uuid, session_id uuid, error text)
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_window timestamptz := pg_catalog.to_timestamp(pg_catalog.floor(extract(epoch from pg_catalog.now()) / 900) * 900);
  v_limit constant int := 10;
  v_user uuid;
  v_secret uuid;
  v_session uuid;
  v_buckets text[] := array['client:' || coalesce(pg_catalog.left(p_client_id, 40), ''), 'ip:' || coalesce(pg_catalog.host(p_ip), '')];
begin
  if exists (select 1 from app_private.client_credential_failures f
             where f.bucket = any (v_buckets) and f.window_start = v_window and f.failures >= v_limit) then
    return query select null::uuid, null::uuid, 'limited'::text;
    return;
  end if;
  select c.user_id, s.id into v_user, v_secret
    from app_private.service_clients c
    join app_private.service_secrets s on s.client_id = c.client_id
    join app_public.users u on u.id = c.user_id
    where c.client_id = p_client_id
      and s.secret_hash = public.digest(coalesce(p_secret, ''), 'sha256')
      and s.revoked_at is null and (s.expires_at is null or s.expires_at > pg_catalog.now())
      and u.disabled_at is null and u.is_bot;
  if v_user is null then
    insert into app_private.client_credential_failures (bucket, window_start, failures)
      select b, v_window, 1 from pg_catalog.unnest(v_buckets) b
      on conflict (bucket, window_start) do update set failures = client_credential_failures.failures + 1;
    perform app_private.write_audit('client_credentials_failed', 'app_private.service_clients', null, null, null,
      pg_catalog.jsonb_build_object('client_id', pg_catalog.left(p_client_id, 40)));
    return query select null::uuid, null::uuid, 'invalid_client'::text;
    return;
  end if;
  insert into app_private.sessions (user_id, expires_at, user_agent, ip)
    values (v_user, pg_catalog.now() + pg_catalog.make_interval(secs => p_ttl_seconds), 'client credentials', p_ip)
    returning id into v_session;
  insert into app_private.service_sessions (session_id, secret_id) values (v_session, v_secret);
  return query select v_user, v_session, null::text;
end;
$$;
comment on function app_hidden.client_credentials_token(text, text, inet, int) is
  'Edge only: the bot user and a new short session for a valid client id and secret, or error invalid_client / limited (counted per client and per address).';
revoke all on function app_hidden.client_credentials_token(text, text, inet, int) from public, anonymous, app_user, bot;
grant execute on function app_hidden.client_credentials_token(text, text, inet, int) to auth_edge;
