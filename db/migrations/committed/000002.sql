--! Previous: sha1:e05ec5c5ebe2436ca133e4b1a1ee731e32c428ba
--! Hash: sha1:9fd8ee5126a9c06a1dcfd144506e566454a30b0a

--! split: 5000-denials.sql
-- Denied authorization attempts in the audit log (K2). A function that refuses (NTFND,
-- DNIED, LASTO, LOGIN ...) raises, which rolls back anything it wrote, so the edge records
-- the refusal afterwards in its own transaction, as the same request role and claims.

drop function if exists app_hidden.record_denied(text, text);

-- Security definer: request roles cannot insert into audit_log. The actor comes from the
-- claims, never from the arguments; the arguments are clipped and only describe the attempt.
create function app_hidden.record_denied(p_operation text, p_code text) returns void
  language sql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
  select app_private.write_audit('access_denied', null, null, null, null,
    jsonb_build_object('operation', left(p_operation, 100), 'code', left(p_code, 10)))
$$;
comment on function app_hidden.record_denied(text, text) is
  'Audit a refused operation (called by the edge after the failed request rolled back).';
grant execute on function app_hidden.record_denied(text, text) to anonymous, app_user, bot;
