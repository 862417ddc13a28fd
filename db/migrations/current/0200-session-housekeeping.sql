-- Housekeeping of the session ledger: every client-credentials token (features/permissions)
-- opens a short session, and every sign-in leaves a row behind after it ends. Purged hourly by
-- the worker (features/email/queue.ts): service sessions an hour after they expire, other
-- sessions (with their refresh tokens, by cascade) 30 days after they expired or were
-- revoked. Sessions backing an API key stay with their key (its history lists them).
create or replace function app_private.purge_sessions() returns integer
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  v_service int;
  v_ended int;
begin
  delete from app_private.sessions s
    using app_private.service_sessions ss
    where ss.session_id = s.id and s.expires_at < now() - interval '1 hour';
  get diagnostics v_service = row_count;
  delete from app_private.sessions s
    where least(s.expires_at, coalesce(s.revoked_at, 'infinity')) < now() - interval '30 days'
      and not exists (select 1 from app_public.api_keys k where k.session_id = s.id);
  get diagnostics v_ended = row_count;
  return v_service + v_ended;
end;
$$;
comment on function app_private.purge_sessions() is 'Deletes client-credentials sessions an hour after expiry and other ended sessions (expired or revoked) after 30 days, except those backing an API key; run hourly by the worker (owner).';
revoke all on function app_private.purge_sessions() from public;
