--! Sessions: the refresh-token ledger and the liveness check every request goes through.
-- Threat model: refresh tokens are stored only as SHA-256 hashes (F1); a session is a token
-- family. A revoked or expired session, or a disabled user, loses access on the very next
-- request even while its access token is valid (D6), because current_user_id() checks the
-- session here rather than trusting the token's sub. The login/refresh functions that
-- write these tables come with the sessions feature.

create table app_private.sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references app_public.users on delete cascade,
  created_at timestamptz not null default now(),
  last_used_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz,
  revoked_reason text,
  user_agent text check (length(user_agent) <= 512),
  ip inet
);
create index sessions_user_idx on app_private.sessions (user_id) where revoked_at is null;
comment on table app_private.sessions is 'One row per sign-in; also the refresh-token family. expires_at is the absolute lifetime.';
alter table app_private.sessions enable row level security;
alter table app_private.sessions force row level security;
create policy definer_all on app_private.sessions to :DATABASE_OWNER using (true) with check (true);

create table app_private.refresh_tokens (
  id bigint generated always as identity primary key,
  session_id uuid not null references app_private.sessions on delete cascade,
  token_hash bytea not null unique check (length(token_hash) = 32),
  parent_id bigint references app_private.refresh_tokens,
  issued_at timestamptz not null default now(),
  expires_at timestamptz not null,
  rotated_at timestamptz,
  revoked_at timestamptz
);
create index refresh_tokens_session_idx on app_private.refresh_tokens (session_id);
comment on table app_private.refresh_tokens is 'Opaque refresh tokens, hashed with SHA-256; rotated_at marks a used (rotated) token.';
alter table app_private.refresh_tokens enable row level security;
alter table app_private.refresh_tokens force row level security;
create policy definer_all on app_private.refresh_tokens to :DATABASE_OWNER using (true) with check (true);

-- Security definer: request roles cannot read app_private.sessions. Wrapped as
-- (select app_hidden.current_user_id()) in policies, so it runs once per statement.
create function app_hidden.current_user_id() returns uuid
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
  select s.user_id
  from app_private.sessions s
  join app_public.users u on u.id = s.user_id
  where s.id = app_hidden.current_session_id()
    and s.user_id = app_hidden.claimed_user_id()
    and s.revoked_at is null
    and s.expires_at > now()
    and u.disabled_at is null
$$;
comment on function app_hidden.current_user_id() is
  'The calling user, only while the token''s session is live and the user enabled; otherwise NULL.';
grant execute on function app_hidden.current_user_id() to anonymous, app_user, bot;
