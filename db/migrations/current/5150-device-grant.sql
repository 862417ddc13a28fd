-- The device authorization grant (RFC 8628; issue 15, Q3). The edge
-- (proxy/features/device/) calls, as auth_edge:
--   device_authorize   POST /auth/device/code: a device code (256 bits) and a user code
--                      (8 letters of BCDFGHJKLMNPQRSTVWXZ), both stored only as hashes;
--   device_lookup      the approval page: which client asks (counts wrong codes);
--   approve_device     the signed-in user approves or denies (GraphQL approveDevice or the
--                      page's CSRF-checked form);
--   device_token       POST /auth/token with the device grant: authorization_pending,
--                      slow_down, access_denied, expired_token, then one session of the
--                      approving user, once (the device code is spent in the same statement).
-- Threat model: user codes are short, so wrong ones are counted per user and per address and
-- refused beyond a limit (guessing); codes expire; the poll interval is enforced here (a
-- poll sooner than the interval after the last one adds 5 s to it, RFC 8628 3.5); a session
-- is started only by the poll that collects it, so its refresh token is never stored; API
-- keys, service accounts and impersonating admins cannot approve (they would mint a full
-- session of the user).

do $$
begin
  if not exists (select 1 from information_schema.columns
                 where table_schema = 'app_private' and table_name = 'auth_config' and column_name = 'device_code_ttl') then
    alter table app_private.auth_config
      add column device_code_ttl interval not null default '10 minutes',
      add column device_poll_interval integer not null default 5,
      add column device_user_code_max_failures integer not null default 5,
      add column device_user_code_max_failures_per_ip integer not null default 20,
      add column device_failure_window interval not null default '15 minutes',
      add constraint auth_config_device_check check (
        device_code_ttl between interval '1 minute' and interval '1 hour'
        and device_poll_interval between 1 and 60
        and device_user_code_max_failures >= 1 and device_user_code_max_failures_per_ip >= 1
        and device_failure_window > interval '0');
  end if;
end;
$$;
do $$
begin
  if not exists (select 1 from information_schema.columns
                 where table_schema = 'app_private' and table_name = 'auth_config' and column_name = 'device_authorize_max_per_ip') then
    alter table app_private.auth_config add column device_authorize_max_per_ip integer not null default 60
      constraint auth_config_device_authorize_check check (device_authorize_max_per_ip >= 1);
  end if;
end;
$$;
comment on column app_private.auth_config.device_authorize_max_per_ip is 'Device authorizations one client address may start per hour (the device gets 429 slow_down beyond).';
comment on column app_private.auth_config.device_code_ttl is 'Lifetime of a device authorization (device code and user code), RFC 8628 expires_in (Q3).';
comment on column app_private.auth_config.device_poll_interval is 'Seconds a device waits between polls (RFC 8628 interval); polling sooner adds 5 s (slow_down).';
comment on column app_private.auth_config.device_user_code_max_failures is 'Wrong user codes one user may enter within device_failure_window before RATEL (Q3).';
comment on column app_private.auth_config.device_user_code_max_failures_per_ip is 'Wrong user codes one client address may enter within device_failure_window before RATEL (Q3).';
comment on column app_private.auth_config.device_failure_window is 'Window of the user-code guessing limits.';

create table if not exists app_private.device_codes (
  id uuid primary key default gen_random_uuid(),
  device_code_hash bytea not null unique,
  user_code_hash bytea not null unique,
  client_id text not null check (length(client_id) between 1 and 100),
  client_name text not null check (length(client_name) between 1 and 200),
  scope text check (length(scope) <= 1000),
  status text not null default 'pending' check (status in ('pending', 'approved', 'denied', 'delivered')),
  user_id uuid references app_public.users (id) on delete cascade,
  approver_session_id uuid references app_private.sessions (id) on delete set null,
  session_id uuid references app_private.sessions (id) on delete set null,
  poll_interval integer not null check (poll_interval between 1 and 600),
  last_polled_at timestamptz,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  decided_at timestamptz,
  ip inet,
  check ((status = 'pending') = (user_id is null))
);
comment on table app_private.device_codes is 'Device authorizations (RFC 8628): codes stored as SHA-256 hashes, the approving user, the poll state; the session is started when the device collects it.';
create index if not exists device_codes_user_id_idx on app_private.device_codes (user_id);
create index if not exists device_codes_approver_session_id_idx on app_private.device_codes (approver_session_id);
create index if not exists device_codes_session_id_idx on app_private.device_codes (session_id);
create index if not exists device_codes_expires_at_idx on app_private.device_codes (expires_at);
call app_private.enable_rls('app_private.device_codes');

-- A user code in canonical form (upper case, no separator), or NULL when it cannot be one.
create or replace function app_private.device_user_code(p_code text) returns text
language sql immutable
set search_path = pg_catalog, pg_temp
as $$
  select v from (select upper(translate(coalesce(p_code, ''), '- ', '')) as v) x
  where v ~ '^[BCDFGHJKLMNPQRSTVWXZ]{8}$'
$$;
comment on function app_private.device_user_code(text) is 'Canonical user code: the 8 letters without separator, upper case; NULL for anything else.';
revoke all on function app_private.device_user_code(text) from public;

-- 8 letters from 20 consonants (no vowels: no words; no look-alikes such as 0/O, 1/I), drawn
-- without modulo bias: about 34 bits.
create or replace function app_private.new_device_user_code() returns text
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_alphabet constant text := 'BCDFGHJKLMNPQRSTVWXZ';
  v_bytes bytea;
  v_out text := '';
  v_b integer;
begin
  while length(v_out) < 8 loop
    v_bytes := public.gen_random_bytes(16);
    for i in 0..15 loop
      v_b := get_byte(v_bytes, i);
      if v_b < 240 and length(v_out) < 8 then
        v_out := v_out || substr(v_alphabet, v_b % 20 + 1, 1);
      end if;
    end loop;
  end loop;
  return v_out;
end;
$$;
comment on function app_private.new_device_user_code() is 'A random user code: 8 letters of BCDFGHJKLMNPQRSTVWXZ.';
revoke all on function app_private.new_device_user_code() from public;

create or replace function app_hidden.device_authorize(p_client_id text, p_client_name text, p_scope text, p_ip inet)
returns table (o_device_code text, o_user_code text, o_expires_in integer, o_interval integer)
language plpgsql volatile
-- Definer: writes app_private.device_codes, which auth_edge cannot.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_device text := rtrim(translate(encode(public.gen_random_bytes(32), 'base64'), '+/', '-_'), '=');
  v_user text;
begin
  if app_private.attempt_limited('device_authorize:ip:' || coalesce(p_ip, '0.0.0.0'::inet)::text,
                                 c.device_authorize_max_per_ip, interval '1 hour') then
    perform app_private.write_audit('device_authorize_rate_limited', null, null, null, null, jsonb_build_object('ip', p_ip::text));
    return;
  end if;
  -- Ended authorizations go after a day; they keep their user codes out of reuse till then.
  delete from app_private.device_codes d where d.expires_at < now() - interval '1 day';
  for i in 1..10 loop
    v_user := app_private.new_device_user_code();
    begin
      insert into app_private.device_codes (device_code_hash, user_code_hash, client_id, client_name, scope, poll_interval, expires_at, ip)
        values (app_private.token_hash(v_device), app_private.token_hash(v_user), p_client_id, p_client_name,
                nullif(p_scope, ''), c.device_poll_interval, now() + c.device_code_ttl, p_ip);
      return query select v_device, v_user, extract(epoch from c.device_code_ttl)::integer, c.device_poll_interval;
      return;
    exception when unique_violation then
      -- a user code still in use: draw another
    end;
  end loop;
  raise exception 'No free user code' using errcode = 'BADRQ';
end;
$$;
comment on function app_hidden.device_authorize(text, text, text, inet) is 'Edge only: starts a device authorization for a registered client (RFC 8628 3.2); returns the device code and user code (stored only hashed), their lifetime and the poll interval; no row over device_authorize_max_per_ip per hour.';
revoke all on function app_hidden.device_authorize(text, text, text, inet) from public;
grant execute on function app_hidden.device_authorize(text, text, text, inet) to auth_edge;

-- The caller who may approve: a live session of a person, not through an API key and not an
-- impersonating admin. Raises LOGIN or DNIED.
create or replace function app_private.device_approver() returns uuid
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_user uuid := app_private.session_user_id();
begin
  if v_user is null
     or exists (select 1 from app_private.sessions s where s.id = app_hidden.current_session_id() and s.mfa_pending) then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  if app_hidden.current_api_key_id() is not null or app_hidden.current_actor_id() is not null
     or exists (select 1 from app_public.users u where u.id = v_user and u.is_bot) then
    raise exception 'Permission denied' using errcode = 'DNIED';
  end if;
  return v_user;
end;
$$;
comment on function app_private.device_approver() is 'The signed-in person who may approve a device; raises LOGIN without a live session (or one pending MFA), DNIED for an API key, a service account or an impersonation.';
revoke all on function app_private.device_approver() from public;

-- The pending authorization a user code names, counting a wrong code against the user and the
-- address. Raises RATEL over a limit (checked first: a right code is refused too) or DVCOD.
create or replace function app_private.device_by_user_code(p_user_code text, p_user uuid, p_ip inet)
returns app_private.device_codes
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_user_key text := 'device_code:user:' || p_user;
  v_ip_key text := 'device_code:ip:' || coalesce(p_ip, '0.0.0.0'::inet)::text;
  v app_private.device_codes;
begin
  if app_private.attempt_over(v_user_key, c.device_user_code_max_failures, c.device_failure_window)
     or app_private.attempt_over(v_ip_key, c.device_user_code_max_failures_per_ip, c.device_failure_window) then
    perform app_private.write_audit('device_code_rate_limited', null, null, null, null, jsonb_build_object('ip', p_ip::text));
    raise exception 'Too many attempts' using errcode = 'RATEL';
  end if;
  select * into v from app_private.device_codes d
    where d.user_code_hash = app_private.token_hash(app_private.device_user_code(p_user_code))
      and d.status = 'pending' and d.expires_at > now()
    for update;
  if not found then
    perform app_private.attempt_limited(v_user_key, c.device_user_code_max_failures, c.device_failure_window);
    perform app_private.attempt_limited(v_ip_key, c.device_user_code_max_failures_per_ip, c.device_failure_window);
    perform app_private.write_audit('device_code_refused', null, null, null, null, jsonb_build_object('ip', p_ip::text));
    return null;
  end if;
  return v;
end;
$$;
comment on function app_private.device_by_user_code(text, uuid, inet) is 'The pending, unexpired device authorization of a user code (locked), or NULL after counting the wrong code; raises RATEL over the guessing limits (Q3).';
revoke all on function app_private.device_by_user_code(text, uuid, inet) from public;

do $$
begin
  if not exists (select 1 from pg_type t where t.typname = 'device_decision' and t.typnamespace = 'app_hidden'::regnamespace) then
    create type app_hidden.device_decision as (error text, client_id text, client_name text, scope text, user_code text, approved boolean);
  end if;
end;
$$;
comment on type app_hidden.device_decision is 'What device_lookup and approve_device answer: an error code, or the client that asks and the user code shown as XXXX-XXXX.';

create or replace function app_hidden.device_lookup(p_user_code text, p_ip inet) returns app_hidden.device_decision
language plpgsql volatile
-- Definer: reads app_private.device_codes and writes the guessing counters.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_user uuid;
  v app_private.device_codes;
  v_code text := app_private.device_user_code(p_user_code);
begin
  begin
    v_user := app_private.device_approver();
    v := app_private.device_by_user_code(p_user_code, v_user, p_ip);
  exception when sqlstate 'LOGIN' or sqlstate 'DNIED' or sqlstate 'RATEL' then
    -- Returned, not raised: the counted failure must commit with the answer.
    return row(sqlstate, null, null, null, null, null)::app_hidden.device_decision;
  end;
  if v.id is null then
    return row('DVCOD', null, null, null, null, null)::app_hidden.device_decision;
  end if;
  return row(null, v.client_id, v.client_name, v.scope, substr(v_code, 1, 4) || '-' || substr(v_code, 5, 4), null)::app_hidden.device_decision;
end;
$$;
comment on function app_hidden.device_lookup(text, inet) is 'Edge only: for the signed-in caller, the client that asks with this user code (the approval page shows its name). error LOGIN, DNIED, RATEL or DVCOD (unknown, expired or decided; counted against guessing, Q3).';
revoke all on function app_hidden.device_lookup(text, inet) from public;
grant execute on function app_hidden.device_lookup(text, inet) to auth_edge;

create or replace function app_hidden.approve_device(p_user_code text, p_approve boolean, p_ip inet)
returns app_hidden.device_decision
language plpgsql volatile
-- Definer: decides a row of app_private.device_codes and writes the guessing counters.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_user uuid;
  v app_private.device_codes;
  v_code text := app_private.device_user_code(p_user_code);
  v_approve boolean := coalesce(p_approve, true);
begin
  begin
    v_user := app_private.device_approver();
    v := app_private.device_by_user_code(p_user_code, v_user, p_ip);
  exception when sqlstate 'LOGIN' or sqlstate 'DNIED' or sqlstate 'RATEL' then
    -- Returned, not raised: the counted failure must commit with the answer.
    return row(sqlstate, null, null, null, null, null)::app_hidden.device_decision;
  end;
  if v.id is null then
    return row('DVCOD', null, null, null, null, null)::app_hidden.device_decision;
  end if;
  update app_private.device_codes d
    set status = case when v_approve then 'approved' else 'denied' end,
        user_id = v_user, approver_session_id = app_hidden.current_session_id(), decided_at = now()
    where d.id = v.id;
  perform app_private.write_audit(case when v_approve then 'device_approved' else 'device_denied' end,
    'app_public.users', v_user::text, null, null,
    jsonb_build_object('ip', p_ip::text, 'client_id', v.client_id, 'device_ip', v.ip::text));
  return row(null, v.client_id, v.client_name, v.scope, substr(v_code, 1, 4) || '-' || substr(v_code, 5, 4), v_approve)::app_hidden.device_decision;
end;
$$;
comment on function app_hidden.approve_device(text, boolean, inet) is 'Edge only: the signed-in caller approves (or, with p_approve false, denies) the device authorization of a user code; error LOGIN, DNIED, RATEL or DVCOD (Q3).';
revoke all on function app_hidden.approve_device(text, boolean, inet) from public;
grant execute on function app_hidden.approve_device(text, boolean, inet) to auth_edge;

-- The device's poll (RFC 8628 3.4, 3.5). The error column holds the RFC's error codes.
create or replace function app_hidden.device_token(p_device_code text, p_client_id text, p_ip inet, p_user_agent text)
returns app_hidden.auth_result
language plpgsql volatile
-- Definer: reads and spends app_private.device_codes and starts the session.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v app_private.device_codes;
  v_amr text[];
  v_aal text;
  v_session app_hidden.auth_result;
  v_err app_hidden.auth_result;
begin
  select * into v from app_private.device_codes d
    where d.device_code_hash = app_private.token_hash(coalesce(p_device_code, '')) for update;
  if not found or v.client_id is distinct from p_client_id or v.status = 'delivered' then
    -- Unknown, another client's, or already collected: tokens are delivered once.
    v_err.error := 'invalid_grant';
    return v_err;
  end if;
  if v.expires_at <= now() then
    v_err.error := 'expired_token';
    return v_err;
  end if;
  if v.last_polled_at is not null and now() < v.last_polled_at + make_interval(secs => v.poll_interval) then
    -- Too soon: the interval grows by 5 s for this and every later poll (RFC 8628 3.5).
    update app_private.device_codes d set poll_interval = least(d.poll_interval + 5, 600), last_polled_at = now()
      where d.id = v.id;
    v_err.error := 'slow_down';
    return v_err;
  end if;
  update app_private.device_codes d set last_polled_at = now() where d.id = v.id;
  if v.status = 'pending' then
    v_err.error := 'authorization_pending';
    return v_err;
  end if;
  if v.status = 'denied' then
    v_err.error := 'access_denied';
    return v_err;
  end if;
  -- Approved: a normal session of the approving user for the device, started now, once. It
  -- carries how the approving session authenticated (amr, aal): approval needed that session.
  select s.amr, s.aal into v_amr, v_aal from app_private.sessions s where s.id = v.approver_session_id;
  v_session := app_private.start_session(v.user_id, p_ip, p_user_agent, coalesce(v_amr, '{pwd}'), coalesce(v_aal, 'aal1'));
  update app_private.device_codes d set status = 'delivered', session_id = v_session.session_id where d.id = v.id;
  perform app_private.write_audit('device_signed_in', 'app_public.users', v.user_id::text, null, null,
    jsonb_build_object('ip', p_ip::text, 'client_id', v.client_id, 'session_id', v_session.session_id));
  return v_session;
end;
$$;
comment on function app_hidden.device_token(text, text, inet, text) is 'Edge only: a device''s poll. error is an RFC 8628 code (authorization_pending, slow_down, access_denied, expired_token, invalid_grant); once approved, a session of the approving user, delivered once (Q3).';
revoke all on function app_hidden.device_token(text, text, inet, text) from public;
grant execute on function app_hidden.device_token(text, text, inet, text) to auth_edge;
