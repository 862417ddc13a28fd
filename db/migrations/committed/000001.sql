--! Previous: -
--! Hash: sha1:e05ec5c5ebe2436ca133e4b1a1ee731e32c428ba

--! split: 0100-schemas.sql
-- Schemas, extensions and default privileges.
-- Threat model: anything not granted explicitly must be unreachable. PUBLIC gets nothing;
-- every later object is granted to named request roles only.
--   app_public  exposed through GraphQL (PostGraphile introspects only this schema)
--   app_hidden  callable by request roles (policy helpers), not exposed
--   app_private never reachable by request roles: secrets and the functions that read them

create extension if not exists pgcrypto with schema public;
create extension if not exists citext with schema public;

revoke all on schema public from public;
grant usage on schema public to :DATABASE_OWNER;

drop schema if exists app_public cascade;
drop schema if exists app_hidden cascade;
drop schema if exists app_private cascade;

create schema app_public;
create schema app_hidden;
create schema app_private;
comment on schema app_public is 'The API: tables and functions PostGraphile exposes.';
comment on schema app_hidden is 'Policy helpers request roles may call but GraphQL does not expose.';
comment on schema app_private is 'Secrets and privileged functions; never granted to request roles.';

grant usage on schema public, app_public, app_hidden to anonymous, app_user, bot;

-- Functions are executable by PUBLIC by default; undo that for everything we create.
alter default privileges revoke all on functions from public;
alter default privileges in schema app_public, app_hidden, app_private revoke all on functions from public;
alter default privileges revoke all on sequences from public;
alter default privileges revoke all on tables from public;

-- pgcrypto/citext helpers used inside policy helpers and definer functions.
grant execute on function public.gen_random_uuid() to anonymous, app_user, bot;

--! split: 0200-claims.sql
-- Claims: the one way SQL learns who is calling.
-- The edge verifies the access token and sets, transaction-locally, exactly
--   role                     one of anonymous, app_user, manager, admin, bot
--   jwt.claims.user_id       the token's sub
--   jwt.claims.session_id    the token's sid
-- Everything else reads them only through these functions. An empty string is treated as
-- NULL (A8): set_config(..., '', true) is what "no user" looks like after a reset.
-- These two carry no SET clause so the planner inlines them (a SET costs a GUC push per
-- call); they are invokers, so a caller's search_path can only ever affect that caller.

create function app_hidden.claimed_user_id() returns uuid
  language sql stable parallel safe
as $$
  select nullif(current_setting('jwt.claims.user_id', true), '')::uuid
$$;
comment on function app_hidden.claimed_user_id() is
  'The user id claimed by the verified access token, or NULL. Not proof of a live session: use current_user_id().';

create function app_hidden.current_session_id() returns uuid
  language sql stable parallel safe
as $$
  select nullif(current_setting('jwt.claims.session_id', true), '')::uuid
$$;
comment on function app_hidden.current_session_id() is
  'The session id (sid) from the verified access token, or NULL.';

grant execute on function app_hidden.claimed_user_id(), app_hidden.current_session_id()
  to anonymous, app_user, bot;

--! split: 0300-audit.sql
-- Audit log: append-only, written by triggers and by privileged functions.
-- Threat model: request roles can neither write nor alter audit rows (K1); only admin reads.
-- Secrets never reach it: audited tables hold none (they live in app_private side tables),
-- and tg__audit strips any key that looks like a credential as a second line of defence.

create table app_public.audit_log (
  id bigint generated always as identity primary key,
  at timestamptz not null default now(),
  actor_user_id uuid,
  actor_session_id uuid,
  actor_role text not null default current_setting('role'),
  event text not null,
  table_name text,
  target_id text,
  old_row jsonb,
  new_row jsonb,
  detail jsonb
);
create index audit_log_at_idx on app_public.audit_log (at desc);
create index audit_log_actor_idx on app_public.audit_log (actor_user_id, at desc);
comment on table app_public.audit_log is E'@behavior -insert -update -delete\nWho did what, when. Append-only; readable by admins only.';
comment on column app_public.audit_log.event is 'insert/update/delete for row changes, or a named event such as login_failed.';
comment on column app_public.audit_log.target_id is 'The affected row''s key (key columns joined with /), or another subject of the event.';
comment on column app_public.audit_log.actor_role is 'The request role in effect (the SET ROLE value), not the definer.';

alter table app_public.audit_log enable row level security;
alter table app_public.audit_log force row level security;
create policy select_admin on app_public.audit_log for select to admin using (true);
create policy definer_insert on app_public.audit_log for insert to :DATABASE_OWNER with check (true);
create policy definer_select on app_public.audit_log for select to :DATABASE_OWNER using (true);
grant select on app_public.audit_log to admin;

create function app_private.tg_audit_log__immutable() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
as $$
begin
  raise exception 'audit rows are append-only' using errcode = 'AUDIT';
end;
$$;
comment on function app_private.tg_audit_log__immutable() is 'Refuses update/delete even for the owner.';
create trigger _100_immutable before update or delete on app_public.audit_log
  for each row execute function app_private.tg_audit_log__immutable();

create function app_private.strip_secrets(v jsonb) returns jsonb
  language sql immutable
  set search_path = pg_catalog, pg_temp
as $$
  select coalesce(jsonb_object_agg(key, value), '{}'::jsonb)
  from jsonb_each(v)
  where key !~* '(password|secret|token|hash)'
$$;
comment on function app_private.strip_secrets(jsonb) is 'Removes credential-like keys from a row image.';

-- Security definer: the row is written as the owner because request roles hold no insert
-- privilege on audit_log; the actor is taken from the claims, not from the caller.
create function app_private.write_audit(
  p_event text, p_table text, p_target_id text, p_old jsonb, p_new jsonb, p_detail jsonb default null
) returns void
  language sql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
  insert into app_public.audit_log (actor_user_id, actor_session_id, actor_role, event, table_name, target_id, old_row, new_row, detail)
  values (app_hidden.claimed_user_id(), app_hidden.current_session_id(), current_setting('role'),
          p_event, p_table, p_target_id, app_private.strip_secrets(p_old), app_private.strip_secrets(p_new), p_detail)
$$;
comment on function app_private.write_audit(text, text, text, jsonb, jsonb, jsonb) is
  'Appends one audit row attributed to the current claims. Definer: request roles cannot insert directly.';

-- Security definer for the same reason as write_audit; fires for every audited table.
create function app_private.tg__audit() returns trigger
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_old jsonb := case when tg_op in ('UPDATE', 'DELETE') then to_jsonb(old) end;
  v_new jsonb := case when tg_op in ('INSERT', 'UPDATE') then to_jsonb(new) end;
  v_keys text[] := coalesce(tg_argv, '{id}');
begin
  perform app_private.write_audit(lower(tg_op), tg_table_schema || '.' || tg_table_name,
    (select string_agg(coalesce(v_new, v_old) ->> k, '/' order by o) from unnest(v_keys) with ordinality u(k, o)),
    v_old, v_new);
  return null;
end;
$$;
comment on function app_private.tg__audit() is
  'AFTER row trigger: records the change in audit_log. Arguments name the key columns (default id); target_id joins them with /.';

--! split: 1000-users.sql
-- Users and their secrets.
-- Threat model: secrets (password hash, failure counters, lockout) sit in a 1:1 side table in
-- app_private that no request role can read (H4); the public row holds nothing that would
-- let a caller escalate (no role column: roles live in role_grants, writable by admins only).
-- Policies on users come with user access rules (2200-user-access.sql).

create table app_public.users (
  id uuid primary key default gen_random_uuid(),
  email citext not null unique check (email ~ '^[^@\s]+@[^@\s]+$' and length(email) <= 320),
  display_name text check (length(display_name) <= 200),
  is_bot boolean not null default false,
  created_at timestamptz not null default now(),
  disabled_at timestamptz
);
comment on table app_public.users is 'A person or a service account (bot) that can sign in.';
comment on column app_public.users.email is 'Unique, case-insensitive sign-in address.';
comment on column app_public.users.display_name is 'Name shown to other users.';
comment on column app_public.users.is_bot is 'A service account: gets the bot role, never a human role.';
comment on column app_public.users.disabled_at is 'When set, every session of the user stops working on its next request.';
alter table app_public.users enable row level security;
alter table app_public.users force row level security;
create policy definer_all on app_public.users to :DATABASE_OWNER using (true) with check (true);
create trigger _900_audit after insert or update or delete on app_public.users
  for each row execute function app_private.tg__audit();

create table app_private.user_secrets (
  user_id uuid primary key references app_public.users on delete cascade,
  password_hash text,
  password_updated_at timestamptz,
  failed_attempts int not null default 0,
  first_failed_at timestamptz,
  locked_until timestamptz
);
comment on table app_private.user_secrets is 'Password hash and failure counters; NULL hash means the account has no password (C3).';
alter table app_private.user_secrets enable row level security;
alter table app_private.user_secrets force row level security;
create policy definer_all on app_private.user_secrets to :DATABASE_OWNER using (true) with check (true);

create function app_private.tg_users__create_secrets() returns trigger
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
begin
  insert into app_private.user_secrets (user_id) values (new.id);
  return null;
end;
$$;
comment on function app_private.tg_users__create_secrets() is
  'Every user gets a secrets row. Definer: request roles have no access to app_private.';
create trigger _500_create_secrets after insert on app_public.users
  for each row execute function app_private.tg_users__create_secrets();

--! split: 1100-sessions.sql
-- Sessions: the refresh-token ledger and the liveness check every request goes through.
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
-- plpgsql rather than sql: its plan is cached for the session, where a non-inlinable sql
-- function is planned again on every call (about 0.3 ms per statement, see bench:rls).
create function app_hidden.current_user_id() returns uuid
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
begin
  return (
    select s.user_id
    from app_private.sessions s
    join app_public.users u on u.id = s.user_id
    where s.id = app_hidden.current_session_id()
      and s.user_id = app_hidden.claimed_user_id()
      and s.revoked_at is null
      and s.expires_at > now()
      and u.disabled_at is null);
end;
$$;
comment on function app_hidden.current_user_id() is
  'The calling user, only while the token''s session is live and the user enabled; otherwise NULL.';
grant execute on function app_hidden.current_user_id() to anonymous, app_user, bot;

--! split: 1200-roles.sql
-- Role resolution: which request role a user gets.
-- Threat model: a user must not be able to raise their own role (A4, A7). Grants are rows
-- only admins may write; an email-domain rule can promote everyone of a domain. The edge
-- asks app_hidden.user_role() when it issues a token; policies ask current_app_role(),
-- which re-reads these tables, so a demotion takes effect on the next request (E3).

create table app_public.role_grants (
  user_id uuid not null references app_public.users on delete cascade,
  role text not null check (role in ('manager', 'admin')),
  granted_by uuid references app_public.users on delete set null default app_hidden.claimed_user_id(),
  granted_at timestamptz not null default now(),
  primary key (user_id, role)
);
comment on table app_public.role_grants is 'Allow-list: users explicitly given the manager or admin role.';

create table app_public.role_domain_rules (
  domain citext primary key check (domain ~ '^[a-z0-9.-]+\.[a-z]+$'),
  role text not null check (role in ('manager', 'admin')),
  created_at timestamptz not null default now()
);
comment on table app_public.role_domain_rules is 'Everyone whose verified email is in this domain gets the role.';

-- Security definer: reads role tables regardless of the caller's visibility; policy helper,
-- so stable, side-effect free and not referencing any table whose policy calls it.
-- plpgsql for its cached plan (see current_user_id).
create function app_hidden.user_role(p_user_id uuid) returns text
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
begin
  return (select case
    when u.is_bot then 'bot'
    when exists (select 1 from app_public.role_grants g where g.user_id = u.id and g.role = 'admin')
      or exists (select 1 from app_public.role_domain_rules r
                 where r.role = 'admin' and r.domain operator(public.=) split_part(u.email::text, '@', 2)::public.citext)
      then 'admin'
    when exists (select 1 from app_public.role_grants g where g.user_id = u.id and g.role = 'manager')
      or exists (select 1 from app_public.role_domain_rules r
                 where r.role = 'manager' and r.domain operator(public.=) split_part(u.email::text, '@', 2)::public.citext)
      then 'manager'
    else 'app_user'
  end
  from app_public.users u
  where u.id = p_user_id and u.disabled_at is null);
end;
$$;
comment on function app_hidden.user_role(uuid) is 'The request role a user is entitled to now, or NULL if disabled/missing.';

create function app_hidden.current_app_role() returns text
  language plpgsql stable
as $$
begin
  return coalesce(app_hidden.user_role(app_hidden.current_user_id()), 'anonymous');
end;
$$;
comment on function app_hidden.current_app_role() is
  'The caller''s entitled role from the tables (not the token), anonymous without a live session.';
grant execute on function app_hidden.user_role(uuid), app_hidden.current_app_role() to anonymous, app_user, bot;

alter table app_public.role_grants enable row level security;
alter table app_public.role_grants force row level security;
create policy select_own on app_public.role_grants for select to app_user
  using (user_id = (select app_hidden.current_user_id()));
create policy all_admin on app_public.role_grants to admin
  using ((select app_hidden.current_app_role()) = 'admin')
  with check ((select app_hidden.current_app_role()) = 'admin');
create policy definer_all on app_public.role_grants to :DATABASE_OWNER using (true) with check (true);
grant select on app_public.role_grants to app_user;
grant insert (user_id, role), delete on app_public.role_grants to admin;
create trigger _900_audit after insert or update or delete on app_public.role_grants
  for each row execute function app_private.tg__audit('user_id', 'role');

alter table app_public.role_domain_rules enable row level security;
alter table app_public.role_domain_rules force row level security;
create policy all_admin on app_public.role_domain_rules to admin
  using ((select app_hidden.current_app_role()) = 'admin')
  with check ((select app_hidden.current_app_role()) = 'admin');
create policy definer_all on app_public.role_domain_rules to :DATABASE_OWNER using (true) with check (true);
grant select, insert (domain, role), delete on app_public.role_domain_rules to admin;
create trigger _900_audit after insert or update or delete on app_public.role_domain_rules
  for each row execute function app_private.tg__audit('domain');

--! split: 1300-identities.sql
-- External identities (OAuth/OIDC) and their encrypted provider tokens.
-- Threat model: identities are keyed by (issuer, subject), never by email (H1); a provider
-- account belongs to one user and a user has one account per provider (H5). Provider tokens
-- sit in app_private, encrypted by the edge with an AEAD whose associated data is the row
-- identity (H3); request roles can read neither (H4). Rows are written only by the sign-in
-- functions of the OAuth feature.

create table app_public.user_identities (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references app_public.users on delete cascade,
  provider text not null check (provider ~ '^[a-z0-9_-]{1,40}$'),
  issuer text not null check (length(issuer) <= 500),
  subject text not null check (length(subject) between 1 and 255),
  email citext,
  profile jsonb not null default '{}',
  created_at timestamptz not null default now(),
  unique (issuer, subject),
  unique (user_id, provider)
);
create index user_identities_user_idx on app_public.user_identities (user_id);
comment on table app_public.user_identities is 'A provider account linked to a user, keyed by (issuer, subject).';
comment on column app_public.user_identities.email is 'The email the provider reported; informational, never used to link accounts.';
alter table app_public.user_identities enable row level security;
alter table app_public.user_identities force row level security;
create policy select_own on app_public.user_identities for select to app_user
  using (user_id = (select app_hidden.current_user_id()));
create policy select_admin on app_public.user_identities for select to admin
  using ((select app_hidden.current_app_role()) = 'admin');
create policy definer_all on app_public.user_identities to :DATABASE_OWNER using (true) with check (true);
grant select on app_public.user_identities to app_user;
create trigger _900_audit after insert or update or delete on app_public.user_identities
  for each row execute function app_private.tg__audit();

create table app_private.user_identity_tokens (
  identity_id uuid primary key references app_public.user_identities on delete cascade,
  key_id text not null,
  access_token_enc bytea,
  refresh_token_enc bytea,
  access_token_expires_at timestamptz,
  refresh_attempts int not null default 0,
  last_refresh_error text,
  refresh_lease_until timestamptz,
  refreshed_at timestamptz,
  updated_at timestamptz not null default now()
);
comment on table app_private.user_identity_tokens is
  'Provider tokens, encrypted by the edge (AES-GCM, AAD = identity id + column); key_id names the key.';
alter table app_private.user_identity_tokens enable row level security;
alter table app_private.user_identity_tokens force row level security;
create policy definer_all on app_private.user_identity_tokens to :DATABASE_OWNER using (true) with check (true);

--! split: 2000-relations.sql
-- Groups and the Zanzibar-style relation table.
-- An edge says "subject has relation on object": (user U) member (group G),
-- (group G1) member (group G2), (user U) owner (group G). Relations are ranked
-- owner > manager > member = viewer; holding a higher one implies the lower.
-- A user's principals are the user plus every group reachable through membership edges;
-- traversal is bounded (depth 8, at most 1000 groups) and terminates on cycles (I3).
-- Document rights reference principals, so "members of G are viewers of D" is one ACL row.

create table app_public.groups (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 200),
  created_by uuid references app_public.users on delete set null default app_hidden.claimed_user_id(),
  created_at timestamptz not null default now()
);
comment on table app_public.groups is 'A set of users (and of other groups) that can be granted rights together.';

create table app_public.relation_edge (
  subject_type text not null check (subject_type in ('user', 'group')),
  subject_id uuid not null,
  relation text not null check (relation in ('owner', 'manager', 'member', 'viewer')),
  object_type text not null check (object_type ~ '^[a-z_]{1,40}$'),
  object_id uuid not null,
  created_by uuid default app_hidden.claimed_user_id(),
  created_at timestamptz not null default now(),
  primary key (object_type, object_id, subject_id, relation)
);
create index relation_edge_subject_idx on app_public.relation_edge (subject_id, object_type, relation) include (object_id);
comment on table app_public.relation_edge is E'@behavior -query:resource:connection\nRelation tuples: subject (user or group) has relation on object (type, id).';

create function app_hidden.relation_rank(p_relation text) returns int
  language sql immutable parallel safe
as $$
  select case p_relation when 'owner' then 3 when 'manager' then 2 when 'member' then 1 when 'viewer' then 1 else 99 end
$$;
comment on function app_hidden.relation_rank(text) is 'owner 3 > manager 2 > member/viewer 1; unknown relations rank above all so they never match.';

-- Called only from definer functions (request roles have no access to app_private).
-- plpgsql for its cached plan (see current_user_id).
create function app_private.principals_of(p_user_id uuid) returns uuid[]
  language plpgsql stable
  set search_path = pg_catalog, pg_temp
as $$
begin
  if p_user_id is null then
    return null;
  end if;
  return (with recursive g(id, depth) as (
    select e.object_id, 1
    from app_public.relation_edge e
    where e.subject_id = p_user_id and e.object_type = 'group'
    union
    select e.object_id, g.depth + 1
    from g join app_public.relation_edge e on e.subject_id = g.id and e.object_type = 'group'
    where g.depth < 8
  )
  select array_prepend(p_user_id, coalesce(array(select distinct id from (select id from g limit 1000) x), '{}')));
end;
$$;
comment on function app_private.principals_of(uuid) is
  'The user and every group they belong to (any relation on a group implies membership), bounded.';

-- Security definer: reads membership edges the caller may not see; takes no argument, so it
-- can only ever answer for the caller.
create function app_hidden.current_principals() returns uuid[]
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
begin
  return coalesce(app_private.principals_of(app_hidden.current_user_id()), '{}');
end;
$$;
comment on function app_hidden.current_principals() is
  'Ids the caller acts as (self + groups); empty without a live session. Use as (select ...) in policies.';

-- Security definer: a policy helper for relation_edge's own policies (an invoker query there
-- would recurse into the same policies). Answers only for the caller.
create function app_hidden.has_relation(p_relation text, p_object_type text, p_object_id uuid) returns boolean
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
begin
  return exists (
    select 1 from app_public.relation_edge e
    where e.object_type = p_object_type and e.object_id = p_object_id
      and e.subject_id = any (app_hidden.current_principals())
      and app_hidden.relation_rank(e.relation) >= app_hidden.relation_rank(p_relation));
end;
$$;
comment on function app_hidden.has_relation(text, text, uuid) is
  'Whether the caller (directly or through a group) holds the relation, or a higher one, on the object.';

create function app_public.check_relation(relation text, object_type text, object_id uuid) returns boolean
  language sql stable
as $$
  select app_hidden.has_relation(relation, object_type, object_id)
$$;
comment on function app_public.check_relation(text, text, uuid) is
  'Whether you hold `relation` (or a higher one) on the object, directly or through a group.';

grant execute on function app_hidden.relation_rank(text), app_hidden.current_principals(),
  app_hidden.has_relation(text, text, uuid), app_public.check_relation(text, text, uuid)
  to anonymous, app_user, bot;

alter table app_public.groups enable row level security;
alter table app_public.groups force row level security;
-- created_by first: INSERT ... RETURNING checks this before the owner edge exists.
create policy select_member on app_public.groups for select to app_user
  using (created_by = (select app_hidden.current_user_id()) or id = any ((select app_hidden.current_principals())::uuid[]) or (select app_hidden.current_app_role()) = 'admin');
create policy insert_own on app_public.groups for insert to app_user
  with check (created_by = (select app_hidden.current_user_id()));
create policy update_manager on app_public.groups for update to app_user
  using (app_hidden.has_relation('manager', 'group', id));
create policy delete_owner on app_public.groups for delete to app_user
  using (app_hidden.has_relation('owner', 'group', id) or (select app_hidden.current_app_role()) = 'admin');
create policy definer_all on app_public.groups to :DATABASE_OWNER using (true) with check (true);
grant select, insert (name), update (name), delete on app_public.groups to app_user;
create trigger _900_audit after insert or update or delete on app_public.groups
  for each row execute function app_private.tg__audit();

-- Security definer: the creator has no relation on the new group yet, so the owner edge
-- cannot pass relation_edge's insert policy as the caller.
create function app_private.tg_groups__creator_owns() returns trigger
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
begin
  insert into app_public.relation_edge (subject_type, subject_id, relation, object_type, object_id, created_by)
  values ('user', new.created_by, 'owner', 'group', new.id, new.created_by);
  return null;
end;
$$;
comment on function app_private.tg_groups__creator_owns() is 'The creator of a group becomes its owner.';
create trigger _500_creator_owns after insert on app_public.groups
  for each row execute function app_private.tg_groups__creator_owns();

alter table app_public.relation_edge enable row level security;
alter table app_public.relation_edge force row level security;
create policy select_visible on app_public.relation_edge for select to app_user
  using (
    subject_id = any ((select app_hidden.current_principals())::uuid[])
    or app_hidden.has_relation('manager', object_type, object_id)
    or (select app_hidden.current_app_role()) = 'admin'
  );
-- A manager may add members; only an owner may add managers or owners. Never above yourself.
create policy insert_manager on app_public.relation_edge for insert to app_user
  with check (
    created_by = (select app_hidden.current_user_id())
    and app_hidden.has_relation(case when relation in ('owner', 'manager') then 'owner' else 'manager' end, object_type, object_id)
  );
create policy delete_manager_or_self on app_public.relation_edge for delete to app_user
  using (
    subject_id = (select app_hidden.current_user_id())
    or app_hidden.has_relation(case when relation in ('owner', 'manager') then 'owner' else 'manager' end, object_type, object_id)
  );
create policy definer_all on app_public.relation_edge to :DATABASE_OWNER using (true) with check (true);
grant select, insert (subject_type, subject_id, relation, object_type, object_id), delete
  on app_public.relation_edge to app_user;
create trigger _900_audit after insert or update or delete on app_public.relation_edge
  for each row execute function app_private.tg__audit('subject_id', 'relation', 'object_type', 'object_id');

--! split: 2100-documents.sql
-- Documents and their per-document ACL.
-- Threat model: no document is reachable without an ACL row for one of the caller's
-- principals, whatever the entry point (I1); ACL rows are written only by share_document /
-- unshare_document, which never grant more than the caller holds and answer an invisible
-- document exactly like a missing one (I2). short_url is generated, never chosen, so its
-- unique index cannot be used to probe for other users' rows (A10).
-- Performance: document_acl carries the document's created_at, and visible_documents()
-- walks (subject_id, document_created_at) once per principal, so listing a user's newest
-- documents touches about `max_rows` index entries per principal however many documents
-- they can see. Policies evaluate claim helpers once per statement via (select ...).

create type app_public.access_level as enum ('viewer', 'manager', 'owner');
comment on type app_public.access_level is 'Ordered: owner > manager > viewer.';

create function app_hidden.random_short_url() returns text
  language sql volatile
  set search_path = pg_catalog, pg_temp
as $$
  select translate(encode(public.gen_random_bytes(9), 'base64'), '+/', '-_')
$$;
comment on function app_hidden.random_short_url() is '72 random bits, URL-safe: the default short_url.';
grant execute on function public.gen_random_bytes(int) to app_user;
grant execute on function app_hidden.random_short_url() to app_user;

create table app_public.documents (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null default app_hidden.claimed_user_id() references app_public.users on delete cascade,
  full_url text not null check (length(full_url) between 1 and 2048),
  short_url text not null unique default app_hidden.random_short_url(),
  comment text check (length(comment) <= 10000),
  created_at timestamptz not null default now()
);
create index documents_owner_idx on app_public.documents (owner_id);
create index documents_created_at_idx on app_public.documents (created_at desc, id desc);
-- No root allDocuments connection: under RLS it walks every document newest-first, which is
-- slow for a user who sees few of them. Lists go through visibleDocuments (and nodes by id).
comment on table app_public.documents is E'@behavior -query:resource:connection\nA shortened link with a comment, shared through document_acl.';
comment on column app_public.documents.owner_id is 'The creator; set from the session, cannot be chosen or changed.';
comment on column app_public.documents.short_url is 'Generated, unique, URL-safe.';

create table app_public.document_acl (
  document_id uuid not null references app_public.documents on delete cascade,
  subject_type text not null check (subject_type in ('user', 'group')),
  subject_id uuid not null,
  role app_public.access_level not null,
  document_created_at timestamptz not null,
  granted_by uuid default app_hidden.claimed_user_id(),
  granted_at timestamptz not null default now(),
  primary key (document_id, subject_id)
);
create index document_acl_subject_idx on app_public.document_acl
  (subject_id, document_created_at desc, document_id desc) include (role);
comment on table app_public.document_acl is E'@behavior -query:resource:connection\nWho (a user or a group) holds which access level on a document.';
comment on column app_public.document_acl.document_created_at is 'Copy of documents.created_at (immutable) so lists can be served from this index.';

-- Security definer: needs the ACL rows of every principal regardless of acl policies.
create function app_hidden.doc_access(p_document_id uuid) returns app_public.access_level
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
begin
  return (select max(a.role) from app_public.document_acl a
          where a.document_id = p_document_id and a.subject_id = any (app_hidden.current_principals()));
end;
$$;
comment on function app_hidden.doc_access(uuid) is 'The caller''s highest access level on the document, or NULL.';

create function app_hidden.has_doc_role(p_document_id uuid, p_role app_public.access_level) returns boolean
  language sql stable
as $$
  select coalesce(app_hidden.doc_access(p_document_id) >= p_role, false)
$$;
comment on function app_hidden.has_doc_role(uuid, app_public.access_level) is
  'Whether the caller holds at least p_role on the document, directly or through a group.';
grant execute on function app_hidden.doc_access(uuid), app_hidden.has_doc_role(uuid, app_public.access_level)
  to app_user, bot;

alter table app_public.documents enable row level security;
alter table app_public.documents force row level security;
-- owner_id first: INSERT ... RETURNING checks this policy before the creator's ACL row exists.
create policy select_acl on app_public.documents for select to app_user, bot
  using (owner_id = (select app_hidden.current_user_id()) or exists (
    select 1 from app_public.document_acl a
    where a.document_id = documents.id and a.subject_id = any ((select app_hidden.current_principals())::uuid[])
  ));
-- Role-wide rights: managers, admins and bots read every document; admins change any.
create policy select_staff on app_public.documents for select to app_user, bot
  using ((select app_hidden.current_app_role()) in ('manager', 'admin', 'bot'));
create policy insert_own on app_public.documents for insert to app_user
  with check (owner_id = (select app_hidden.current_user_id()));
create policy update_manager on app_public.documents for update to app_user
  using (exists (
    select 1 from app_public.document_acl a
    where a.document_id = documents.id and a.subject_id = any ((select app_hidden.current_principals())::uuid[])
      and a.role >= 'manager'
  ));
create policy update_admin on app_public.documents for update to admin
  using ((select app_hidden.current_app_role()) = 'admin');
create policy delete_owner on app_public.documents for delete to app_user
  using (exists (
    select 1 from app_public.document_acl a
    where a.document_id = documents.id and a.subject_id = any ((select app_hidden.current_principals())::uuid[])
      and a.role = 'owner'
  ));
create policy delete_admin on app_public.documents for delete to admin
  using ((select app_hidden.current_app_role()) = 'admin');
create policy definer_all on app_public.documents to :DATABASE_OWNER using (true) with check (true);
grant select on app_public.documents to app_user, bot;
grant insert (full_url, comment), update (full_url, comment), delete on app_public.documents to app_user;
create trigger _900_audit after insert or update or delete on app_public.documents
  for each row execute function app_private.tg__audit();

alter table app_public.document_acl enable row level security;
alter table app_public.document_acl force row level security;
-- Your own rows come first so the documents policies' subquery never reaches doc_access().
create policy select_member on app_public.document_acl for select to app_user, bot
  using (
    subject_id = any ((select app_hidden.current_principals())::uuid[])
    or app_hidden.has_doc_role(document_id, 'viewer')
    or (select app_hidden.current_app_role()) in ('manager', 'admin', 'bot')
  );
create policy definer_all on app_public.document_acl to :DATABASE_OWNER using (true) with check (true);
grant select on app_public.document_acl to app_user, bot;
create trigger _900_audit after insert or update or delete on app_public.document_acl
  for each row execute function app_private.tg__audit('document_id', 'subject_id');

-- Security definer: the creator holds no ACL row yet, and request roles cannot write ACLs.
create function app_private.tg_documents__creator_owns() returns trigger
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
begin
  insert into app_public.document_acl (document_id, subject_type, subject_id, role, document_created_at, granted_by)
  values (new.id, 'user', new.owner_id, 'owner', new.created_at, new.owner_id);
  return null;
end;
$$;
comment on function app_private.tg_documents__creator_owns() is 'The creator of a document becomes its owner.';
create trigger _500_creator_owns after insert on app_public.documents
  for each row execute function app_private.tg_documents__creator_owns();

-- Security definer: writes document_acl, which request roles cannot. Checks, in order:
-- a live session (LOGIN); the caller can see the document, else the same NTFND as a missing
-- one; the caller is at least a manager and is not granting above their own level or
-- changing someone ranked above them (DNIED); not themself (DNIED); the subject exists (NTFND).
create function app_public.share_document(
  document_id uuid, subject_id uuid, role app_public.access_level
) returns app_public.document_acl
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_me uuid := app_hidden.current_user_id();
  v_mine app_public.access_level;
  v_existing app_public.access_level;
  v_type text;
  v_row app_public.document_acl;
begin
  if v_me is null then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  v_mine := app_hidden.doc_access(share_document.document_id);
  if v_mine is null then
    raise exception 'Document not found' using errcode = 'NTFND';
  end if;
  if v_mine < 'manager' or share_document.role > v_mine then
    raise exception 'You cannot grant this access level' using errcode = 'DNIED';
  end if;
  if share_document.subject_id = v_me then
    raise exception 'You cannot change your own access' using errcode = 'DNIED';
  end if;
  select a.role into v_existing from app_public.document_acl a
    where a.document_id = share_document.document_id and a.subject_id = share_document.subject_id;
  if v_existing > v_mine then
    raise exception 'You cannot change the access of someone above you' using errcode = 'DNIED';
  end if;
  select case
      when exists (select 1 from app_public.users u where u.id = share_document.subject_id and u.disabled_at is null) then 'user'
      when exists (select 1 from app_public.groups g where g.id = share_document.subject_id) then 'group'
    end into v_type;
  if v_type is null then
    raise exception 'No such user or group' using errcode = 'NTFND';
  end if;
  insert into app_public.document_acl as a (document_id, subject_type, subject_id, role, document_created_at, granted_by)
  select d.id, v_type, share_document.subject_id, share_document.role, d.created_at, v_me
  from app_public.documents d where d.id = share_document.document_id
  on conflict on constraint document_acl_pkey do update
    set role = excluded.role, granted_by = excluded.granted_by, granted_at = now()
  returning a.* into v_row;
  return v_row;
end;
$$;
comment on function app_public.share_document(uuid, uuid, app_public.access_level) is
  'Give a user or group access to a document you manage, up to your own level.';

-- Security definer: as share_document. The creator (owner_id) and the last owner cannot be
-- removed (LASTO), so owner_id always agrees with the ACL.
create function app_public.unshare_document(document_id uuid, subject_id uuid) returns boolean
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_me uuid := app_hidden.current_user_id();
  v_mine app_public.access_level;
  v_existing app_public.access_level;
begin
  if v_me is null then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  v_mine := app_hidden.doc_access(unshare_document.document_id);
  if v_mine is null then
    raise exception 'Document not found' using errcode = 'NTFND';
  end if;
  if v_mine < 'manager' and unshare_document.subject_id <> v_me then
    raise exception 'You cannot remove access' using errcode = 'DNIED';
  end if;
  select a.role into v_existing from app_public.document_acl a
    where a.document_id = unshare_document.document_id and a.subject_id = unshare_document.subject_id
    for update;
  if v_existing is null then
    return false;
  end if;
  if v_existing > v_mine then
    raise exception 'You cannot remove someone above you' using errcode = 'DNIED';
  end if;
  if exists (select 1 from app_public.documents d
             where d.id = unshare_document.document_id and d.owner_id = unshare_document.subject_id) then
    raise exception 'The creator of a document keeps ownership' using errcode = 'LASTO';
  end if;
  if v_existing = 'owner' and not exists (
    select 1 from app_public.document_acl a
    where a.document_id = unshare_document.document_id and a.role = 'owner'
      and a.subject_id <> unshare_document.subject_id
  ) then
    raise exception 'A document must keep an owner' using errcode = 'LASTO';
  end if;
  delete from app_public.document_acl a
    where a.document_id = unshare_document.document_id and a.subject_id = unshare_document.subject_id;
  return true;
end;
$$;
comment on function app_public.unshare_document(uuid, uuid) is
  'Remove a user''s or group''s access to a document you manage (or your own access).';
grant execute on function app_public.share_document(uuid, uuid, app_public.access_level),
  app_public.unshare_document(uuid, uuid) to app_user;

-- The list-objects form, and the fast way to list documents: newest first, keyset-paginated.
-- Security definer: it applies exactly the documents select_acl rule (an ACL row for one of
-- the caller's principals; the creator always has one) once, from the ACL side, instead of
-- letting RLS re-check every returned row against the same ACL (bench:rls: 1.6x -> ~1x).
-- It answers only for the caller and returns nothing without a live session.
create function app_public.visible_documents(
  min_role app_public.access_level default 'viewer',
  before_created_at timestamptz default null,
  before_id uuid default null,
  max_rows int default 20
) returns setof app_public.documents
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_principals uuid[] := app_hidden.current_principals();
  v_limit int := least(greatest(coalesce(max_rows, 20), 1), 100);
begin
  return query
    with page as (
      select distinct c.document_id, c.document_created_at
      from unnest(v_principals) as p(subject_id)
      cross join lateral (
        select a.document_id, a.document_created_at
        from app_public.document_acl a
        where a.subject_id = p.subject_id
          and a.role >= coalesce(min_role, 'viewer')
          and (a.document_created_at, a.document_id)
            < (coalesce(before_created_at, 'infinity'), coalesce(before_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))
        order by a.document_created_at desc, a.document_id desc
        limit v_limit
      ) c
      order by c.document_created_at desc, c.document_id desc
      limit v_limit
    )
    select d.* from page join app_public.documents d on d.id = page.document_id
    order by page.document_created_at desc, page.document_id desc;
end;
$$;
comment on function app_public.visible_documents(app_public.access_level, timestamptz, uuid, int) is
  'Documents you hold at least min_role on (directly or through groups), newest first. Page with before_created_at/before_id of the last row; at most 100 rows.';
grant execute on function app_public.visible_documents(app_public.access_level, timestamptz, uuid, int)
  to app_user, bot;

--! split: 2200-user-access.sql
-- Who may see and change which user: self, users you were given rights over, admins.
-- user_acl gives a subject (user or group) owner/manager/viewer rights over another user's
-- record (a team lead over their reports). Only admins write it. Users can change only
-- their display name; email, is_bot and disabled_at are not updatable by them (A4).

create table app_public.user_acl (
  user_id uuid not null references app_public.users on delete cascade,
  subject_id uuid not null,
  role app_public.access_level not null,
  granted_by uuid default app_hidden.claimed_user_id(),
  granted_at timestamptz not null default now(),
  primary key (user_id, subject_id)
);
create index user_acl_subject_idx on app_public.user_acl (subject_id, user_id) include (role);
comment on table app_public.user_acl is E'@behavior -query:resource:connection\nA subject''s rights over another user''s record.';

-- Security definer: reads user_acl rows regardless of user_acl's policies.
create function app_hidden.has_user_role(p_user_id uuid, p_role app_public.access_level) returns boolean
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
begin
  return exists (
    select 1 from app_public.user_acl ua
    where ua.user_id = p_user_id and ua.subject_id = any (app_hidden.current_principals()) and ua.role >= p_role);
end;
$$;
comment on function app_hidden.has_user_role(uuid, app_public.access_level) is
  'Whether the caller holds at least p_role over the user''s record.';
grant execute on function app_hidden.has_user_role(uuid, app_public.access_level) to app_user, bot;

alter table app_public.user_acl enable row level security;
alter table app_public.user_acl force row level security;
create policy select_involved on app_public.user_acl for select to app_user
  using (
    subject_id = any ((select app_hidden.current_principals())::uuid[])
    or user_id = (select app_hidden.current_user_id())
    or (select app_hidden.current_app_role()) = 'admin'
  );
create policy write_admin on app_public.user_acl to admin
  using ((select app_hidden.current_app_role()) = 'admin')
  with check ((select app_hidden.current_app_role()) = 'admin');
create policy definer_all on app_public.user_acl to :DATABASE_OWNER using (true) with check (true);
grant select on app_public.user_acl to app_user;
grant insert (user_id, subject_id, role), update (role), delete on app_public.user_acl to admin;
create trigger _900_audit after insert or update or delete on app_public.user_acl
  for each row execute function app_private.tg__audit('user_id', 'subject_id');

create policy select_self on app_public.users for select to app_user, bot
  using (id = (select app_hidden.current_user_id()));
create policy select_managed on app_public.users for select to app_user
  using (exists (
    select 1 from app_public.user_acl ua
    where ua.user_id = users.id and ua.subject_id = any ((select app_hidden.current_principals())::uuid[])
  ));
create policy select_admin on app_public.users for select to admin
  using ((select app_hidden.current_app_role()) = 'admin');
create policy update_self on app_public.users for update to app_user
  using (id = (select app_hidden.current_user_id()));
create policy update_managed on app_public.users for update to app_user
  using (exists (
    select 1 from app_public.user_acl ua
    where ua.user_id = users.id and ua.subject_id = any ((select app_hidden.current_principals())::uuid[])
      and ua.role >= 'manager'
  ));
create policy update_admin on app_public.users for update to admin
  using ((select app_hidden.current_app_role()) = 'admin');
grant select on app_public.users to anonymous, app_user, bot;
grant update (display_name) on app_public.users to app_user;
grant update (disabled_at) on app_public.users to admin;

create function app_public."current_user"() returns app_public.users
  language sql stable
as $$
  select u.* from app_public.users u where u.id = app_hidden.current_user_id()
$$;
comment on function app_public."current_user"() is 'You, or null when not signed in.';
grant execute on function app_public."current_user"() to anonymous, app_user, bot;

--! split: 3000-auth-config.sql
-- Authentication settings: one row, changed by a DBA in a migration or with
--   update app_private.auth_config set bcrypt_cost = 13;
-- Threat model: nothing here is readable by request roles; refresh_secret keys the HMAC
-- that derives each rotated refresh token from its parent (see 3300-sessions-api.sql).

create table app_private.auth_config (
  id boolean primary key default true check (id),
  bcrypt_cost int not null default 12 check (bcrypt_cost between 10 and 16),
  password_min_length int not null default 10 check (password_min_length >= 8),
  account_max_failures int not null default 5,
  account_lock_max interval not null default '15 minutes',
  failure_window interval not null default '15 minutes',
  ip_max_failures int not null default 50,
  session_absolute interval not null default '30 days',
  session_idle interval not null default '7 days',
  refresh_grace interval not null default '30 seconds',
  max_sessions_per_user int not null default 10 check (max_sessions_per_user >= 1),
  refresh_secret bytea not null default public.gen_random_bytes(32)
);
insert into app_private.auth_config default values;
comment on table app_private.auth_config is 'Single-row authentication settings (bcrypt cost, limits, lifetimes).';
comment on column app_private.auth_config.account_lock_max is 'Upper bound of an account lockout (C7): the real user is delayed, never locked out for good.';
comment on column app_private.auth_config.refresh_grace is 'How long the immediate predecessor of a refresh token still answers (with the same successor).';
alter table app_private.auth_config enable row level security;
alter table app_private.auth_config force row level security;
create policy definer_all on app_private.auth_config to :DATABASE_OWNER using (true) with check (true);

create table app_private.ip_login_failures (
  ip inet primary key,
  window_start timestamptz not null default now(),
  failures int not null default 0
);
comment on table app_private.ip_login_failures is 'Failed logins per client address in the current window (C6); shared by every server instance.';
alter table app_private.ip_login_failures enable row level security;
alter table app_private.ip_login_failures force row level security;
create policy definer_all on app_private.ip_login_failures to :DATABASE_OWNER using (true) with check (true);

--! split: 3100-passwords.sql
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

-- Counts a failed password check for an account; from account_max_failures on, locks it
-- with exponential back-off capped at account_lock_max, so the owner is delayed but never
-- locked out for good (C7). Shared by login and change_password.
create function app_private.record_password_failure(p_user_id uuid) returns void
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v app_private.user_secrets;
begin
  update app_private.user_secrets s set
    failed_attempts = case when s.first_failed_at > now() - c.failure_window then s.failed_attempts + 1 else 1 end,
    first_failed_at = case when s.first_failed_at > now() - c.failure_window then s.first_failed_at else now() end
    where s.user_id = p_user_id
    returning * into v;
  if v.failed_attempts >= c.account_max_failures then
    update app_private.user_secrets set locked_until = now() + least(
        c.account_lock_max, interval '1 minute' * power(2, least(v.failed_attempts - c.account_max_failures, 10)))
      where user_id = p_user_id;
  end if;
end;
$$;

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
-- counts a wrong one as a failed login (with the same lockout), and revokes every other
-- session of the user.
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
  select s.password_hash into v_hash from app_private.user_secrets s
    where s.user_id = v_user and coalesce(s.locked_until, '-infinity') <= now() for update;
  -- A locked account is refused without checking, like login: a stolen session cannot
  -- brute-force the current password (C6).
  if v_hash is null or v_hash <> public.crypt(app_private.password_input(coalesce(p_old, '')), v_hash) then
    perform app_private.record_password_failure(v_user);
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

--! split: 3200-login.sql
-- Sessions API: login, refresh, logout, session management. Called by the edge's GraphQL
-- mutations (proxy/graphql/auth-plugin.ts) with the request's own role; returns outcomes as
-- rows instead of raising, so failure counters, lockouts and reuse revocations commit even
-- though the request fails (C5, F2, K2).
-- Refresh tokens: 32 random bytes, base64url; only SHA-256 hashes are stored (F1). A rotated
-- token's successor is HMAC(refresh_secret, token), so a retry of the same token inside the
-- grace window gets the same successor (F3: parallel tabs converge; L2: a lost response is
-- recoverable) without ever storing a token.

create type app_hidden.auth_result as (
  error text,
  user_id uuid,
  session_id uuid,
  role text,
  refresh_token text,
  session_expires_at timestamptz
);
comment on type app_hidden.auth_result is 'error is NULL on success, else a registered code (CREDS, RATEL, TOKEN, REUSE).';

create function app_private.token_hash(p_token text) returns bytea
  language sql immutable
  set search_path = pg_catalog, pg_temp
as $$
  select public.digest(convert_to(p_token, 'UTF8'), 'sha256')
$$;

create function app_private.successor_token(p_token text) returns text
  language sql stable
  set search_path = pg_catalog, pg_temp
as $$
  select rtrim(translate(encode(public.hmac(convert_to(p_token, 'UTF8'), c.refresh_secret, 'sha256'), 'base64'), '+/', '-_'), '=')
  from app_private.auth_config c
$$;
comment on function app_private.successor_token(text) is 'The deterministic successor of a refresh token (HMAC-SHA256 under refresh_secret).';

-- Creates a session and its first refresh token; evicts the oldest sessions over the limit.
create function app_private.start_session(p_user uuid, p_ip inet, p_user_agent text) returns app_hidden.auth_result
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_token text := rtrim(translate(encode(public.gen_random_bytes(32), 'base64'), '+/', '-_'), '=');
  v_session app_private.sessions;
begin
  insert into app_private.sessions (user_id, expires_at, user_agent, ip)
    values (p_user, now() + c.session_absolute, left(p_user_agent, 512), p_ip)
    returning * into v_session;
  insert into app_private.refresh_tokens (session_id, token_hash, expires_at)
    values (v_session.id, app_private.token_hash(v_token), least(now() + c.session_idle, v_session.expires_at));
  update app_private.sessions set revoked_at = now(), revoked_reason = 'evicted'
    where id in (select s.id from app_private.sessions s
                 where s.user_id = p_user and s.revoked_at is null and s.expires_at > now()
                 order by s.created_at desc offset c.max_sessions_per_user);
  return row(null, p_user, v_session.id, app_hidden.user_role(p_user), v_token, v_session.expires_at)::app_hidden.auth_result;
end;
$$;

-- Security definer: reads password hashes and writes counters. Never raises for bad
-- credentials: the failure must commit. Unknown email, wrong password, no password and a
-- locked account all answer CREDS after the same bcrypt work (C3, C4, C7).
create function app_hidden.login(p_email text, p_password text, p_ip inet, p_user_agent text)
returns app_hidden.auth_result
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_user app_public.users;
  v_secret app_private.user_secrets;
  v_ip app_private.ip_login_failures;
  v_ok boolean := false;
  -- An unknown address shares one bucket instead of escaping the per-address limit.
  v_addr inet := coalesce(p_ip, '0.0.0.0'::inet);
begin
  select * into v_ip from app_private.ip_login_failures where ip = v_addr for update;
  if v_ip.failures >= c.ip_max_failures and v_ip.window_start > now() - c.failure_window then
    perform app_private.write_audit('login_rate_limited', null, null, null, null, jsonb_build_object('ip', p_ip::text));
    return row('RATEL', null, null, null, null, null)::app_hidden.auth_result;
  end if;

  select * into v_user from app_public.users where email operator(public.=) p_email::public.citext and disabled_at is null;
  if found then
    select * into v_secret from app_private.user_secrets where user_id = v_user.id for update;
  end if;
  if v_secret.password_hash is not null and coalesce(v_secret.locked_until, '-infinity') <= now() then
    v_ok := v_secret.password_hash = public.crypt(app_private.password_input(coalesce(p_password, '')), v_secret.password_hash);
  else
    -- Same work as a real check, so timing does not tell the cases apart.
    perform public.crypt(app_private.password_input(coalesce(p_password, '')), public.gen_salt('bf', c.bcrypt_cost));
  end if;

  if not v_ok then
    insert into app_private.ip_login_failures as f (ip, failures) values (v_addr, 1)
      on conflict (ip) do update set
        failures = case when f.window_start > now() - c.failure_window then f.failures + 1 else 1 end,
        window_start = case when f.window_start > now() - c.failure_window then f.window_start else now() end;
    if v_secret.user_id is not null then
      perform app_private.record_password_failure(v_secret.user_id);
    end if;
    perform app_private.write_audit('login_failed', 'app_public.users', v_user.id::text, null, null,
      jsonb_build_object('ip', p_ip::text));
    return row('CREDS', null, null, null, null, null)::app_hidden.auth_result;
  end if;

  update app_private.user_secrets set failed_attempts = 0, first_failed_at = null, locked_until = null,
    -- Upgrade hashes made at a lower cost than configured (C1).
    password_hash = case when app_private.bcrypt_cost_of(password_hash) < c.bcrypt_cost
                         then app_private.hash_password(p_password) else password_hash end
    where user_id = v_user.id;
  perform app_private.write_audit('login', 'app_public.users', v_user.id::text, null, null, jsonb_build_object('ip', p_ip::text));
  return app_private.start_session(v_user.id, p_ip, p_user_agent);
end;
$$;
comment on function app_hidden.login(text, text, inet, text) is
  'Password sign-in. Returns error CREDS (any bad credential) or RATEL (address throttled), else a new session and refresh token.';
grant execute on function app_hidden.login(text, text, inet, text) to anonymous, app_user, bot;

--! split: 3300-refresh.sql
-- Refresh, logout and session management (see 3200-login.sql for the token scheme).
-- Rules: a token is valid while it is the newest of a live session's family and not past
-- its idle expiry nor the session's absolute expiry (D7). Presenting the immediate
-- predecessor of the newest token within refresh_grace returns that same newest token
-- (F3, F5). Presenting any other used token revokes the whole family and commits (F2); a
-- revoked family never comes back (F4). Row locks wait at most lock_timeout (F6): the edge
-- answers 503 and the client keeps its cookie.

-- Security definer: reads and rotates refresh tokens in app_private.
-- p_session_id: for cookie requests, the session the CSRF token is bound to; a refresh
-- token of any other session is refused untouched (D2).
create function app_hidden.refresh(p_token text, p_ip inet, p_user_agent text, p_session_id uuid default null)
returns app_hidden.auth_result
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  set lock_timeout = '3s'
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_rt app_private.refresh_tokens;
  v_child app_private.refresh_tokens;
  v_session app_private.sessions;
  v_next text;
begin
  if p_token is null or p_token !~ '^[A-Za-z0-9_-]{43}$' then
    return row('TOKEN', null, null, null, null, null)::app_hidden.auth_result;
  end if;
  select * into v_rt from app_private.refresh_tokens where token_hash = app_private.token_hash(p_token) for update;
  if not found or v_rt.session_id is distinct from coalesce(p_session_id, v_rt.session_id) then
    return row('TOKEN', null, null, null, null, null)::app_hidden.auth_result;
  end if;
  select * into v_session from app_private.sessions where id = v_rt.session_id for update;
  if v_session.revoked_at is not null or v_session.expires_at <= now() or v_rt.revoked_at is not null
     or exists (select 1 from app_public.users u where u.id = v_session.user_id and u.disabled_at is not null) then
    return row('TOKEN', null, null, null, null, null)::app_hidden.auth_result;
  end if;
  v_next := app_private.successor_token(p_token);

  if v_rt.rotated_at is null then
    if v_rt.expires_at <= now() then
      return row('TOKEN', null, null, null, null, null)::app_hidden.auth_result;
    end if;
    update app_private.refresh_tokens set rotated_at = now() where id = v_rt.id;
    insert into app_private.refresh_tokens (session_id, token_hash, parent_id, expires_at)
      values (v_session.id, app_private.token_hash(v_next), v_rt.id, least(now() + c.session_idle, v_session.expires_at));
    update app_private.sessions set last_used_at = now(), ip = coalesce(p_ip, ip) where id = v_session.id;
    return row(null, v_session.user_id, v_session.id, app_hidden.user_role(v_session.user_id), v_next, v_session.expires_at)::app_hidden.auth_result;
  end if;

  select * into v_child from app_private.refresh_tokens where parent_id = v_rt.id;
  if v_rt.rotated_at > now() - c.refresh_grace and v_child.rotated_at is null and v_child.revoked_at is null
     and v_child.expires_at > now() then
    -- A concurrent or retried refresh of the same token: converge on the same successor.
    return row(null, v_session.user_id, v_session.id, app_hidden.user_role(v_session.user_id), v_next, v_session.expires_at)::app_hidden.auth_result;
  end if;

  -- Reuse of a rotated token: assume theft and end the whole family.
  update app_private.sessions set revoked_at = now(), revoked_reason = 'refresh_token_reuse' where id = v_session.id;
  update app_private.refresh_tokens set revoked_at = now() where session_id = v_session.id and revoked_at is null;
  perform app_private.write_audit('refresh_token_reuse', null, v_session.id::text, null, null,
    jsonb_build_object('user_id', v_session.user_id, 'ip', p_ip::text));
  return row('REUSE', null, null, null, null, null)::app_hidden.auth_result;
end;
$$;
comment on function app_hidden.refresh(text, inet, text, uuid) is
  'Rotates a refresh token. Errors: TOKEN (unknown, expired or revoked), REUSE (family revoked).';
grant execute on function app_hidden.refresh(text, inet, text, uuid) to anonymous, app_user, bot;

-- Security definer: revokes sessions in app_private. Ends the session of the access token
-- (if any) and the family of the refresh token presented (if any, and for cookie requests
-- only if it belongs to the CSRF token's session).
create function app_hidden.logout(p_refresh_token text, p_session_id uuid default null) returns boolean
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_ids uuid[];
begin
  with ended as (
    update app_private.sessions s set revoked_at = now(), revoked_reason = 'logout'
    where s.revoked_at is null and (
      (s.id = app_hidden.current_session_id() and s.user_id = app_hidden.claimed_user_id())
      or s.id = (select rt.session_id from app_private.refresh_tokens rt where rt.token_hash = app_private.token_hash(p_refresh_token)
                 and rt.session_id = coalesce(p_session_id, rt.session_id)))
    returning s.id
  ) select array_agg(id) into v_ids from ended;
  update app_private.refresh_tokens set revoked_at = now() where session_id = any (v_ids) and revoked_at is null;
  if v_ids is not null then
    perform app_private.write_audit('logout', null, array_to_string(v_ids, ','), null, null);
  end if;
  return v_ids is not null;
end;
$$;
comment on function app_hidden.logout(text, uuid) is 'Revokes the current session (and the refresh token''s). True if something was revoked.';
grant execute on function app_hidden.logout(text, uuid) to anonymous, app_user, bot;

-- Security definer: revokes the caller's sessions.
create function app_hidden.revoke_sessions(p_session_id uuid, p_all_others boolean) returns int
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_user uuid := app_hidden.current_user_id();
  v_n int;
begin
  if v_user is null then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  update app_private.sessions s set revoked_at = now(), revoked_reason = 'revoked_by_user'
    where s.user_id = v_user and s.revoked_at is null
      and (case when p_all_others then s.id <> app_hidden.current_session_id() else s.id = p_session_id end);
  get diagnostics v_n = row_count;
  perform app_private.write_audit('sessions_revoked', 'app_public.users', v_user::text, null, null, jsonb_build_object('count', v_n));
  return v_n;
end;
$$;
comment on function app_hidden.revoke_sessions(uuid, boolean) is
  'Revokes one of your sessions by id, or all but the current one. Returns how many.';
grant execute on function app_hidden.revoke_sessions(uuid, boolean) to app_user, bot;

create type app_public.session_info as (
  id uuid,
  created_at timestamptz,
  last_used_at timestamptz,
  expires_at timestamptz,
  user_agent text,
  ip text,
  is_current boolean
);
comment on type app_public.session_info is 'One of your active sign-ins.';

-- Security definer: lists the caller's own live sessions from app_private.
create function app_public.my_sessions() returns setof app_public.session_info
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
  select s.id, s.created_at, s.last_used_at, s.expires_at, s.user_agent, host(s.ip), s.id = app_hidden.current_session_id()
  from app_private.sessions s
  where s.user_id = app_hidden.current_user_id() and s.revoked_at is null and s.expires_at > now()
  order by s.last_used_at desc
$$;
comment on function app_public.my_sessions() is 'Your active sessions, most recently used first.';
grant execute on function app_public.my_sessions() to app_user, bot;

--! split: 4000-oauth.sql
-- Sign-in with OAuth/OIDC providers: one function links or registers an identity, plus
-- unlinking, listing, and the bookkeeping of the provider-token refresh job.
-- Threat model: identities are keyed by (issuer, subject) and never matched by email (H1);
-- linking needs the caller's live session (the edge also binds the OAuth state to that
-- session and intent: H2); the last way to sign in cannot be removed, a provider account
-- belongs to one user and a user has one account per provider (H5). Provider tokens arrive
-- already encrypted by the edge (AES-256-GCM, key id, AAD = issuer|subject|column: H3).

comment on column app_private.user_identity_tokens.refresh_lease_until is
  'While in the future, one server instance is refreshing this token; others skip it.';

create type app_hidden.oauth_result as (
  error text,
  user_id uuid,
  session_id uuid,
  role text,
  refresh_token text,
  session_expires_at timestamptz,
  identity_id uuid
);
comment on type app_hidden.oauth_result is
  'error is NULL on success, else EMCOL (email belongs to another account), IDLNK (provider account linked to another user), PRVLN (you already linked this provider), LOGIN, DSBLD.';

-- Security definer: creates users, identities and sessions and writes app_private. With
-- p_link the identity is attached to the caller's live session user and no session is
-- started; otherwise the identity signs in (or registers a new, password-less user).
-- Outcomes are returned, not raised, so the audit rows of rejected attempts commit (K2).
create function app_hidden.oauth_sign_in(
  p_provider text, p_issuer text, p_subject text, p_email text, p_profile jsonb, p_link boolean,
  p_key_id text, p_access_enc bytea, p_refresh_enc bytea, p_expires_at timestamptz,
  p_ip inet, p_user_agent text
) returns app_hidden.oauth_result
  language plpgsql volatile security definer
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

  insert into app_private.user_identity_tokens as t (identity_id, key_id, access_token_enc, refresh_token_enc, access_token_expires_at)
    values (v_identity.id, coalesce(p_key_id, ''), p_access_enc, p_refresh_enc, p_expires_at)
    on conflict (identity_id) do update set key_id = excluded.key_id, access_token_enc = excluded.access_token_enc,
      refresh_token_enc = coalesce(excluded.refresh_token_enc, t.refresh_token_enc),
      access_token_expires_at = excluded.access_token_expires_at, refresh_attempts = 0, last_refresh_error = null,
      refresh_lease_until = null, updated_at = now();

  if p_link then
    perform app_private.write_audit('oauth_linked', 'app_public.user_identities', v_identity.id::text, null, null, v_detail);
    return row(null, v_user, app_hidden.current_session_id(), app_hidden.user_role(v_user), null, null, v_identity.id)::app_hidden.oauth_result;
  end if;
  perform app_private.write_audit('oauth_sign_in', 'app_public.user_identities', v_identity.id::text, null, null, v_detail);
  v_session := app_private.start_session(v_user, p_ip, p_user_agent);
  return row(null, v_session.user_id, v_session.session_id, v_session.role, v_session.refresh_token,
             v_session.session_expires_at, v_identity.id)::app_hidden.oauth_result;
end;
$$;
comment on function app_hidden.oauth_sign_in(text, text, text, text, jsonb, boolean, text, bytea, bytea, timestamptz, inet, text) is
  'Signs in with (issuer, subject), registering a password-less user when new, or links it to your session (p_link).';
grant execute on function app_hidden.oauth_sign_in(text, text, text, text, jsonb, boolean, text, bytea, bytea, timestamptz, inet, text)
  to anonymous, app_user, bot;

-- Security definer: records a callback the edge rejected before reaching the database
-- (bad state, wrong issuer, provider error) in the append-only audit log (K2).
create function app_hidden.oauth_rejected(p_provider text, p_reason text, p_ip inet) returns void
  language sql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
  select app_private.write_audit('oauth_rejected', null, null, null, null,
    jsonb_build_object('provider', left(p_provider, 40), 'reason', left(p_reason, 40), 'ip', p_ip::text))
$$;
comment on function app_hidden.oauth_rejected(text, text, inet) is 'Audit a rejected OAuth callback.';
grant execute on function app_hidden.oauth_rejected(text, text, inet) to anonymous, app_user, bot;

-- Security definer: reads password hashes and identities to enforce "not the last way in".
create function app_public.unlink_provider(provider text) returns boolean
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_me uuid := app_hidden.current_user_id();
  v_id uuid;
begin
  if v_me is null then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  select i.id into v_id from app_public.user_identities i where i.user_id = v_me and i.provider = unlink_provider.provider for update;
  if v_id is null then
    raise exception 'No such linked provider' using errcode = 'NTFND';
  end if;
  if not exists (select 1 from app_private.user_secrets s where s.user_id = v_me and s.password_hash is not null)
     and not exists (select 1 from app_public.user_identities i where i.user_id = v_me and i.id <> v_id) then
    raise exception 'This is your last way to sign in' using errcode = 'LASTM';
  end if;
  delete from app_public.user_identities where id = v_id;
  perform app_private.write_audit('oauth_unlinked', 'app_public.user_identities', v_id::text, null, null,
    jsonb_build_object('provider', unlink_provider.provider));
  return true;
end;
$$;
comment on function app_public.unlink_provider(text) is
  'Unlink a sign-in provider from your account. Refused (LASTM) if it is your last way to sign in.';
grant execute on function app_public.unlink_provider(text) to app_user;

create type app_public.identity_info as (
  provider text,
  email text,
  linked_at timestamptz,
  token_expires_at timestamptz
);
comment on type app_public.identity_info is 'A sign-in provider linked to your account.';

-- Security definer: joins the token expiry from app_private; only the caller's rows.
create function app_public.my_identities() returns setof app_public.identity_info
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
  select i.provider, i.email::text, i.created_at, t.access_token_expires_at
  from app_public.user_identities i
  left join app_private.user_identity_tokens t on t.identity_id = i.id
  where i.user_id = app_hidden.current_user_id()
  order by i.created_at
$$;
comment on function app_public.my_identities() is 'Your linked sign-in providers.';
grant execute on function app_public.my_identities() to app_user;

-- The refresh job (role bot): lease due tokens with SKIP LOCKED so that several server
-- instances never work on the same token; at most 3 attempts per token.
create type app_hidden.due_provider_token as (
  identity_id uuid, provider text, issuer text, subject text, key_id text, refresh_token_enc bytea, refresh_attempts int
);

-- Security definer: reads encrypted refresh tokens (still ciphertext) for the job.
create function app_hidden.lease_provider_tokens(p_limit int, p_ahead interval) returns setof app_hidden.due_provider_token
  language sql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
  with due as (
    select t.identity_id from app_private.user_identity_tokens t
    where t.refresh_token_enc is not null and t.refresh_attempts < 3
      and t.access_token_expires_at < now() + p_ahead
      and (t.refresh_lease_until is null or t.refresh_lease_until < now())
    order by t.access_token_expires_at
    limit least(p_limit, 100)
    for update skip locked
  ), leased as (
    update app_private.user_identity_tokens t set refresh_lease_until = now() + interval '2 minutes'
    from due where t.identity_id = due.identity_id
    returning t.*
  )
  select l.identity_id, i.provider, i.issuer, i.subject, l.key_id, l.refresh_token_enc, l.refresh_attempts
  from leased l join app_public.user_identities i on i.id = l.identity_id
$$;

-- Security definer: stores renewed (encrypted) tokens, or records a failed attempt.
create function app_hidden.finish_provider_token_refresh(
  p_identity_id uuid, p_error text, p_key_id text, p_access_enc bytea, p_refresh_enc bytea, p_expires_at timestamptz
) returns void
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
begin
  if p_error is null then
    update app_private.user_identity_tokens set key_id = p_key_id, access_token_enc = p_access_enc,
      refresh_token_enc = coalesce(p_refresh_enc, refresh_token_enc), access_token_expires_at = p_expires_at,
      refresh_attempts = 0, last_refresh_error = null, refresh_lease_until = null, refreshed_at = now(), updated_at = now()
      where identity_id = p_identity_id;
  else
    update app_private.user_identity_tokens set refresh_attempts = refresh_attempts + 1,
      last_refresh_error = left(p_error, 500), refresh_lease_until = null, updated_at = now()
      where identity_id = p_identity_id;
    perform app_private.write_audit('provider_token_refresh_failed', 'app_public.user_identities', p_identity_id::text,
      null, null, jsonb_build_object('error', left(p_error, 200)));
  end if;
end;
$$;
grant execute on function app_hidden.lease_provider_tokens(int, interval),
  app_hidden.finish_provider_token_refresh(uuid, text, text, bytea, bytea, timestamptz) to bot;
comment on function app_hidden.lease_provider_tokens(int, interval) is 'For the refresh job: lease up to p_limit tokens expiring within p_ahead.';
comment on function app_hidden.finish_provider_token_refresh(uuid, text, text, bytea, bytea, timestamptz) is
  'For the refresh job: store renewed tokens, or count a failed attempt (3 at most).';
