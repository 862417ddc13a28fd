-- Claims hook (issue #11 part 4). auth_config.claims_hook names a SQL function
-- (user_id uuid, session_id uuid, claims jsonb) -> jsonb, called when an access token is
-- issued; its object's keys are added to the token. Threat model (O3): a hook must not set or
-- override a reserved claim (identity, session, role, issuer, audience, lifetimes), and a hook
-- that errors or answers anything but an object must fail closed: no token, an audited error.
-- The hook runs as the owner (a security definer caller): only a DBA can set it.

do $$ begin
  if not exists (select 1 from information_schema.columns
                 where table_schema = 'app_private' and table_name = 'auth_config' and column_name = 'claims_hook') then
    alter table app_private.auth_config add column claims_hook regprocedure;
  end if;
end $$;
comment on column app_private.auth_config.claims_hook is
  'A function (uuid, uuid, jsonb) returning jsonb, called when an access token is issued to add claims (reserved ones refused: O3); NULL for none. For Hasura: app_private.hasura_claims(uuid, uuid, jsonb).';

-- Owner only (not exposed, so A7/B3's "no dynamic SQL in exposed functions" holds): runs the
-- hook. Dynamic SQL on purpose and only here: the statement is built from a regprocedure (an
-- existing function, its name printed schema-qualified and quoted by regproc), never from
-- client text.
create or replace function app_private.run_claims_hook(p_hook regprocedure, p_user_id uuid, p_session_id uuid, p_claims jsonb)
  returns jsonb
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_out jsonb;
begin
  execute pg_catalog.format('select %s($1::uuid, $2::uuid, $3::jsonb)', p_hook::oid::regproc)
    into v_out using p_user_id, p_session_id, p_claims;
  return v_out;
end;
$$;
comment on function app_private.run_claims_hook(regprocedure, uuid, uuid, jsonb) is 'Owner only: calls the configured claims hook.';
revoke all on function app_private.run_claims_hook(regprocedure, uuid, uuid, jsonb) from public;

-- Security definer, edge only (auth_edge): reads auth_config and runs the configured hook
-- through run_claims_hook. The error is returned, not raised, so its audit row commits.
create or replace function app_hidden.token_claims(p_user_id uuid, p_session_id uuid, p_claims jsonb)
  returns table (claims jsonb, error text)
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_hook regprocedure := (select c.claims_hook from app_private.auth_config c);
  v_out jsonb;
  v_reserved constant text[] := array['sub', 'sid', 'role', 'iss', 'aud', 'exp', 'iat', 'nbf', 'jti', 'aal', 'amr', 'client_id', 'act'];
  v_reason text;
begin
  if v_hook is null then
    return query select '{}'::jsonb, null::text;
    return;
  end if;
  begin
    if (select p.prorettype from pg_catalog.pg_proc p where p.oid = v_hook) <> 'jsonb'::regtype then
      v_reason := 'wrong_return_type';
    else
      v_out := app_private.run_claims_hook(v_hook, p_user_id, p_session_id, p_claims);
      if v_out is null or pg_catalog.jsonb_typeof(v_out) <> 'object' then
        v_reason := 'not_an_object';
      elsif exists (select 1 from pg_catalog.jsonb_object_keys(v_out) k where k = any (v_reserved)) then
        v_reason := 'reserved_claim';
      end if;
    end if;
  exception when others then
    v_reason := 'hook_failed';
  end;
  if v_reason is not null then
    perform app_private.write_audit('claims_hook_failed', 'app_private.auth_config', p_user_id::text, null, null,
      pg_catalog.jsonb_build_object('reason', v_reason, 'hook', v_hook::text, 'session_id', p_session_id));
    return query select null::jsonb, 'CLAIM'::text;
    return;
  end if;
  return query select v_out, null::text;
end;
$$;
comment on function app_hidden.token_claims(uuid, uuid, jsonb) is
  'Edge only: the extra claims of the configured claims hook for a new access token, or error CLAIM (audited) when the hook fails, answers no object or sets a reserved claim.';
revoke all on function app_hidden.token_claims(uuid, uuid, jsonb) from public, anonymous, app_user, bot;
grant execute on function app_hidden.token_claims(uuid, uuid, jsonb) to auth_edge;

-- The shipped hook for Hasura's JWT mode: the claims namespace with the allowed roles (the
-- user's application roles and its DB role), the default role (the DB role) and the user id.
-- Owner only: called by token_claims (a definer).
create or replace function app_private.hasura_claims(p_user_id uuid, p_session_id uuid, p_claims jsonb)
  returns jsonb
  language plpgsql stable
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_role text := coalesce(p_claims ->> 'role', app_hidden.user_role(p_user_id), 'app_user');
begin
  return pg_catalog.jsonb_build_object('https://hasura.io/jwt/claims', pg_catalog.jsonb_build_object(
    'x-hasura-allowed-roles',
      (select pg_catalog.jsonb_agg(distinct r order by r)
       from (select v_role as r union select x.role from app_private.user_app_roles(p_user_id) x) roles),
    'x-hasura-default-role', v_role,
    'x-hasura-user-id', p_user_id::text));
end;
$$;
comment on function app_private.hasura_claims(uuid, uuid, jsonb) is
  'Claims hook for Hasura: https://hasura.io/jwt/claims with x-hasura-allowed-roles (DB role and application roles), x-hasura-default-role (the DB role) and x-hasura-user-id. Switch on: update app_private.auth_config set claims_hook = ''app_private.hasura_claims(uuid, uuid, jsonb)''.';
revoke all on function app_private.hasura_claims(uuid, uuid, jsonb) from public;
