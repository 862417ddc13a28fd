--! Who may see and change which user: self, users you were given rights over, admins.
-- user_acl gives a subject (user or group) owner/manager/viewer rights over another user's
-- record (a team lead over their reports). Only admins write it. Users can change only
-- their display name; email, is_bot and disabled_at are not updatable by them (A4).

create table app_public.user_acl (
  user_id uuid not null references app_public.users on delete cascade,
  subject_id uuid not null,
  role app_public.access_level not null,
  granted_by uuid default app_hidden.claimed_user_id(),
  granted_at timestamptz not null default now(),
  primary key (user_id, subject_id)
);
create index user_acl_subject_idx on app_public.user_acl (subject_id, user_id) include (role);
comment on table app_public.user_acl is 'A subject''s rights over another user''s record.';

-- Security definer: reads user_acl rows regardless of user_acl's policies.
create function app_hidden.has_user_role(p_user_id uuid, p_role app_public.access_level) returns boolean
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
  select exists (
    select 1 from app_public.user_acl ua
    where ua.user_id = p_user_id and ua.subject_id = any (app_hidden.current_principals()) and ua.role >= p_role
  )
$$;
comment on function app_hidden.has_user_role(uuid, app_public.access_level) is
  'Whether the caller holds at least p_role over the user''s record.';
grant execute on function app_hidden.has_user_role(uuid, app_public.access_level) to app_user, bot;

alter table app_public.user_acl enable row level security;
alter table app_public.user_acl force row level security;
create policy select_involved on app_public.user_acl for select to app_user
  using (
    subject_id = any ((select app_hidden.current_principals())::uuid[])
    or user_id = (select app_hidden.current_user_id())
    or (select app_hidden.current_app_role()) = 'admin'
  );
create policy write_admin on app_public.user_acl to admin
  using ((select app_hidden.current_app_role()) = 'admin')
  with check ((select app_hidden.current_app_role()) = 'admin');
create policy definer_all on app_public.user_acl to :DATABASE_OWNER using (true) with check (true);
grant select on app_public.user_acl to app_user;
grant insert (user_id, subject_id, role), update (role), delete on app_public.user_acl to admin;
create trigger _900_audit after insert or update or delete on app_public.user_acl
  for each row execute function app_private.tg__audit('user_id', 'subject_id');

create policy select_self on app_public.users for select to app_user, bot
  using (id = (select app_hidden.current_user_id()));
create policy select_managed on app_public.users for select to app_user
  using (exists (
    select 1 from app_public.user_acl ua
    where ua.user_id = users.id and ua.subject_id = any ((select app_hidden.current_principals())::uuid[])
  ));
create policy select_admin on app_public.users for select to admin
  using ((select app_hidden.current_app_role()) = 'admin');
create policy update_self on app_public.users for update to app_user
  using (id = (select app_hidden.current_user_id()));
create policy update_managed on app_public.users for update to app_user
  using (exists (
    select 1 from app_public.user_acl ua
    where ua.user_id = users.id and ua.subject_id = any ((select app_hidden.current_principals())::uuid[])
      and ua.role >= 'manager'
  ));
create policy update_admin on app_public.users for update to admin
  using ((select app_hidden.current_app_role()) = 'admin');
grant select on app_public.users to anonymous, app_user, bot;
grant update (display_name) on app_public.users to app_user;
grant update (disabled_at) on app_public.users to admin;

create function app_public."current_user"() returns app_public.users
  language sql stable
  set search_path = pg_catalog, pg_temp
as $$
  select u.* from app_public.users u where u.id = app_hidden.current_user_id()
$$;
comment on function app_public."current_user"() is 'You, or null when not signed in.';
grant execute on function app_public."current_user"() to anonymous, app_user, bot;
