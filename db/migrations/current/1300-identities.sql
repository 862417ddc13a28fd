--! External identities (OAuth/OIDC) and their encrypted provider tokens.
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
  updated_at timestamptz not null default now()
);
comment on table app_private.user_identity_tokens is
  'Provider tokens, encrypted by the edge (AES-GCM, AAD = identity id + column); key_id names the key.';
alter table app_private.user_identity_tokens enable row level security;
alter table app_private.user_identity_tokens force row level security;
create policy definer_all on app_private.user_identity_tokens to :DATABASE_OWNER using (true) with check (true);
