--! Previous: sha1:622c8c270a6b870df05dd6b4e0fd610e994e5f45
--! Hash: sha1:129d5b47a80429a358eefbb062b2128625660d07
--! Message: read path

--! split: 1-current.sql
-- Enter migration here

--! split: 3000-read-path.sql
-- The read path: every function an authenticated GraphQL read calls keeps its plans.
-- Why: a `language sql` function that the planner cannot inline (it returns a row instead of
-- a set, or it is SECURITY DEFINER, or it has a SET clause) has its body parsed and planned
-- again at its first call in every statement; plpgsql caches each statement's plan for the
-- session (docs/benchmarks.md, "How the design got there", step 2). currentUser paid ~0.15 ms
-- of planning per request for current_user() and the users policies; mySessions and
-- myIdentities paid the same. Claim readers (claimed_user_id, current_session_id) and the
-- wrappers has_doc_role and check_relation stay inlinable SQL (no SET, invokers); the
-- identity helpers current_user_id, current_app_role, current_principals, user_role,
-- principals_of, doc_access, has_relation and has_user_role are plpgsql already.
-- Must come after 2100-verified-email.sql and the committed definitions it replaces.
-- Threat model: unchanged; same bodies, same owners, definers and grants. Callers:
-- PostGraphile's currentUser, mySessions and myIdentities root fields.

-- Invoker, so the users policies decide as before: only the caller's own row, only with a
-- live session (current_user_id()). No SET clause: it would cost a GUC push per call, and as
-- an invoker with schema-qualified names a caller's search_path can only affect that caller.
create or replace function app_public."current_user"() returns app_public.users
  language plpgsql stable
as $$
begin
  return (select u from app_public.users u where u.id = app_hidden.current_user_id());
end;
$$;
comment on function app_public."current_user"() is 'You, or null when not signed in.';
revoke all on function app_public."current_user"() from public;
grant execute on function app_public."current_user"() to anonymous, app_user, bot;

-- Security definer: lists the caller's own live sessions from app_private, which request
-- roles cannot read.
create or replace function app_public.my_sessions() returns setof app_public.session_info
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
begin
  return query
    select s.id, s.created_at, s.last_used_at, s.expires_at, s.user_agent, host(s.ip),
      s.id = app_hidden.current_session_id()
    from app_private.sessions s
    where s.user_id = app_hidden.current_user_id() and s.revoked_at is null and s.expires_at > now()
    order by s.last_used_at desc;
end;
$$;
comment on function app_public.my_sessions() is 'Your active sessions, most recently used first.';
revoke all on function app_public.my_sessions() from public;
grant execute on function app_public.my_sessions() to app_user, bot;

-- Security definer: joins the token expiry from app_private; only the caller's rows.
create or replace function app_public.my_identities() returns setof app_public.identity_info
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
begin
  return query
    select i.provider, i.email::text, i.created_at, t.access_token_expires_at
    from app_public.user_identities i
    left join app_private.user_identity_tokens t on t.identity_id = i.id
    where i.user_id = app_hidden.current_user_id()
    order by i.created_at;
end;
$$;
comment on function app_public.my_identities() is 'Your linked sign-in providers.';
revoke all on function app_public.my_identities() from public;
grant execute on function app_public.my_identities() to app_user;
