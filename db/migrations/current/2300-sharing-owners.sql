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
