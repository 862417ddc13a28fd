/**
 * Development watch mode (GRAPHQL_WATCH): PostGraphile LISTENs on `postgraphile_watch` and
 * re-introspects when a notification arrives, so a migration `db:watch` applies shows up in
 * the running server's schema. The notifications come from two event triggers installed here
 * as the superuser (event triggers need one), in place of PostGraphile's own fixtures: those
 * call pg_notify(), which db/root-hardening.sql revokes from PUBLIC, so every DDL statement
 * of the owner would fail with them. NOTIFY (the command) has no privilege check.
 */
import pg from 'pg';

/** Idempotent; the trigger functions run as whoever runs the DDL and only notify. */
export const WATCH_FIXTURES = `
create schema if not exists postgraphile_watch;
revoke all on schema postgraphile_watch from public;
comment on schema postgraphile_watch is
  'Development only: event triggers that tell a watching PostGraphile to re-introspect.';

create or replace function postgraphile_watch.notify_watchers_ddl() returns event_trigger
  language plpgsql volatile set search_path = pg_catalog, pg_temp as $$
begin
  if exists (select 1 from pg_catalog.pg_event_trigger_ddl_commands() c
             where c.schema_name is distinct from 'pg_temp') then
    notify postgraphile_watch, '{"type":"ddl"}';
  end if;
end;
$$;

create or replace function postgraphile_watch.notify_watchers_drop() returns event_trigger
  language plpgsql volatile set search_path = pg_catalog, pg_temp as $$
begin
  if exists (select 1 from pg_catalog.pg_event_trigger_dropped_objects() o
             where o.schema_name is distinct from 'pg_temp') then
    notify postgraphile_watch, '{"type":"drop"}';
  end if;
end;
$$;

revoke all on function postgraphile_watch.notify_watchers_ddl() from public;
revoke all on function postgraphile_watch.notify_watchers_drop() from public;

do $$
begin
  if not exists (select 1 from pg_catalog.pg_event_trigger where evtname = 'postgraphile_watch_ddl') then
    create event trigger postgraphile_watch_ddl on ddl_command_end
      when tag in ('ALTER AGGREGATE', 'ALTER DOMAIN', 'ALTER EXTENSION', 'ALTER FOREIGN TABLE',
        'ALTER FUNCTION', 'ALTER POLICY', 'ALTER SCHEMA', 'ALTER TABLE', 'ALTER TYPE', 'ALTER VIEW',
        'ALTER MATERIALIZED VIEW', 'COMMENT', 'CREATE AGGREGATE', 'CREATE DOMAIN', 'CREATE EXTENSION',
        'CREATE FOREIGN TABLE', 'CREATE FUNCTION', 'CREATE INDEX', 'CREATE POLICY', 'CREATE RULE',
        'CREATE SCHEMA', 'CREATE TABLE', 'CREATE TABLE AS', 'CREATE VIEW', 'CREATE MATERIALIZED VIEW',
        'DROP AGGREGATE', 'DROP DOMAIN', 'DROP EXTENSION', 'DROP FOREIGN TABLE', 'DROP FUNCTION',
        'DROP INDEX', 'DROP OWNED', 'DROP POLICY', 'DROP RULE', 'DROP SCHEMA', 'DROP TABLE',
        'DROP TYPE', 'DROP VIEW', 'DROP MATERIALIZED VIEW', 'GRANT', 'REVOKE', 'SELECT INTO')
      execute procedure postgraphile_watch.notify_watchers_ddl();
  end if;
  if not exists (select 1 from pg_catalog.pg_event_trigger where evtname = 'postgraphile_watch_drop') then
    create event trigger postgraphile_watch_drop on sql_drop
      execute procedure postgraphile_watch.notify_watchers_drop();
  end if;
end;
$$;
`;

/** Installs the fixtures in the database `superuserUrl` names (a superuser connection). */
export async function installWatchFixtures(superuserUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: superuserUrl });
  client.on('error', () => {}); // a dropped connection rejects the query below instead
  await client.connect();
  try {
    // One transaction, and one at a time: servers starting together would otherwise race.
    await client.query('begin');
    await client.query(`select pg_catalog.pg_advisory_xact_lock(7428840002)`);
    await client.query(WATCH_FIXTURES);
    await client.query('commit');
  } catch (e) {
    await client.query('rollback').catch(() => {});
    throw e;
  } finally {
    await client.end();
  }
}
