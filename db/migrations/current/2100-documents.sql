--! Documents and their per-document ACL.
-- Threat model: no document is reachable without an ACL row for one of the caller's
-- principals, whatever the entry point (I1); ACL rows are written only by share_document /
-- unshare_document, which never grant more than the caller holds and answer an invisible
-- document exactly like a missing one (I2). short_url is generated, never chosen, so its
-- unique index cannot be used to probe for other users' rows (A10).
-- Performance: document_acl carries the document's created_at, and visible_documents()
-- walks (subject_id, document_created_at) once per principal, so listing a user's newest
-- documents touches about `max_rows` index entries per principal however many documents
-- they can see. Policies evaluate claim helpers once per statement via (select ...).

create type app_public.access_level as enum ('viewer', 'manager', 'owner');
comment on type app_public.access_level is 'Ordered: owner > manager > viewer.';

create function app_hidden.random_short_url() returns text
  language sql volatile
  set search_path = pg_catalog, pg_temp
as $$
  select translate(encode(public.gen_random_bytes(9), 'base64'), '+/', '-_')
$$;
comment on function app_hidden.random_short_url() is '72 random bits, URL-safe: the default short_url.';
grant execute on function public.gen_random_bytes(int) to app_user;
grant execute on function app_hidden.random_short_url() to app_user;

create table app_public.documents (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null default app_hidden.claimed_user_id() references app_public.users on delete cascade,
  full_url text not null check (length(full_url) between 1 and 2048),
  short_url text not null unique default app_hidden.random_short_url(),
  comment text check (length(comment) <= 10000),
  created_at timestamptz not null default now()
);
create index documents_owner_idx on app_public.documents (owner_id);
create index documents_created_at_idx on app_public.documents (created_at desc, id desc);
comment on table app_public.documents is 'A shortened link with a comment, shared through document_acl.';
comment on column app_public.documents.owner_id is 'The creator; set from the session, cannot be chosen or changed.';
comment on column app_public.documents.short_url is 'Generated, unique, URL-safe.';

create table app_public.document_acl (
  document_id uuid not null references app_public.documents on delete cascade,
  subject_type text not null check (subject_type in ('user', 'group')),
  subject_id uuid not null,
  role app_public.access_level not null,
  document_created_at timestamptz not null,
  granted_by uuid default app_hidden.claimed_user_id(),
  granted_at timestamptz not null default now(),
  primary key (document_id, subject_id)
);
create index document_acl_subject_idx on app_public.document_acl
  (subject_id, document_created_at desc, document_id desc) include (role);
comment on table app_public.document_acl is 'Who (a user or a group) holds which access level on a document.';
comment on column app_public.document_acl.document_created_at is 'Copy of documents.created_at (immutable) so lists can be served from this index.';

-- Security definer: needs the ACL rows of every principal regardless of acl policies.
create function app_hidden.doc_access(p_document_id uuid) returns app_public.access_level
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
  select max(a.role) from app_public.document_acl a
  where a.document_id = p_document_id and a.subject_id = any (app_hidden.current_principals())
$$;
comment on function app_hidden.doc_access(uuid) is 'The caller''s highest access level on the document, or NULL.';

create function app_hidden.has_doc_role(p_document_id uuid, p_role app_public.access_level) returns boolean
  language sql stable
  set search_path = pg_catalog, pg_temp
as $$
  select coalesce(app_hidden.doc_access(p_document_id) >= p_role, false)
$$;
comment on function app_hidden.has_doc_role(uuid, app_public.access_level) is
  'Whether the caller holds at least p_role on the document, directly or through a group.';
grant execute on function app_hidden.doc_access(uuid), app_hidden.has_doc_role(uuid, app_public.access_level)
  to app_user, bot;

alter table app_public.documents enable row level security;
alter table app_public.documents force row level security;
-- owner_id first: INSERT ... RETURNING checks this policy before the creator's ACL row exists.
create policy select_acl on app_public.documents for select to app_user, bot
  using (owner_id = (select app_hidden.current_user_id()) or exists (
    select 1 from app_public.document_acl a
    where a.document_id = documents.id and a.subject_id = any ((select app_hidden.current_principals())::uuid[])
  ));
-- Role-wide rights: managers, admins and bots read every document; admins change any.
create policy select_staff on app_public.documents for select to app_user, bot
  using ((select app_hidden.current_app_role()) in ('manager', 'admin', 'bot'));
create policy insert_own on app_public.documents for insert to app_user
  with check (owner_id = (select app_hidden.current_user_id()));
create policy update_manager on app_public.documents for update to app_user
  using (exists (
    select 1 from app_public.document_acl a
    where a.document_id = documents.id and a.subject_id = any ((select app_hidden.current_principals())::uuid[])
      and a.role >= 'manager'
  ));
create policy update_admin on app_public.documents for update to admin
  using ((select app_hidden.current_app_role()) = 'admin');
create policy delete_owner on app_public.documents for delete to app_user
  using (exists (
    select 1 from app_public.document_acl a
    where a.document_id = documents.id and a.subject_id = any ((select app_hidden.current_principals())::uuid[])
      and a.role = 'owner'
  ));
create policy delete_admin on app_public.documents for delete to admin
  using ((select app_hidden.current_app_role()) = 'admin');
create policy definer_all on app_public.documents to :DATABASE_OWNER using (true) with check (true);
grant select on app_public.documents to app_user, bot;
grant insert (full_url, comment), update (full_url, comment), delete on app_public.documents to app_user;
create trigger _900_audit after insert or update or delete on app_public.documents
  for each row execute function app_private.tg__audit();

alter table app_public.document_acl enable row level security;
alter table app_public.document_acl force row level security;
-- Your own rows come first so the documents policies' subquery never reaches doc_access().
create policy select_member on app_public.document_acl for select to app_user, bot
  using (
    subject_id = any ((select app_hidden.current_principals())::uuid[])
    or app_hidden.has_doc_role(document_id, 'viewer')
    or (select app_hidden.current_app_role()) in ('manager', 'admin', 'bot')
  );
create policy definer_all on app_public.document_acl to :DATABASE_OWNER using (true) with check (true);
grant select on app_public.document_acl to app_user, bot;
create trigger _900_audit after insert or update or delete on app_public.document_acl
  for each row execute function app_private.tg__audit('document_id', 'subject_id');

-- Security definer: the creator holds no ACL row yet, and request roles cannot write ACLs.
create function app_private.tg_documents__creator_owns() returns trigger
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
begin
  insert into app_public.document_acl (document_id, subject_type, subject_id, role, document_created_at, granted_by)
  values (new.id, 'user', new.owner_id, 'owner', new.created_at, new.owner_id);
  return null;
end;
$$;
comment on function app_private.tg_documents__creator_owns() is 'The creator of a document becomes its owner.';
create trigger _500_creator_owns after insert on app_public.documents
  for each row execute function app_private.tg_documents__creator_owns();

-- Security definer: writes document_acl, which request roles cannot. Checks, in order:
-- a live session (LOGIN); the caller can see the document, else the same NTFND as a missing
-- one; the caller is at least a manager and is not granting above their own level or
-- changing someone ranked above them (DNIED); not themself (DNIED); the subject exists (NTFND).
create function app_public.share_document(
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
    where a.document_id = share_document.document_id and a.subject_id = share_document.subject_id;
  if v_existing > v_mine then
    raise exception 'You cannot change the access of someone above you' using errcode = 'DNIED';
  end if;
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
  'Give a user or group access to a document you manage, up to your own level.';

-- Security definer: as share_document. The creator (owner_id) and the last owner cannot be
-- removed (LASTO), so owner_id always agrees with the ACL.
create function app_public.unshare_document(document_id uuid, subject_id uuid) returns boolean
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
  if exists (select 1 from app_public.documents d
             where d.id = unshare_document.document_id and d.owner_id = unshare_document.subject_id) then
    raise exception 'The creator of a document keeps ownership' using errcode = 'LASTO';
  end if;
  if v_existing = 'owner' and not exists (
    select 1 from app_public.document_acl a
    where a.document_id = unshare_document.document_id and a.role = 'owner'
      and a.subject_id <> unshare_document.subject_id
  ) then
    raise exception 'A document must keep an owner' using errcode = 'LASTO';
  end if;
  delete from app_public.document_acl a
    where a.document_id = unshare_document.document_id and a.subject_id = unshare_document.subject_id;
  return true;
end;
$$;
comment on function app_public.unshare_document(uuid, uuid) is
  'Remove a user''s or group''s access to a document you manage (or your own access).';
grant execute on function app_public.share_document(uuid, uuid, app_public.access_level),
  app_public.unshare_document(uuid, uuid) to app_user;

-- The list-objects form, and the fast way to list documents: newest first, keyset-paginated.
-- Invoker: documents' policies still apply to the rows it returns.
create function app_public.visible_documents(
  min_role app_public.access_level default 'viewer',
  before_created_at timestamptz default null,
  before_id uuid default null,
  max_rows int default 20
) returns setof app_public.documents
  language sql stable
  set search_path = pg_catalog, pg_temp
as $$
  with page as (
    select distinct c.document_id, c.document_created_at
    from unnest(app_hidden.current_principals()) as p(subject_id)
    cross join lateral (
      select a.document_id, a.document_created_at
      from app_public.document_acl a
      where a.subject_id = p.subject_id
        and a.role >= min_role
        and (a.document_created_at, a.document_id)
          < (coalesce(before_created_at, 'infinity'), coalesce(before_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))
      order by a.document_created_at desc, a.document_id desc
      limit least(greatest(max_rows, 1), 100)
    ) c
    order by c.document_created_at desc, c.document_id desc
    limit least(greatest(max_rows, 1), 100)
  )
  select d.* from page join app_public.documents d on d.id = page.document_id
  order by page.document_created_at desc, page.document_id desc
$$;
comment on function app_public.visible_documents(app_public.access_level, timestamptz, uuid, int) is
  'Documents you hold at least min_role on (directly or through groups), newest first. Page with before_created_at/before_id of the last row; at most 100 rows.';
grant execute on function app_public.visible_documents(app_public.access_level, timestamptz, uuid, int)
  to app_user, bot;
