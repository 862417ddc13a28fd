-- Passkeys (WebAuthn, issue 10, N8). The edge runs the protocol with @simplewebauthn/server
-- (proxy/features/passkeys/); this file keeps what must survive and decide: credentials with
-- their signature counters, single-use challenges, and the sign-in itself.
--
-- Threat model: request roles never read a credential or a challenge (app_private, no grants);
-- every entry point is executable by auth_edge only, which has checked the signature, origin,
-- RP ID and user verification before it calls the finish functions in the same transaction
-- as the challenge was taken. A challenge is stored as its SHA-256, expires after 5 minutes,
-- is deleted by the first attempt that presents it (success or not), and is bound to the
-- session that asked for it (registration, second factor) or to its own id (first factor,
-- no session yet). A credential signs in only its own user; a signature counter that does
-- not move forward (a cloned authenticator) refuses the sign-in and is audited.
--
-- Every passkey is also a row of app_private.mfa_factors (kind webauthn, status active), so
-- it counts as a factor and myMfaFactors/removeMfaFactor cover it (deleting the factor
-- deletes the credential).

create table if not exists app_private.webauthn_credentials (
  factor_id uuid primary key references app_private.mfa_factors (id) on delete cascade,
  user_id uuid not null references app_public.users (id) on delete cascade,
  credential_id bytea not null constraint webauthn_credentials_credential_id_key unique
    constraint webauthn_credentials_credential_id_check check (length(credential_id) between 1 and 1023),
  public_key bytea not null constraint webauthn_credentials_public_key_check check (length(public_key) <= 2048),
  sign_count bigint not null default 0 constraint webauthn_credentials_sign_count_check check (sign_count >= 0),
  transports text[] not null default '{}' constraint webauthn_credentials_transports_check check (cardinality(transports) <= 8),
  aaguid uuid,
  backed_up boolean not null default false,
  device_type text not null default 'singleDevice'
    constraint webauthn_credentials_device_type_check check (device_type in ('singleDevice', 'multiDevice')),
  created_at timestamptz not null default now(),
  last_used_at timestamptz
);
create index if not exists webauthn_credentials_user_id_idx on app_private.webauthn_credentials (user_id);
call app_private.enable_rls('app_private.webauthn_credentials');
comment on table app_private.webauthn_credentials is 'Passkeys: one WebAuthn credential per mfa_factors row (kind webauthn). Public keys and counters; never readable by request roles.';
comment on column app_private.webauthn_credentials.sign_count is 'The authenticator''s signature counter at its last use; a sign-in that does not move it forward (both zero excepted) is refused and audited (N8).';
comment on column app_private.webauthn_credentials.device_type is 'singleDevice (bound to one authenticator: amr hwk) or multiDevice (a synced passkey: amr swk).';

create table if not exists app_private.webauthn_challenges (
  id uuid primary key default gen_random_uuid(),
  purpose text not null
    constraint webauthn_challenges_purpose_check check (purpose in ('registration', 'sign_in', 'second_factor')),
  challenge_hash bytea not null,
  session_id uuid references app_private.sessions (id) on delete cascade,
  user_id uuid references app_public.users (id) on delete cascade,
  -- first factor with an email: the credential must be that user's (even when no user has it)
  email public.citext,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null default now() + interval '5 minutes',
  constraint webauthn_challenges_bound_check check ((purpose = 'sign_in') = (session_id is null))
);
create index if not exists webauthn_challenges_session_id_idx on app_private.webauthn_challenges (session_id);
create index if not exists webauthn_challenges_user_id_idx on app_private.webauthn_challenges (user_id);
create index if not exists webauthn_challenges_expires_at_idx on app_private.webauthn_challenges (expires_at);
call app_private.enable_rls('app_private.webauthn_challenges');
comment on table app_private.webauthn_challenges is 'Pending WebAuthn challenges (SHA-256 only): single-use, 5 minutes, bound to a session (registration, second_factor) or to their id (sign_in).';

-- ---------------------------------------------------------------------------------------
-- Helpers (owner only)

create or replace function app_private.base64url(p bytea) returns text
language sql immutable strict
set search_path = pg_catalog, pg_temp
as $$
  select rtrim(translate(encode(p, 'base64'), e'+/\n', '-_'), '=')
$$;
comment on function app_private.base64url(bytea) is 'Unpadded base64url, as WebAuthn writes credential ids and challenges.';
revoke all on function app_private.base64url(bytea) from public;

-- A fresh challenge: 32 random bytes, returned once in base64url, stored as its SHA-256.
-- Expired challenges of everyone and older ones of the same session and purpose go.
create or replace function app_private.new_passkey_challenge(
  p_purpose text, p_session_id uuid, p_user_id uuid, p_email text, out challenge_id uuid, out challenge text
)
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
begin
  delete from app_private.webauthn_challenges c where c.expires_at < now();
  if p_session_id is not null then
    delete from app_private.webauthn_challenges c where c.session_id = p_session_id and c.purpose = p_purpose;
  end if;
  challenge := app_private.base64url(public.gen_random_bytes(32));
  insert into app_private.webauthn_challenges (purpose, challenge_hash, session_id, user_id, email)
    values (p_purpose, public.digest(challenge, 'sha256'), p_session_id, p_user_id, p_email::public.citext)
    returning id into challenge_id;
end;
$$;
comment on function app_private.new_passkey_challenge(text, uuid, uuid, text) is 'Stores a new challenge (its hash) and returns it once.';
revoke all on function app_private.new_passkey_challenge(text, uuid, uuid, text) from public;

create or replace function app_private.passkey_allow_list(p_user_id uuid) returns jsonb
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select coalesce(jsonb_agg(jsonb_build_object('id', app_private.base64url(w.credential_id), 'transports', to_jsonb(w.transports))
                            order by w.created_at), '[]'::jsonb)
  from app_private.webauthn_credentials w where w.user_id = p_user_id
$$;
comment on function app_private.passkey_allow_list(uuid) is 'A user''s credentials as WebAuthn descriptors ({id, transports}).';
revoke all on function app_private.passkey_allow_list(uuid) from public;

create or replace function app_private.passkey_refusal(p_purpose text, p_reason text, p_user_id uuid, p_credential_id bytea, p_ip inet)
returns void
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_detail jsonb := jsonb_build_object('purpose', p_purpose, 'reason', p_reason, 'ip', p_ip::text,
                                       'credential', left(app_private.base64url(p_credential_id), 64));
begin
  -- A failed second factor is mailed like a wrong TOTP code: its sender passed the first factor
  -- (and is limited by mfa_reserve_attempt). Anonymous first-factor refusals are only audited:
  -- anyone may start one, so a mail each would be a mail bomb.
  if p_purpose = 'second_factor' and p_user_id is not null and p_reason <> 'challenge' then
    perform app_private.mfa_notice(p_user_id, 'passkey_refused', 'A passkey was refused as the second factor of a sign-in to your account.', v_detail);
  else
    perform app_private.write_audit('passkey_refused', 'app_public.users', p_user_id::text, null, null, v_detail);
  end if;
end;
$$;
comment on function app_private.passkey_refusal(text, text, uuid, bytea, inet) is 'Audits a refused passkey step (reason: challenge, credential, verification, user_verification, duplicate); a failed second factor is also mailed (mfa_notice).';
revoke all on function app_private.passkey_refusal(text, text, uuid, bytea, inet) from public;

-- ---------------------------------------------------------------------------------------
-- Edge entry points (auth_edge only)

drop type if exists app_hidden.passkey_start cascade;
create type app_hidden.passkey_start as (
  challenge_id uuid,
  challenge text,
  purpose text,
  user_id uuid,
  user_name text,
  display_name text,
  credentials jsonb
);
comment on type app_hidden.passkey_start is 'A started passkey ceremony: the challenge (once), whom it is for and their credentials (excludeCredentials or allowCredentials).';

create or replace function app_hidden.start_passkey_registration() returns app_hidden.passkey_start
language plpgsql volatile
-- Definer: writes app_private.webauthn_challenges and reads the caller's credentials.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_session app_private.sessions := app_private.mfa_caller();
  v app_hidden.passkey_start;
begin
  -- Adding a factor to an account that has one needs that factor first (N4, N6): otherwise a
  -- session that passed only the password could add its own passkey and complete MFA with it.
  perform app_private.assert_may_enroll(v_session);
  select c.challenge_id, c.challenge into v.challenge_id, v.challenge
    from app_private.new_passkey_challenge('registration', v_session.id, v_session.user_id, null) c;
  -- An anonymous user has no email yet: the authenticator shows a stable placeholder name.
  select 'registration', u.id, coalesce(u.email::text, 'user-' || left(u.id::text, 8)),
         coalesce(u.display_name, u.email::text, 'Anonymous user'), app_private.passkey_allow_list(u.id)
    into v.purpose, v.user_id, v.user_name, v.display_name, v.credentials
    from app_public.users u where u.id = v_session.user_id;
  return v;
end;
$$;
comment on function app_hidden.start_passkey_registration() is 'Edge only: a registration challenge bound to the caller''s session, the user''s name and existing credentials (to exclude). Raises LOGIN without a session, MFARQ when the account has a factor and the session is not aal2.';
revoke all on function app_hidden.start_passkey_registration() from public;
grant execute on function app_hidden.start_passkey_registration() to auth_edge;

create or replace function app_hidden.start_passkey_sign_in(p_email text) returns app_hidden.passkey_start
language plpgsql volatile
-- Definer: writes app_private.webauthn_challenges and reads credentials.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_session app_private.sessions := app_private.mfa_caller();
  v_user uuid;
  v app_hidden.passkey_start;
begin
  if v_session.id is not null then
    -- Signed in: the passkey is a second factor (or step-up) for this very session.
    select c.challenge_id, c.challenge into v.challenge_id, v.challenge
      from app_private.new_passkey_challenge('second_factor', v_session.id, v_session.user_id, null) c;
    v.purpose := 'second_factor';
    v.credentials := app_private.passkey_allow_list(v_session.user_id);
    return v;
  end if;
  if p_email is not null then
    v_user := (select u.id from app_public.users u where u.email operator(public.=) p_email::public.citext);
  end if;
  select c.challenge_id, c.challenge into v.challenge_id, v.challenge
    from app_private.new_passkey_challenge('sign_in', null, v_user, p_email) c;
  v.purpose := 'sign_in';
  -- No email: a discoverable credential (the authenticator offers its own list).
  v.credentials := case when v_user is null then '[]'::jsonb else app_private.passkey_allow_list(v_user) end;
  return v;
end;
$$;
comment on function app_hidden.start_passkey_sign_in(text) is 'Edge only: a sign-in challenge. Signed in: a second factor bound to the session; otherwise a first factor bound to the returned challenge_id, restricted to the user of p_email when given.';
revoke all on function app_hidden.start_passkey_sign_in(text) from public;
grant execute on function app_hidden.start_passkey_sign_in(text) to auth_edge;

drop type if exists app_hidden.passkey_taken cascade;
create type app_hidden.passkey_taken as (
  error text,
  purpose text,
  user_id uuid,
  public_key bytea,
  sign_count bigint,
  transports text[]
);
comment on type app_hidden.passkey_taken is 'A challenge taken for verification: error (PKCHL, PKREF) or what the edge verifies against.';

create or replace function app_hidden.take_passkey_challenge(
  p_challenge_id uuid, p_challenge text, p_credential_id bytea, p_registration boolean, p_ip inet
) returns app_hidden.passkey_taken
language plpgsql volatile
-- Definer: deletes from app_private.webauthn_challenges, reads credentials, audits.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_session app_private.sessions := app_private.mfa_caller();
  v_ch app_private.webauthn_challenges;
  v_cred app_private.webauthn_credentials;
  v_purpose text := case when p_registration then 'registration'
                         when p_challenge_id is null then 'second_factor' else 'sign_in' end;
begin
  -- Taken by the first attempt whatever it proves (single-use, N8).
  if v_purpose = 'sign_in' then
    delete from app_private.webauthn_challenges c where c.id = p_challenge_id and c.purpose = 'sign_in'
      returning * into v_ch;
  elsif v_session.id is not null then
    delete from app_private.webauthn_challenges c where c.session_id = v_session.id and c.purpose = v_purpose
      returning * into v_ch;
  end if;
  if v_ch.id is null or v_ch.expires_at <= now()
     or v_ch.challenge_hash <> public.digest(coalesce(p_challenge, ''), 'sha256') then
    perform app_private.passkey_refusal(v_purpose, 'challenge', v_session.user_id, p_credential_id, p_ip);
    return row('PKCHL', v_purpose, null, null, null, null)::app_hidden.passkey_taken;
  end if;
  if v_purpose = 'registration' then
    return row(null, v_purpose, v_ch.user_id, null, null, null)::app_hidden.passkey_taken;
  end if;
  select * into v_cred from app_private.webauthn_credentials w where w.credential_id = p_credential_id;
  -- A second factor counts as an attempt for the account and the factor, like a TOTP code (N3).
  if v_purpose = 'second_factor'
     and not app_private.mfa_reserve_attempt(v_ch.user_id, case when v_cred.user_id = v_ch.user_id then v_cred.factor_id end) then
    return row('RATEL', v_purpose, null, null, null, null)::app_hidden.passkey_taken;
  end if;
  -- A credential signs in its own user only: the session's, or the one the email named.
  if v_cred.factor_id is null
     or (v_ch.user_id is not null and v_cred.user_id <> v_ch.user_id)
     or (v_ch.email is not null and v_ch.user_id is null)
     or not exists (select 1 from app_public.users u where u.id = v_cred.user_id and u.disabled_at is null) then
    perform app_private.passkey_refusal(v_purpose, 'credential', coalesce(v_ch.user_id, v_cred.user_id), p_credential_id, p_ip);
    return row('PKREF', v_purpose, null, null, null, null)::app_hidden.passkey_taken;
  end if;
  return row(null, v_purpose, v_cred.user_id, v_cred.public_key, v_cred.sign_count, v_cred.transports)::app_hidden.passkey_taken;
end;
$$;
comment on function app_hidden.take_passkey_challenge(uuid, text, bytea, boolean, inet) is 'Edge only: spends the pending challenge (by id for a first factor, else the session''s) if it is the one presented, counts a second factor''s attempt (N3), and returns the credential to verify against; PKCHL (unknown, used, expired, another session''s), RATEL (too many second-factor attempts) or PKREF (unknown credential, another user''s), audited.';
revoke all on function app_hidden.take_passkey_challenge(uuid, text, bytea, boolean, inet) from public;
grant execute on function app_hidden.take_passkey_challenge(uuid, text, bytea, boolean, inet) to auth_edge;

create or replace function app_hidden.passkey_refused(p_purpose text, p_reason text, p_user_id uuid, p_credential_id bytea, p_ip inet)
returns void
language plpgsql volatile
-- Definer: writes the audit log.
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if p_purpose not in ('registration', 'sign_in', 'second_factor') or p_reason not in ('verification', 'user_verification') then
    raise exception 'Malformed request' using errcode = 'BADRQ';
  end if;
  perform app_private.passkey_refusal(p_purpose, p_reason, p_user_id, p_credential_id, p_ip);
end;
$$;
comment on function app_hidden.passkey_refused(text, text, uuid, bytea, inet) is 'Edge only: audits a response the edge refused (signature, origin, RP ID, user verification).';
revoke all on function app_hidden.passkey_refused(text, text, uuid, bytea, inet) from public;
grant execute on function app_hidden.passkey_refused(text, text, uuid, bytea, inet) to auth_edge;

drop type if exists app_hidden.passkey_registered cascade;
create type app_hidden.passkey_registered as (error text, factor_id uuid, mfa app_hidden.mfa_result);
comment on type app_hidden.passkey_registered is 'finish_passkey_registration''s answer: error (PKREF: the credential is registered already) or the new factor with what activating it gave (new tokens for the session, raised to aal2, and the first factor''s recovery codes).';

create or replace function app_hidden.finish_passkey_registration(
  p_credential_id bytea, p_public_key bytea, p_sign_count bigint, p_transports text[], p_aaguid uuid,
  p_backed_up boolean, p_device_type text, p_friendly_name text, p_ip inet
) returns app_hidden.passkey_registered
language plpgsql volatile
-- Definer: writes app_private.mfa_factors and webauthn_credentials, raises the session.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_session app_private.sessions := app_private.mfa_caller();
  v_factor uuid;
begin
  perform app_private.assert_may_enroll(v_session);
  if exists (select 1 from app_private.webauthn_credentials w where w.credential_id = p_credential_id) then
    perform app_private.passkey_refusal('registration', 'duplicate', v_session.user_id, p_credential_id, p_ip);
    return row('PKREF', null, null)::app_hidden.passkey_registered;
  end if;
  insert into app_private.mfa_factors (user_id, kind, friendly_name, status)
    values (v_session.user_id, 'webauthn', coalesce(nullif(left(p_friendly_name, 100), ''), 'Passkey'), 'unverified')
    returning id into v_factor;
  insert into app_private.webauthn_credentials
      (factor_id, user_id, credential_id, public_key, sign_count, transports, aaguid, backed_up, device_type)
    values (v_factor, v_session.user_id, p_credential_id, p_public_key, coalesce(p_sign_count, 0),
            coalesce(p_transports, '{}'), p_aaguid, coalesce(p_backed_up, false), coalesce(p_device_type, 'singleDevice'));
  -- Like every factor: active, noticed by mail, recovery codes with the first, session at aal2.
  return row(null, v_factor, app_private.activate_factor(v_session, v_factor,
    case when p_device_type = 'multiDevice' or p_backed_up then 'swk' else 'hwk' end))::app_hidden.passkey_registered;
end;
$$;
comment on function app_hidden.finish_passkey_registration(bytea, bytea, bigint, text[], uuid, boolean, text, text, inet) is 'Edge only, after take_passkey_challenge(registration) and verification in the same transaction: stores the passkey as a webauthn factor of the caller and activates it (app_private.activate_factor: notice, recovery codes for a first factor, the session raised to aal2 with new tokens).';
revoke all on function app_hidden.finish_passkey_registration(bytea, bytea, bigint, text[], uuid, boolean, text, text, inet) from public;
grant execute on function app_hidden.finish_passkey_registration(bytea, bytea, bigint, text[], uuid, boolean, text, text, inet) to auth_edge;

create or replace function app_hidden.finish_passkey_sign_in(
  p_purpose text, p_credential_id bytea, p_sign_count bigint, p_user_verified boolean, p_backed_up boolean,
  p_device_type text, p_ip inet, p_user_agent text
) returns app_hidden.auth_result
language plpgsql volatile
-- Definer: updates credentials and factors, starts or upgrades sessions, audits.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_cred app_private.webauthn_credentials;
  v_session app_private.sessions;
  v_amr text;
begin
  select * into v_cred from app_private.webauthn_credentials w where w.credential_id = p_credential_id for update;
  if v_cred.factor_id is null then
    perform app_private.passkey_refusal(p_purpose, 'credential', null, p_credential_id, p_ip);
    return app_private.auth_error('PKREF');
  end if;
  -- A counter that does not move forward means two authenticators share the key (N8).
  if (p_sign_count > 0 or v_cred.sign_count > 0) and p_sign_count <= v_cred.sign_count then
    -- Only the key itself signs such a response: its owner is told.
    perform app_private.mfa_notice(v_cred.user_id, 'passkey_counter_regression',
      'A sign-in with one of your passkeys was refused: the key may have been copied. Remove it if you are unsure.',
      jsonb_build_object('factor_id', v_cred.factor_id, 'stored', v_cred.sign_count, 'presented', p_sign_count,
                         'purpose', p_purpose, 'ip', p_ip::text));
    return app_private.auth_error('PKCTR');
  end if;
  update app_private.webauthn_credentials w
    set sign_count = greatest(p_sign_count, 0), last_used_at = now(), backed_up = coalesce(p_backed_up, w.backed_up)
    where w.factor_id = v_cred.factor_id;
  if p_purpose = 'second_factor' then
    perform app_private.mfa_attempt_succeeded(v_cred.user_id, v_cred.factor_id);
  else
    update app_private.mfa_factors f set last_used_at = now() where f.id = v_cred.factor_id;
  end if;
  -- RFC 8176: hwk for a key bound to one device, swk for a synced (multi-device) passkey.
  v_amr := case when p_device_type = 'multiDevice' or p_backed_up then 'swk' else 'hwk' end;
  if p_purpose = 'second_factor' then
    v_session := app_private.mfa_caller();
    if v_session.id is null or v_session.user_id <> v_cred.user_id then
      perform app_private.passkey_refusal(p_purpose, 'credential', v_session.user_id, p_credential_id, p_ip);
      return app_private.auth_error('PKREF');
    end if;
    return app_private.complete_mfa(v_session.id, v_amr);
  end if;
  perform app_private.write_audit('login', 'app_public.users', v_cred.user_id::text, null, null,
    jsonb_build_object('ip', p_ip::text, 'method', 'passkey', 'user_verified', coalesce(p_user_verified, false)));
  return app_private.start_session(v_cred.user_id, p_ip, p_user_agent, array[v_amr],
    case when p_user_verified then 'aal2' else 'aal1' end);
end;
$$;
comment on function app_hidden.finish_passkey_sign_in(text, bytea, bigint, boolean, boolean, text, inet, text) is 'Edge only, after take_passkey_challenge and verification in the same transaction: checks the counter (PKCTR, audited), then starts a session (sign_in: amr hwk/swk, aal2 with user verification) or completes MFA for the caller''s session (second_factor).';
revoke all on function app_hidden.finish_passkey_sign_in(text, bytea, bigint, boolean, boolean, text, inet, text) from public;
grant execute on function app_hidden.finish_passkey_sign_in(text, bytea, bigint, boolean, boolean, text, inet, text) to auth_edge;
