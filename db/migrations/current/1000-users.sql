--! Users and their secrets.
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
