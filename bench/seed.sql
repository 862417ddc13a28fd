-- Bench data, loaded as the superuser with triggers off (no audit, no creator trigger).
-- 100k users, 1M documents, ~3M ACL rows, 1,000 groups of 50 members, plus three
-- measured users: typical (~30-40 visible), heavy (~2,000) and wide (~10% of documents).
set session_replication_role = replica;
set maintenance_work_mem = '512MB';
set work_mem = '256MB';

create temp table bu as
  select n, gen_random_uuid() as id from generate_series(1, 100000) n;
insert into app_public.users (id, email) select id, 'u' || n || '@bench.example' from bu;

create temp table bd as
  select n, gen_random_uuid() as id, ((n - 1) % 100000) + 1 as owner_n,
         now() - (random() * interval '730 days') as created_at
  from generate_series(1, 1000000) n;
insert into app_public.documents (id, owner_id, full_url, short_url, created_at)
  select d.id, u.id, 'https://example.com/' || d.n, 'b' || d.n, d.created_at from bd d join bu u on u.n = d.owner_n;

-- Owners (1M) and two direct shares per document to pseudo-random users (~1.9M after dedupe).
insert into app_public.document_acl (document_id, subject_type, subject_id, role, document_created_at)
  select d.id, 'user', u.id, 'owner', d.created_at from bd d join bu u on u.n = d.owner_n;
insert into app_public.document_acl (document_id, subject_type, subject_id, role, document_created_at)
  select d.id, 'user', u.id, (case when s = 1 then 'viewer' else 'manager' end)::app_public.access_level, d.created_at
  from bd d cross join generate_series(1, 2) s
  join bu u on u.n = ((d.n::bigint * 7919 + s * 104729) % 100000) + 1
  on conflict do nothing;

-- 1,000 groups of 50 members; each group can view 10 documents.
create temp table bg as select n, gen_random_uuid() as id from generate_series(1, 1000) n;
insert into app_public.groups (id, name) select id, 'g' || n from bg;
insert into app_public.relation_edge (subject_type, subject_id, relation, object_type, object_id)
  select 'user', u.id, 'member', 'group', g.id from bu u join bg g on g.n = ((u.n - 1) % 1000) + 1 where u.n <= 50000;
insert into app_public.document_acl (document_id, subject_type, subject_id, role, document_created_at)
  select d.id, 'group', g.id, 'viewer', d.created_at
  from bg g cross join generate_series(1, 10) k join bd d on d.n = ((g.n::bigint * 15485863 + k * 32452843) % 1000000) + 1
  on conflict do nothing;

-- Heavy user: member of a group (through a nested group) that sees ~2,000 documents.
-- Wide user: member of a group that sees 100,000 documents (10%).
insert into app_public.groups (id, name) values
  ('00000000-0000-4000-8000-00000000a001', 'heavy-outer'), ('00000000-0000-4000-8000-00000000a002', 'heavy-inner'),
  ('00000000-0000-4000-8000-00000000b001', 'wide');
insert into app_public.relation_edge (subject_type, subject_id, relation, object_type, object_id)
  select 'user', id, 'member', 'group', '00000000-0000-4000-8000-00000000a002'::uuid from bu where n = 2
  union all select 'group', '00000000-0000-4000-8000-00000000a002'::uuid, 'member', 'group', '00000000-0000-4000-8000-00000000a001'::uuid
  union all select 'user', id, 'member', 'group', '00000000-0000-4000-8000-00000000b001'::uuid from bu where n = 3;
insert into app_public.document_acl (document_id, subject_type, subject_id, role, document_created_at)
  select d.id, 'group', '00000000-0000-4000-8000-00000000a001', 'viewer', d.created_at from bd d where d.n % 500 = 17
  on conflict do nothing;
insert into app_public.document_acl (document_id, subject_type, subject_id, role, document_created_at)
  select d.id, 'group', '00000000-0000-4000-8000-00000000b001', 'viewer', d.created_at from bd d where d.n % 10 = 3
  on conflict do nothing;

create table public.bench_users as
  select 'typical' as kind, id from bu where n = 1
  union all select 'heavy', id from bu where n = 2
  union all select 'wide', id from bu where n = 3;
insert into app_private.sessions (user_id, expires_at) select id, now() + interval '1 day' from public.bench_users;

-- RBAC: 100 application roles of 20 permissions each; every user holds 2 roles (200k grants),
-- the heavy user 40. Only role r1 holds reports:read. A table whose policy is has_permission.
insert into app_public.permissions (name) select 'res' || r || ':act' || k from generate_series(1, 100) r, generate_series(1, 20) k;
insert into app_public.permissions (name) values ('reports:read');
insert into app_public.app_roles (name) select 'r' || r from generate_series(1, 100) r;
insert into app_public.role_permissions (role, permission)
  select 'r' || r, 'res' || r || ':act' || k from generate_series(1, 100) r, generate_series(1, 20) k;
insert into app_public.role_permissions (role, permission) values ('r1', 'reports:read');
insert into app_public.user_roles (user_id, role, granted_by)
  select u.id, 'r' || (((u.n * 7 + k * 13) % 99) + 2), null from bu u, generate_series(1, 2) k on conflict do nothing;
insert into app_public.user_roles (user_id, role, granted_by)
  select u.id, 'r' || k, null from bu u, generate_series(2, 41) k where u.n = 2 on conflict do nothing;
insert into app_public.user_roles (user_id, role, granted_by)
  select id, 'r1', null from public.bench_users on conflict do nothing;
create table app_public.bench_reports (id uuid primary key default gen_random_uuid(), created_at timestamptz not null, body text);
insert into app_public.bench_reports (created_at, body)
  select now() - n * interval '1 minute', 'report ' || n from generate_series(1, 10000) n;
create index bench_reports_created_at_idx on app_public.bench_reports (created_at desc);
alter table app_public.bench_reports enable row level security, force row level security;
create policy select_permitted on app_public.bench_reports for select to app_user
  using ((select app_hidden.has_permission('reports:read')));
grant select on app_public.bench_reports to app_user;
set session_replication_role = origin;
