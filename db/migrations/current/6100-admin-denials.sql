-- K2: an admin operation refused because its target ranks as high as the admin (OUTRK, O4)
-- is a denied authorization attempt like NTFND or DNIED: the edge audits it after the request.
create or replace function app_hidden.record_denied(p_operation text, p_code text) returns void
language plpgsql
-- Definer: writes the audit log, which no request role or the edge role can write.
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if p_operation is null or p_operation !~ '^[A-Za-z_][A-Za-z0-9_]{0,62}$' then
    raise exception 'The operation must be a GraphQL field name' using errcode = 'BADRQ';
  end if;
  if p_code is null or not (p_code = any (array['NTFND', 'DNIED', 'LASTO', 'LASTM', 'LOGIN', 'OUTRK'])) then
    raise exception 'Not a registered denial code' using errcode = 'BADRQ';
  end if;
  perform app_private.write_audit('access_denied', null, null, null, null,
    jsonb_build_object('operation', p_operation, 'code', p_code));
end;
$$;
comment on function app_hidden.record_denied(text, text) is 'Audit a refused operation (called by the edge after the failed request rolled back): p_operation is the GraphQL field name (not an alias), p_code one of NTFND, DNIED, LASTO, LASTM, LOGIN, OUTRK; anything else is refused with BADRQ.';
revoke all on function app_hidden.record_denied(text, text) from public;
grant execute on function app_hidden.record_denied(text, text) to auth_edge;
