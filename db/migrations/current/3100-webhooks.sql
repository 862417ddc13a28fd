-- Auth-event webhooks (issue 12, O5). Triggers on the tables that record an auth event
-- (users, sessions, user_secrets, mfa_factors, user_identities, user_bans) write the event to
-- an outbox (app_private.webhook_events) and one delivery per subscribed endpoint in the SAME
-- transaction as their cause: a rolled-back change sends nothing, a committed one is sent at
-- least once. Each delivery is a graphile-worker job (`webhook_deliver`,
-- proxy/features/webhooks/deliver.ts) that signs the body per Standard Webhooks with the
-- endpoint's secret, POSTs it to an address it checked against SSRF, and records every
-- attempt here (record_webhook_attempt), scheduling the next one with exponential backoff.
--
-- Threat model: payloads carry the event type and ids only (never emails, hashes or tokens);
-- endpoint secrets (`whsec_` + 256 random bits) live in app_private, are returned once at
-- creation and never readable by a request role; endpoints are created only through the edge
-- (create_webhook_endpoint, auth_edge only) after its URL check, managed and read by admins
-- under RLS. An event with no subscribed endpoint stores nothing (the hot path pays one scan
-- of a small table).

-- The closed list of event types (an endpoint filters on a subset; empty = all).
create or replace function app_private.webhook_event_types() returns text[]
language sql immutable
set search_path = pg_catalog, pg_temp
as $$
  select array['user.created', 'user.verified', 'user.deleted', 'user.banned', 'user.unbanned',
               'session.created', 'session.revoked', 'password.changed', 'mfa.enrolled', 'mfa.removed',
               'identity.linked', 'identity.unlinked']
$$;
comment on function app_private.webhook_event_types() is 'Every auth event a webhook endpoint can subscribe to.';
revoke all on function app_private.webhook_event_types() from public;

create table if not exists app_public.webhook_endpoints (
  id uuid primary key default gen_random_uuid(),
  url text not null constraint webhook_endpoints_url_check
    check (length(url) <= 2000 and url ~ '^https?://[^/?#@[:space:]]+(/[^[:space:]]*)?$'),
  description text constraint webhook_endpoints_description_check check (length(description) <= 200),
  event_types text[] not null default '{}',
  enabled boolean not null default true,
  created_by uuid references app_public.users (id) on delete set null,
  created_at timestamptz not null default now()
);
create index if not exists webhook_endpoints_created_by_idx on app_public.webhook_endpoints (created_by);
comment on table app_public.webhook_endpoints is
  E'@behavior -insert -update -delete -query:resource:connection -query:resource:list\nWhere auth events are POSTed (signed per Standard Webhooks). Admins only: adminWebhookEndpoints, adminCreateWebhookEndpoint, adminDeleteWebhookEndpoint.';
comment on column app_public.webhook_endpoints.url is 'https URL the events are POSTed to; refused when it resolves to a loopback, link-local or private address (O5).';
comment on column app_public.webhook_endpoints.description is 'What the endpoint is for.';
comment on column app_public.webhook_endpoints.event_types is 'Event types sent to this endpoint (user.created, session.revoked, ...); empty means all.';
comment on column app_public.webhook_endpoints.enabled is 'Events are queued for enabled endpoints only.';
comment on column app_public.webhook_endpoints.created_by is 'The admin who created it (NULL when created by the CLI).';
comment on column app_public.webhook_endpoints.created_at is 'When it was created.';

create table if not exists app_private.webhook_endpoint_secrets (
  endpoint_id uuid primary key references app_public.webhook_endpoints (id) on delete cascade,
  secret text not null constraint webhook_endpoint_secrets_secret_check check (secret ~ '^whsec_[A-Za-z0-9+/]{43}=$')
);
comment on table app_private.webhook_endpoint_secrets is 'Each endpoint''s signing secret (Standard Webhooks `whsec_` + base64 of 32 random bytes); shown once at creation.';

create table if not exists app_private.webhook_events (
  id uuid primary key default gen_random_uuid(),
  type text not null,
  data jsonb not null,
  created_at timestamptz not null default now()
);
comment on table app_private.webhook_events is 'The outbox: one row per auth event that had at least one subscribed endpoint, written in the transaction of its cause. `id` is the webhook-id.';

create table if not exists app_public.webhook_deliveries (
  id uuid primary key default gen_random_uuid(),
  endpoint_id uuid not null references app_public.webhook_endpoints (id) on delete cascade,
  event_id uuid not null references app_private.webhook_events (id) on delete cascade,
  event_type text not null,
  status text not null default 'pending'
    constraint webhook_deliveries_status_check check (status in ('pending', 'delivered', 'failed')),
  attempts integer not null default 0,
  next_attempt_at timestamptz default now(),
  last_response_status integer,
  last_error text,
  created_at timestamptz not null default now(),
  delivered_at timestamptz
);
create index if not exists webhook_deliveries_endpoint_id_idx on app_public.webhook_deliveries (endpoint_id, created_at desc);
create index if not exists webhook_deliveries_event_id_idx on app_public.webhook_deliveries (event_id);
comment on table app_public.webhook_deliveries is
  E'@behavior -insert -update -delete -query:resource:connection -query:resource:list\nOne event to one endpoint: its state and last outcome. Admins only (adminWebhookDeliveries).';
comment on column app_public.webhook_deliveries.event_id is E'@behavior -*\nThe event (its id is the webhook-id header).';
comment on column app_public.webhook_deliveries.event_type is 'The event type (user.created, ...).';
comment on column app_public.webhook_deliveries.status is 'pending (an attempt is due at next_attempt_at), delivered (a 2xx answer) or failed (attempts exhausted).';
comment on column app_public.webhook_deliveries.attempts is 'Attempts made so far.';
comment on column app_public.webhook_deliveries.next_attempt_at is 'When the next attempt is due (NULL once delivered or failed).';
comment on column app_public.webhook_deliveries.last_response_status is 'HTTP status of the last attempt (NULL when no answer came).';
comment on column app_public.webhook_deliveries.last_error is 'Why the last attempt failed (timeout, refused address, HTTP status).';
comment on column app_public.webhook_deliveries.delivered_at is 'When a 2xx answer came.';

create table if not exists app_public.webhook_attempts (
  id bigint generated always as identity primary key,
  delivery_id uuid not null references app_public.webhook_deliveries (id) on delete cascade,
  attempted_at timestamptz not null default now(),
  response_status integer,
  error text constraint webhook_attempts_error_check check (length(error) <= 500)
);
create index if not exists webhook_attempts_delivery_id_idx on app_public.webhook_attempts (delivery_id, id);
comment on table app_public.webhook_attempts is
  E'@behavior -insert -update -delete -query:resource:connection -query:resource:list\nEvery attempt of a delivery: its HTTP status or error. Admins only.';
comment on column app_public.webhook_attempts.attempted_at is 'When the attempt finished.';
comment on column app_public.webhook_attempts.response_status is 'HTTP status answered (NULL when none).';
comment on column app_public.webhook_attempts.error is 'Why it failed, NULL on success.';

-- Who manages webhooks: a signed-in admin (the `admin` DB role) holding `admin:webhooks` (the
-- seed's admin role has it through admin:*). The permission is what an API key must carry in
-- its scope: without it an admin's narrowly scoped key could otherwise add an endpoint and
-- receive every auth event, or read the deliveries (O2, O5).
insert into app_public.permissions (name, description) values
  ('admin:webhooks', 'Manage auth-event webhook endpoints and their deliveries (admins only).')
on conflict (name) do nothing;

create or replace function app_hidden.assert_webhook_admin() returns void
language plpgsql stable
-- Definer: reads the caller's own session, roles and key scope (has_permission).
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if app_hidden.current_user_id() is null then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  if app_hidden.current_app_role() is distinct from 'admin' or not app_hidden.has_permission('admin:webhooks') then
    raise exception 'Permission denied' using errcode = 'DNIED';
  end if;
end;
$$;
comment on function app_hidden.assert_webhook_admin() is 'LOGIN without a live session, DNIED unless the caller is an admin holding admin:webhooks (within an API key''s scope).';
revoke all on function app_hidden.assert_webhook_admin() from public;
grant execute on function app_hidden.assert_webhook_admin() to admin;

call app_private.enable_rls('app_public.webhook_endpoints');
call app_private.enable_rls('app_private.webhook_endpoint_secrets');
call app_private.enable_rls('app_private.webhook_events');
call app_private.enable_rls('app_public.webhook_deliveries');
call app_private.enable_rls('app_public.webhook_attempts');
drop policy if exists select_admin on app_public.webhook_endpoints;
create policy select_admin on app_public.webhook_endpoints for select to admin
  using ((select app_hidden.current_app_role()) = 'admin' and (select app_hidden.has_permission('admin:webhooks')));
drop policy if exists delete_admin on app_public.webhook_endpoints;
create policy delete_admin on app_public.webhook_endpoints for delete to admin
  using ((select app_hidden.current_app_role()) = 'admin' and (select app_hidden.has_permission('admin:webhooks')));
drop policy if exists select_admin on app_public.webhook_deliveries;
create policy select_admin on app_public.webhook_deliveries for select to admin
  using ((select app_hidden.current_app_role()) = 'admin' and (select app_hidden.has_permission('admin:webhooks')));
drop policy if exists select_admin on app_public.webhook_attempts;
create policy select_admin on app_public.webhook_attempts for select to admin
  using ((select app_hidden.current_app_role()) = 'admin' and (select app_hidden.has_permission('admin:webhooks')));
revoke all on app_public.webhook_endpoints, app_public.webhook_deliveries, app_public.webhook_attempts from public;
grant select, delete on app_public.webhook_endpoints to admin;
grant select on app_public.webhook_deliveries, app_public.webhook_attempts to admin;
drop trigger if exists _900_audit on app_public.webhook_endpoints;
create trigger _900_audit after insert or update or delete on app_public.webhook_endpoints
  for each row execute function app_private.tg__audit('id');

-- Owner only: the core of creating an endpoint, for the edge's function below and the CLI
-- (which connects as the owner). The caller has checked the URL against SSRF.
create or replace function app_private.add_webhook_endpoint(p_url text, p_event_types text[], p_description text,
  p_created_by uuid)
returns table (id uuid, secret text)
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_types text[] := coalesce(array(select distinct t from pg_catalog.unnest(p_event_types) t order by 1), '{}');
  v_secret text := 'whsec_' || pg_catalog.encode(public.gen_random_bytes(32), 'base64');
  v_id uuid;
begin
  if p_url is null or length(p_url) > 2000 or p_url !~ '^https?://[^/?#@[:space:]]+(/[^[:space:]]*)?$' then
    raise exception 'Invalid webhook URL' using errcode = 'BADRQ';
  end if;
  if not v_types operator(pg_catalog.<@) app_private.webhook_event_types() then
    raise exception 'Unknown event type' using errcode = 'BADRQ';
  end if;
  insert into app_public.webhook_endpoints (url, description, event_types, created_by)
    values (p_url, nullif(p_description, ''), v_types, p_created_by)
    returning webhook_endpoints.id into v_id;
  insert into app_private.webhook_endpoint_secrets (endpoint_id, secret) values (v_id, v_secret);
  return query select v_id, v_secret;
end;
$$;
comment on function app_private.add_webhook_endpoint(text, text[], text, uuid) is
  'Creates an endpoint with a new whsec_ secret (256 random bits), returned this once. Owner only (the edge function and the CLI call it after the SSRF check).';
revoke all on function app_private.add_webhook_endpoint(text, text[], text, uuid) from public;

drop type if exists app_hidden.created_webhook_endpoint cascade;
create type app_hidden.created_webhook_endpoint as (id uuid, secret text);

-- Security definer: writes the secret into app_private. Edge only (auth_edge): the edge checks
-- the URL's addresses first (O5), so a request role cannot skip the check. Admins only.
create or replace function app_hidden.create_webhook_endpoint(p_url text, p_event_types text[], p_description text)
returns app_hidden.created_webhook_endpoint
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_user uuid := app_hidden.current_user_id();
  v_row app_hidden.created_webhook_endpoint;
begin
  perform app_hidden.assert_webhook_admin();
  select a.id, a.secret into v_row from app_private.add_webhook_endpoint(p_url, p_event_types, p_description, v_user) a;
  return v_row;
end;
$$;
comment on function app_hidden.create_webhook_endpoint(text, text[], text) is
  'adminCreateWebhookEndpoint: an admin creates an endpoint (the edge has checked its URL); returns its id and its secret, shown once.';
revoke all on function app_hidden.create_webhook_endpoint(text, text[], text) from public;
grant execute on function app_hidden.create_webhook_endpoint(text, text[], text) to auth_edge;

create or replace function app_public.admin_webhook_endpoints() returns setof app_public.webhook_endpoints
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
  perform app_hidden.assert_webhook_admin();
  return query select e.* from app_public.webhook_endpoints e order by e.created_at desc, e.id;
end;
$$;
comment on function app_public.admin_webhook_endpoints() is 'Admins: every webhook endpoint (never its secret), newest first.';
revoke all on function app_public.admin_webhook_endpoints() from public;
grant execute on function app_public.admin_webhook_endpoints() to admin;

create or replace function app_public.admin_delete_webhook_endpoint(id uuid) returns app_public.webhook_endpoints
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_row app_public.webhook_endpoints;
begin
  perform app_hidden.assert_webhook_admin();
  delete from app_public.webhook_endpoints e where e.id = admin_delete_webhook_endpoint.id returning e.* into v_row;
  if v_row.id is null then
    raise exception 'No such endpoint' using errcode = 'NTFND';
  end if;
  return v_row;
end;
$$;
comment on function app_public.admin_delete_webhook_endpoint(uuid) is 'Admins: deletes a webhook endpoint with its secret and deliveries; nothing more is sent to it.';
revoke all on function app_public.admin_delete_webhook_endpoint(uuid) from public;
grant execute on function app_public.admin_delete_webhook_endpoint(uuid) to admin;

create or replace function app_public.admin_webhook_deliveries(endpoint_id uuid default null, failed_only boolean default false)
returns setof app_public.webhook_deliveries
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
  perform app_hidden.assert_webhook_admin();
  return query select d.* from app_public.webhook_deliveries d
  where (admin_webhook_deliveries.endpoint_id is null or d.endpoint_id = admin_webhook_deliveries.endpoint_id)
    and (not coalesce(admin_webhook_deliveries.failed_only, false) or d.status = 'failed' or d.last_error is not null)
  order by d.created_at desc, d.id;
end;
$$;
comment on function app_public.admin_webhook_deliveries(uuid, boolean) is
  'Admins: webhook deliveries, newest first, of one endpoint or all; failedOnly keeps those that failed at least once.';
revoke all on function app_public.admin_webhook_deliveries(uuid, boolean) from public;
grant execute on function app_public.admin_webhook_deliveries(uuid, boolean) to admin;

-- Queues the next attempt of a delivery as a graphile-worker job at p_run_at. The job key makes
-- a retry replace a job still waiting rather than add a second one.
create or replace function app_private.schedule_webhook_delivery(p_delivery_id uuid, p_run_at timestamptz)
returns void
-- plpgsql, so the body is checked when called: graphile_worker's schema is installed by the
-- worker's own migrations (db/scripts/setup.ts), not by ours (the shadow database lacks it).
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
begin
  perform graphile_worker.add_job('webhook_deliver', pg_catalog.json_build_object('delivery_id', p_delivery_id),
    run_at => p_run_at, max_attempts => 3, job_key => 'webhook:' || p_delivery_id::text);
end;
$$;
comment on function app_private.schedule_webhook_delivery(uuid, timestamptz) is 'Queues one attempt of a delivery (task webhook_deliver) at a time; owner only.';
revoke all on function app_private.schedule_webhook_delivery(uuid, timestamptz) from public;

-- Called by the triggers below (owner, in the cause's transaction).
create or replace function app_private.emit_webhook_event(p_type text, p_data jsonb) returns void
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_event uuid;
  v_delivery uuid;
begin
  if not exists (select 1 from app_public.webhook_endpoints e
                 where e.enabled and (e.event_types = '{}' or p_type = any (e.event_types))) then
    return;
  end if;
  insert into app_private.webhook_events (type, data) values (p_type, p_data) returning id into v_event;
  for v_delivery in
    insert into app_public.webhook_deliveries (endpoint_id, event_id, event_type)
      select e.id, v_event, p_type from app_public.webhook_endpoints e
      where e.enabled and (e.event_types = '{}' or p_type = any (e.event_types))
      returning id
  loop
    perform app_private.schedule_webhook_delivery(v_delivery, pg_catalog.now());
  end loop;
end;
$$;
comment on function app_private.emit_webhook_event(text, jsonb) is
  'Writes an auth event to the outbox with one delivery (and job) per subscribed enabled endpoint, in the current transaction; nothing when no endpoint subscribes.';
revoke all on function app_private.emit_webhook_event(text, jsonb) from public;

-- Security definer: the statement that causes an event may run as a request role (an admin's
-- ban), which cannot reach app_private or the queue. Arguments: the event type, then
-- `key=column` pairs: the payload holds those columns of the row (ids only) and nothing else.
create or replace function app_private.tg__webhook_event() returns trigger
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_row jsonb := case when tg_op = 'DELETE' then pg_catalog.to_jsonb(old) else pg_catalog.to_jsonb(new) end;
  v_data jsonb := '{}';
  v_i int;
begin
  for v_i in 1 .. tg_nargs - 1 loop
    v_data := v_data || pg_catalog.jsonb_build_object(pg_catalog.split_part(tg_argv[v_i], '=', 1),
                                                      v_row -> pg_catalog.split_part(tg_argv[v_i], '=', 2));
  end loop;
  perform app_private.emit_webhook_event(tg_argv[0], v_data);
  return null;
end;
$$;
comment on function app_private.tg__webhook_event() is 'AFTER row trigger: emits the webhook event named by the first argument with the row''s columns named by `key=column` arguments.';
revoke all on function app_private.tg__webhook_event() from public;

-- Security definer: as tg__webhook_event. A password set with the account (registration) is
-- not a change; one replaced, or set later on an account without one, is.
create or replace function app_private.tg_user_secrets__webhook_password() returns trigger
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if old.password_hash is not null
     or exists (select 1 from app_public.users u where u.id = new.user_id and u.created_at < pg_catalog.now()) then
    perform app_private.emit_webhook_event('password.changed', pg_catalog.jsonb_build_object('user_id', new.user_id));
  end if;
  return null;
end;
$$;
comment on function app_private.tg_user_secrets__webhook_password() is 'AFTER UPDATE OF password_updated_at: emits password.changed (not for the password chosen at registration).';
revoke all on function app_private.tg_user_secrets__webhook_password() from public;

drop trigger if exists _910_webhook_created on app_public.users;
create trigger _910_webhook_created after insert on app_public.users
  for each row execute function app_private.tg__webhook_event('user.created', 'user_id=id');
drop trigger if exists _911_webhook_verified on app_public.users;
create trigger _911_webhook_verified after insert on app_public.users
  for each row when (new.email_verified_at is not null)
  execute function app_private.tg__webhook_event('user.verified', 'user_id=id');
drop trigger if exists _912_webhook_verified_later on app_public.users;
create trigger _912_webhook_verified_later after update of email_verified_at on app_public.users
  for each row when (old.email_verified_at is null and new.email_verified_at is not null)
  execute function app_private.tg__webhook_event('user.verified', 'user_id=id');
drop trigger if exists _913_webhook_deleted on app_public.users;
create trigger _913_webhook_deleted after delete on app_public.users
  for each row execute function app_private.tg__webhook_event('user.deleted', 'user_id=id');

drop trigger if exists _910_webhook_created on app_private.sessions;
create trigger _910_webhook_created after insert on app_private.sessions
  for each row execute function app_private.tg__webhook_event('session.created', 'session_id=id', 'user_id=user_id');
drop trigger if exists _911_webhook_revoked on app_private.sessions;
create trigger _911_webhook_revoked after update of revoked_at on app_private.sessions
  for each row when (old.revoked_at is null and new.revoked_at is not null)
  execute function app_private.tg__webhook_event('session.revoked', 'session_id=id', 'user_id=user_id', 'reason=revoked_reason');

drop trigger if exists _910_webhook_password on app_private.user_secrets;
create trigger _910_webhook_password after update of password_updated_at on app_private.user_secrets
  for each row when (new.password_updated_at is distinct from old.password_updated_at and new.password_hash is not null)
  execute function app_private.tg_user_secrets__webhook_password();

drop trigger if exists _910_webhook_enrolled on app_private.mfa_factors;
create trigger _910_webhook_enrolled after insert on app_private.mfa_factors
  for each row when (new.status = 'active')
  execute function app_private.tg__webhook_event('mfa.enrolled', 'user_id=user_id', 'factor_id=id', 'kind=kind');
drop trigger if exists _911_webhook_activated on app_private.mfa_factors;
create trigger _911_webhook_activated after update of status on app_private.mfa_factors
  for each row when (old.status <> 'active' and new.status = 'active')
  execute function app_private.tg__webhook_event('mfa.enrolled', 'user_id=user_id', 'factor_id=id', 'kind=kind');
drop trigger if exists _912_webhook_removed on app_private.mfa_factors;
create trigger _912_webhook_removed after delete on app_private.mfa_factors
  for each row when (old.status = 'active')
  execute function app_private.tg__webhook_event('mfa.removed', 'user_id=user_id', 'factor_id=id', 'kind=kind');

drop trigger if exists _910_webhook_linked on app_public.user_identities;
create trigger _910_webhook_linked after insert on app_public.user_identities
  for each row execute function app_private.tg__webhook_event('identity.linked', 'user_id=user_id', 'identity_id=id', 'provider=provider');
drop trigger if exists _911_webhook_unlinked on app_public.user_identities;
create trigger _911_webhook_unlinked after delete on app_public.user_identities
  for each row execute function app_private.tg__webhook_event('identity.unlinked', 'user_id=user_id', 'identity_id=id', 'provider=provider');

-- Bans belong to the admin feature (3000-*.sql); this file also works before it exists.
do $$
begin
  if pg_catalog.to_regclass('app_private.user_bans') is not null then
    drop trigger if exists _910_webhook_banned on app_private.user_bans;
    create trigger _910_webhook_banned after insert or update on app_private.user_bans
      for each row execute function app_private.tg__webhook_event('user.banned', 'user_id=user_id', 'banned_until=banned_until', 'banned_by=banned_by');
    drop trigger if exists _911_webhook_unbanned on app_private.user_bans;
    create trigger _911_webhook_unbanned after delete on app_private.user_bans
      for each row execute function app_private.tg__webhook_event('user.unbanned', 'user_id=user_id');
  end if;
end
$$;

-- The worker's side (owner only; proxy/features/webhooks/deliver.ts).

-- What to send for a due delivery: nothing when it is no longer pending or its endpoint is
-- disabled or gone. The body is built from the stored event, so every attempt sends the same
-- bytes (Standard Webhooks' recommended shape: type, timestamp, data).
create or replace function app_private.webhook_delivery_target(p_delivery_id uuid)
returns table (url text, secret text, message_id text, body text)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select e.url, s.secret, ev.id::text,
         pg_catalog.json_build_object('type', ev.type,
           'timestamp', pg_catalog.to_char(ev.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
           'data', ev.data)::text
  from app_public.webhook_deliveries d
  join app_public.webhook_endpoints e on e.id = d.endpoint_id
  join app_private.webhook_endpoint_secrets s on s.endpoint_id = e.id
  join app_private.webhook_events ev on ev.id = d.event_id
  where d.id = p_delivery_id and d.status = 'pending' and e.enabled
$$;
comment on function app_private.webhook_delivery_target(uuid) is 'The URL, secret, webhook-id and body of a pending delivery to an enabled endpoint; no row otherwise. Owner only (the worker).';
revoke all on function app_private.webhook_delivery_target(uuid) from public;

-- Records one attempt; on failure schedules the next after p_retry_base * 2^(attempts-1)
-- (at most 6 hours) until p_max_attempts, then marks the delivery failed.
create or replace function app_private.record_webhook_attempt(p_delivery_id uuid, p_response_status integer,
  p_error text, p_max_attempts integer, p_retry_base interval)
returns text
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_ok boolean := p_error is null and p_response_status between 200 and 299;
  v_error text := case when v_ok then null
                       else left(coalesce(p_error, 'HTTP ' || coalesce(p_response_status::text, '?')), 500) end;
  v_d app_public.webhook_deliveries;
begin
  insert into app_public.webhook_attempts (delivery_id, response_status, error)
    values (p_delivery_id, p_response_status, v_error);
  update app_public.webhook_deliveries d set
    attempts = d.attempts + 1,
    last_response_status = p_response_status,
    last_error = v_error,
    status = case when v_ok then 'delivered' when d.attempts + 1 >= p_max_attempts then 'failed' else 'pending' end,
    delivered_at = case when v_ok then pg_catalog.now() end,
    next_attempt_at = case when v_ok or d.attempts + 1 >= p_max_attempts then null
                           else pg_catalog.now() + least(p_retry_base * pg_catalog.power(2, d.attempts), interval '6 hours') end
    where d.id = p_delivery_id
    returning d.* into v_d;
  if v_d.status = 'pending' then
    perform app_private.schedule_webhook_delivery(v_d.id, v_d.next_attempt_at);
  end if;
  return v_d.status;
end;
$$;
comment on function app_private.record_webhook_attempt(uuid, integer, text, integer, interval) is
  'Records an attempt (status code or error) and marks the delivery delivered, failed, or pending with its next attempt queued (exponential backoff). Owner only (the worker).';
revoke all on function app_private.record_webhook_attempt(uuid, integer, text, integer, interval) from public;

-- `npm run admin -- webhooks retry <delivery>`: a failed or waiting delivery is tried again now.
create or replace function app_private.retry_webhook_delivery(p_delivery_id uuid) returns boolean
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
begin
  update app_public.webhook_deliveries d set status = 'pending', next_attempt_at = pg_catalog.now()
    where d.id = p_delivery_id and d.status <> 'delivered';
  if not found then
    return false;
  end if;
  perform app_private.schedule_webhook_delivery(p_delivery_id, pg_catalog.now());
  return true;
end;
$$;
comment on function app_private.retry_webhook_delivery(uuid) is 'Queues an undelivered delivery for an attempt now (the CLI''s retry); false when there is no such undelivered delivery. Owner only.';
revoke all on function app_private.retry_webhook_delivery(uuid) from public;

-- Retention, run hourly by the worker's housekeeping (features/email/queue.ts): deliveries
-- a week after success or a month after they failed (attempts by cascade), then events that
-- no delivery refers to any more.
create index if not exists webhook_events_created_at_idx on app_private.webhook_events (created_at);
create or replace function app_private.purge_webhook_state() returns integer
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_deliveries int;
  v_events int;
begin
  delete from app_public.webhook_deliveries d
    where (d.status = 'delivered' and d.delivered_at < pg_catalog.now() - interval '7 days')
       or (d.status = 'failed' and d.created_at < pg_catalog.now() - interval '30 days');
  get diagnostics v_deliveries = row_count;
  delete from app_private.webhook_events e
    where e.created_at < pg_catalog.now() - interval '1 day'
      and not exists (select 1 from app_public.webhook_deliveries d where d.event_id = e.id);
  get diagnostics v_events = row_count;
  return v_deliveries + v_events;
end;
$$;
comment on function app_private.purge_webhook_state() is 'Deletes deliveries 7 days after success or 30 days after failure, then events without deliveries; hourly by the worker (owner).';
revoke all on function app_private.purge_webhook_state() from public;

-- Security definer: queues a job (graphile_worker, owner only). Admins only, checked here.
create or replace function app_public.admin_retry_webhook_delivery(id uuid) returns app_public.webhook_deliveries
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_row app_public.webhook_deliveries;
begin
  perform app_hidden.assert_webhook_admin();
  if not app_private.retry_webhook_delivery(admin_retry_webhook_delivery.id) then
    raise exception 'No undelivered delivery' using errcode = 'NTFND';
  end if;
  select d.* into v_row from app_public.webhook_deliveries d where d.id = admin_retry_webhook_delivery.id;
  return v_row;
end;
$$;
comment on function app_public.admin_retry_webhook_delivery(uuid) is 'Admins: queues a failed or waiting webhook delivery for an attempt now.';
revoke all on function app_public.admin_retry_webhook_delivery(uuid) from public;
grant execute on function app_public.admin_retry_webhook_delivery(uuid) to admin;
