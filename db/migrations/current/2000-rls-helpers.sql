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
