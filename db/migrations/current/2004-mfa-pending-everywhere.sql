-- A session pending its second factor (N4) is nobody for the verify-only entry points too
-- (verify_email, resend_verification_email, the anonymous upgrade, device approval), and its
-- tokens say so (`mfa_pending: true`), so a resource server outside PostgreSQL can tell it from
-- a plain aal1 session.
create or replace function app_private.session_user_id() returns uuid
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
  return (
    select s.user_id
    from app_private.sessions s
    join app_public.users u on u.id = s.user_id
    where s.id = app_hidden.current_session_id()
      and s.user_id = app_hidden.claimed_user_id()
      and s.revoked_at is null
      and s.expires_at > now()
      and not s.mfa_pending
      and u.disabled_at is null);
end;
$$;
comment on function app_private.session_user_id() is 'The caller''s user while its session is live, not pending a second factor and the user enabled, verified or not (for the verify-only calls).';
revoke all on function app_private.session_user_id() from public;

create or replace function app_hidden.session_claims(p_session_id uuid) returns jsonb
language sql stable
-- Definer: reads app_private.sessions, which auth_edge cannot read.
security definer
set search_path = pg_catalog, pg_temp
as $$
  select jsonb_build_object('aal', s.aal, 'amr', to_jsonb(s.amr))
         || case when s.actor_id is not null
                 then jsonb_build_object('act', jsonb_build_object('sub', s.actor_id::text)) else '{}'::jsonb end
         || jsonb_build_object('is_anonymous', u.is_anonymous)
         || case when s.mfa_pending then '{"mfa_pending": true}'::jsonb else '{}'::jsonb end
  from app_private.sessions s
  join app_public.users u on u.id = s.user_id
  where s.id = p_session_id
$$;
comment on function app_hidden.session_claims(uuid) is 'Edge only: the aal, amr, act, is_anonymous and mfa_pending claims of a session''s next access token.';
revoke all on function app_hidden.session_claims(uuid) from public;
grant execute on function app_hidden.session_claims(uuid) to auth_edge;
