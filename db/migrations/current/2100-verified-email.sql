-- Domain rules apply only to verified emails (A7); user_role() is no longer a probe.
-- Threat model: role_domain_rules promotes everyone of a domain, and register() verifies
-- nothing, so anyone could register boss@<ruled domain> and become admin. An address is
-- verified only by a provider's verified claim (the edge passes oauth_sign_in an email
-- only when the provider verified it: proxy/features/oauth/flow.ts `account()`), later
-- also by a confirmed email token (the email feature); never by the user. An email change
-- voids the verification, so what the old address granted is gone on the next statement
-- (roles are re-read from the tables on every statement: current_app_role()).
--
-- user_role(uuid) answered for any id, which told any caller whether a user exists (and
-- their role): it is now callable only by the owner, i.e. inside definer functions
-- (start_session, refresh, oauth_sign_in) and current_app_role(), which answers only for
-- the caller.

alter table app_public.users add column if not exists email_verified_at timestamptz;
comment on column app_public.users.email_verified_at is
  'When the current email was verified (a provider''s verified claim or an email token); NULL for unverified. Cleared when the email changes. Only verified emails match role_domain_rules.';
-- No request role may write it: users' update grants are column lists (display_name for
-- app_user, disabled_at for admin), tested in test/db/users.sql.

-- An email change voids the verification unless the same statement sets a new one (a
-- confirmed email change writes both). Invoker: it only changes the row being written.
create or replace function app_private.tg_users__unverify_changed_email() returns trigger
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
begin
  if new.email is distinct from old.email and new.email_verified_at is not distinct from old.email_verified_at then
    new.email_verified_at := null;
  end if;
  return new;
end;
$$;
comment on function app_private.tg_users__unverify_changed_email() is
  'BEFORE UPDATE OF email: a new address is unverified until proven, so domain rules of the old one stop applying.';
drop trigger if exists _200_unverify_changed_email on app_public.users;
create trigger _200_unverify_changed_email before update of email on app_public.users
  for each row execute function app_private.tg_users__unverify_changed_email();

-- A linked identity's email is the provider-verified one (the edge passes no other, and
-- only app_hidden.oauth_sign_in writes identities), so an identity whose email equals the
-- user's email proves it. Invoker on purpose: only a writer that may already update users
-- (the owner, inside oauth_sign_in) can verify anything through it.
create or replace function app_private.tg_user_identities__verify_email() returns trigger
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
begin
  if new.email is not null then
    update app_public.users u set email_verified_at = now()
      where u.id = new.user_id and u.email_verified_at is null
        and u.email operator(public.=) new.email;
  end if;
  return null;
end;
$$;
comment on function app_private.tg_user_identities__verify_email() is
  'AFTER INSERT/UPDATE OF email on user_identities: a provider-verified email equal to the user''s email marks it verified.';
drop trigger if exists _400_verify_email on app_public.user_identities;
create trigger _400_verify_email after insert or update of email on app_public.user_identities
  for each row execute function app_private.tg_user_identities__verify_email();
comment on column app_public.user_identities.email is
  'The email the provider reported as verified (the edge passes no other); never used to link accounts. Equal to the user''s email, it verifies that email.';

-- Existing accounts: an identity already carrying the user's address verifies it (so
-- provider-registered staff keep their domain role); password-only accounts stay unverified.
update app_public.users u set email_verified_at = i.created_at
  from app_public.user_identities i
  where i.user_id = u.id and u.email_verified_at is null and i.email operator(public.=) u.email;

-- Security definer: reads role tables regardless of the caller's visibility; policy helper,
-- so stable, side-effect free and not referencing any table whose policy calls it.
-- plpgsql for its cached plan (see current_user_id). Not executable by request roles.
create or replace function app_hidden.user_role(p_user_id uuid) returns text
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
begin
  return (select case
    when u.is_bot then 'bot'
    when exists (select 1 from app_public.role_grants g where g.user_id = u.id and g.role = 'admin')
      or (u.email_verified_at is not null and exists (
            select 1 from app_public.role_domain_rules r
            where r.role = 'admin' and r.domain operator(public.=) split_part(u.email::text, '@', 2)::public.citext))
      then 'admin'
    when exists (select 1 from app_public.role_grants g where g.user_id = u.id and g.role = 'manager')
      or (u.email_verified_at is not null and exists (
            select 1 from app_public.role_domain_rules r
            where r.role = 'manager' and r.domain operator(public.=) split_part(u.email::text, '@', 2)::public.citext))
      then 'manager'
    else 'app_user'
  end
  from app_public.users u
  where u.id = p_user_id and u.disabled_at is null);
end;
$$;
comment on function app_hidden.user_role(uuid) is
  'The request role a user is entitled to now (role_grants, or a domain rule for a verified email), or NULL if disabled/missing. Owner only: definer functions call it when they issue a session.';
revoke execute on function app_hidden.user_role(uuid) from public, anonymous, app_user, bot;

-- Security definer: user_role() is not executable by request roles. Takes no argument, so
-- it can only ever answer for the caller (its live session, else anonymous).
create or replace function app_hidden.current_app_role() returns text
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
begin
  return coalesce(app_hidden.user_role(app_hidden.current_user_id()), 'anonymous');
end;
$$;
comment on function app_hidden.current_app_role() is
  'The caller''s entitled role from the tables (not the token), anonymous without a live session.';
grant execute on function app_hidden.current_app_role() to anonymous, app_user, bot;
