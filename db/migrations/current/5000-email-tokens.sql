-- Email tokens, the mail outbox and their limits (the email feature: proxy/features/email/).
-- Threat model (M1, M5, M7):
-- * A token mailed to a user (verification, password reset, sign-in link, email change) is 32
--   random bytes (256 bits) in base64url; only its SHA-256 is stored (app_private.email_tokens),
--   with one purpose, one user, the address it was sent to, an expiry and a used/revoked mark.
--   Using one voids the user's other outstanding tokens of that purpose; a password change
--   voids every outstanding reset, sign-in and email-change token (5100-email-flows.sql).
-- * Sign-in mails also carry a 6-digit code (20 bits): stored as HMAC-SHA256 under
--   auth_config.email_code_secret bound to its token row, tried at most
--   email_code_max_attempts times per code, with failures also counted per account and per
--   address (email_limits).
-- * Mail is an outbox: app_private.enqueue_mail() adds a graphile-worker job
--   (graphile_worker.add_job) in the transaction of the change that causes it, so a rolled-back
--   request sends nothing and a committed one is sent at least once by the worker
--   (proxy/features/email/worker.ts), with retries, backoff and the last error kept in
--   graphile_worker.jobs. The graphile_worker schema is installed by the worker's own
--   migrations, run as the owner by db:setup (and by the worker at start); request roles and
--   auth_edge have no privilege on it (functions the owner creates are not executable by
--   PUBLIC: 000001's default privileges), so only definer functions here can enqueue.
--   The job payload holds the token until the mail is accepted by SMTP: graphile-worker
--   deletes a job once it succeeds; only the owner can read the queue.

alter table app_private.auth_config
  add column if not exists email_verification_required boolean not null default false,
  add column if not exists email_verify_ttl interval not null default '24 hours',
  add column if not exists email_reset_ttl interval not null default '1 hour',
  add column if not exists email_sign_in_ttl interval not null default '15 minutes',
  add column if not exists email_change_ttl interval not null default '24 hours',
  add column if not exists email_resend_max int not null default 3,
  add column if not exists email_resend_interval interval not null default '60 seconds',
  add column if not exists email_request_window interval not null default '1 hour',
  add column if not exists email_request_max_per_address int not null default 5,
  add column if not exists email_request_max_per_ip int not null default 50,
  add column if not exists email_code_max_attempts int not null default 5,
  add column if not exists email_code_max_failures int not null default 10,
  add column if not exists email_mail_max_attempts int not null default 10,
  add column if not exists email_code_secret bytea not null default public.gen_random_bytes(32);
do $$ begin
  if not exists (select 1 from pg_constraint where conname = 'auth_config_email_check') then
    alter table app_private.auth_config add constraint auth_config_email_check check (
      email_verify_ttl > interval '0' and email_reset_ttl > interval '0' and email_sign_in_ttl > interval '0'
      and email_change_ttl > interval '0' and email_resend_max >= 1 and email_request_max_per_address >= 1
      and email_request_max_per_ip >= 1 and email_code_max_attempts between 1 and 10
      and email_code_max_failures >= 1 and email_mail_max_attempts between 1 and 25
      and length(email_code_secret) >= 32);
  end if;
end $$;
comment on column app_private.auth_config.email_verification_required is
  'When true, an account whose email is unverified can sign in only to verify it: current_user_id() is NULL for it (it sees what anonymous sees), and only resendVerificationEmail, verifyEmail, changeEmail, refresh and logout work.';
comment on column app_private.auth_config.email_verify_ttl is 'Lifetime of an email-verification token (M1).';
comment on column app_private.auth_config.email_reset_ttl is 'Lifetime of a password-reset token (M1).';
comment on column app_private.auth_config.email_sign_in_ttl is 'Lifetime of a sign-in link and its 6-digit code (M1).';
comment on column app_private.auth_config.email_change_ttl is 'Lifetime of an email-change confirmation token (M1).';
comment on column app_private.auth_config.email_resend_max is 'Verification mails one account may ask for again within email_request_window (M5).';
comment on column app_private.auth_config.email_resend_interval is 'Least time between two resent verification mails (M5).';
comment on column app_private.auth_config.email_request_window is 'Window of every email limit (requests, resends, code failures).';
comment on column app_private.auth_config.email_request_max_per_address is
  'Reset, sign-in and email-change requests per target address (known or not) within email_request_window; RATEL beyond (M5).';
comment on column app_private.auth_config.email_request_max_per_ip is 'Email requests and wrong codes per client address within email_request_window (M5).';
comment on column app_private.auth_config.email_code_max_attempts is 'Tries of one 6-digit sign-in code; the code dies at the last wrong one (M5).';
comment on column app_private.auth_config.email_code_max_failures is 'Wrong sign-in codes per account within email_request_window before RATEL (M5).';
comment on column app_private.auth_config.email_mail_max_attempts is 'Delivery attempts of one mail job (graphile-worker backs off exponentially).';
comment on column app_private.auth_config.email_code_secret is 'HMAC key of stored sign-in codes (a 6-digit code hashed alone would be read back from its hash).';

create table if not exists app_private.email_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references app_public.users on delete cascade,
  purpose text not null check (purpose in ('verify_email', 'reset_password', 'sign_in', 'change_email')),
  token_hash bytea not null unique check (length(token_hash) = 32),
  code_hash bytea check (length(code_hash) = 32),
  email public.citext not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz,
  revoked_at timestamptz,
  code_attempts int not null default 0
);
drop index if exists app_private.email_tokens_user_idx;
create index if not exists email_tokens_user_purpose_idx on app_private.email_tokens (user_id, purpose);
comment on table app_private.email_tokens is
  'Mailed tokens, as SHA-256 hashes only (M1): one purpose, one user, the address mailed, single use, expiring.';
comment on column app_private.email_tokens.email is 'The address it was mailed to: verification proves this address (and only while it is still the user''s); email change switches to it.';
comment on column app_private.email_tokens.code_hash is 'sign_in only: HMAC-SHA256(email_code_secret, id || code) of the 6-digit code.';
alter table app_private.email_tokens enable row level security;
alter table app_private.email_tokens force row level security;
drop policy if exists definer_all on app_private.email_tokens;
create policy definer_all on app_private.email_tokens to :DATABASE_OWNER using (true) with check (true);

create table if not exists app_private.email_limits (
  key text primary key check (length(key) <= 400),
  window_start timestamptz not null default now(),
  count int not null default 0,
  last_at timestamptz not null default now()
);
comment on table app_private.email_limits is
  'Counters of email requests, resends and wrong codes, keyed ''<what>:<addr|ip|user>:<value>'', shared by every instance (M5).';
alter table app_private.email_limits enable row level security;
alter table app_private.email_limits force row level security;
drop policy if exists definer_all on app_private.email_limits;
create policy definer_all on app_private.email_limits to :DATABASE_OWNER using (true) with check (true);

-- Counts one more event under p_key unless that would pass p_max within p_window (or come
-- sooner than p_min_gap after the last one): one atomic upsert, so concurrent requests cannot
-- both pass the last slot. Returns true when the event is refused (and not counted).
create or replace function app_private.email_limited(p_key text, p_max int, p_window interval, p_min_gap interval default null)
returns boolean
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_counted boolean;
begin
  insert into app_private.email_limits as l (key, window_start, count, last_at) values (p_key, now(), 1, now())
    on conflict (key) do update set
      count = case when l.window_start > now() - p_window then l.count + 1 else 1 end,
      window_start = case when l.window_start > now() - p_window then l.window_start else now() end,
      last_at = now()
    where not (l.window_start > now() - p_window and l.count >= p_max)
      and (p_min_gap is null or l.last_at <= now() - p_min_gap)
    returning true into v_counted;
  return v_counted is null;
end;
$$;
comment on function app_private.email_limited(text, int, interval, interval) is
  'Counts an event under a key; true (not counted) when it would pass p_max per p_window or come within p_min_gap of the last (M5).';

-- A new token for a purpose; with p_code, a 6-digit code too. Returns the token (and code)
-- in clear once, for the mail; stores hashes only (M1).
create or replace function app_private.new_email_token(
  p_user uuid, p_purpose text, p_email text, p_ttl interval, p_code boolean default false,
  out o_token text, out o_code text)
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_id uuid := public.gen_random_uuid();
begin
  o_token := rtrim(translate(encode(public.gen_random_bytes(32), 'base64'), '+/', '-_'), '=');
  if p_code then
    -- Uniform over 000000-999999: 4 random bytes modulo 10^6 has a bias below 2^-12.
    o_code := lpad(((('x' || encode(public.gen_random_bytes(4), 'hex'))::bit(32)::bigint) % 1000000)::text, 6, '0');
  end if;
  insert into app_private.email_tokens (id, user_id, purpose, token_hash, code_hash, email, expires_at)
    values (v_id, p_user, p_purpose, app_private.token_hash(o_token),
            case when p_code then app_private.email_code_hash(v_id, o_code) end, p_email, now() + p_ttl);
end;
$$;
comment on function app_private.new_email_token(uuid, text, text, interval, boolean) is
  'Creates a mailed token (256 random bits, stored as SHA-256) and optionally a 6-digit code (stored as HMAC); returns them in clear once.';

create or replace function app_private.email_code_hash(p_token_id uuid, p_code text) returns bytea
  language sql stable
  set search_path = pg_catalog, pg_temp
as $$
  select public.hmac(convert_to(p_token_id::text || ':' || coalesce(p_code, ''), 'UTF8'), c.email_code_secret, 'sha256')
  from app_private.auth_config c
$$;
comment on function app_private.email_code_hash(uuid, text) is 'HMAC-SHA256 of a sign-in code bound to its token row (M1).';

-- The token row a presented token names, if it is live and of this purpose; locked, so two
-- concurrent uses of one token cannot both succeed (single use).
create or replace function app_private.live_email_token(p_token text, p_purpose text) returns app_private.email_tokens
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
declare
  v app_private.email_tokens;
begin
  if p_token is null or p_token !~ '^[A-Za-z0-9_-]{43}$' then
    return null;
  end if;
  select * into v from app_private.email_tokens t
    where t.token_hash = app_private.token_hash(p_token) and t.purpose = p_purpose
    for update;
  if not found or v.used_at is not null or v.revoked_at is not null or v.expires_at <= now()
     or exists (select 1 from app_public.users u where u.id = v.user_id and u.disabled_at is not null) then
    return null;
  end if;
  return v;
end;
$$;
comment on function app_private.live_email_token(text, text) is
  'The live token row (unused, unrevoked, unexpired, user enabled) of a purpose, locked; NULL otherwise (M1).';

-- Marks a token used and voids the user's other outstanding tokens of the same purpose (M1).
create or replace function app_private.use_email_token(p_token app_private.email_tokens) returns void
  language sql volatile
  set search_path = pg_catalog, pg_temp
as $$
  update app_private.email_tokens t
    set used_at = case when t.id = p_token.id then now() else t.used_at end,
        revoked_at = case when t.id = p_token.id then t.revoked_at else now() end
    where t.user_id = p_token.user_id and t.purpose = p_token.purpose and t.used_at is null and t.revoked_at is null
$$;
comment on function app_private.use_email_token(app_private.email_tokens) is
  'Single use: marks the token used and revokes the user''s other outstanding tokens of its purpose (M1).';

create or replace function app_private.revoke_email_tokens(p_user uuid, p_purposes text[]) returns void
  language sql volatile
  set search_path = pg_catalog, pg_temp
as $$
  update app_private.email_tokens set revoked_at = now()
    where user_id = p_user and purpose = any (p_purposes) and used_at is null and revoked_at is null
$$;
comment on function app_private.revoke_email_tokens(uuid, text[]) is 'Voids a user''s outstanding tokens of these purposes.';

-- The outbox (M7): one graphile-worker job per mail, in the caller's transaction. The worker
-- renders p_template (proxy/features/email/templates/) with p_data, every value escaped, and
-- builds links as PUBLIC_ORIGIN/auth/email/<data.action>?token=<data.token>.
create or replace function app_private.enqueue_mail(p_template text, p_to text, p_data jsonb default '{}') returns void
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
begin
  if p_template !~ '^[a-z_]{1,40}$' then
    raise exception 'Unknown mail template' using errcode = 'BADRQ';
  end if;
  perform graphile_worker.add_job('send_email',
    json_build_object('template', p_template, 'to', p_to, 'data', coalesce(p_data, '{}'::jsonb)),
    max_attempts => (select c.email_mail_max_attempts from app_private.auth_config c));
end;
$$;
comment on function app_private.enqueue_mail(text, text, jsonb) is
  'Queues one mail (graphile-worker task send_email) in the current transaction: sent at least once after commit, never after rollback (M7).';

-- The session's user whatever the state of its email: the liveness half of current_user_id().
create or replace function app_private.session_user_id() returns uuid
  language plpgsql stable
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
comment on function app_private.session_user_id() is
  'The caller''s user while its session is live and the user enabled, verified or not (for the verify-only calls).';

-- current_user_id() (000001) also requires a verified email while
-- auth_config.email_verification_required is on: an unverified account's session then sees
-- exactly what anonymous sees, in every policy, until it verifies.
create or replace function app_hidden.current_user_id() returns uuid
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
      and u.disabled_at is null
      and (u.email_verified_at is not null
           or not (select c.email_verification_required from app_private.auth_config c)));
end;
$$;
comment on function app_hidden.current_user_id() is
  'The calling user, only while the token''s session is live, the user enabled and (when email_verification_required) the email verified; otherwise NULL.';

-- Housekeeping, run hourly by the mail worker (graphile-worker cron, task email_cleanup):
-- tokens a week past their expiry or use, and limit counters whose window has long passed.
create or replace function app_private.purge_email_state() returns int
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_tokens int;
  v_limits int;
begin
  delete from app_private.email_tokens t
    where greatest(t.expires_at, coalesce(t.used_at, t.revoked_at, t.expires_at)) < now() - interval '7 days';
  get diagnostics v_tokens = row_count;
  delete from app_private.email_limits l where l.window_start < now() - c.email_request_window - interval '1 day';
  get diagnostics v_limits = row_count;
  return v_tokens + v_limits;
end;
$$;
comment on function app_private.purge_email_state() is
  'Deletes email tokens a week past expiry and stale limit counters; run hourly by the mail worker (owner).';
