--! Role resolution: which request role a user gets.
-- Threat model: a user must not be able to raise their own role (A4, A7). Grants are rows
-- only admins may write; an email-domain rule can promote everyone of a domain. The edge
-- asks app_hidden.user_role() when it issues a token; policies ask current_app_role(),
-- which re-reads these tables, so a demotion takes effect on the next request (E3).

create table app_public.role_grants (
  user_id uuid not null references app_public.users on delete cascade,
  role text not null check (role in ('manager', 'admin')),
  granted_by uuid references app_public.users on delete set null default app_hidden.claimed_user_id(),
  granted_at timestamptz not null default now(),
  primary key (user_id, role)
);
comment on table app_public.role_grants is 'Allow-list: users explicitly given the manager or admin role.';

create table app_public.role_domain_rules (
  domain citext primary key check (domain ~ '^[a-z0-9.-]+\.[a-z]+$'),
  role text not null check (role in ('manager', 'admin')),
  created_at timestamptz not null default now()
);
comment on table app_public.role_domain_rules is 'Everyone whose verified email is in this domain gets the role.';

-- Security definer: reads role tables regardless of the caller's visibility; policy helper,
-- so stable, side-effect free and not referencing any table whose policy calls it.
create function app_hidden.user_role(p_user_id uuid) returns text
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
  select case
    when u.is_bot then 'bot'
    when exists (select 1 from app_public.role_grants g where g.user_id = u.id and g.role = 'admin')
      or exists (select 1 from app_public.role_domain_rules r
                 where r.role = 'admin' and r.domain = split_part(u.email::text, '@', 2)::public.citext)
      then 'admin'
    when exists (select 1 from app_public.role_grants g where g.user_id = u.id and g.role = 'manager')
      or exists (select 1 from app_public.role_domain_rules r
                 where r.role = 'manager' and r.domain = split_part(u.email::text, '@', 2)::public.citext)
      then 'manager'
    else 'app_user'
  end
  from app_public.users u
  where u.id = p_user_id and u.disabled_at is null
$$;
comment on function app_hidden.user_role(uuid) is 'The request role a user is entitled to now, or NULL if disabled/missing.';

create function app_hidden.current_app_role() returns text
  language sql stable
  set search_path = pg_catalog, pg_temp
as $$
  select coalesce(app_hidden.user_role(app_hidden.current_user_id()), 'anonymous')
$$;
comment on function app_hidden.current_app_role() is
  'The caller''s entitled role from the tables (not the token), anonymous without a live session.';
grant execute on function app_hidden.user_role(uuid), app_hidden.current_app_role() to anonymous, app_user, bot;

alter table app_public.role_grants enable row level security;
alter table app_public.role_grants force row level security;
create policy select_own on app_public.role_grants for select to app_user
  using (user_id = (select app_hidden.current_user_id()));
create policy all_admin on app_public.role_grants to admin
  using ((select app_hidden.current_app_role()) = 'admin')
  with check ((select app_hidden.current_app_role()) = 'admin');
create policy definer_all on app_public.role_grants to :DATABASE_OWNER using (true) with check (true);
grant select on app_public.role_grants to app_user;
grant insert (user_id, role), delete on app_public.role_grants to admin;
create trigger _900_audit after insert or update or delete on app_public.role_grants
  for each row execute function app_private.tg__audit('user_id', 'role');

alter table app_public.role_domain_rules enable row level security;
alter table app_public.role_domain_rules force row level security;
create policy all_admin on app_public.role_domain_rules to admin
  using ((select app_hidden.current_app_role()) = 'admin')
  with check ((select app_hidden.current_app_role()) = 'admin');
create policy definer_all on app_public.role_domain_rules to :DATABASE_OWNER using (true) with check (true);
grant select, insert (domain, role), delete on app_public.role_domain_rules to admin;
create trigger _900_audit after insert or update or delete on app_public.role_domain_rules
  for each row execute function app_private.tg__audit('domain');
