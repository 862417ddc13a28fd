-- Role-wide policies go through the liveness and role-table check (D6, E3, A8).
-- Threat model: audit_log's admin policy was `using (true)`: the admin database role alone
-- decided, so an admin's access token kept reading the log after logout, revocation,
-- demotion or disable, and `set role admin` with empty claims read it too. Like every other
-- role-wide policy it now asks current_app_role(), which re-reads the live session and the
-- role tables on every statement. (It was the only request-role policy that ignored the
-- caller; test/db/structure.sql keeps it that way for every table.)

drop policy if exists select_admin on app_public.audit_log;
create policy select_admin on app_public.audit_log for select to admin
  using ((select app_hidden.current_app_role()) = 'admin');
