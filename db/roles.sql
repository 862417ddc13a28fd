-- Cluster roles. Run by `npm run db:setup` as ROOT_DATABASE_URL (a superuser), in the
-- maintenance database, before the databases are created. Idempotent, and safe when two
-- setups run at once: it waits on the setup advisory lock (setup.ts holds it for the whole
-- setup, migrations included) and only CREATEs a missing role or ALTERs one whose
-- attributes or password differ, so a second run writes nothing to pg_authid.
--
-- Parameters arrive as session settings, bound by setup.ts with set_config($1, $2) and
-- quoted here with format('%I' / '%L'); nothing is spliced into this text:
--   pgauth.owner_role, pgauth.owner_password                  owns every object, runs migrations
--   pgauth.authenticator_role, pgauth.authenticator_password  the server's login role
-- By hand: psql "$ROOT_DATABASE_URL" with `set pgauth.owner_role = '...'` (and the three
-- others) before `\i db/roles.sql`.
--
-- Threat model: the login role holds nothing itself (NOINHERIT) and can only SET ROLE to the
-- request roles and to auth_edge; no role here may bypass RLS, create roles or databases.

begin;
-- 742884 spells PGAUTH on a phone keypad; the same key as SETUP_LOCK in setup.ts.
select pg_catalog.pg_advisory_xact_lock(7428840001);

-- SCRAM-SHA-256 (RFC 5802/7677) recomputed with the stored salt and iteration count, so an
-- unchanged password is recognised without being rewritten. Core sha256() only: pgcrypto is
-- not installed in the maintenance database. Non-ASCII passwords (the server SASLpreps them)
-- and unknown formats answer false: they are simply set again.
create or replace function pg_temp.hmac_pad(p_key bytea, p_byte int) returns bytea
  language sql immutable
as $$
  select pg_catalog.decode(pg_catalog.string_agg(pg_catalog.lpad(pg_catalog.to_hex(
           (case when i < pg_catalog.length(p_key) then pg_catalog.get_byte(p_key, i) else 0 end) # p_byte),
           2, '0'), '' order by i), 'hex')
  from pg_catalog.generate_series(0, 63) i
$$;

create or replace function pg_temp.hmac_sha256(p_key bytea, p_message bytea) returns bytea
  language sql immutable
as $$
  select pg_catalog.sha256(pg_temp.hmac_pad(p_key, 92) || pg_catalog.sha256(pg_temp.hmac_pad(p_key, 54) || p_message))
$$;

create or replace function pg_temp.password_matches(p_role text, p_password text, p_stored text) returns boolean
  language plpgsql immutable
as $$
declare
  v_parts text[] := pg_catalog.regexp_match(p_stored, '^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$');
  v_key bytea := pg_catalog.convert_to(p_password, 'UTF8');
  v_ipad bytea;
  v_opad bytea;
  v_u bytea;
  v_acc bit(256);
  v_salted bytea;
begin
  if p_password is null or p_stored is null then
    return p_password is null and p_stored is null;
  end if;
  if p_stored ~ '^md5' then
    return p_stored = 'md5' || pg_catalog.md5(p_password || p_role);
  end if;
  if v_parts is null or p_password !~ '^[\x20-\x7e]*$' then
    return false;
  end if;
  -- PBKDF2-HMAC-SHA-256, one 32-byte block: U1 = HMAC(P, salt || 1), Ui = HMAC(P, Ui-1).
  v_ipad := pg_temp.hmac_pad(case when pg_catalog.length(v_key) > 64 then pg_catalog.sha256(v_key) else v_key end, 54);
  v_opad := pg_temp.hmac_pad(case when pg_catalog.length(v_key) > 64 then pg_catalog.sha256(v_key) else v_key end, 92);
  v_u := pg_catalog.sha256(v_opad || pg_catalog.sha256(v_ipad || pg_catalog.decode(v_parts[2], 'base64') || '\x00000001'::bytea));
  v_acc := ('x' || pg_catalog.encode(v_u, 'hex'))::bit(256);
  for i in 2 .. v_parts[1]::int loop
    v_u := pg_catalog.sha256(v_opad || pg_catalog.sha256(v_ipad || v_u));
    v_acc := v_acc # ('x' || pg_catalog.encode(v_u, 'hex'))::bit(256);
  end loop;
  select pg_catalog.decode(pg_catalog.string_agg(pg_catalog.to_hex(pg_catalog.substring(v_acc, n, 4)::int), '' order by n), 'hex')
    into v_salted from pg_catalog.generate_series(1, 256, 4) n;
  return pg_catalog.encode(pg_catalog.sha256(pg_temp.hmac_sha256(v_salted, 'Client Key')), 'base64') = v_parts[3]
     and pg_catalog.encode(pg_temp.hmac_sha256(v_salted, 'Server Key'), 'base64') = v_parts[4];
end;
$$;

-- Creates the role, or brings an existing one to exactly these attributes and password.
-- Every role here is NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS.
create or replace function pg_temp.ensure_role(p_name text, p_login boolean, p_inherit boolean, p_password text)
returns void
  language plpgsql volatile
as $$
declare
  v_role pg_catalog.pg_authid;
  v_attrs text := pg_catalog.format('%s %s nosuperuser nocreatedb nocreaterole noreplication nobypassrls',
    case when p_login then 'login' else 'nologin' end, case when p_inherit then 'inherit' else 'noinherit' end);
begin
  select * into v_role from pg_catalog.pg_authid where rolname = p_name;
  if not found then
    execute pg_catalog.format('create role %I with %s password %s', p_name, v_attrs,
      coalesce(pg_catalog.quote_literal(p_password), 'null'));
    return;
  end if;
  if (v_role.rolcanlogin, v_role.rolinherit, v_role.rolsuper, v_role.rolcreatedb, v_role.rolcreaterole,
      v_role.rolreplication, v_role.rolbypassrls) is distinct from (p_login, p_inherit, false, false, false, false, false) then
    execute pg_catalog.format('alter role %I with %s', p_name, v_attrs);
  end if;
  if not pg_temp.password_matches(p_name, p_password, v_role.rolpassword) then
    execute pg_catalog.format('alter role %I with password %s', p_name, coalesce(pg_catalog.quote_literal(p_password), 'null'));
  end if;
end;
$$;

create or replace function pg_temp.ensure_member(p_role text, p_member text) returns void
  language plpgsql volatile
as $$
begin
  if not exists (select 1 from pg_catalog.pg_auth_members m
                 join pg_catalog.pg_authid r on r.oid = m.roleid join pg_catalog.pg_authid u on u.oid = m.member
                 where r.rolname = p_role and u.rolname = p_member) then
    execute pg_catalog.format('grant %I to %I', p_role, p_member);
  end if;
end;
$$;

do $$
declare
  v_owner text := pg_catalog.current_setting('pgauth.owner_role');
  v_auth text := pg_catalog.current_setting('pgauth.authenticator_role');
  v_role text;
begin
  if v_owner = '' or v_auth = '' or v_owner = v_auth then
    raise exception 'pgauth.owner_role and pgauth.authenticator_role must be set and differ' using errcode = '22023';
  end if;
  -- The owner logs in to run migrations; it owns objects but is subject to RLS (forced).
  perform pg_temp.ensure_role(v_owner, true, true, nullif(pg_catalog.current_setting('pgauth.owner_password'), ''));
  -- The server's login role: NOINHERIT, so it holds no privilege until it SETs a role.
  perform pg_temp.ensure_role(v_auth, true, false, nullif(pg_catalog.current_setting('pgauth.authenticator_password'), ''));
  -- Request roles: what a verified token (or its absence) becomes.
  foreach v_role in array array['anonymous', 'app_user', 'manager', 'admin', 'bot'] loop
    perform pg_temp.ensure_role(v_role, false, true, null);
    perform pg_temp.ensure_member(v_role, v_auth);
  end loop;
  -- manager and admin are app_users with more rights; bot is deliberately not one.
  perform pg_temp.ensure_member('app_user', 'manager');
  perform pg_temp.ensure_member('app_user', 'admin');
  -- The edge's own narrow path to its entry points (login, refresh, OAuth sign-in, ...): only
  -- the login role can become it, no request role is a member.
  perform pg_temp.ensure_role('auth_edge', false, true, null);
  perform pg_temp.ensure_member('auth_edge', v_auth);
end;
$$;

commit;
