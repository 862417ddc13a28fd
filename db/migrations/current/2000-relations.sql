--! Groups and the Zanzibar-style relation table.
-- An edge says "subject has relation on object": (user U) member (group G),
-- (group G1) member (group G2), (user U) owner (group G). Relations are ranked
-- owner > manager > member = viewer; holding a higher one implies the lower.
-- A user's principals are the user plus every group reachable through membership edges;
-- traversal is bounded (depth 8, at most 1000 groups) and terminates on cycles (I3).
-- Document rights reference principals, so "members of G are viewers of D" is one ACL row.

create table app_public.groups (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 200),
  created_by uuid references app_public.users on delete set null default app_hidden.claimed_user_id(),
  created_at timestamptz not null default now()
);
comment on table app_public.groups is 'A set of users (and of other groups) that can be granted rights together.';

create table app_public.relation_edge (
  subject_type text not null check (subject_type in ('user', 'group')),
  subject_id uuid not null,
  relation text not null check (relation in ('owner', 'manager', 'member', 'viewer')),
  object_type text not null check (object_type ~ '^[a-z_]{1,40}$'),
  object_id uuid not null,
  created_by uuid default app_hidden.claimed_user_id(),
  created_at timestamptz not null default now(),
  primary key (object_type, object_id, subject_id, relation)
);
create index relation_edge_subject_idx on app_public.relation_edge (subject_id, object_type, relation) include (object_id);
comment on table app_public.relation_edge is 'Relation tuples: subject (user or group) has relation on object (type, id).';

create function app_hidden.relation_rank(p_relation text) returns int
  language sql immutable parallel safe
  set search_path = pg_catalog, pg_temp
as $$
  select case p_relation when 'owner' then 3 when 'manager' then 2 when 'member' then 1 when 'viewer' then 1 else 99 end
$$;
comment on function app_hidden.relation_rank(text) is 'owner 3 > manager 2 > member/viewer 1; unknown relations rank above all so they never match.';

-- Called only from definer functions (request roles have no access to app_private).
create function app_private.principals_of(p_user_id uuid) returns uuid[]
  language sql stable
  set search_path = pg_catalog, pg_temp
as $$
  with recursive g(id, depth) as (
    select e.object_id, 1
    from app_public.relation_edge e
    where e.subject_id = p_user_id and e.object_type = 'group'
    union
    select e.object_id, g.depth + 1
    from g join app_public.relation_edge e on e.subject_id = g.id and e.object_type = 'group'
    where g.depth < 8
  )
  select array_prepend(p_user_id, coalesce(array(select distinct id from (select id from g limit 1000) x), '{}'))
  where p_user_id is not null
$$;
comment on function app_private.principals_of(uuid) is
  'The user and every group they belong to (any relation on a group implies membership), bounded.';

-- Security definer: reads membership edges the caller may not see; takes no argument, so it
-- can only ever answer for the caller.
create function app_hidden.current_principals() returns uuid[]
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
  select coalesce(app_private.principals_of(app_hidden.current_user_id()), '{}')
$$;
comment on function app_hidden.current_principals() is
  'Ids the caller acts as (self + groups); empty without a live session. Use as (select ...) in policies.';

-- Security definer: a policy helper for relation_edge's own policies (an invoker query there
-- would recurse into the same policies). Answers only for the caller.
create function app_hidden.has_relation(p_relation text, p_object_type text, p_object_id uuid) returns boolean
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
  select exists (
    select 1 from app_public.relation_edge e
    where e.object_type = p_object_type and e.object_id = p_object_id
      and e.subject_id = any (app_hidden.current_principals())
      and app_hidden.relation_rank(e.relation) >= app_hidden.relation_rank(p_relation)
  )
$$;
comment on function app_hidden.has_relation(text, text, uuid) is
  'Whether the caller (directly or through a group) holds the relation, or a higher one, on the object.';

create function app_public.check_relation(relation text, object_type text, object_id uuid) returns boolean
  language sql stable
  set search_path = pg_catalog, pg_temp
as $$
  select app_hidden.has_relation(relation, object_type, object_id)
$$;
comment on function app_public.check_relation(text, text, uuid) is
  'Whether you hold `relation` (or a higher one) on the object, directly or through a group.';

grant execute on function app_hidden.relation_rank(text), app_hidden.current_principals(),
  app_hidden.has_relation(text, text, uuid), app_public.check_relation(text, text, uuid)
  to anonymous, app_user, bot;

alter table app_public.groups enable row level security;
alter table app_public.groups force row level security;
-- created_by first: INSERT ... RETURNING checks this before the owner edge exists.
create policy select_member on app_public.groups for select to app_user
  using (created_by = (select app_hidden.current_user_id()) or id = any ((select app_hidden.current_principals())::uuid[]) or (select app_hidden.current_app_role()) = 'admin');
create policy insert_own on app_public.groups for insert to app_user
  with check (created_by = (select app_hidden.current_user_id()));
create policy update_manager on app_public.groups for update to app_user
  using (app_hidden.has_relation('manager', 'group', id));
create policy delete_owner on app_public.groups for delete to app_user
  using (app_hidden.has_relation('owner', 'group', id) or (select app_hidden.current_app_role()) = 'admin');
create policy definer_all on app_public.groups to :DATABASE_OWNER using (true) with check (true);
grant select, insert (name), update (name), delete on app_public.groups to app_user;
create trigger _900_audit after insert or update or delete on app_public.groups
  for each row execute function app_private.tg__audit();

-- Security definer: the creator has no relation on the new group yet, so the owner edge
-- cannot pass relation_edge's insert policy as the caller.
create function app_private.tg_groups__creator_owns() returns trigger
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
begin
  insert into app_public.relation_edge (subject_type, subject_id, relation, object_type, object_id, created_by)
  values ('user', new.created_by, 'owner', 'group', new.id, new.created_by);
  return null;
end;
$$;
comment on function app_private.tg_groups__creator_owns() is 'The creator of a group becomes its owner.';
create trigger _500_creator_owns after insert on app_public.groups
  for each row execute function app_private.tg_groups__creator_owns();

alter table app_public.relation_edge enable row level security;
alter table app_public.relation_edge force row level security;
create policy select_visible on app_public.relation_edge for select to app_user
  using (
    subject_id = any ((select app_hidden.current_principals())::uuid[])
    or app_hidden.has_relation('manager', object_type, object_id)
    or (select app_hidden.current_app_role()) = 'admin'
  );
-- A manager may add members; only an owner may add managers or owners. Never above yourself.
create policy insert_manager on app_public.relation_edge for insert to app_user
  with check (
    created_by = (select app_hidden.current_user_id())
    and app_hidden.has_relation(case when relation in ('owner', 'manager') then 'owner' else 'manager' end, object_type, object_id)
  );
create policy delete_manager_or_self on app_public.relation_edge for delete to app_user
  using (
    subject_id = (select app_hidden.current_user_id())
    or app_hidden.has_relation(case when relation in ('owner', 'manager') then 'owner' else 'manager' end, object_type, object_id)
  );
create policy definer_all on app_public.relation_edge to :DATABASE_OWNER using (true) with check (true);
grant select, insert (subject_type, subject_id, relation, object_type, object_id), delete
  on app_public.relation_edge to app_user;
create trigger _900_audit after insert or update or delete on app_public.relation_edge
  for each row execute function app_private.tg__audit('subject_id', 'relation', 'object_type', 'object_id');
