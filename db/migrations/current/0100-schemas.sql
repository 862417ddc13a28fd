--! Schemas, extensions and default privileges.
-- Threat model: anything not granted explicitly must be unreachable. PUBLIC gets nothing;
-- every later object is granted to named request roles only.
--   app_public  exposed through GraphQL (PostGraphile introspects only this schema)
--   app_hidden  callable by request roles (policy helpers), not exposed
--   app_private never reachable by request roles: secrets and the functions that read them

create extension if not exists pgcrypto with schema public;
create extension if not exists citext with schema public;

revoke all on schema public from public;
grant usage on schema public to :DATABASE_OWNER;

drop schema if exists app_public cascade;
drop schema if exists app_hidden cascade;
drop schema if exists app_private cascade;

create schema app_public;
create schema app_hidden;
create schema app_private;
comment on schema app_public is 'The API: tables and functions PostGraphile exposes.';
comment on schema app_hidden is 'Policy helpers request roles may call but GraphQL does not expose.';
comment on schema app_private is 'Secrets and privileged functions; never granted to request roles.';

grant usage on schema public, app_public, app_hidden to anonymous, app_user, bot;

-- Functions are executable by PUBLIC by default; undo that for everything we create.
alter default privileges revoke all on functions from public;
alter default privileges in schema app_public, app_hidden, app_private revoke all on functions from public;
alter default privileges revoke all on sequences from public;
alter default privileges revoke all on tables from public;

-- pgcrypto/citext helpers used inside policy helpers and definer functions.
grant execute on function public.gen_random_uuid() to anonymous, app_user, bot;
