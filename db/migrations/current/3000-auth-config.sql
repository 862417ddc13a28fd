-- Authentication settings: one row, changed by a DBA in a migration or with
--   update app_private.auth_config set bcrypt_cost = 13;
-- Threat model: nothing here is readable by request roles; refresh_secret keys the HMAC
-- that derives each rotated refresh token from its parent (see 3300-sessions-api.sql).

-- The current migration is re-run on every edit (db:watch), so it starts from a clean slate.
drop function if exists app_public.my_sessions(), app_hidden.revoke_sessions(uuid, boolean), app_hidden.logout(text),
  app_hidden.refresh(text, inet, text), app_hidden.login(text, text, inet, text),
  app_private.start_session(uuid, inet, text), app_private.successor_token(text), app_private.token_hash(text),
  app_hidden.change_password(text, text), app_hidden.register(text, text, text), app_private.assert_password_ok(text),
  app_private.bcrypt_cost_of(text), app_private.hash_password(text), app_private.password_input(text);
drop type if exists app_public.session_info, app_hidden.auth_result;
drop table if exists app_private.auth_config, app_private.ip_login_failures;

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
