--! Previous: sha1:d654fa6d39eae4c1cf841fd38262bea023d2dadb
--! Hash: sha1:579f7c8154268090957dbbb2650bfe166c0c884a

--! split: 4000-oauth.sql
-- Sign-in with OAuth/OIDC providers: one function links or registers an identity, plus
-- unlinking, listing, and the bookkeeping of the provider-token refresh job.
-- Threat model: identities are keyed by (issuer, subject) and never matched by email (H1);
-- linking needs the caller's live session (the edge also binds the OAuth state to that
-- session and intent: H2); the last way to sign in cannot be removed, a provider account
-- belongs to one user and a user has one account per provider (H5). Provider tokens arrive
-- already encrypted by the edge (AES-256-GCM, key id, AAD = issuer|subject|column: H3).

-- db:watch re-runs this file on every save: start from a clean slate.
drop function if exists app_hidden.finish_provider_token_refresh(uuid, text, text, bytea, bytea, timestamptz),
  app_hidden.lease_provider_tokens(int, interval), app_public.my_identities(), app_public.unlink_provider(text),
  app_hidden.oauth_rejected(text, text, inet),
  app_hidden.oauth_sign_in(text, text, text, text, jsonb, boolean, text, bytea, bytea, timestamptz, inet, text);
drop type if exists app_hidden.due_provider_token, app_public.identity_info, app_hidden.oauth_result;
alter table app_private.user_identity_tokens drop column if exists refresh_lease_until, drop column if exists refreshed_at;

alter table app_private.user_identity_tokens
  add column refresh_lease_until timestamptz,
  add column refreshed_at timestamptz;
comment on column app_private.user_identity_tokens.refresh_lease_until is
  'While in the future, one server instance is refreshing this token; others skip it.';

create type app_hidden.oauth_result as (
  error text,
  user_id uuid,
  session_id uuid,
  role text,
  refresh_token text,
  session_expires_at timestamptz,
  identity_id uuid
);
comment on type app_hidden.oauth_result is
  'error is NULL on success, else EMCOL (email belongs to another account), IDLNK (provider account linked to another user), PRVLN (you already linked this provider), LOGIN, DSBLD.';

-- Security definer: creates users, identities and sessions and writes app_private. With
-- p_link the identity is attached to the caller's live session user and no session is
-- started; otherwise the identity signs in (or registers a new, password-less user).
-- Outcomes are returned, not raised, so the audit rows of rejected attempts commit (K2).
create function app_hidden.oauth_sign_in(
  p_provider text, p_issuer text, p_subject text, p_email text, p_profile jsonb, p_link boolean,
  p_key_id text, p_access_enc bytea, p_refresh_enc bytea, p_expires_at timestamptz,
  p_ip inet, p_user_agent text
) returns app_hidden.oauth_result
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_me uuid := app_hidden.current_user_id();
  v_identity app_public.user_identities;
  v_user uuid;
  v_session app_hidden.auth_result;
  v_detail jsonb := jsonb_build_object('provider', p_provider, 'issuer', p_issuer, 'ip', p_ip::text);
begin
  if p_link and v_me is null then
    perform app_private.write_audit('oauth_rejected', 'app_public.user_identities', null, null, null, v_detail || '{"reason":"LOGIN"}');
    return row('LOGIN', null, null, null, null, null, null)::app_hidden.oauth_result;
  end if;
  select * into v_identity from app_public.user_identities i where i.issuer = p_issuer and i.subject = p_subject for update;

  if found then
    if p_link and v_identity.user_id <> v_me then
      perform app_private.write_audit('oauth_rejected', 'app_public.user_identities', v_identity.id::text, null, null, v_detail || '{"reason":"IDLNK"}');
      return row('IDLNK', null, null, null, null, null, null)::app_hidden.oauth_result;
    end if;
    v_user := v_identity.user_id;
    update app_public.user_identities set email = p_email, profile = coalesce(p_profile, '{}') where id = v_identity.id;
  else
    if p_link then
      if exists (select 1 from app_public.user_identities i where i.user_id = v_me and i.provider = p_provider) then
        perform app_private.write_audit('oauth_rejected', 'app_public.user_identities', null, null, null, v_detail || '{"reason":"PRVLN"}');
        return row('PRVLN', null, null, null, null, null, null)::app_hidden.oauth_result;
      end if;
      v_user := v_me;
    else
      -- Never link by email: a collision asks the user to sign in and link (H1).
      if p_email is not null and exists (select 1 from app_public.users u where u.email operator(public.=) p_email::public.citext) then
        perform app_private.write_audit('oauth_rejected', 'app_public.user_identities', null, null, null, v_detail || '{"reason":"EMCOL"}');
        return row('EMCOL', null, null, null, null, null, null)::app_hidden.oauth_result;
      end if;
      insert into app_public.users (email, display_name)
        values (coalesce(p_email, p_provider || '-' || md5(p_issuer || '|' || p_subject) || '@users.invalid'),
                nullif(left(coalesce(p_profile ->> 'name', p_profile ->> 'login', ''), 200), ''))
        returning id into v_user;
    end if;
    insert into app_public.user_identities (user_id, provider, issuer, subject, email, profile)
      values (v_user, p_provider, p_issuer, p_subject, p_email, coalesce(p_profile, '{}'))
      returning * into v_identity;
  end if;

  if exists (select 1 from app_public.users u where u.id = v_user and u.disabled_at is not null) then
    perform app_private.write_audit('oauth_rejected', 'app_public.user_identities', v_identity.id::text, null, null, v_detail || '{"reason":"DSBLD"}');
    return row('DSBLD', null, null, null, null, null, null)::app_hidden.oauth_result;
  end if;

  insert into app_private.user_identity_tokens as t (identity_id, key_id, access_token_enc, refresh_token_enc, access_token_expires_at)
    values (v_identity.id, coalesce(p_key_id, ''), p_access_enc, p_refresh_enc, p_expires_at)
    on conflict (identity_id) do update set key_id = excluded.key_id, access_token_enc = excluded.access_token_enc,
      refresh_token_enc = coalesce(excluded.refresh_token_enc, t.refresh_token_enc),
      access_token_expires_at = excluded.access_token_expires_at, refresh_attempts = 0, last_refresh_error = null,
      refresh_lease_until = null, updated_at = now();

  if p_link then
    perform app_private.write_audit('oauth_linked', 'app_public.user_identities', v_identity.id::text, null, null, v_detail);
    return row(null, v_user, app_hidden.current_session_id(), app_hidden.user_role(v_user), null, null, v_identity.id)::app_hidden.oauth_result;
  end if;
  perform app_private.write_audit('oauth_sign_in', 'app_public.user_identities', v_identity.id::text, null, null, v_detail);
  v_session := app_private.start_session(v_user, p_ip, p_user_agent);
  return row(null, v_session.user_id, v_session.session_id, v_session.role, v_session.refresh_token,
             v_session.session_expires_at, v_identity.id)::app_hidden.oauth_result;
end;
$$;
comment on function app_hidden.oauth_sign_in(text, text, text, text, jsonb, boolean, text, bytea, bytea, timestamptz, inet, text) is
  'Signs in with (issuer, subject), registering a password-less user when new, or links it to your session (p_link).';
grant execute on function app_hidden.oauth_sign_in(text, text, text, text, jsonb, boolean, text, bytea, bytea, timestamptz, inet, text)
  to anonymous, app_user, bot;

-- Security definer: records a callback the edge rejected before reaching the database
-- (bad state, wrong issuer, provider error) in the append-only audit log (K2).
create function app_hidden.oauth_rejected(p_provider text, p_reason text, p_ip inet) returns void
  language sql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
  select app_private.write_audit('oauth_rejected', null, null, null, null,
    jsonb_build_object('provider', left(p_provider, 40), 'reason', left(p_reason, 40), 'ip', p_ip::text))
$$;
comment on function app_hidden.oauth_rejected(text, text, inet) is 'Audit a rejected OAuth callback.';
grant execute on function app_hidden.oauth_rejected(text, text, inet) to anonymous, app_user, bot;

-- Security definer: reads password hashes and identities to enforce "not the last way in".
create function app_public.unlink_provider(provider text) returns boolean
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_me uuid := app_hidden.current_user_id();
  v_id uuid;
begin
  if v_me is null then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  select i.id into v_id from app_public.user_identities i where i.user_id = v_me and i.provider = unlink_provider.provider for update;
  if v_id is null then
    raise exception 'No such linked provider' using errcode = 'NTFND';
  end if;
  if not exists (select 1 from app_private.user_secrets s where s.user_id = v_me and s.password_hash is not null)
     and not exists (select 1 from app_public.user_identities i where i.user_id = v_me and i.id <> v_id) then
    raise exception 'This is your last way to sign in' using errcode = 'LASTM';
  end if;
  delete from app_public.user_identities where id = v_id;
  perform app_private.write_audit('oauth_unlinked', 'app_public.user_identities', v_id::text, null, null,
    jsonb_build_object('provider', unlink_provider.provider));
  return true;
end;
$$;
comment on function app_public.unlink_provider(text) is
  'Unlink a sign-in provider from your account. Refused (LASTM) if it is your last way to sign in.';
grant execute on function app_public.unlink_provider(text) to app_user;

create type app_public.identity_info as (
  provider text,
  email text,
  linked_at timestamptz,
  token_expires_at timestamptz
);
comment on type app_public.identity_info is 'A sign-in provider linked to your account.';

-- Security definer: joins the token expiry from app_private; only the caller's rows.
create function app_public.my_identities() returns setof app_public.identity_info
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
  select i.provider, i.email::text, i.created_at, t.access_token_expires_at
  from app_public.user_identities i
  left join app_private.user_identity_tokens t on t.identity_id = i.id
  where i.user_id = app_hidden.current_user_id()
  order by i.created_at
$$;
comment on function app_public.my_identities() is 'Your linked sign-in providers.';
grant execute on function app_public.my_identities() to app_user;

-- The refresh job (role bot): lease due tokens with SKIP LOCKED so that several server
-- instances never work on the same token; at most 3 attempts per token.
create type app_hidden.due_provider_token as (
  identity_id uuid, provider text, issuer text, subject text, key_id text, refresh_token_enc bytea, refresh_attempts int
);

-- Security definer: reads encrypted refresh tokens (still ciphertext) for the job.
create function app_hidden.lease_provider_tokens(p_limit int, p_ahead interval) returns setof app_hidden.due_provider_token
  language sql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
  with due as (
    select t.identity_id from app_private.user_identity_tokens t
    where t.refresh_token_enc is not null and t.refresh_attempts < 3
      and t.access_token_expires_at < now() + p_ahead
      and (t.refresh_lease_until is null or t.refresh_lease_until < now())
    order by t.access_token_expires_at
    limit least(p_limit, 100)
    for update skip locked
  ), leased as (
    update app_private.user_identity_tokens t set refresh_lease_until = now() + interval '2 minutes'
    from due where t.identity_id = due.identity_id
    returning t.*
  )
  select l.identity_id, i.provider, i.issuer, i.subject, l.key_id, l.refresh_token_enc, l.refresh_attempts
  from leased l join app_public.user_identities i on i.id = l.identity_id
$$;

-- Security definer: stores renewed (encrypted) tokens, or records a failed attempt.
create function app_hidden.finish_provider_token_refresh(
  p_identity_id uuid, p_error text, p_key_id text, p_access_enc bytea, p_refresh_enc bytea, p_expires_at timestamptz
) returns void
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
begin
  if p_error is null then
    update app_private.user_identity_tokens set key_id = p_key_id, access_token_enc = p_access_enc,
      refresh_token_enc = coalesce(p_refresh_enc, refresh_token_enc), access_token_expires_at = p_expires_at,
      refresh_attempts = 0, last_refresh_error = null, refresh_lease_until = null, refreshed_at = now(), updated_at = now()
      where identity_id = p_identity_id;
  else
    update app_private.user_identity_tokens set refresh_attempts = refresh_attempts + 1,
      last_refresh_error = left(p_error, 500), refresh_lease_until = null, updated_at = now()
      where identity_id = p_identity_id;
    perform app_private.write_audit('provider_token_refresh_failed', 'app_public.user_identities', p_identity_id::text,
      null, null, jsonb_build_object('error', left(p_error, 200)));
  end if;
end;
$$;
grant execute on function app_hidden.lease_provider_tokens(int, interval),
  app_hidden.finish_provider_token_refresh(uuid, text, text, bytea, bytea, timestamptz) to bot;
comment on function app_hidden.lease_provider_tokens(int, interval) is 'For the refresh job: lease up to p_limit tokens expiring within p_ahead.';
comment on function app_hidden.finish_provider_token_refresh(uuid, text, text, bytea, bytea, timestamptz) is
  'For the refresh job: store renewed tokens, or count a failed attempt (3 at most).';
