-- record_denied stores only vocabulary, never caller-chosen text (K2, info item 11).
-- Threat model: the edge records every refused GraphQL write after the failed request
-- (000002). It passed the response path, whose first element is the caller's alias, so a
-- client could write arbitrary text into audit_log.detail. Now the operation must be a
-- GraphQL field name (the schema's name, which the edge resolves from the operation, not
-- the alias) and the code one of the registered denial codes; anything else is refused
-- with BADRQ and writes nothing. Same signature, so the grants of 1900-edge-role.sql
-- (execute for auth_edge only) are kept by `create or replace`.

-- Security definer: request roles cannot insert into audit_log. The actor comes from the
-- claims, never from the arguments.
create or replace function app_hidden.record_denied(p_operation text, p_code text) returns void
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
begin
  if p_operation is null or p_operation !~ '^[A-Za-z_][A-Za-z0-9_]{0,62}$' then
    raise exception 'The operation must be a GraphQL field name' using errcode = 'BADRQ';
  end if;
  if p_code is null or not (p_code = any (array['NTFND', 'DNIED', 'LASTO', 'LASTM', 'LOGIN'])) then
    raise exception 'Not a registered denial code' using errcode = 'BADRQ';
  end if;
  perform app_private.write_audit('access_denied', null, null, null, null,
    jsonb_build_object('operation', p_operation, 'code', p_code));
end;
$$;
comment on function app_hidden.record_denied(text, text) is
  'Audit a refused operation (called by the edge after the failed request rolled back): p_operation is the GraphQL field name (not an alias), p_code one of NTFND, DNIED, LASTO, LASTM, LOGIN; anything else is refused with BADRQ.';
