-- Audit rows written during one of the edge's entry points (run as `auth_edge`) name the
-- request role the caller had, which the edge passes from the verified token as
-- jwt.claims.role when it switches roles; every other audit row names the SET ROLE value.
create or replace function app_private.write_audit(
  p_event text, p_table text, p_target_id text, p_old jsonb, p_new jsonb, p_detail jsonb default null
) returns void
  language sql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
  insert into app_public.audit_log (actor_user_id, actor_session_id, actor_role, event, table_name, target_id, old_row, new_row, detail)
  values (app_hidden.claimed_user_id(), app_hidden.current_session_id(),
          case when current_setting('role') = 'auth_edge'
            then coalesce(nullif(current_setting('jwt.claims.role', true), ''), 'anonymous')
            else current_setting('role') end,
          p_event, p_table, p_target_id, app_private.strip_secrets(p_old), app_private.strip_secrets(p_new), p_detail)
$$;
