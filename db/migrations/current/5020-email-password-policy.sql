-- Password policy (NIST SP 800-63B defaults), enforced in SQL for every path that sets a
-- password: register, change_password, reset_password (5100-email-flows.sql).
-- Threat model: users pick passwords attackers try first (common lists, their own email or
-- name, their previous password after a forced reset). Rules, each opt-out or opt-in in
-- auth_config:
--   too_short    fewer than password_min_length characters (never under 8)
--   too_long     more than password_max_length characters (default 256), or over 1 KiB
--   common       in app_private.common_passwords (5010), compared lower-cased
--   personal     containing the email or the name (4+ characters), or equal to the address's local part
--   reused       equal to one of the last password_history passwords (current one included)
--   composition  fewer than password_min_classes of lower, upper, digit, other (off: 0)
-- plus password_max_age (off: NULL): a password older than that no longer signs in with
-- `login` (CREDS is not told apart; the owner resets it by email).
-- A refusal raises WEAKP with the rule's name as the exception DETAIL; the edge maps that
-- word to a message of its own (proxy/features/password/errors.ts `reasons`) and never
-- echoes the password or SQL text.

alter table app_private.auth_config
  add column if not exists password_max_length int not null default 256,
  add column if not exists password_check_common boolean not null default true,
  add column if not exists password_check_personal boolean not null default true,
  add column if not exists password_history int not null default 5,
  add column if not exists password_min_classes int not null default 0,
  add column if not exists password_max_age interval;
do $$ begin
  if not exists (select 1 from pg_constraint where conname = 'auth_config_password_policy_check') then
    alter table app_private.auth_config add constraint auth_config_password_policy_check check (
      password_max_length between 64 and 1024 and password_history between 0 and 24
      and password_min_classes between 0 and 4 and (password_max_age is null or password_max_age > interval '0'));
  end if;
end $$;
comment on column app_private.auth_config.password_max_length is 'Longest accepted password in characters (64..1024; NIST: at least 64).';
comment on column app_private.auth_config.password_check_common is 'Refuse passwords in app_private.common_passwords.';
comment on column app_private.auth_config.password_check_personal is 'Refuse passwords containing the email or the name, or equal to the local part of the address.';
comment on column app_private.auth_config.password_history is 'A new password may not equal any of the last N (the current one included); 0: off. Each costs one bcrypt check when a password is set.';
comment on column app_private.auth_config.password_min_classes is 'Opt-in composition rule: character classes (lower, upper, digit, other) required; 0 (NIST default): none.';
comment on column app_private.auth_config.password_max_age is 'Opt-in expiry: a password older than this stops signing in (reset by email); NULL (NIST default): never.';

create table if not exists app_private.password_history (
  id bigint generated always as identity primary key,
  user_id uuid not null references app_public.users on delete cascade,
  password_hash text not null,
  password_scheme smallint not null,
  replaced_at timestamptz not null default now()
);
create index if not exists password_history_user_idx on app_private.password_history (user_id, id desc);
comment on table app_private.password_history is 'Previous password hashes (bcrypt, as stored), newest kept up to auth_config.password_history.';
alter table app_private.password_history enable row level security;
alter table app_private.password_history force row level security;
drop policy if exists definer_all on app_private.password_history;
create policy definer_all on app_private.password_history to :DATABASE_OWNER using (true) with check (true);

-- The rules that need no account (used by every setter, and by the 1-argument form).
create or replace function app_private.password_policy_violation(p_password text, p_email text, p_name text)
returns text
  language plpgsql stable
  set search_path = pg_catalog, pg_temp
as $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_lower text := lower(coalesce(p_password, ''));
  v_classes int;
begin
  if p_password is null or char_length(p_password) < greatest(8, c.password_min_length) then
    return 'too_short';
  end if;
  if char_length(p_password) > c.password_max_length or octet_length(p_password) > 1024 then
    return 'too_long';
  end if;
  if c.password_check_common and exists (select 1 from app_private.common_passwords w where w.password = v_lower) then
    return 'common';
  end if;
  if c.password_check_personal and (
       (char_length(p_email) >= 4 and strpos(v_lower, lower(p_email)) > 0)
       or v_lower = lower(split_part(p_email, '@', 1))
       or (char_length(trim(p_name)) >= 4 and strpos(v_lower, lower(trim(p_name))) > 0)) then
    return 'personal';
  end if;
  if c.password_min_classes > 0 then
    v_classes := (p_password ~ '[[:lower:]]')::int + (p_password ~ '[[:upper:]]')::int
               + (p_password ~ '[[:digit:]]')::int + (p_password ~ '[^[:alnum:]]')::int;
    if v_classes < c.password_min_classes then
      return 'composition';
    end if;
  end if;
  return null;
end;
$$;
comment on function app_private.password_policy_violation(text, text, text) is
  'The first password rule broken (too_short, too_long, common, personal, composition), or NULL.';

-- Every setter calls this. p_user (NULL for a new account) adds the history rule: the new
-- password must not match the current hash nor the last password_history - 1 old ones.
create or replace function app_private.assert_password_policy(p_password text, p_user uuid, p_email text, p_name text)
returns void
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_rule text := app_private.password_policy_violation(p_password, p_email, p_name);
  v_n int := (select c.password_history from app_private.auth_config c);
begin
  if v_rule is null and p_user is not null and v_n > 0 and exists (
       select 1 from (
         select s.password_hash h, s.password_scheme sc, 0 o from app_private.user_secrets s
           where s.user_id = p_user and s.password_hash is not null
         union all
         (select h.password_hash, h.password_scheme, 1 from app_private.password_history h
           where h.user_id = p_user order by h.id desc limit v_n - 1)
       ) x
       where public.crypt(app_private.password_input(p_password, x.sc), x.h) = x.h) then
    v_rule := 'reused';
  end if;
  if v_rule is not null then
    raise exception 'Password does not meet the requirements' using errcode = 'WEAKP', detail = v_rule;
  end if;
end;
$$;
comment on function app_private.assert_password_policy(text, uuid, text, text) is
  'Raises WEAKP (DETAIL: the rule) unless the password passes every rule of the policy for this account.';

-- The 1-argument form (000001, 1100-passwords.sql) for any caller without account context.
create or replace function app_private.assert_password_ok(p_password text) returns void
  language plpgsql stable
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_rule text := app_private.password_policy_violation(p_password, null, null);
begin
  if v_rule is not null then
    raise exception 'Password does not meet the requirements' using errcode = 'WEAKP', detail = v_rule;
  end if;
end;
$$;
comment on function app_private.assert_password_ok(text) is
  'The account-free password rules (length, common list, composition); raises WEAKP with the rule as DETAIL.';

-- Whenever a password is set (password_updated_at moves: the setters write clock_timestamp(),
-- so two changes in one transaction count twice; login's rehash of the same password does
-- not move it): the replaced hash joins the history, trimmed to the setting, and the
-- user's outstanding reset, sign-in and email-change tokens die (M1).
create or replace function app_private.tg_user_secrets__password_set() returns trigger
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_n int := (select c.password_history from app_private.auth_config c);
begin
  if old.password_hash is not null and old.password_hash is distinct from new.password_hash then
    insert into app_private.password_history (user_id, password_hash, password_scheme)
      values (old.user_id, old.password_hash, old.password_scheme);
  end if;
  delete from app_private.password_history h
    where h.user_id = new.user_id
      and h.id not in (select h2.id from app_private.password_history h2 where h2.user_id = new.user_id
                       order by h2.id desc limit greatest(v_n - 1, 0));
  perform app_private.revoke_email_tokens(new.user_id, array['reset_password', 'sign_in', 'change_email']);
  return null;
end;
$$;
comment on function app_private.tg_user_secrets__password_set() is
  'AFTER UPDATE OF password_updated_at: keeps the password history and voids outstanding reset, sign-in and email-change tokens (M1).';
drop trigger if exists _500_password_set on app_private.user_secrets;
create trigger _500_password_set after update of password_updated_at on app_private.user_secrets
  for each row when (new.password_updated_at is distinct from old.password_updated_at)
  execute function app_private.tg_user_secrets__password_set();
