-- Authentication settings and the durable counters that enforce them.
-- Threat model: every setting in app_private.auth_config must be read by the code it names
-- (a setting that exists must work; test/db/auth_config.sql changes each one and watches the
-- behaviour change). Registration gets the same kind of limits as login: per address and
-- globally, counted in tables shared by every server instance (hardening item 8: one address
-- created 55 accounts in 25 s, each a bcrypt hash).

alter table app_private.auth_config
  add column if not exists register_window interval not null default '1 hour',
  add column if not exists register_max_per_ip int not null default 20,
  add column if not exists register_max_global int not null default 1000;
do $$ begin
  if not exists (select 1 from pg_constraint where conname = 'auth_config_register_limits_check') then
    alter table app_private.auth_config add constraint auth_config_register_limits_check
      check (register_max_per_ip >= 1 and register_max_global >= 1 and register_window > interval '0');
  end if;
end $$;

comment on column app_private.auth_config.bcrypt_cost is
  'bcrypt cost of new hashes, and of the dummy check for unknown accounts; lower hashes are upgraded on the next login (C1).';
comment on column app_private.auth_config.password_min_length is
  'Shortest accepted password, in characters (never under 8); checked by register and change_password.';
comment on column app_private.auth_config.account_max_failures is
  'Failed password checks of one account within failure_window that lock it (C6).';
comment on column app_private.auth_config.account_lock_max is
  'Upper bound of one account lock (C7). Locks start at 1 minute and double while an attack goes on; they are never renewed by attempts made during the lock.';
comment on column app_private.auth_config.failure_window is
  'Window in which failures are counted, per account and per address; also how soon a new lock counts as the same attack (and so lasts longer).';
comment on column app_private.auth_config.ip_max_failures is
  'Failed logins per client address within failure_window before the address gets RATEL (C6).';
comment on column app_private.auth_config.session_absolute is
  'Absolute lifetime of a session, however often it is refreshed (D7).';
comment on column app_private.auth_config.session_idle is
  'Lifetime of each refresh token: a session unused for this long ends (D7).';
comment on column app_private.auth_config.refresh_grace is
  'How long the immediate predecessor of a refresh token still answers (with the same successor).';
comment on column app_private.auth_config.max_sessions_per_user is
  'Live sessions per user; signing in again evicts the oldest beyond this.';
comment on column app_private.auth_config.refresh_secret is
  'HMAC key deriving each rotated refresh token from its parent (F3). Changing it breaks only retries inside refresh_grace.';
comment on column app_private.auth_config.register_window is 'Window of the registration limits.';
comment on column app_private.auth_config.register_max_per_ip is
  'Accounts one client address may register within register_window (RATEL beyond).';
comment on column app_private.auth_config.register_max_global is
  'Accounts everyone together may register within register_window: a ceiling on bcrypt work and sign-up floods.';

-- Counters. Same shape and discipline as ip_login_failures: read without locks before the
-- bcrypt work, then counted with one atomic upsert, so no row lock is held during a hash.
create table if not exists app_private.ip_registrations (
  ip inet primary key,
  window_start timestamptz not null default now(),
  registrations int not null default 0
);
comment on table app_private.ip_registrations is 'Accounts registered per client address in the current register_window.';
alter table app_private.ip_registrations enable row level security;
alter table app_private.ip_registrations force row level security;
drop policy if exists definer_all on app_private.ip_registrations;
create policy definer_all on app_private.ip_registrations to :DATABASE_OWNER using (true) with check (true);

create table if not exists app_private.registration_totals (
  id boolean primary key default true check (id),
  window_start timestamptz not null default now(),
  registrations int not null default 0
);
comment on table app_private.registration_totals is 'Accounts registered by everyone in the current register_window (one row).';
insert into app_private.registration_totals default values on conflict do nothing;
alter table app_private.registration_totals enable row level security;
alter table app_private.registration_totals force row level security;
drop policy if exists definer_all on app_private.registration_totals;
create policy definer_all on app_private.registration_totals to :DATABASE_OWNER using (true) with check (true);
