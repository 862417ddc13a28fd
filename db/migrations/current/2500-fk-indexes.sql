-- Every foreign key has an index led by its columns, so a delete (or key update) of the
-- referenced row never scans the referencing table, and lookups by the key are indexed
-- (refresh() looks tokens up by parent_id). test/db/structure.sql checks all of them.
-- sessions(user_id) had only a partial index (live sessions), which a cascade from users
-- cannot use for revoked rows.

create index if not exists refresh_tokens_parent_idx on app_private.refresh_tokens (parent_id);
create index if not exists sessions_user_id_idx on app_private.sessions (user_id);
create index if not exists groups_created_by_idx on app_public.groups (created_by);
create index if not exists role_grants_granted_by_idx on app_public.role_grants (granted_by);
