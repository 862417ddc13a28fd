--! Audit log: append-only, written by triggers and by privileged functions.
-- Threat model: request roles can neither write nor alter audit rows (K1); only admin reads.
-- Secrets never reach it: audited tables hold none (they live in app_private side tables),
-- and tg__audit strips any key that looks like a credential as a second line of defence.

create table app_public.audit_log (
  id bigint generated always as identity primary key,
  at timestamptz not null default now(),
  actor_user_id uuid,
  actor_session_id uuid,
  actor_role text not null default current_setting('role'),
  event text not null,
  table_name text,
  row_id text,
  old_row jsonb,
  new_row jsonb,
  detail jsonb
);
create index audit_log_at_idx on app_public.audit_log (at desc);
create index audit_log_actor_idx on app_public.audit_log (actor_user_id, at desc);
comment on table app_public.audit_log is 'Who did what, when. Append-only; readable by admins only.';
comment on column app_public.audit_log.event is 'insert/update/delete for row changes, or a named event such as login_failed.';
comment on column app_public.audit_log.actor_role is 'The request role in effect (the SET ROLE value), not the definer.';

alter table app_public.audit_log enable row level security;
alter table app_public.audit_log force row level security;
create policy select_admin on app_public.audit_log for select to admin using (true);
create policy definer_insert on app_public.audit_log for insert to :DATABASE_OWNER with check (true);
create policy definer_select on app_public.audit_log for select to :DATABASE_OWNER using (true);
grant select on app_public.audit_log to admin;

create function app_private.tg_audit_log__immutable() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
as $$
begin
  raise exception 'audit rows are append-only' using errcode = 'AUDIT';
end;
$$;
comment on function app_private.tg_audit_log__immutable() is 'Refuses update/delete even for the owner.';
create trigger _100_immutable before update or delete on app_public.audit_log
  for each row execute function app_private.tg_audit_log__immutable();

create function app_private.strip_secrets(v jsonb) returns jsonb
  language sql immutable
  set search_path = pg_catalog, pg_temp
as $$
  select coalesce(jsonb_object_agg(key, value), '{}'::jsonb)
  from jsonb_each(v)
  where key !~* '(password|secret|token|hash)'
$$;
comment on function app_private.strip_secrets(jsonb) is 'Removes credential-like keys from a row image.';

-- Security definer: the row is written as the owner because request roles hold no insert
-- privilege on audit_log; the actor is taken from the claims, not from the caller.
create function app_private.write_audit(
  p_event text, p_table text, p_row_id text, p_old jsonb, p_new jsonb, p_detail jsonb default null
) returns void
  language sql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
  insert into app_public.audit_log (actor_user_id, actor_session_id, actor_role, event, table_name, row_id, old_row, new_row, detail)
  values (app_hidden.claimed_user_id(), app_hidden.current_session_id(), current_setting('role'),
          p_event, p_table, p_row_id, app_private.strip_secrets(p_old), app_private.strip_secrets(p_new), p_detail)
$$;
comment on function app_private.write_audit(text, text, text, jsonb, jsonb, jsonb) is
  'Appends one audit row attributed to the current claims. Definer: request roles cannot insert directly.';

-- Security definer for the same reason as write_audit; fires for every audited table.
create function app_private.tg__audit() returns trigger
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_old jsonb := case when tg_op in ('UPDATE', 'DELETE') then to_jsonb(old) end;
  v_new jsonb := case when tg_op in ('INSERT', 'UPDATE') then to_jsonb(new) end;
  v_keys text[] := coalesce(tg_argv, '{id}');
begin
  perform app_private.write_audit(lower(tg_op), tg_table_schema || '.' || tg_table_name,
    (select string_agg(coalesce(v_new, v_old) ->> k, '/' order by o) from unnest(v_keys) with ordinality u(k, o)),
    v_old, v_new);
  return null;
end;
$$;
comment on function app_private.tg__audit() is
  'AFTER row trigger: records the change in audit_log. Arguments name the key columns (default id); row_id joins them with /.';
