-- Test-only helper schema, installed by the harness as the owner into the throwaway test
-- database (never by a migration). Tests connect as the production login role and use these
-- to act as real actors: create fixtures, become a user exactly as the edge does (SET ROLE
-- plus transaction-local claims), and drop back to anonymous.
create schema if not exists tests;
do $$ begin
  -- pgTAP's set_eq/results_eq build temp tables as the current (request) role. Test-only:
  -- production revokes TEMP from PUBLIC and grants it to no request role.
  execute format('grant temporary on database %I to public', current_database());
end $$;
grant usage on schema tests to public;
-- The lowest cost SECURITY.md allows keeps the many logins of the suites fast.
update app_private.auth_config set bcrypt_cost = 10;

-- Definer fixtures: they insert as the owner so tests need no write grants of their own.
create or replace function tests.create_user(p_email text, p_role text default 'app_user', p_name text default null)
returns uuid language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
declare v_id uuid;
begin
  insert into app_public.users (email, display_name, is_bot)
  values (p_email, coalesce(p_name, split_part(p_email, '@', 1)), p_role = 'bot') returning id into v_id;
  if p_role in ('manager', 'admin') then
    insert into app_public.role_grants (user_id, role) values (v_id, p_role);
  end if;
  return v_id;
end $$;

create or replace function tests.create_session(p_user_id uuid, p_expires_in interval default '1 day')
returns uuid language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  insert into app_private.sessions (user_id, expires_at) values (p_user_id, now() + p_expires_in) returning id
$$;

create or replace function tests.revoke_session(p_session_id uuid)
returns void language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  update app_private.sessions set revoked_at = now(), revoked_reason = 'test' where id = p_session_id
$$;

create or replace function tests.disable_user(p_user_id uuid)
returns void language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  update app_public.users set disabled_at = now() where id = p_user_id
$$;

create or replace function tests.create_document(p_owner uuid, p_url text default 'https://example.com/', p_created_at timestamptz default now())
returns uuid language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  insert into app_public.documents (owner_id, full_url, created_at) values (p_owner, p_url, p_created_at) returning id
$$;

create or replace function tests.create_group(p_owner uuid, p_name text default 'group')
returns uuid language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  insert into app_public.groups (name, created_by) values (p_name, p_owner) returning id
$$;

create or replace function tests.add_edge(p_subject uuid, p_relation text, p_object_type text, p_object uuid)
returns void language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  insert into app_public.relation_edge (subject_type, subject_id, relation, object_type, object_id)
  values (case when exists (select 1 from app_public.groups where id = p_subject) then 'group' else 'user' end,
          p_subject, p_relation, p_object_type, p_object)
$$;

create or replace function tests.grant_doc(p_document uuid, p_subject uuid, p_role app_public.access_level)
returns void language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  insert into app_public.document_acl (document_id, subject_type, subject_id, role, document_created_at)
  select d.id, case when exists (select 1 from app_public.groups where id = p_subject) then 'group' else 'user' end,
         p_subject, p_role, d.created_at
  from app_public.documents d where d.id = p_document
$$;

create or replace function tests.grant_user_acl(p_user uuid, p_subject uuid, p_role app_public.access_level)
returns void language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  insert into app_public.user_acl (user_id, subject_id, role) values (p_user, p_subject, p_role)
$$;

create or replace function tests.audit_count(p_event text, p_table text, p_row_id text)
returns bigint language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select count(*) from app_public.audit_log
  where event = p_event and table_name = p_table and target_id = p_row_id
$$;

create or replace function tests.user_role(p_user_id uuid)
returns text language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select app_hidden.user_role(p_user_id)
$$;

-- Invoker on purpose: SET ROLE is refused inside definer functions, and it is checked
-- against the session user (the login role), exactly like the edge's pgSettings.
create or replace function tests.authenticate_as(p_user_id uuid, p_session_id uuid default null)
returns uuid language plpgsql volatile as $$
declare v_sid uuid := coalesce(p_session_id, tests.create_session(p_user_id));
begin
  perform set_config('role', coalesce(tests.user_role(p_user_id), 'app_user'), true);
  perform set_config('jwt.claims.user_id', p_user_id::text, true);
  perform set_config('jwt.claims.session_id', v_sid::text, true);
  return v_sid;
end $$;

create or replace function tests.clear_authentication()
returns void language plpgsql volatile as $$
begin
  perform set_config('role', 'anonymous', true);
  perform set_config('jwt.claims.user_id', '', true);
  perform set_config('jwt.claims.session_id', '', true);
end $$;

grant execute on all functions in schema tests to public;

-- Fixture ids live in custom settings so every role (after SET ROLE) can read them.
create or replace function tests.remember(p_name text, p_id uuid)
returns uuid language sql volatile as $$ select set_config('tests.' || p_name, p_id::text, true)::uuid $$;
create or replace function tests.id(p_name text)
returns uuid language sql stable as $$ select current_setting('tests.' || p_name)::uuid $$;

-- How many rows a statement touched, as the current role (UPDATE/DELETE under RLS report 0
-- rather than failing when a row is invisible).
create or replace function tests.affected(p_sql text)
returns int language plpgsql volatile as $$
declare n int;
begin
  execute p_sql;
  get diagnostics n = row_count;
  return n;
end $$;

create or replace function tests.create_identity(p_user uuid, p_provider text, p_subject text)
returns uuid language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  insert into app_public.user_identities (user_id, provider, issuer, subject)
  values (p_user, p_provider, 'https://' || p_provider || '.example', p_subject) returning id
$$;

grant execute on all functions in schema tests to public;

-- Runs an INSERT ... RETURNING id as the current role and returns the id.
create or replace function tests.returning_id(p_sql text)
returns uuid language plpgsql volatile as $$
declare v_id uuid;
begin
  execute p_sql into v_id;
  return v_id;
end $$;
grant execute on all functions in schema tests to public;

create or replace function tests.revoke_role(p_user uuid, p_role text)
returns void language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  delete from app_public.role_grants where user_id = p_user and role = p_role
$$;
grant execute on all functions in schema tests to public;

-- Session-ledger helpers: inspect and rewind time instead of sleeping.
create or replace function tests.secrets_of(p_user uuid)
returns app_private.user_secrets language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select * from app_private.user_secrets where user_id = p_user
$$;
-- A legacy (scheme 1) hash: the password as typed, or 'sha256:...' over 72 bytes.
create or replace function tests.set_password_hash(p_user uuid, p_password text, p_cost int)
returns void language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  update app_private.user_secrets set password_scheme = 1,
    password_hash = public.crypt(app_private.password_input(p_password), public.gen_salt('bf', p_cost)) where user_id = p_user
$$;
create or replace function tests.clear_password(p_user uuid)
returns void language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  update app_private.user_secrets set password_hash = null where user_id = p_user
$$;
create or replace function tests.rewind_tokens(p_session uuid, p_by interval)
returns void language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  update app_private.refresh_tokens set rotated_at = rotated_at - p_by, issued_at = issued_at - p_by, expires_at = expires_at - p_by
  where session_id = p_session
$$;
create or replace function tests.expire_session(p_session uuid)
returns void language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  update app_private.sessions set expires_at = now() - interval '1 second' where id = p_session
$$;
create or replace function tests.session_revoked(p_session uuid)
returns text language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select revoked_reason from app_private.sessions where id = p_session
$$;
create or replace function tests.live_sessions(p_user uuid)
returns int language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select count(*)::int from app_private.sessions where user_id = p_user and revoked_at is null
$$;
create or replace function tests.token_rows(p_session uuid)
returns table (token_hash_len int, hash_is_not_token boolean) language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select length(token_hash), true from app_private.refresh_tokens where session_id = p_session
$$;
grant execute on all functions in schema tests to public;

create or replace function tests.auth_config()
returns app_private.auth_config language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select * from app_private.auth_config
$$;
create or replace function tests.set_ip_limit(p_max int)
returns void language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  update app_private.auth_config set ip_max_failures = p_max
$$;
grant execute on all functions in schema tests to public;

-- Authorization helpers: email verification state and the RLS helper, done as the owner.
create or replace function tests.verify_email(p_user uuid)
returns void language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  update app_public.users set email_verified_at = now() where id = p_user
$$;
create or replace function tests.set_email(p_user uuid, p_email text)
returns void language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  update app_public.users set email = p_email where id = p_user
$$;
-- Creates a scratch table and runs app_private.enable_rls on it (twice: it is re-runnable).
create or replace function tests.enable_rls_probe()
returns regclass language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
  set client_min_messages = warning as $$
begin
  drop table if exists tests.rls_probe;
  create table tests.rls_probe (id int);
  call app_private.enable_rls('tests.rls_probe');
  call app_private.enable_rls('tests.rls_probe');
  return 'tests.rls_probe'::regclass;
end $$;
grant execute on all functions in schema tests to public;
-- Runs one statement as auth_edge (the edge's own role) and switches back; returns its first
-- column as text. pgTAP is not callable as auth_edge, so assertions wrap this. If the
-- statement raises, the caller's exception block (throws_ok) restores the role.
create or replace function tests.as_edge(p_sql text)
returns text language plpgsql volatile as $$
declare
  v_role text := current_user;
  v_out text;
begin
  perform set_config('role', 'auth_edge', true);
  execute p_sql into v_out;
  perform set_config('role', v_role, true);
  return v_out;
end $$;
grant execute on all functions in schema tests to public;

-- Password and session settings (test/db/auth_config.sql, passwords.sql, login.sql).
-- The suites register hundreds of users from one address: registration limits off unless a
-- test sets them.
update app_private.auth_config set register_max_per_ip = 1000000, register_max_global = 1000000;
create or replace function tests.set_auth_config(p_column text, p_value text)
returns void language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
begin
  execute format('update app_private.auth_config set %I = %L', p_column, p_value);
end $$;
-- Time passes by p_by for every stored auth timestamp (failure windows, locks, registration
-- windows, refresh tokens), instead of sleeping.
create or replace function tests.advance_auth_clock(p_by interval)
returns void language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  update app_private.user_secrets set first_failed_at = first_failed_at - p_by, locked_until = locked_until - p_by;
  update app_private.unknown_login_failures set first_failed_at = first_failed_at - p_by, locked_until = locked_until - p_by;
  update app_private.ip_login_failures set window_start = window_start - p_by;
  update app_private.ip_registrations set window_start = window_start - p_by;
  update app_private.registration_totals set window_start = window_start - p_by;
$$;
create or replace function tests.successor_of(p_token text)
returns text language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select app_private.successor_token(p_token)
$$;
create or replace function tests.newest_token_expiry(p_session uuid)
returns timestamptz language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select expires_at from app_private.refresh_tokens where session_id = p_session order by id desc limit 1
$$;
create or replace function tests.session_expiry(p_session uuid)
returns timestamptz language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select expires_at from app_private.sessions where id = p_session
$$;
create or replace function tests.ip_failures(p_ip inet)
returns int language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select failures from app_private.ip_login_failures where ip = p_ip
$$;
create or replace function tests.registrations(p_ip inet)
returns int language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select registrations from app_private.ip_registrations where ip = p_ip
$$;
create or replace function tests.audit_events(p_event text)
returns bigint language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select count(*) from app_public.audit_log where event = p_event
$$;
grant execute on all functions in schema tests to public;
create or replace function tests.last_audit(p_event text)
returns app_public.audit_log language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select * from app_public.audit_log where event = p_event order by id desc limit 1
$$;
grant execute on all functions in schema tests to public;

-- Email (test/db/email.sql, password_policy.sql): the outbox and the mailed tokens, read as the owner.
-- The mails queued for an address (graphile-worker jobs), oldest first.
create or replace function tests.mails_to(p_to text)
returns setof jsonb language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select j.payload::jsonb from graphile_worker._private_jobs j
  join graphile_worker._private_tasks t on t.id = j.task_id
  where t.identifier = 'send_email' and lower(j.payload ->> 'to') = lower(p_to)
  order by j.id
$$;
-- The newest mail of a template to an address.
create or replace function tests.last_mail(p_to text, p_template text)
returns jsonb language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select j.payload::jsonb from graphile_worker._private_jobs j
  join graphile_worker._private_tasks t on t.id = j.task_id
  where t.identifier = 'send_email' and lower(j.payload ->> 'to') = lower(p_to) and j.payload ->> 'template' = p_template
  order by j.id desc limit 1
$$;
-- The rule (DETAIL) of the WEAKP a statement raises, run as the current role; NULL if none.
create or replace function tests.weakp_reason(p_sql text)
returns text language plpgsql volatile as $$
declare v_detail text;
begin
  execute p_sql;
  return null;
exception when sqlstate 'WEAKP' then
  get stacked diagnostics v_detail = pg_exception_detail;
  return v_detail;
end $$;
create or replace function tests.mail_count(p_to text)
returns int language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select count(*)::int from tests.mails_to(p_to)
$$;
create or replace function tests.email_tokens_of(p_user uuid)
returns setof app_private.email_tokens language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select * from app_private.email_tokens where user_id = p_user order by created_at, id
$$;
-- Email tokens and limits age by p_by (expiry, resend spacing, windows) instead of sleeping.
create or replace function tests.advance_email_clock(p_by interval)
returns void language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  update app_private.email_tokens set created_at = created_at - p_by, expires_at = expires_at - p_by;
  update app_private.email_limits set window_start = window_start - p_by, last_at = last_at - p_by;
$$;
create or replace function tests.password_history_count(p_user uuid)
returns int language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select count(*)::int from app_private.password_history where user_id = p_user
$$;
grant execute on all functions in schema tests to public;
create or replace function tests.add_domain_rule(p_domain text, p_role text)
returns void language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  insert into app_public.role_domain_rules (domain, role) values (p_domain, p_role)
$$;
grant execute on all functions in schema tests to public;
create or replace function tests.sha256(p_text text)
returns bytea language sql immutable security definer set search_path = pg_catalog, pg_temp as $$
  select public.digest(convert_to(p_text, 'UTF8'), 'sha256')
$$;
grant execute on all functions in schema tests to public;
create or replace function tests.live_refresh_tokens(p_user uuid)
returns int language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select count(*)::int from app_private.refresh_tokens t join app_private.sessions s on s.id = t.session_id
  where s.user_id = p_user and t.revoked_at is null
$$;
grant execute on all functions in schema tests to public;
create or replace function tests.age_password(p_user uuid, p_by interval)
returns void language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  update app_private.user_secrets set password_updated_at = password_updated_at - p_by where user_id = p_user
$$;
grant execute on all functions in schema tests to public;
create or replace function tests.purge_email_state()
returns int language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  select app_private.purge_email_state()
$$;
grant execute on all functions in schema tests to public;

-- Service accounts (test/db/service_accounts.sql): the owner-only calls the CLI makes.
create or replace function tests.create_service_account(p_name text)
returns table (client_id text, client_secret text, user_id uuid) language sql volatile security definer
set search_path = pg_catalog, pg_temp as $$
  select * from app_private.create_service_account(p_name, null)
$$;
create or replace function tests.add_service_secret(p_client_id text)
returns text language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  select app_private.add_service_secret(p_client_id, null)
$$;
grant execute on all functions in schema tests to public;

-- Claims hooks (test/db/claims_hook.sql): sample hooks and a setter, as the owner.
create or replace function tests.hook_good(p_user uuid, p_session uuid, p_claims jsonb)
returns jsonb language sql stable as $$ select jsonb_build_object('tenant', 'acme', 'seen_role', p_claims ->> 'role') $$;
create or replace function tests.hook_reserved(p_user uuid, p_session uuid, p_claims jsonb)
returns jsonb language sql stable as $$ select jsonb_build_object('role', 'admin', 'x', 1) $$;
create or replace function tests.hook_raises(p_user uuid, p_session uuid, p_claims jsonb)
returns jsonb language plpgsql stable as $$ begin raise exception 'boom' using errcode = 'BADRQ'; end $$;
create or replace function tests.hook_scalar(p_user uuid, p_session uuid, p_claims jsonb)
returns jsonb language sql stable as $$ select '"just a string"'::jsonb $$;
create or replace function tests.hook_text(p_user uuid, p_session uuid, p_claims jsonb)
returns text language sql stable as $$ select '{}' $$;
create or replace function tests.set_claims_hook(p_hook text)
returns void language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  update app_private.auth_config set claims_hook = p_hook::regprocedure
$$;
grant execute on all functions in schema tests to public;

-- Session housekeeping (committed/000008).
create or replace function tests.age_session(p_session uuid, p_by interval)
returns void language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  update app_private.sessions set created_at = created_at - p_by, expires_at = expires_at - p_by,
    revoked_at = revoked_at - p_by where id = p_session
$$;
create or replace function tests.purge_sessions()
returns int language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  select app_private.purge_sessions()
$$;
create or replace function tests.api_key_session(p_key uuid)
returns table (session_id uuid) language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select k.session_id from app_public.api_keys k where k.id = p_key
$$;
create or replace function tests.session_exists(p_session uuid)
returns boolean language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select exists (select 1 from app_private.sessions where id = p_session)
$$;
grant execute on all functions in schema tests to public;

-- Device authorizations and anonymous users (committed/000012).
create or replace function tests.advance_device_clock(p_by interval)
returns void language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  update app_private.device_codes set created_at = created_at - p_by, expires_at = expires_at - p_by,
    last_polled_at = last_polled_at - p_by;
  update app_private.attempt_counters set window_start = window_start - p_by;
$$;
create or replace function tests.device_codes()
returns setof app_private.device_codes language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select * from app_private.device_codes order by created_at, id
$$;
grant execute on all functions in schema tests to public;

-- Auth-event webhooks (3100-webhooks.sql): the outbox and the worker's side, owner only.
create or replace function tests.webhook_events()
returns setof app_private.webhook_events language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select * from app_private.webhook_events order by created_at, id
$$;
create or replace function tests.webhook_jobs()
returns table (delivery_id uuid, run_at timestamptz) language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select substr(j.key, 9)::uuid, j.run_at from graphile_worker.jobs j
  where j.task_identifier = 'webhook_deliver' and j.key like 'webhook:%'
$$;
create or replace function tests.add_webhook_endpoint(p_url text, p_types text[] default '{}')
returns uuid language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  select id from app_private.add_webhook_endpoint(p_url, p_types, null, null)
$$;
create or replace function tests.webhook_target(p_delivery uuid)
returns table (url text, secret text, message_id text, body text) language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select * from app_private.webhook_delivery_target(p_delivery)
$$;
create or replace function tests.record_webhook_attempt(p_delivery uuid, p_status int, p_error text, p_max int, p_base interval)
returns text language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  select app_private.record_webhook_attempt(p_delivery, p_status, p_error, p_max, p_base)
$$;
create or replace function tests.retry_webhook_delivery(p_delivery uuid)
returns boolean language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  select app_private.retry_webhook_delivery(p_delivery)
$$;
create or replace function tests.age_user(p_user uuid, p_by interval)
returns void language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  update app_public.users set created_at = created_at - p_by where id = p_user
$$;
create or replace function tests.webhook_cause(p_sql text)
returns void language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
begin
  -- The owner's change to a table outside a request role's reach (factors, bans, user deletion).
  execute p_sql;
end $$;
grant execute on all functions in schema tests to public;

-- Administration (3000-admin.sql): second factors, bans and sessions as the owner sees them.
create or replace function tests.add_factor(p_user uuid, p_kind text default 'totp')
returns uuid language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  insert into app_private.mfa_factors (user_id, kind, status) values (p_user, p_kind, 'active') returning id
$$;
create or replace function tests.factor_owner(p_factor uuid)
returns uuid language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select user_id from app_private.mfa_factors where id = p_factor
$$;
create or replace function tests.ban_of(p_user uuid)
returns app_private.user_bans language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select * from app_private.user_bans where user_id = p_user
$$;
create or replace function tests.session_of(p_session uuid)
returns app_private.sessions language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select * from app_private.sessions where id = p_session
$$;
grant execute on all functions in schema tests to public;

-- Stored provider tokens of an identity (5100: an ID-token sign-in keeps them).
create or replace function tests.identity_access_token(p_issuer text, p_subject text)
returns bytea language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select t.access_token_enc from app_private.user_identity_tokens t
    join app_public.user_identities i on i.id = t.identity_id
    where i.issuer = p_issuer and i.subject = p_subject
$$;
grant execute on function tests.identity_access_token(text, text) to public;

-- Recovery codes and trusted devices of a user (admin MFA reset).
create or replace function tests.mfa_leftovers(p_user uuid)
returns int language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select (select count(*)::int from app_private.mfa_recovery_codes where user_id = p_user)
       + (select count(*)::int from app_private.trusted_devices where user_id = p_user)
$$;
create or replace function tests.add_mfa_leftovers(p_user uuid)
returns void language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
  insert into app_private.mfa_recovery_codes (user_id, code_hash) values (p_user, sha256('rc'::bytea));
  insert into app_private.trusted_devices (user_id, token_hash, expires_at)
    values (p_user, sha256(gen_random_uuid()::text::bytea), now() + interval '30 days');
$$;
grant execute on function tests.mfa_leftovers(uuid), tests.add_mfa_leftovers(uuid) to public;
