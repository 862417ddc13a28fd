-- The exact policy set of every table: adding or removing a policy is a deliberate change
-- that must show up here (each policy's allowed and refused sides are tested by behaviour
-- in the other files). Also: which roles each policy applies to.
select plan(18);

select policies_are('app_private', 'auth_config', array['definer_all'], 'app_private.auth_config has exactly its policies');
select policies_are('app_private', 'ip_login_failures', array['definer_all'], 'app_private.ip_login_failures has exactly its policies');
select policies_are('app_private', 'refresh_tokens', array['definer_all'], 'app_private.refresh_tokens has exactly its policies');
select policies_are('app_private', 'sessions', array['definer_all'], 'app_private.sessions has exactly its policies');
select policies_are('app_private', 'user_identity_tokens', array['definer_all'], 'app_private.user_identity_tokens has exactly its policies');
select policies_are('app_private', 'user_secrets', array['definer_all'], 'app_private.user_secrets has exactly its policies');
select policies_are('app_public', 'audit_log', array['definer_insert','definer_select','select_admin'], 'app_public.audit_log has exactly its policies');
select policies_are('app_public', 'document_acl', array['definer_all','select_member'], 'app_public.document_acl has exactly its policies');
select policies_are('app_public', 'documents', array['definer_all','delete_admin','delete_owner','insert_own','select_acl','select_staff','update_admin','update_manager'], 'app_public.documents has exactly its policies');
select policies_are('app_public', 'groups', array['definer_all','delete_owner','insert_own','select_member','update_manager'], 'app_public.groups has exactly its policies');
select policies_are('app_public', 'relation_edge', array['definer_all','delete_manager_or_self','insert_manager','select_visible'], 'app_public.relation_edge has exactly its policies');
select policies_are('app_public', 'role_domain_rules', array['all_admin','definer_all'], 'app_public.role_domain_rules has exactly its policies');
select policies_are('app_public', 'role_grants', array['all_admin','definer_all','select_own'], 'app_public.role_grants has exactly its policies');
select policies_are('app_public', 'user_acl', array['definer_all','select_involved','write_admin'], 'app_public.user_acl has exactly its policies');
select policies_are('app_public', 'user_identities', array['definer_all','select_admin','select_own'], 'app_public.user_identities has exactly its policies');
select policies_are('app_public', 'users', array['definer_all','select_admin','select_managed','select_self','update_admin','update_managed','update_self'], 'app_public.users has exactly its policies');
select is_empty(
  $$ select c.relname || '.' || p.polname from pg_policy p join pg_class c on c.oid = p.polrelid
     where p.polname like 'definer%' and p.polroles <> array[(select d.datdba from pg_database d where d.datname = current_database())] $$,
  'definer_* policies apply to the owner (the definer of security definer functions) only');
select is_empty(
  $$ select c.relname || '.' || p.polname from pg_policy p join pg_class c on c.oid = p.polrelid
     where p.polname not like 'definer%' and 0 = any (p.polroles) $$,
  'no policy applies to PUBLIC');
select * from finish();
