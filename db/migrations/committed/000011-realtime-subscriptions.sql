--! Previous: sha1:7a440adcf14c56dd70d2d03a88b74e77f14f7fa9
--! Hash: sha1:f6f213c9811c46ae3cd4d565a3ad138a8fc283f4
--! Message: realtime subscriptions

--! split: 4000-realtime.sql
-- Realtime (issue 13; SECURITY.md P2, P3): GraphQL subscriptions fed by LISTEN/NOTIFY.
--
-- Threat model: a NOTIFY is seen by every session that LISTENs on the channel, whatever its
-- role, so payloads carry only ids and the kind of change, never row data (P2). The edge
-- (proxy/features/realtime/) receives each notification once per process and re-reads it
-- for every subscriber, under RLS as that subscriber (`realtime_document_events`,
-- `realtime_session_events`, run with the subscriber's role and claims): what a query would
-- not return is never sent, and a revoked share stops events on the next one.
--
-- A deleted row, or a share taken away, cannot be re-read. Who could see it is kept for a
-- few minutes in `realtime_tombstones` (document id and subject ids only), so former viewers
-- still learn the id and the kind (DELETED, UNSHARED), never the content.
--
-- Channels: `pgauth:documents` {"id","kind"}; `pgauth:sessions` {"id","user","kind"}, kinds
-- signed_in, revoked, user_disabled (the last two also wake the edge's socket watchdog, which
-- closes the sockets of ended sessions with `realtime_ended_sessions`, edge role only: P3).

create table if not exists app_private.realtime_tombstones (
  id bigint generated always as identity primary key,
  document_id uuid not null,
  subject_ids uuid[] not null,
  kind text not null check (kind in ('deleted', 'unshared')),
  created_at timestamptz not null default now()
);
create index if not exists realtime_tombstones_document_idx on app_private.realtime_tombstones (document_id);
create index if not exists realtime_tombstones_created_idx on app_private.realtime_tombstones (created_at);
call app_private.enable_rls('app_private.realtime_tombstones');
comment on table app_private.realtime_tombstones is 'Who could see a document just deleted or unshared (subject ids, not content), so realtime subscribers that lost it still get the event; kept 10 minutes.';

-- Security definer: request roles cannot write app_private (the tombstones) and must not
-- need to; owner only, schema-qualified, pinned search_path.
create or replace function app_private.realtime_tombstone(p_document_id uuid, p_subject_ids uuid[], p_kind text) returns void
language sql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
  delete from app_private.realtime_tombstones where created_at < now() - interval '10 minutes';
  insert into app_private.realtime_tombstones (document_id, subject_ids, kind) values (p_document_id, p_subject_ids, p_kind);
$$;
comment on function app_private.realtime_tombstone(uuid, uuid[], text) is 'Records who could see a document that was deleted or unshared, purging tombstones older than 10 minutes.';
revoke all on function app_private.realtime_tombstone(uuid, uuid[], text) from public;

-- Security definer: reads every ACL row of the document being deleted (the deleter may not
-- see them all) to know its former viewers.
create or replace function app_private.tg_documents__realtime() returns trigger
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if tg_op = 'DELETE' then
    perform app_private.realtime_tombstone(old.id,
      array_append(coalesce((select array_agg(a.subject_id) from app_public.document_acl a where a.document_id = old.id), '{}'), old.owner_id),
      'deleted');
    perform pg_catalog.pg_notify('pgauth:documents', json_build_object('id', old.id, 'kind', 'deleted')::text);
    return old;
  end if;
  perform pg_catalog.pg_notify('pgauth:documents',
    json_build_object('id', new.id, 'kind', case tg_op when 'INSERT' then 'created' else 'updated' end)::text);
  return new;
end;
$$;
comment on function app_private.tg_documents__realtime() is 'NOTIFY pgauth:documents with the id and kind of a change (no row data); before a delete, a tombstone of its viewers.';
revoke all on function app_private.tg_documents__realtime() from public;

drop trigger if exists _100_realtime_tombstone on app_public.documents;
create trigger _100_realtime_tombstone before delete on app_public.documents
  for each row execute function app_private.tg_documents__realtime();
drop trigger if exists _800_realtime on app_public.documents;
create trigger _800_realtime after insert or update on app_public.documents
  for each row execute function app_private.tg_documents__realtime();

-- Security definer: checks whether the document still exists whoever unshared it (a cascade
-- from a document delete is announced by the delete itself) and writes the tombstone.
create or replace function app_private.tg_document_acl__realtime() returns trigger
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if tg_op = 'DELETE' then
    if exists (select 1 from app_public.documents d where d.id = old.document_id) then
      perform app_private.realtime_tombstone(old.document_id, array[old.subject_id], 'unshared');
      perform pg_catalog.pg_notify('pgauth:documents', json_build_object('id', old.document_id, 'kind', 'unshared')::text);
    end if;
    return old;
  end if;
  -- The creator's own owner row, written with the document, is announced as its creation.
  if tg_op = 'INSERT' and exists (select 1 from app_public.documents d where d.id = new.document_id and d.owner_id = new.subject_id) then
    return new;
  end if;
  perform pg_catalog.pg_notify('pgauth:documents', json_build_object('id', new.document_id, 'kind', 'shared')::text);
  return new;
end;
$$;
comment on function app_private.tg_document_acl__realtime() is 'NOTIFY pgauth:documents when a document is shared (ACL row added or changed) or unshared (removed; tombstone of that subject).';
revoke all on function app_private.tg_document_acl__realtime() from public;

drop trigger if exists _800_realtime on app_public.document_acl;
create trigger _800_realtime after insert or update or delete on app_public.document_acl
  for each row execute function app_private.tg_document_acl__realtime();

-- Security definer: pg_notify() is executable by the owner only (root-hardening.sql), and
-- sessions change under auth_edge and request roles.
create or replace function app_private.tg_sessions__realtime() returns trigger
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if tg_op = 'INSERT' then
    perform pg_catalog.pg_notify('pgauth:sessions', json_build_object('id', new.id, 'user', new.user_id, 'kind', 'signed_in')::text);
  elsif tg_op = 'UPDATE' then
    if old.revoked_at is null and new.revoked_at is not null then
      perform pg_catalog.pg_notify('pgauth:sessions', json_build_object('id', new.id, 'user', new.user_id, 'kind', 'revoked')::text);
    end if;
  elsif old.revoked_at is null and old.expires_at > now() then
    perform pg_catalog.pg_notify('pgauth:sessions', json_build_object('id', old.id, 'user', old.user_id, 'kind', 'revoked')::text);
  end if;
  return null;
end;
$$;
comment on function app_private.tg_sessions__realtime() is 'NOTIFY pgauth:sessions (ids and kind only) when a session starts, is revoked or a live one is deleted.';
revoke all on function app_private.tg_sessions__realtime() from public;

drop trigger if exists _800_realtime on app_private.sessions;
create trigger _800_realtime after insert or update of revoked_at or delete on app_private.sessions
  for each row execute function app_private.tg_sessions__realtime();

-- Security definer: pg_notify() is executable by the owner only (root-hardening.sql).
create or replace function app_private.tg_users__realtime_disabled() returns trigger
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  perform pg_catalog.pg_notify('pgauth:sessions', json_build_object('user', new.id, 'kind', 'user_disabled')::text);
  return null;
end;
$$;
comment on function app_private.tg_users__realtime_disabled() is 'NOTIFY pgauth:sessions when a user is disabled, so open sockets are closed at once (P3).';
revoke all on function app_private.tg_users__realtime_disabled() from public;

drop trigger if exists _800_realtime_disabled on app_public.users;
create trigger _800_realtime_disabled after update of disabled_at on app_public.users
  for each row when (old.disabled_at is null and new.disabled_at is not null)
  execute function app_private.tg_users__realtime_disabled();

-- Security definer: the tombstones are private; answers only for the caller's own live
-- principals (and staff, who could see every document), one boolean.
create or replace function app_hidden.realtime_former_viewer(p_document_id uuid, p_kind text) returns boolean
language sql stable security definer
set search_path = pg_catalog, pg_temp
as $$
  select app_hidden.current_user_id() is not null and exists (
    select 1 from app_private.realtime_tombstones t
    where t.document_id = p_document_id and t.kind = p_kind
      and (t.subject_ids && app_hidden.current_principals()
           or (t.kind = 'deleted' and app_hidden.current_app_role() in ('manager', 'admin', 'bot'))));
$$;
comment on function app_hidden.realtime_former_viewer(uuid, text) is 'Whether the caller could see a document that was just deleted or unshared from one of its principals (realtime tombstones).';
revoke all on function app_hidden.realtime_former_viewer(uuid, text) from public;
grant execute on function app_hidden.realtime_former_viewer(uuid, text) to app_user, bot;

-- Invoker: the documents are read under RLS as the subscriber (P2). plpgsql so that its plan
-- is cached per connection (an SQL function with SET is never inlined and re-planned on every
-- call); a cached plan that depends on RLS is re-planned when the role differs.
drop function if exists app_hidden.realtime_document_events(uuid[], text[]);
create function app_hidden.realtime_document_events(p_ids uuid[], p_kinds text[])
returns table (document_id uuid, kind text, visible boolean)
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
  return query
    select e.id, e.kind, d.id is not null
    from unnest(p_ids, p_kinds) with ordinality as e(id, kind, n)
    left join app_public.documents d on d.id = e.id
    where d.id is not null
       or (e.kind in ('deleted', 'unshared') and app_hidden.realtime_former_viewer(e.id, e.kind))
    order by e.n;
end;
$$;
comment on function app_hidden.realtime_document_events(uuid[], text[]) is 'The realtime re-read: of these (document, kind) events, those the caller may receive: documents it can see now (visible), or just deleted/unshared ones it could see.';
revoke all on function app_hidden.realtime_document_events(uuid[], text[]) from public;
grant execute on function app_hidden.realtime_document_events(uuid[], text[]) to app_user, bot;

-- Security definer: sessions are private (as in my_sessions); only the caller's live user's
-- own sign-ins, never an API key's session.
drop function if exists app_hidden.realtime_session_events(uuid[], text[]);
create function app_hidden.realtime_session_events(p_ids uuid[], p_kinds text[])
returns table (session_id uuid, kind text)
language plpgsql stable security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  return query
    select e.id, e.kind
    from unnest(p_ids, p_kinds) with ordinality as e(id, kind, n)
    join app_private.sessions s on s.id = e.id
    where s.user_id = app_hidden.current_user_id()
      and not exists (select 1 from app_public.api_keys k where k.session_id = s.id)
    order by e.n;
end;
$$;
comment on function app_hidden.realtime_session_events(uuid[], text[]) is 'The realtime re-read for mySessionsChanged: of these (session, kind) events, those about the caller''s own sign-ins.';
revoke all on function app_hidden.realtime_session_events(uuid[], text[]) from public;
grant execute on function app_hidden.realtime_session_events(uuid[], text[]) to app_user, bot;

-- Security definer, edge only: the socket watchdog asks, for every open socket's session in
-- one query, which have ended (logged out, revoked, expired, deleted: 'ended') or whose user
-- is disabled ('disabled').
create or replace function app_hidden.realtime_ended_sessions(p_session_ids uuid[])
returns table (session_id uuid, reason text)
language sql stable security definer
set search_path = pg_catalog, pg_temp
as $$
  select i.id, case when u.disabled_at is not null then 'disabled' else 'ended' end
  from unnest(p_session_ids) as i(id)
  left join app_private.sessions s on s.id = i.id
  left join app_public.users u on u.id = s.user_id
  where s.id is null or s.revoked_at is not null or s.expires_at <= now() or u.disabled_at is not null;
$$;
comment on function app_hidden.realtime_ended_sessions(uuid[]) is 'Edge only: of these sessions, those that ended (reason ended) or whose user is disabled (reason disabled); the realtime watchdog closes their sockets.';
revoke all on function app_hidden.realtime_ended_sessions(uuid[]) from public;
grant execute on function app_hidden.realtime_ended_sessions(uuid[]) to auth_edge;
