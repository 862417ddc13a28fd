--! Previous: sha1:ec254bbeac0c6531b17a8da0bc9bbe9d9744db36
--! Hash: sha1:622c8c270a6b870df05dd6b4e0fd610e994e5f45
--! Message: authorization hardening

--! split: 1-current.sql
-- Enter migration here

--! split: 2000-rls-helpers.sql
-- RLS for new tables in one call (issue 7).
-- Every table must have RLS enabled AND forced (A2: even the owner is subject to policies,
-- so a definer function cannot read more than a policy allows by accident) and a definer
-- policy that lets the owner, i.e. the security definer functions, do their work. Three
-- statements that are easy to forget one of; a migration calls
--   call app_private.enable_rls('app_public.my_table');
-- right after `create table`, then adds the request-role policies and column grants.
-- Re-runnable: the definer policy is dropped and created again.

create or replace procedure app_private.enable_rls(p_table regclass)
  language plpgsql
  set search_path = pg_catalog, pg_temp
as $$
declare
  -- The table's owner is the role definer functions run as (the database owner here).
  v_owner name := (select r.rolname from pg_catalog.pg_class c join pg_catalog.pg_roles r on r.oid = c.relowner
                    where c.oid = p_table);
begin
  -- regclass prints schema-qualified and quoted under this search_path; v_owner is quoted by %I.
  execute format('alter table %s enable row level security', p_table);
  execute format('alter table %s force row level security', p_table);
  execute format('drop policy if exists definer_all on %s', p_table);
  execute format('create policy definer_all on %s to %I using (true) with check (true)', p_table, v_owner);
end;
$$;
comment on procedure app_private.enable_rls(regclass) is
  'Enables and forces row-level security on a table and gives its owner (the definer of security definer functions) a definer_all policy. Call it as the owner in the migration that creates the table; request-role policies and grants come after.';
revoke all on procedure app_private.enable_rls(regclass) from public;

--! split: 2100-verified-email.sql
-- Domain rules apply only to verified emails (A7); user_role() is no longer a probe.
-- Threat model: role_domain_rules promotes everyone of a domain, and register() verifies
-- nothing, so anyone could register boss@<ruled domain> and become admin. An address is
-- verified only by a provider's verified claim (the edge passes oauth_sign_in an email
-- only when the provider verified it: proxy/features/oauth/flow.ts `account()`), later
-- also by a confirmed email token (the email feature); never by the user. An email change
-- voids the verification, so what the old address granted is gone on the next statement
-- (roles are re-read from the tables on every statement: current_app_role()).
--
-- user_role(uuid) answered for any id, which told any caller whether a user exists (and
-- their role): it is now callable only by the owner, i.e. inside definer functions
-- (start_session, refresh, oauth_sign_in) and current_app_role(), which answers only for
-- the caller.

alter table app_public.users add column if not exists email_verified_at timestamptz;
comment on column app_public.users.email_verified_at is
  'When the current email was verified (a provider''s verified claim or an email token); NULL for unverified. Cleared when the email changes. Only verified emails match role_domain_rules.';
-- No request role may write it: users' update grants are column lists (display_name for
-- app_user, disabled_at for admin), tested in test/db/users.sql.

-- An email change voids the verification unless the same statement sets a new one (a
-- confirmed email change writes both). Invoker: it only changes the row being written.
create or replace function app_private.tg_users__unverify_changed_email() returns trigger
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
begin
  if new.email is distinct from old.email and new.email_verified_at is not distinct from old.email_verified_at then
    new.email_verified_at := null;
  end if;
  return new;
end;
$$;
comment on function app_private.tg_users__unverify_changed_email() is
  'BEFORE UPDATE OF email: a new address is unverified until proven, so domain rules of the old one stop applying.';
drop trigger if exists _200_unverify_changed_email on app_public.users;
create trigger _200_unverify_changed_email before update of email on app_public.users
  for each row execute function app_private.tg_users__unverify_changed_email();

-- A linked identity's email is the provider-verified one (the edge passes no other, and
-- only app_hidden.oauth_sign_in writes identities), so an identity whose email equals the
-- user's email proves it. Invoker on purpose: only a writer that may already update users
-- (the owner, inside oauth_sign_in) can verify anything through it.
create or replace function app_private.tg_user_identities__verify_email() returns trigger
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
begin
  if new.email is not null then
    update app_public.users u set email_verified_at = now()
      where u.id = new.user_id and u.email_verified_at is null
        and u.email operator(public.=) new.email;
  end if;
  return null;
end;
$$;
comment on function app_private.tg_user_identities__verify_email() is
  'AFTER INSERT/UPDATE OF email on user_identities: a provider-verified email equal to the user''s email marks it verified.';
drop trigger if exists _400_verify_email on app_public.user_identities;
create trigger _400_verify_email after insert or update of email on app_public.user_identities
  for each row execute function app_private.tg_user_identities__verify_email();
comment on column app_public.user_identities.email is
  'The email the provider reported as verified (the edge passes no other); never used to link accounts. Equal to the user''s email, it verifies that email.';

-- Existing accounts: an identity already carrying the user's address verifies it (so
-- provider-registered staff keep their domain role); password-only accounts stay unverified.
update app_public.users u set email_verified_at = i.created_at
  from app_public.user_identities i
  where i.user_id = u.id and u.email_verified_at is null and i.email operator(public.=) u.email;

-- Security definer: reads role tables regardless of the caller's visibility; policy helper,
-- so stable, side-effect free and not referencing any table whose policy calls it.
-- plpgsql for its cached plan (see current_user_id). Not executable by request roles.
create or replace function app_hidden.user_role(p_user_id uuid) returns text
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
begin
  return (select case
    when u.is_bot then 'bot'
    when exists (select 1 from app_public.role_grants g where g.user_id = u.id and g.role = 'admin')
      or (u.email_verified_at is not null and exists (
            select 1 from app_public.role_domain_rules r
            where r.role = 'admin' and r.domain operator(public.=) split_part(u.email::text, '@', 2)::public.citext))
      then 'admin'
    when exists (select 1 from app_public.role_grants g where g.user_id = u.id and g.role = 'manager')
      or (u.email_verified_at is not null and exists (
            select 1 from app_public.role_domain_rules r
            where r.role = 'manager' and r.domain operator(public.=) split_part(u.email::text, '@', 2)::public.citext))
      then 'manager'
    else 'app_user'
  end
  from app_public.users u
  where u.id = p_user_id and u.disabled_at is null);
end;
$$;
comment on function app_hidden.user_role(uuid) is
  'The request role a user is entitled to now (role_grants, or a domain rule for a verified email), or NULL if disabled/missing. Owner only: definer functions call it when they issue a session.';
revoke execute on function app_hidden.user_role(uuid) from public, anonymous, app_user, bot;

-- Security definer: user_role() is not executable by request roles. Takes no argument, so
-- it can only ever answer for the caller (its live session, else anonymous).
create or replace function app_hidden.current_app_role() returns text
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
begin
  return coalesce(app_hidden.user_role(app_hidden.current_user_id()), 'anonymous');
end;
$$;
comment on function app_hidden.current_app_role() is
  'The caller''s entitled role from the tables (not the token), anonymous without a live session.';
grant execute on function app_hidden.current_app_role() to anonymous, app_user, bot;

--! split: 2200-audit-policy.sql
-- Role-wide policies go through the liveness and role-table check (D6, E3, A8).
-- Threat model: audit_log's admin policy was `using (true)`: the admin database role alone
-- decided, so an admin's access token kept reading the log after logout, revocation,
-- demotion or disable, and `set role admin` with empty claims read it too. Like every other
-- role-wide policy it now asks current_app_role(), which re-reads the live session and the
-- role tables on every statement. (It was the only request-role policy that ignored the
-- caller; test/db/structure.sql keeps it that way for every table.)

drop policy if exists select_admin on app_public.audit_log;
create policy select_admin on app_public.audit_log for select to admin
  using ((select app_hidden.current_app_role()) = 'admin');

--! split: 2300-sharing-owners.sql
-- The rule for owners, once, for share_document and unshare_document (I2).
-- Threat model: unshare_document protected the creator and the last owner, share_document
-- did not, so a co-owner could demote the creator to viewer (an owner may "change someone
-- at their own level"). The rule, used by both paths:
--   1. the creator (documents.owner_id) is always an owner: never demoted or removed (LASTO);
--   2. another owner entry loses ownership (demoted or removed) only by the creator's hand,
--      or by its own holder leaving (a user unsharing themself) (DNIED otherwise);
--   3. a document never loses its last owner (LASTO).
-- So owners are peers for everything else, and the creator is the one who can take
-- ownership back. Managers cannot touch owners at all (they rank below: DNIED before this).

-- Called only by the definer functions below (runs as the owner; request roles cannot reach
-- app_private). p_new NULL means removal. Raises, or returns when the change is allowed.
create or replace function app_private.assert_owner_change_allowed(
  p_document_id uuid, p_subject_id uuid, p_existing app_public.access_level, p_new app_public.access_level, p_me uuid
) returns void
  language plpgsql stable
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_creator uuid;
begin
  if p_existing is distinct from 'owner' or p_new = 'owner' then
    return; -- nobody loses ownership
  end if;
  select d.owner_id into v_creator from app_public.documents d where d.id = p_document_id;
  if p_subject_id = v_creator then
    raise exception 'The creator of a document keeps ownership' using errcode = 'LASTO';
  end if;
  if p_me is distinct from v_creator and p_me is distinct from p_subject_id then
    raise exception 'Only the creator can take ownership away from another owner' using errcode = 'DNIED';
  end if;
  if not exists (select 1 from app_public.document_acl a
                 where a.document_id = p_document_id and a.role = 'owner' and a.subject_id <> p_subject_id) then
    raise exception 'A document must keep an owner' using errcode = 'LASTO';
  end if;
end;
$$;
comment on function app_private.assert_owner_change_allowed(uuid, uuid, app_public.access_level, app_public.access_level, uuid) is
  'The owner rule of share/unshare: the creator stays owner (LASTO); only the creator or the owner themself ends another ownership (DNIED); never the last owner (LASTO).';

-- Security definer: writes document_acl, which request roles cannot. Checks, in order:
-- a live session (LOGIN); the caller can see the document, else the same NTFND as a missing
-- one; the caller is at least a manager and is not granting above their own level or
-- changing someone ranked above them (DNIED); not themself (DNIED); the owner rule
-- (assert_owner_change_allowed: LASTO, DNIED); the subject exists (NTFND).
create or replace function app_public.share_document(
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
    where a.document_id = share_document.document_id and a.subject_id = share_document.subject_id
    for update;
  if v_existing > v_mine then
    raise exception 'You cannot change the access of someone above you' using errcode = 'DNIED';
  end if;
  perform app_private.assert_owner_change_allowed(share_document.document_id, share_document.subject_id,
    v_existing, share_document.role, v_me);
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
  'Give a user or group access to a document you manage, up to your own level. The creator always stays owner; only the creator can demote another owner.';

-- Security definer: as share_document. The owner rule keeps owner_id in agreement with the
-- ACL (the creator is never removed) and a document never without an owner.
create or replace function app_public.unshare_document(document_id uuid, subject_id uuid) returns boolean
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
  perform app_private.assert_owner_change_allowed(unshare_document.document_id, unshare_document.subject_id,
    v_existing, null, v_me);
  delete from app_public.document_acl a
    where a.document_id = unshare_document.document_id and a.subject_id = unshare_document.subject_id;
  return true;
end;
$$;
comment on function app_public.unshare_document(uuid, uuid) is
  'Remove a user''s or group''s access to a document you manage (or your own access). The creator always stays owner; only the creator can remove another owner.';

--! split: 2400-denials.sql
-- record_denied stores only vocabulary, never caller-chosen text (K2, info item 11).
-- Threat model: the edge records every refused GraphQL write after the failed request
-- (000002). It passed the response path, whose first element is the caller's alias, so a
-- client could write arbitrary text into audit_log.detail. Now the operation must be a
-- GraphQL field name (the schema's name, which the edge resolves from the operation, not
-- the alias) and the code one of the registered denial codes; anything else is refused
-- with BADRQ and writes nothing. Same signature, so the grants of 1900-edge-role.sql
-- (execute for auth_edge only) are kept by `create or replace`.

-- Security definer: request roles cannot insert into audit_log. The actor comes from the
-- claims, never from the arguments.
create or replace function app_hidden.record_denied(p_operation text, p_code text) returns void
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
begin
  if p_operation is null or p_operation !~ '^[A-Za-z_][A-Za-z0-9_]{0,62}$' then
    raise exception 'The operation must be a GraphQL field name' using errcode = 'BADRQ';
  end if;
  if p_code is null or not (p_code = any (array['NTFND', 'DNIED', 'LASTO', 'LASTM', 'LOGIN'])) then
    raise exception 'Not a registered denial code' using errcode = 'BADRQ';
  end if;
  perform app_private.write_audit('access_denied', null, null, null, null,
    jsonb_build_object('operation', p_operation, 'code', p_code));
end;
$$;
comment on function app_hidden.record_denied(text, text) is
  'Audit a refused operation (called by the edge after the failed request rolled back): p_operation is the GraphQL field name (not an alias), p_code one of NTFND, DNIED, LASTO, LASTM, LOGIN; anything else is refused with BADRQ.';

--! split: 2500-fk-indexes.sql
-- Every foreign key has an index led by its columns, so a delete (or key update) of the
-- referenced row never scans the referencing table, and lookups by the key are indexed
-- (refresh() looks tokens up by parent_id). test/db/structure.sql checks all of them.
-- sessions(user_id) had only a partial index (live sessions), which a cascade from users
-- cannot use for revoked rows.

create index if not exists refresh_tokens_parent_idx on app_private.refresh_tokens (parent_id);
create index if not exists sessions_user_id_idx on app_private.sessions (user_id);
create index if not exists groups_created_by_idx on app_public.groups (created_by);
create index if not exists role_grants_granted_by_idx on app_public.role_grants (granted_by);
