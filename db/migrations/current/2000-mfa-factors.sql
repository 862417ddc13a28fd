-- Second factors (issue 10): one row per factor of any kind; each kind keeps its secret
-- material in its own app_private side table keyed by factor_id (TOTP secret, phone number,
-- WebAuthn credential). A factor counts for sign-in once status = 'active'.
create table if not exists app_private.mfa_factors (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references app_public.users (id) on delete cascade,
  kind text not null constraint mfa_factors_kind_check check (kind in ('totp', 'sms', 'webauthn')),
  friendly_name text constraint mfa_factors_friendly_name_check check (length(friendly_name) <= 100),
  status text not null default 'unverified' constraint mfa_factors_status_check check (status in ('unverified', 'active')),
  created_at timestamptz not null default now(),
  last_used_at timestamptz
);
create index if not exists mfa_factors_user_id_idx on app_private.mfa_factors (user_id);
create index if not exists mfa_factors_active_idx on app_private.mfa_factors (user_id) where status = 'active';
call app_private.enable_rls('app_private.mfa_factors');
comment on table app_private.mfa_factors is 'Second factors of every kind (totp, sms, webauthn); secrets live in per-kind side tables keyed by factor_id.';
