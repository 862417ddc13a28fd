--
-- PostgreSQL database dump
--

--
-- Name: COLUMN audit_log.actor_role; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.audit_log.actor_role IS 'The request role in effect (the SET ROLE value), not the definer.';

--
-- Name: COLUMN audit_log.event; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.audit_log.event IS 'insert/update/delete for row changes, or a named event such as login_failed.';

--
-- Name: COLUMN audit_log.target_id; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.audit_log.target_id IS 'The affected row''s key (key columns joined with /), or another subject of the event.';

--
-- Name: COLUMN auth_config.account_lock_max; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.account_lock_max IS 'Upper bound of an account lockout (C7): the real user is delayed, never locked out for good.';

--
-- Name: COLUMN auth_config.refresh_grace; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.refresh_grace IS 'How long the immediate predecessor of a refresh token still answers (with the same successor).';

--
-- Name: COLUMN document_acl.document_created_at; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.document_acl.document_created_at IS 'Copy of documents.created_at (immutable) so lists can be served from this index.';

--
-- Name: COLUMN documents.comment; Type: ACL; Schema: app_public; Owner: -
--

GRANT INSERT(comment),UPDATE(comment) ON TABLE app_public.documents TO app_user;

--
-- Name: COLUMN documents.full_url; Type: ACL; Schema: app_public; Owner: -
--

GRANT INSERT(full_url),UPDATE(full_url) ON TABLE app_public.documents TO app_user;

--
-- Name: COLUMN documents.owner_id; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.documents.owner_id IS 'The creator; set from the session, cannot be chosen or changed.';

--
-- Name: COLUMN documents.short_url; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.documents.short_url IS 'Generated, unique, URL-safe.';

--
-- Name: COLUMN groups.name; Type: ACL; Schema: app_public; Owner: -
--

GRANT INSERT(name),UPDATE(name) ON TABLE app_public.groups TO app_user;

--
-- Name: COLUMN relation_edge.object_id; Type: ACL; Schema: app_public; Owner: -
--

GRANT INSERT(object_id) ON TABLE app_public.relation_edge TO app_user;

--
-- Name: COLUMN relation_edge.object_type; Type: ACL; Schema: app_public; Owner: -
--

GRANT INSERT(object_type) ON TABLE app_public.relation_edge TO app_user;

--
-- Name: COLUMN relation_edge.relation; Type: ACL; Schema: app_public; Owner: -
--

GRANT INSERT(relation) ON TABLE app_public.relation_edge TO app_user;

--
-- Name: COLUMN relation_edge.subject_id; Type: ACL; Schema: app_public; Owner: -
--

GRANT INSERT(subject_id) ON TABLE app_public.relation_edge TO app_user;

--
-- Name: COLUMN relation_edge.subject_type; Type: ACL; Schema: app_public; Owner: -
--

GRANT INSERT(subject_type) ON TABLE app_public.relation_edge TO app_user;

--
-- Name: COLUMN role_domain_rules.domain; Type: ACL; Schema: app_public; Owner: -
--

GRANT INSERT(domain) ON TABLE app_public.role_domain_rules TO admin;

--
-- Name: COLUMN role_domain_rules.role; Type: ACL; Schema: app_public; Owner: -
--

GRANT INSERT(role) ON TABLE app_public.role_domain_rules TO admin;

--
-- Name: COLUMN role_grants.role; Type: ACL; Schema: app_public; Owner: -
--

GRANT INSERT(role) ON TABLE app_public.role_grants TO admin;

--
-- Name: COLUMN role_grants.user_id; Type: ACL; Schema: app_public; Owner: -
--

GRANT INSERT(user_id) ON TABLE app_public.role_grants TO admin;

--
-- Name: COLUMN user_acl.role; Type: ACL; Schema: app_public; Owner: -
--

GRANT INSERT(role),UPDATE(role) ON TABLE app_public.user_acl TO admin;

--
-- Name: COLUMN user_acl.subject_id; Type: ACL; Schema: app_public; Owner: -
--

GRANT INSERT(subject_id) ON TABLE app_public.user_acl TO admin;

--
-- Name: COLUMN user_acl.user_id; Type: ACL; Schema: app_public; Owner: -
--

GRANT INSERT(user_id) ON TABLE app_public.user_acl TO admin;

--
-- Name: COLUMN user_identities.email; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.user_identities.email IS 'The email the provider reported; informational, never used to link accounts.';

--
-- Name: COLUMN user_identity_tokens.refresh_lease_until; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.user_identity_tokens.refresh_lease_until IS 'While in the future, one server instance is refreshing this token; others skip it.';

--
-- Name: COLUMN users.disabled_at; Type: ACL; Schema: app_public; Owner: -
--

GRANT UPDATE(disabled_at) ON TABLE app_public.users TO admin;

--
-- Name: COLUMN users.disabled_at; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.users.disabled_at IS 'When set, every session of the user stops working on its next request.';

--
-- Name: COLUMN users.display_name; Type: ACL; Schema: app_public; Owner: -
--

GRANT UPDATE(display_name) ON TABLE app_public.users TO app_user;

--
-- Name: COLUMN users.display_name; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.users.display_name IS 'Name shown to other users.';

--
-- Name: COLUMN users.email; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.users.email IS 'Unique, case-insensitive sign-in address.';

--
-- Name: COLUMN users.is_bot; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.users.is_bot IS 'A service account: gets the bot role, never a human role.';

--
-- Name: EXTENSION citext; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION citext IS 'data type for case-insensitive character strings';

--
-- Name: EXTENSION pgcrypto; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION pgcrypto IS 'cryptographic functions';

--
-- Name: FUNCTION "current_user"(); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public."current_user"() FROM PUBLIC;
GRANT ALL ON FUNCTION app_public."current_user"() TO anonymous;
GRANT ALL ON FUNCTION app_public."current_user"() TO app_user;
GRANT ALL ON FUNCTION app_public."current_user"() TO bot;

--
-- Name: FUNCTION "current_user"(); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public."current_user"() IS 'You, or null when not signed in.';

--
-- Name: FUNCTION armor(bytea); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.armor(bytea) FROM PUBLIC;
GRANT ALL ON FUNCTION public.armor(bytea) TO pgauth_owner;

--
-- Name: FUNCTION armor(bytea, text[], text[]); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.armor(bytea, text[], text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION public.armor(bytea, text[], text[]) TO pgauth_owner;

--
-- Name: FUNCTION assert_password_ok(p_password text); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.assert_password_ok(p_password text) FROM PUBLIC;

--
-- Name: FUNCTION assert_password_ok(p_password text); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.assert_password_ok(p_password text) IS 'Minimum 10 characters, at most 1 KiB.';

--
-- Name: FUNCTION bcrypt_cost_of(p_hash text); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.bcrypt_cost_of(p_hash text) FROM PUBLIC;

--
-- Name: FUNCTION bcrypt_cost_of(p_hash text); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.bcrypt_cost_of(p_hash text) IS 'The cost factor recorded in a bcrypt hash.';

--
-- Name: FUNCTION change_password(p_old text, p_new text); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.change_password(p_old text, p_new text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.change_password(p_old text, p_new text) TO app_user;
GRANT ALL ON FUNCTION app_hidden.change_password(p_old text, p_new text) TO bot;

--
-- Name: FUNCTION change_password(p_old text, p_new text); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.change_password(p_old text, p_new text) IS 'Changes your password given the current one; false (committed as a failure) when it is wrong. Errors: LOGIN, WEAKP.';

--
-- Name: FUNCTION check_relation(relation text, object_type text, object_id uuid); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.check_relation(relation text, object_type text, object_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.check_relation(relation text, object_type text, object_id uuid) TO anonymous;
GRANT ALL ON FUNCTION app_public.check_relation(relation text, object_type text, object_id uuid) TO app_user;
GRANT ALL ON FUNCTION app_public.check_relation(relation text, object_type text, object_id uuid) TO bot;

--
-- Name: FUNCTION check_relation(relation text, object_type text, object_id uuid); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.check_relation(relation text, object_type text, object_id uuid) IS 'Whether you hold `relation` (or a higher one) on the object, directly or through a group.';

--
-- Name: FUNCTION citext(boolean); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.citext(boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION public.citext(boolean) TO pgauth_owner;

--
-- Name: FUNCTION citext(character); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.citext(character) FROM PUBLIC;
GRANT ALL ON FUNCTION public.citext(character) TO pgauth_owner;

--
-- Name: FUNCTION citext(inet); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.citext(inet) FROM PUBLIC;
GRANT ALL ON FUNCTION public.citext(inet) TO pgauth_owner;

--
-- Name: FUNCTION citext_cmp(public.citext, public.citext); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.citext_cmp(public.citext, public.citext) FROM PUBLIC;
GRANT ALL ON FUNCTION public.citext_cmp(public.citext, public.citext) TO pgauth_owner;

--
-- Name: FUNCTION citext_eq(public.citext, public.citext); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.citext_eq(public.citext, public.citext) FROM PUBLIC;
GRANT ALL ON FUNCTION public.citext_eq(public.citext, public.citext) TO pgauth_owner;
GRANT ALL ON FUNCTION public.citext_eq(public.citext, public.citext) TO anonymous;
GRANT ALL ON FUNCTION public.citext_eq(public.citext, public.citext) TO app_user;
GRANT ALL ON FUNCTION public.citext_eq(public.citext, public.citext) TO bot;

--
-- Name: FUNCTION citext_ge(public.citext, public.citext); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.citext_ge(public.citext, public.citext) FROM PUBLIC;
GRANT ALL ON FUNCTION public.citext_ge(public.citext, public.citext) TO pgauth_owner;

--
-- Name: FUNCTION citext_gt(public.citext, public.citext); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.citext_gt(public.citext, public.citext) FROM PUBLIC;
GRANT ALL ON FUNCTION public.citext_gt(public.citext, public.citext) TO pgauth_owner;

--
-- Name: FUNCTION citext_hash(public.citext); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.citext_hash(public.citext) FROM PUBLIC;
GRANT ALL ON FUNCTION public.citext_hash(public.citext) TO pgauth_owner;

--
-- Name: FUNCTION citext_hash_extended(public.citext, bigint); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.citext_hash_extended(public.citext, bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.citext_hash_extended(public.citext, bigint) TO pgauth_owner;

--
-- Name: FUNCTION citext_larger(public.citext, public.citext); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.citext_larger(public.citext, public.citext) FROM PUBLIC;
GRANT ALL ON FUNCTION public.citext_larger(public.citext, public.citext) TO pgauth_owner;

--
-- Name: FUNCTION citext_le(public.citext, public.citext); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.citext_le(public.citext, public.citext) FROM PUBLIC;
GRANT ALL ON FUNCTION public.citext_le(public.citext, public.citext) TO pgauth_owner;

--
-- Name: FUNCTION citext_lt(public.citext, public.citext); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.citext_lt(public.citext, public.citext) FROM PUBLIC;
GRANT ALL ON FUNCTION public.citext_lt(public.citext, public.citext) TO pgauth_owner;

--
-- Name: FUNCTION citext_ne(public.citext, public.citext); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.citext_ne(public.citext, public.citext) FROM PUBLIC;
GRANT ALL ON FUNCTION public.citext_ne(public.citext, public.citext) TO pgauth_owner;

--
-- Name: FUNCTION citext_pattern_cmp(public.citext, public.citext); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.citext_pattern_cmp(public.citext, public.citext) FROM PUBLIC;
GRANT ALL ON FUNCTION public.citext_pattern_cmp(public.citext, public.citext) TO pgauth_owner;

--
-- Name: FUNCTION citext_pattern_ge(public.citext, public.citext); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.citext_pattern_ge(public.citext, public.citext) FROM PUBLIC;
GRANT ALL ON FUNCTION public.citext_pattern_ge(public.citext, public.citext) TO pgauth_owner;

--
-- Name: FUNCTION citext_pattern_gt(public.citext, public.citext); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.citext_pattern_gt(public.citext, public.citext) FROM PUBLIC;
GRANT ALL ON FUNCTION public.citext_pattern_gt(public.citext, public.citext) TO pgauth_owner;

--
-- Name: FUNCTION citext_pattern_le(public.citext, public.citext); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.citext_pattern_le(public.citext, public.citext) FROM PUBLIC;
GRANT ALL ON FUNCTION public.citext_pattern_le(public.citext, public.citext) TO pgauth_owner;

--
-- Name: FUNCTION citext_pattern_lt(public.citext, public.citext); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.citext_pattern_lt(public.citext, public.citext) FROM PUBLIC;
GRANT ALL ON FUNCTION public.citext_pattern_lt(public.citext, public.citext) TO pgauth_owner;

--
-- Name: FUNCTION citext_smaller(public.citext, public.citext); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.citext_smaller(public.citext, public.citext) FROM PUBLIC;
GRANT ALL ON FUNCTION public.citext_smaller(public.citext, public.citext) TO pgauth_owner;

--
-- Name: FUNCTION citextin(cstring); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.citextin(cstring) FROM PUBLIC;
GRANT ALL ON FUNCTION public.citextin(cstring) TO pgauth_owner;

--
-- Name: FUNCTION citextout(public.citext); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.citextout(public.citext) FROM PUBLIC;
GRANT ALL ON FUNCTION public.citextout(public.citext) TO pgauth_owner;

--
-- Name: FUNCTION citextrecv(internal); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.citextrecv(internal) FROM PUBLIC;
GRANT ALL ON FUNCTION public.citextrecv(internal) TO pgauth_owner;

--
-- Name: FUNCTION citextsend(public.citext); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.citextsend(public.citext) FROM PUBLIC;
GRANT ALL ON FUNCTION public.citextsend(public.citext) TO pgauth_owner;

--
-- Name: FUNCTION claimed_user_id(); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.claimed_user_id() FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.claimed_user_id() TO anonymous;
GRANT ALL ON FUNCTION app_hidden.claimed_user_id() TO app_user;
GRANT ALL ON FUNCTION app_hidden.claimed_user_id() TO bot;

--
-- Name: FUNCTION claimed_user_id(); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.claimed_user_id() IS 'The user id claimed by the verified access token, or NULL. Not proof of a live session: use current_user_id().';

--
-- Name: FUNCTION crypt(text, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.crypt(text, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.crypt(text, text) TO pgauth_owner;

--
-- Name: FUNCTION current_app_role(); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.current_app_role() FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.current_app_role() TO anonymous;
GRANT ALL ON FUNCTION app_hidden.current_app_role() TO app_user;
GRANT ALL ON FUNCTION app_hidden.current_app_role() TO bot;

--
-- Name: FUNCTION current_app_role(); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.current_app_role() IS 'The caller''s entitled role from the tables (not the token), anonymous without a live session.';

--
-- Name: FUNCTION current_principals(); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.current_principals() FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.current_principals() TO anonymous;
GRANT ALL ON FUNCTION app_hidden.current_principals() TO app_user;
GRANT ALL ON FUNCTION app_hidden.current_principals() TO bot;

--
-- Name: FUNCTION current_principals(); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.current_principals() IS 'Ids the caller acts as (self + groups); empty without a live session. Use as (select ...) in policies.';

--
-- Name: FUNCTION current_session_id(); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.current_session_id() FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.current_session_id() TO anonymous;
GRANT ALL ON FUNCTION app_hidden.current_session_id() TO app_user;
GRANT ALL ON FUNCTION app_hidden.current_session_id() TO bot;

--
-- Name: FUNCTION current_session_id(); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.current_session_id() IS 'The session id (sid) from the verified access token, or NULL.';

--
-- Name: FUNCTION current_user_id(); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.current_user_id() FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.current_user_id() TO anonymous;
GRANT ALL ON FUNCTION app_hidden.current_user_id() TO app_user;
GRANT ALL ON FUNCTION app_hidden.current_user_id() TO bot;

--
-- Name: FUNCTION current_user_id(); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.current_user_id() IS 'The calling user, only while the token''s session is live and the user enabled; otherwise NULL.';

--
-- Name: FUNCTION dearmor(text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.dearmor(text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.dearmor(text) TO pgauth_owner;

--
-- Name: FUNCTION decrypt(bytea, bytea, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.decrypt(bytea, bytea, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.decrypt(bytea, bytea, text) TO pgauth_owner;

--
-- Name: FUNCTION decrypt_iv(bytea, bytea, bytea, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.decrypt_iv(bytea, bytea, bytea, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.decrypt_iv(bytea, bytea, bytea, text) TO pgauth_owner;

--
-- Name: FUNCTION digest(bytea, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.digest(bytea, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.digest(bytea, text) TO pgauth_owner;

--
-- Name: FUNCTION digest(text, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.digest(text, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.digest(text, text) TO pgauth_owner;

--
-- Name: FUNCTION doc_access(p_document_id uuid); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.doc_access(p_document_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.doc_access(p_document_id uuid) TO app_user;
GRANT ALL ON FUNCTION app_hidden.doc_access(p_document_id uuid) TO bot;

--
-- Name: FUNCTION doc_access(p_document_id uuid); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.doc_access(p_document_id uuid) IS 'The caller''s highest access level on the document, or NULL.';

--
-- Name: FUNCTION encrypt(bytea, bytea, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.encrypt(bytea, bytea, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.encrypt(bytea, bytea, text) TO pgauth_owner;

--
-- Name: FUNCTION encrypt_iv(bytea, bytea, bytea, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.encrypt_iv(bytea, bytea, bytea, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.encrypt_iv(bytea, bytea, bytea, text) TO pgauth_owner;

--
-- Name: FUNCTION finish_provider_token_refresh(p_identity_id uuid, p_error text, p_key_id text, p_access_enc bytea, p_refresh_enc bytea, p_expires_at timestamp with time zone); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.finish_provider_token_refresh(p_identity_id uuid, p_error text, p_key_id text, p_access_enc bytea, p_refresh_enc bytea, p_expires_at timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.finish_provider_token_refresh(p_identity_id uuid, p_error text, p_key_id text, p_access_enc bytea, p_refresh_enc bytea, p_expires_at timestamp with time zone) TO bot;

--
-- Name: FUNCTION finish_provider_token_refresh(p_identity_id uuid, p_error text, p_key_id text, p_access_enc bytea, p_refresh_enc bytea, p_expires_at timestamp with time zone); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.finish_provider_token_refresh(p_identity_id uuid, p_error text, p_key_id text, p_access_enc bytea, p_refresh_enc bytea, p_expires_at timestamp with time zone) IS 'For the refresh job: store renewed tokens, or count a failed attempt (3 at most).';

--
-- Name: FUNCTION gen_random_bytes(integer); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.gen_random_bytes(integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.gen_random_bytes(integer) TO pgauth_owner;
GRANT ALL ON FUNCTION public.gen_random_bytes(integer) TO app_user;

--
-- Name: FUNCTION gen_random_uuid(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.gen_random_uuid() FROM PUBLIC;
GRANT ALL ON FUNCTION public.gen_random_uuid() TO pgauth_owner;
GRANT ALL ON FUNCTION public.gen_random_uuid() TO anonymous;
GRANT ALL ON FUNCTION public.gen_random_uuid() TO app_user;
GRANT ALL ON FUNCTION public.gen_random_uuid() TO bot;

--
-- Name: FUNCTION gen_salt(text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.gen_salt(text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.gen_salt(text) TO pgauth_owner;

--
-- Name: FUNCTION gen_salt(text, integer); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.gen_salt(text, integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.gen_salt(text, integer) TO pgauth_owner;

--
-- Name: FUNCTION has_doc_role(p_document_id uuid, p_role app_public.access_level); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.has_doc_role(p_document_id uuid, p_role app_public.access_level) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.has_doc_role(p_document_id uuid, p_role app_public.access_level) TO app_user;
GRANT ALL ON FUNCTION app_hidden.has_doc_role(p_document_id uuid, p_role app_public.access_level) TO bot;

--
-- Name: FUNCTION has_doc_role(p_document_id uuid, p_role app_public.access_level); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.has_doc_role(p_document_id uuid, p_role app_public.access_level) IS 'Whether the caller holds at least p_role on the document, directly or through a group.';

--
-- Name: FUNCTION has_relation(p_relation text, p_object_type text, p_object_id uuid); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.has_relation(p_relation text, p_object_type text, p_object_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.has_relation(p_relation text, p_object_type text, p_object_id uuid) TO anonymous;
GRANT ALL ON FUNCTION app_hidden.has_relation(p_relation text, p_object_type text, p_object_id uuid) TO app_user;
GRANT ALL ON FUNCTION app_hidden.has_relation(p_relation text, p_object_type text, p_object_id uuid) TO bot;

--
-- Name: FUNCTION has_relation(p_relation text, p_object_type text, p_object_id uuid); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.has_relation(p_relation text, p_object_type text, p_object_id uuid) IS 'Whether the caller (directly or through a group) holds the relation, or a higher one, on the object.';

--
-- Name: FUNCTION has_user_role(p_user_id uuid, p_role app_public.access_level); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.has_user_role(p_user_id uuid, p_role app_public.access_level) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.has_user_role(p_user_id uuid, p_role app_public.access_level) TO app_user;
GRANT ALL ON FUNCTION app_hidden.has_user_role(p_user_id uuid, p_role app_public.access_level) TO bot;

--
-- Name: FUNCTION has_user_role(p_user_id uuid, p_role app_public.access_level); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.has_user_role(p_user_id uuid, p_role app_public.access_level) IS 'Whether the caller holds at least p_role over the user''s record.';

--
-- Name: FUNCTION hash_password(p_password text); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.hash_password(p_password text) FROM PUBLIC;

--
-- Name: FUNCTION hash_password(p_password text); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.hash_password(p_password text) IS 'bcrypt at the configured cost.';

--
-- Name: FUNCTION hmac(bytea, bytea, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.hmac(bytea, bytea, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hmac(bytea, bytea, text) TO pgauth_owner;

--
-- Name: FUNCTION hmac(text, text, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.hmac(text, text, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hmac(text, text, text) TO pgauth_owner;

--
-- Name: FUNCTION lease_provider_tokens(p_limit integer, p_ahead interval); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.lease_provider_tokens(p_limit integer, p_ahead interval) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.lease_provider_tokens(p_limit integer, p_ahead interval) TO bot;

--
-- Name: FUNCTION lease_provider_tokens(p_limit integer, p_ahead interval); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.lease_provider_tokens(p_limit integer, p_ahead interval) IS 'For the refresh job: lease up to p_limit tokens expiring within p_ahead.';

--
-- Name: FUNCTION login(p_email text, p_password text, p_ip inet, p_user_agent text); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.login(p_email text, p_password text, p_ip inet, p_user_agent text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.login(p_email text, p_password text, p_ip inet, p_user_agent text) TO anonymous;
GRANT ALL ON FUNCTION app_hidden.login(p_email text, p_password text, p_ip inet, p_user_agent text) TO app_user;
GRANT ALL ON FUNCTION app_hidden.login(p_email text, p_password text, p_ip inet, p_user_agent text) TO bot;

--
-- Name: FUNCTION login(p_email text, p_password text, p_ip inet, p_user_agent text); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.login(p_email text, p_password text, p_ip inet, p_user_agent text) IS 'Password sign-in. Returns error CREDS (any bad credential) or RATEL (address throttled), else a new session and refresh token.';

--
-- Name: FUNCTION logout(p_refresh_token text, p_session_id uuid); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.logout(p_refresh_token text, p_session_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.logout(p_refresh_token text, p_session_id uuid) TO anonymous;
GRANT ALL ON FUNCTION app_hidden.logout(p_refresh_token text, p_session_id uuid) TO app_user;
GRANT ALL ON FUNCTION app_hidden.logout(p_refresh_token text, p_session_id uuid) TO bot;

--
-- Name: FUNCTION logout(p_refresh_token text, p_session_id uuid); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.logout(p_refresh_token text, p_session_id uuid) IS 'Revokes the current session (and the refresh token''s). True if something was revoked.';

--
-- Name: FUNCTION max(public.citext); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.max(public.citext) FROM PUBLIC;
GRANT ALL ON FUNCTION public.max(public.citext) TO pgauth_owner;

--
-- Name: FUNCTION min(public.citext); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.min(public.citext) FROM PUBLIC;
GRANT ALL ON FUNCTION public.min(public.citext) TO pgauth_owner;

--
-- Name: FUNCTION my_identities(); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.my_identities() FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.my_identities() TO app_user;

--
-- Name: FUNCTION my_identities(); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.my_identities() IS 'Your linked sign-in providers.';

--
-- Name: FUNCTION my_sessions(); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.my_sessions() FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.my_sessions() TO app_user;
GRANT ALL ON FUNCTION app_public.my_sessions() TO bot;

--
-- Name: FUNCTION my_sessions(); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.my_sessions() IS 'Your active sessions, most recently used first.';

--
-- Name: FUNCTION oauth_rejected(p_provider text, p_reason text, p_ip inet); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.oauth_rejected(p_provider text, p_reason text, p_ip inet) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.oauth_rejected(p_provider text, p_reason text, p_ip inet) TO anonymous;
GRANT ALL ON FUNCTION app_hidden.oauth_rejected(p_provider text, p_reason text, p_ip inet) TO app_user;
GRANT ALL ON FUNCTION app_hidden.oauth_rejected(p_provider text, p_reason text, p_ip inet) TO bot;

--
-- Name: FUNCTION oauth_rejected(p_provider text, p_reason text, p_ip inet); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.oauth_rejected(p_provider text, p_reason text, p_ip inet) IS 'Audit a rejected OAuth callback.';

--
-- Name: FUNCTION oauth_sign_in(p_provider text, p_issuer text, p_subject text, p_email text, p_profile jsonb, p_link boolean, p_key_id text, p_access_enc bytea, p_refresh_enc bytea, p_expires_at timestamp with time zone, p_ip inet, p_user_agent text); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.oauth_sign_in(p_provider text, p_issuer text, p_subject text, p_email text, p_profile jsonb, p_link boolean, p_key_id text, p_access_enc bytea, p_refresh_enc bytea, p_expires_at timestamp with time zone, p_ip inet, p_user_agent text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.oauth_sign_in(p_provider text, p_issuer text, p_subject text, p_email text, p_profile jsonb, p_link boolean, p_key_id text, p_access_enc bytea, p_refresh_enc bytea, p_expires_at timestamp with time zone, p_ip inet, p_user_agent text) TO anonymous;
GRANT ALL ON FUNCTION app_hidden.oauth_sign_in(p_provider text, p_issuer text, p_subject text, p_email text, p_profile jsonb, p_link boolean, p_key_id text, p_access_enc bytea, p_refresh_enc bytea, p_expires_at timestamp with time zone, p_ip inet, p_user_agent text) TO app_user;
GRANT ALL ON FUNCTION app_hidden.oauth_sign_in(p_provider text, p_issuer text, p_subject text, p_email text, p_profile jsonb, p_link boolean, p_key_id text, p_access_enc bytea, p_refresh_enc bytea, p_expires_at timestamp with time zone, p_ip inet, p_user_agent text) TO bot;

--
-- Name: FUNCTION oauth_sign_in(p_provider text, p_issuer text, p_subject text, p_email text, p_profile jsonb, p_link boolean, p_key_id text, p_access_enc bytea, p_refresh_enc bytea, p_expires_at timestamp with time zone, p_ip inet, p_user_agent text); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.oauth_sign_in(p_provider text, p_issuer text, p_subject text, p_email text, p_profile jsonb, p_link boolean, p_key_id text, p_access_enc bytea, p_refresh_enc bytea, p_expires_at timestamp with time zone, p_ip inet, p_user_agent text) IS 'Signs in with (issuer, subject), registering a password-less user when new, or links it to your session (p_link).';

--
-- Name: FUNCTION password_input(p_password text); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.password_input(p_password text) FROM PUBLIC;

--
-- Name: FUNCTION password_input(p_password text); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.password_input(p_password text) IS 'What is fed to bcrypt: the password, or its SHA-256 when over 72 bytes.';

--
-- Name: FUNCTION pgp_armor_headers(text, OUT key text, OUT value text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.pgp_armor_headers(text, OUT key text, OUT value text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.pgp_armor_headers(text, OUT key text, OUT value text) TO pgauth_owner;

--
-- Name: FUNCTION pgp_key_id(bytea); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.pgp_key_id(bytea) FROM PUBLIC;
GRANT ALL ON FUNCTION public.pgp_key_id(bytea) TO pgauth_owner;

--
-- Name: FUNCTION pgp_pub_decrypt(bytea, bytea); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.pgp_pub_decrypt(bytea, bytea) FROM PUBLIC;
GRANT ALL ON FUNCTION public.pgp_pub_decrypt(bytea, bytea) TO pgauth_owner;

--
-- Name: FUNCTION pgp_pub_decrypt(bytea, bytea, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.pgp_pub_decrypt(bytea, bytea, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.pgp_pub_decrypt(bytea, bytea, text) TO pgauth_owner;

--
-- Name: FUNCTION pgp_pub_decrypt(bytea, bytea, text, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.pgp_pub_decrypt(bytea, bytea, text, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.pgp_pub_decrypt(bytea, bytea, text, text) TO pgauth_owner;

--
-- Name: FUNCTION pgp_pub_decrypt_bytea(bytea, bytea); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.pgp_pub_decrypt_bytea(bytea, bytea) FROM PUBLIC;
GRANT ALL ON FUNCTION public.pgp_pub_decrypt_bytea(bytea, bytea) TO pgauth_owner;

--
-- Name: FUNCTION pgp_pub_decrypt_bytea(bytea, bytea, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.pgp_pub_decrypt_bytea(bytea, bytea, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.pgp_pub_decrypt_bytea(bytea, bytea, text) TO pgauth_owner;

--
-- Name: FUNCTION pgp_pub_decrypt_bytea(bytea, bytea, text, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.pgp_pub_decrypt_bytea(bytea, bytea, text, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.pgp_pub_decrypt_bytea(bytea, bytea, text, text) TO pgauth_owner;

--
-- Name: FUNCTION pgp_pub_encrypt(text, bytea); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.pgp_pub_encrypt(text, bytea) FROM PUBLIC;
GRANT ALL ON FUNCTION public.pgp_pub_encrypt(text, bytea) TO pgauth_owner;

--
-- Name: FUNCTION pgp_pub_encrypt(text, bytea, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.pgp_pub_encrypt(text, bytea, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.pgp_pub_encrypt(text, bytea, text) TO pgauth_owner;

--
-- Name: FUNCTION pgp_pub_encrypt_bytea(bytea, bytea); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.pgp_pub_encrypt_bytea(bytea, bytea) FROM PUBLIC;
GRANT ALL ON FUNCTION public.pgp_pub_encrypt_bytea(bytea, bytea) TO pgauth_owner;

--
-- Name: FUNCTION pgp_pub_encrypt_bytea(bytea, bytea, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.pgp_pub_encrypt_bytea(bytea, bytea, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.pgp_pub_encrypt_bytea(bytea, bytea, text) TO pgauth_owner;

--
-- Name: FUNCTION pgp_sym_decrypt(bytea, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.pgp_sym_decrypt(bytea, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.pgp_sym_decrypt(bytea, text) TO pgauth_owner;

--
-- Name: FUNCTION pgp_sym_decrypt(bytea, text, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.pgp_sym_decrypt(bytea, text, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.pgp_sym_decrypt(bytea, text, text) TO pgauth_owner;

--
-- Name: FUNCTION pgp_sym_decrypt_bytea(bytea, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.pgp_sym_decrypt_bytea(bytea, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.pgp_sym_decrypt_bytea(bytea, text) TO pgauth_owner;

--
-- Name: FUNCTION pgp_sym_decrypt_bytea(bytea, text, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.pgp_sym_decrypt_bytea(bytea, text, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.pgp_sym_decrypt_bytea(bytea, text, text) TO pgauth_owner;

--
-- Name: FUNCTION pgp_sym_encrypt(text, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.pgp_sym_encrypt(text, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.pgp_sym_encrypt(text, text) TO pgauth_owner;

--
-- Name: FUNCTION pgp_sym_encrypt(text, text, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.pgp_sym_encrypt(text, text, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.pgp_sym_encrypt(text, text, text) TO pgauth_owner;

--
-- Name: FUNCTION pgp_sym_encrypt_bytea(bytea, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.pgp_sym_encrypt_bytea(bytea, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.pgp_sym_encrypt_bytea(bytea, text) TO pgauth_owner;

--
-- Name: FUNCTION pgp_sym_encrypt_bytea(bytea, text, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.pgp_sym_encrypt_bytea(bytea, text, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.pgp_sym_encrypt_bytea(bytea, text, text) TO pgauth_owner;

--
-- Name: FUNCTION principals_of(p_user_id uuid); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.principals_of(p_user_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION principals_of(p_user_id uuid); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.principals_of(p_user_id uuid) IS 'The user and every group they belong to (any relation on a group implies membership), bounded.';

--
-- Name: FUNCTION random_short_url(); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.random_short_url() FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.random_short_url() TO app_user;

--
-- Name: FUNCTION random_short_url(); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.random_short_url() IS '72 random bits, URL-safe: the default short_url.';

--
-- Name: FUNCTION record_denied(p_operation text, p_code text); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.record_denied(p_operation text, p_code text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.record_denied(p_operation text, p_code text) TO anonymous;
GRANT ALL ON FUNCTION app_hidden.record_denied(p_operation text, p_code text) TO app_user;
GRANT ALL ON FUNCTION app_hidden.record_denied(p_operation text, p_code text) TO bot;

--
-- Name: FUNCTION record_denied(p_operation text, p_code text); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.record_denied(p_operation text, p_code text) IS 'Audit a refused operation (called by the edge after the failed request rolled back).';

--
-- Name: FUNCTION record_password_failure(p_user_id uuid); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.record_password_failure(p_user_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION refresh(p_token text, p_ip inet, p_user_agent text, p_session_id uuid); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.refresh(p_token text, p_ip inet, p_user_agent text, p_session_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.refresh(p_token text, p_ip inet, p_user_agent text, p_session_id uuid) TO anonymous;
GRANT ALL ON FUNCTION app_hidden.refresh(p_token text, p_ip inet, p_user_agent text, p_session_id uuid) TO app_user;
GRANT ALL ON FUNCTION app_hidden.refresh(p_token text, p_ip inet, p_user_agent text, p_session_id uuid) TO bot;

--
-- Name: FUNCTION refresh(p_token text, p_ip inet, p_user_agent text, p_session_id uuid); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.refresh(p_token text, p_ip inet, p_user_agent text, p_session_id uuid) IS 'Rotates a refresh token. Errors: TOKEN (unknown, expired or revoked), REUSE (family revoked).';

--
-- Name: FUNCTION regexp_match(public.citext, public.citext); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.regexp_match(public.citext, public.citext) FROM PUBLIC;
GRANT ALL ON FUNCTION public.regexp_match(public.citext, public.citext) TO pgauth_owner;

--
-- Name: FUNCTION regexp_match(public.citext, public.citext, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.regexp_match(public.citext, public.citext, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.regexp_match(public.citext, public.citext, text) TO pgauth_owner;

--
-- Name: FUNCTION regexp_matches(public.citext, public.citext); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.regexp_matches(public.citext, public.citext) FROM PUBLIC;
GRANT ALL ON FUNCTION public.regexp_matches(public.citext, public.citext) TO pgauth_owner;

--
-- Name: FUNCTION regexp_matches(public.citext, public.citext, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.regexp_matches(public.citext, public.citext, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.regexp_matches(public.citext, public.citext, text) TO pgauth_owner;

--
-- Name: FUNCTION regexp_replace(public.citext, public.citext, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.regexp_replace(public.citext, public.citext, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.regexp_replace(public.citext, public.citext, text) TO pgauth_owner;

--
-- Name: FUNCTION regexp_replace(public.citext, public.citext, text, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.regexp_replace(public.citext, public.citext, text, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.regexp_replace(public.citext, public.citext, text, text) TO pgauth_owner;

--
-- Name: FUNCTION regexp_split_to_array(public.citext, public.citext); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.regexp_split_to_array(public.citext, public.citext) FROM PUBLIC;
GRANT ALL ON FUNCTION public.regexp_split_to_array(public.citext, public.citext) TO pgauth_owner;

--
-- Name: FUNCTION regexp_split_to_array(public.citext, public.citext, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.regexp_split_to_array(public.citext, public.citext, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.regexp_split_to_array(public.citext, public.citext, text) TO pgauth_owner;

--
-- Name: FUNCTION regexp_split_to_table(public.citext, public.citext); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.regexp_split_to_table(public.citext, public.citext) FROM PUBLIC;
GRANT ALL ON FUNCTION public.regexp_split_to_table(public.citext, public.citext) TO pgauth_owner;

--
-- Name: FUNCTION regexp_split_to_table(public.citext, public.citext, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.regexp_split_to_table(public.citext, public.citext, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.regexp_split_to_table(public.citext, public.citext, text) TO pgauth_owner;

--
-- Name: FUNCTION register(p_email text, p_password text, p_name text); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.register(p_email text, p_password text, p_name text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.register(p_email text, p_password text, p_name text) TO anonymous;

--
-- Name: FUNCTION register(p_email text, p_password text, p_name text); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.register(p_email text, p_password text, p_name text) IS 'Creates a password account. Errors: EMAIL, WEAKP, EMTKN.';

--
-- Name: FUNCTION relation_rank(p_relation text); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.relation_rank(p_relation text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.relation_rank(p_relation text) TO anonymous;
GRANT ALL ON FUNCTION app_hidden.relation_rank(p_relation text) TO app_user;
GRANT ALL ON FUNCTION app_hidden.relation_rank(p_relation text) TO bot;

--
-- Name: FUNCTION relation_rank(p_relation text); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.relation_rank(p_relation text) IS 'owner 3 > manager 2 > member/viewer 1; unknown relations rank above all so they never match.';

--
-- Name: FUNCTION replace(public.citext, public.citext, public.citext); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.replace(public.citext, public.citext, public.citext) FROM PUBLIC;
GRANT ALL ON FUNCTION public.replace(public.citext, public.citext, public.citext) TO pgauth_owner;

--
-- Name: FUNCTION revoke_sessions(p_session_id uuid, p_all_others boolean); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.revoke_sessions(p_session_id uuid, p_all_others boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.revoke_sessions(p_session_id uuid, p_all_others boolean) TO app_user;
GRANT ALL ON FUNCTION app_hidden.revoke_sessions(p_session_id uuid, p_all_others boolean) TO bot;

--
-- Name: FUNCTION revoke_sessions(p_session_id uuid, p_all_others boolean); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.revoke_sessions(p_session_id uuid, p_all_others boolean) IS 'Revokes one of your sessions by id, or all but the current one. Returns how many.';

--
-- Name: FUNCTION share_document(document_id uuid, subject_id uuid, role app_public.access_level); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.share_document(document_id uuid, subject_id uuid, role app_public.access_level) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.share_document(document_id uuid, subject_id uuid, role app_public.access_level) TO app_user;

--
-- Name: FUNCTION share_document(document_id uuid, subject_id uuid, role app_public.access_level); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.share_document(document_id uuid, subject_id uuid, role app_public.access_level) IS 'Give a user or group access to a document you manage, up to your own level.';

--
-- Name: FUNCTION split_part(public.citext, public.citext, integer); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.split_part(public.citext, public.citext, integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.split_part(public.citext, public.citext, integer) TO pgauth_owner;

--
-- Name: FUNCTION start_session(p_user uuid, p_ip inet, p_user_agent text); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.start_session(p_user uuid, p_ip inet, p_user_agent text) FROM PUBLIC;

--
-- Name: FUNCTION strip_secrets(v jsonb); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.strip_secrets(v jsonb) FROM PUBLIC;

--
-- Name: FUNCTION strip_secrets(v jsonb); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.strip_secrets(v jsonb) IS 'Removes credential-like keys from a row image.';

--
-- Name: FUNCTION strpos(public.citext, public.citext); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.strpos(public.citext, public.citext) FROM PUBLIC;
GRANT ALL ON FUNCTION public.strpos(public.citext, public.citext) TO pgauth_owner;

--
-- Name: FUNCTION successor_token(p_token text); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.successor_token(p_token text) FROM PUBLIC;

--
-- Name: FUNCTION successor_token(p_token text); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.successor_token(p_token text) IS 'The deterministic successor of a refresh token (HMAC-SHA256 under refresh_secret).';

--
-- Name: FUNCTION texticlike(public.citext, public.citext); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.texticlike(public.citext, public.citext) FROM PUBLIC;
GRANT ALL ON FUNCTION public.texticlike(public.citext, public.citext) TO pgauth_owner;

--
-- Name: FUNCTION texticlike(public.citext, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.texticlike(public.citext, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.texticlike(public.citext, text) TO pgauth_owner;

--
-- Name: FUNCTION texticnlike(public.citext, public.citext); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.texticnlike(public.citext, public.citext) FROM PUBLIC;
GRANT ALL ON FUNCTION public.texticnlike(public.citext, public.citext) TO pgauth_owner;

--
-- Name: FUNCTION texticnlike(public.citext, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.texticnlike(public.citext, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.texticnlike(public.citext, text) TO pgauth_owner;

--
-- Name: FUNCTION texticregexeq(public.citext, public.citext); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.texticregexeq(public.citext, public.citext) FROM PUBLIC;
GRANT ALL ON FUNCTION public.texticregexeq(public.citext, public.citext) TO pgauth_owner;
GRANT ALL ON FUNCTION public.texticregexeq(public.citext, public.citext) TO app_user;

--
-- Name: FUNCTION texticregexeq(public.citext, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.texticregexeq(public.citext, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.texticregexeq(public.citext, text) TO pgauth_owner;

--
-- Name: FUNCTION texticregexne(public.citext, public.citext); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.texticregexne(public.citext, public.citext) FROM PUBLIC;
GRANT ALL ON FUNCTION public.texticregexne(public.citext, public.citext) TO pgauth_owner;

--
-- Name: FUNCTION texticregexne(public.citext, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.texticregexne(public.citext, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.texticregexne(public.citext, text) TO pgauth_owner;

--
-- Name: FUNCTION tg__audit(); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.tg__audit() FROM PUBLIC;

--
-- Name: FUNCTION tg__audit(); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.tg__audit() IS 'AFTER row trigger: records the change in audit_log. Arguments name the key columns (default id); target_id joins them with /.';

--
-- Name: FUNCTION tg_audit_log__immutable(); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.tg_audit_log__immutable() FROM PUBLIC;

--
-- Name: FUNCTION tg_audit_log__immutable(); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.tg_audit_log__immutable() IS 'Refuses update/delete even for the owner.';

--
-- Name: FUNCTION tg_documents__creator_owns(); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.tg_documents__creator_owns() FROM PUBLIC;

--
-- Name: FUNCTION tg_documents__creator_owns(); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.tg_documents__creator_owns() IS 'The creator of a document becomes its owner.';

--
-- Name: FUNCTION tg_groups__creator_owns(); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.tg_groups__creator_owns() FROM PUBLIC;

--
-- Name: FUNCTION tg_groups__creator_owns(); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.tg_groups__creator_owns() IS 'The creator of a group becomes its owner.';

--
-- Name: FUNCTION tg_users__create_secrets(); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.tg_users__create_secrets() FROM PUBLIC;

--
-- Name: FUNCTION tg_users__create_secrets(); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.tg_users__create_secrets() IS 'Every user gets a secrets row. Definer: request roles have no access to app_private.';

--
-- Name: FUNCTION token_hash(p_token text); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.token_hash(p_token text) FROM PUBLIC;

--
-- Name: FUNCTION translate(public.citext, public.citext, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.translate(public.citext, public.citext, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.translate(public.citext, public.citext, text) TO pgauth_owner;

--
-- Name: FUNCTION unlink_provider(provider text); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.unlink_provider(provider text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.unlink_provider(provider text) TO app_user;

--
-- Name: FUNCTION unlink_provider(provider text); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.unlink_provider(provider text) IS 'Unlink a sign-in provider from your account. Refused (LASTM) if it is your last way to sign in.';

--
-- Name: FUNCTION unshare_document(document_id uuid, subject_id uuid); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.unshare_document(document_id uuid, subject_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.unshare_document(document_id uuid, subject_id uuid) TO app_user;

--
-- Name: FUNCTION unshare_document(document_id uuid, subject_id uuid); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.unshare_document(document_id uuid, subject_id uuid) IS 'Remove a user''s or group''s access to a document you manage (or your own access).';

--
-- Name: FUNCTION user_role(p_user_id uuid); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.user_role(p_user_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.user_role(p_user_id uuid) TO anonymous;
GRANT ALL ON FUNCTION app_hidden.user_role(p_user_id uuid) TO app_user;
GRANT ALL ON FUNCTION app_hidden.user_role(p_user_id uuid) TO bot;

--
-- Name: FUNCTION user_role(p_user_id uuid); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.user_role(p_user_id uuid) IS 'The request role a user is entitled to now, or NULL if disabled/missing.';

--
-- Name: FUNCTION visible_documents(min_role app_public.access_level, before_created_at timestamp with time zone, before_id uuid, max_rows integer); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.visible_documents(min_role app_public.access_level, before_created_at timestamp with time zone, before_id uuid, max_rows integer) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.visible_documents(min_role app_public.access_level, before_created_at timestamp with time zone, before_id uuid, max_rows integer) TO app_user;
GRANT ALL ON FUNCTION app_public.visible_documents(min_role app_public.access_level, before_created_at timestamp with time zone, before_id uuid, max_rows integer) TO bot;

--
-- Name: FUNCTION visible_documents(min_role app_public.access_level, before_created_at timestamp with time zone, before_id uuid, max_rows integer); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.visible_documents(min_role app_public.access_level, before_created_at timestamp with time zone, before_id uuid, max_rows integer) IS 'Documents you hold at least min_role on (directly or through groups), newest first. Page with before_created_at/before_id of the last row; at most 100 rows.';

--
-- Name: FUNCTION write_audit(p_event text, p_table text, p_target_id text, p_old jsonb, p_new jsonb, p_detail jsonb); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.write_audit(p_event text, p_table text, p_target_id text, p_old jsonb, p_new jsonb, p_detail jsonb) FROM PUBLIC;

--
-- Name: FUNCTION write_audit(p_event text, p_table text, p_target_id text, p_old jsonb, p_new jsonb, p_detail jsonb); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.write_audit(p_event text, p_table text, p_target_id text, p_old jsonb, p_new jsonb, p_detail jsonb) IS 'Appends one audit row attributed to the current claims. Definer: request roles cannot insert directly.';

--
-- Name: SCHEMA app_hidden; Type: ACL; Schema: -; Owner: -
--

GRANT USAGE ON SCHEMA app_hidden TO anonymous;
GRANT USAGE ON SCHEMA app_hidden TO app_user;
GRANT USAGE ON SCHEMA app_hidden TO bot;

--
-- Name: SCHEMA app_hidden; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA app_hidden IS 'Policy helpers request roles may call but GraphQL does not expose.';

--
-- Name: SCHEMA app_private; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA app_private IS 'Secrets and privileged functions; never granted to request roles.';

--
-- Name: SCHEMA app_public; Type: ACL; Schema: -; Owner: -
--

GRANT USAGE ON SCHEMA app_public TO anonymous;
GRANT USAGE ON SCHEMA app_public TO app_user;
GRANT USAGE ON SCHEMA app_public TO bot;

--
-- Name: SCHEMA app_public; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA app_public IS 'The API: tables and functions PostGraphile exposes.';

--
-- Name: SCHEMA public; Type: ACL; Schema: -; Owner: -
--

REVOKE USAGE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO pgauth_owner;
GRANT USAGE ON SCHEMA public TO anonymous;
GRANT USAGE ON SCHEMA public TO app_user;
GRANT USAGE ON SCHEMA public TO bot;

--
-- Name: SCHEMA public; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA public IS 'standard public schema';

--
-- Name: TABLE audit_log; Type: ACL; Schema: app_public; Owner: -
--

GRANT SELECT ON TABLE app_public.audit_log TO admin;

--
-- Name: TABLE audit_log; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TABLE app_public.audit_log IS '@behavior -insert -update -delete
Who did what, when. Append-only; readable by admins only.';

--
-- Name: TABLE auth_config; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.auth_config IS 'Single-row authentication settings (bcrypt cost, limits, lifetimes).';

--
-- Name: TABLE document_acl; Type: ACL; Schema: app_public; Owner: -
--

GRANT SELECT ON TABLE app_public.document_acl TO app_user;
GRANT SELECT ON TABLE app_public.document_acl TO bot;

--
-- Name: TABLE document_acl; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TABLE app_public.document_acl IS '@behavior -query:resource:connection
Who (a user or a group) holds which access level on a document.';

--
-- Name: TABLE documents; Type: ACL; Schema: app_public; Owner: -
--

GRANT SELECT,DELETE ON TABLE app_public.documents TO app_user;
GRANT SELECT ON TABLE app_public.documents TO bot;

--
-- Name: TABLE documents; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TABLE app_public.documents IS '@behavior -query:resource:connection
A shortened link with a comment, shared through document_acl.';

--
-- Name: TABLE groups; Type: ACL; Schema: app_public; Owner: -
--

GRANT SELECT,DELETE ON TABLE app_public.groups TO app_user;

--
-- Name: TABLE groups; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TABLE app_public.groups IS 'A set of users (and of other groups) that can be granted rights together.';

--
-- Name: TABLE ip_login_failures; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.ip_login_failures IS 'Failed logins per client address in the current window (C6); shared by every server instance.';

--
-- Name: TABLE refresh_tokens; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.refresh_tokens IS 'Opaque refresh tokens, hashed with SHA-256; rotated_at marks a used (rotated) token.';

--
-- Name: TABLE relation_edge; Type: ACL; Schema: app_public; Owner: -
--

GRANT SELECT,DELETE ON TABLE app_public.relation_edge TO app_user;

--
-- Name: TABLE relation_edge; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TABLE app_public.relation_edge IS '@behavior -query:resource:connection
Relation tuples: subject (user or group) has relation on object (type, id).';

--
-- Name: TABLE role_domain_rules; Type: ACL; Schema: app_public; Owner: -
--

GRANT SELECT,DELETE ON TABLE app_public.role_domain_rules TO admin;

--
-- Name: TABLE role_domain_rules; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TABLE app_public.role_domain_rules IS 'Everyone whose verified email is in this domain gets the role.';

--
-- Name: TABLE role_grants; Type: ACL; Schema: app_public; Owner: -
--

GRANT SELECT ON TABLE app_public.role_grants TO app_user;
GRANT DELETE ON TABLE app_public.role_grants TO admin;

--
-- Name: TABLE role_grants; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TABLE app_public.role_grants IS 'Allow-list: users explicitly given the manager or admin role.';

--
-- Name: TABLE sessions; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.sessions IS 'One row per sign-in; also the refresh-token family. expires_at is the absolute lifetime.';

--
-- Name: TABLE user_acl; Type: ACL; Schema: app_public; Owner: -
--

GRANT SELECT ON TABLE app_public.user_acl TO app_user;
GRANT DELETE ON TABLE app_public.user_acl TO admin;

--
-- Name: TABLE user_acl; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TABLE app_public.user_acl IS '@behavior -query:resource:connection
A subject''s rights over another user''s record.';

--
-- Name: TABLE user_identities; Type: ACL; Schema: app_public; Owner: -
--

GRANT SELECT ON TABLE app_public.user_identities TO app_user;

--
-- Name: TABLE user_identities; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TABLE app_public.user_identities IS 'A provider account linked to a user, keyed by (issuer, subject).';

--
-- Name: TABLE user_identity_tokens; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.user_identity_tokens IS 'Provider tokens, encrypted by the edge (AES-GCM, AAD = identity id + column); key_id names the key.';

--
-- Name: TABLE user_secrets; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.user_secrets IS 'Password hash and failure counters; NULL hash means the account has no password (C3).';

--
-- Name: TABLE users; Type: ACL; Schema: app_public; Owner: -
--

GRANT SELECT ON TABLE app_public.users TO anonymous;
GRANT SELECT ON TABLE app_public.users TO app_user;
GRANT SELECT ON TABLE app_public.users TO bot;

--
-- Name: TABLE users; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TABLE app_public.users IS 'A person or a service account (bot) that can sign in.';

--
-- Name: TYPE access_level; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TYPE app_public.access_level IS 'Ordered: owner > manager > viewer.';

--
-- Name: TYPE auth_result; Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON TYPE app_hidden.auth_result IS 'error is NULL on success, else a registered code (CREDS, RATEL, TOKEN, REUSE).';

--
-- Name: TYPE identity_info; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TYPE app_public.identity_info IS 'A sign-in provider linked to your account.';

--
-- Name: TYPE oauth_result; Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON TYPE app_hidden.oauth_result IS 'error is NULL on success, else EMCOL (email belongs to another account), IDLNK (provider account linked to another user), PRVLN (you already linked this provider), LOGIN, DSBLD.';

--
-- Name: TYPE session_info; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TYPE app_public.session_info IS 'One of your active sign-ins.';

--
-- Name: access_level; Type: TYPE; Schema: app_public; Owner: -
--

CREATE TYPE app_public.access_level AS ENUM (
    'viewer',
    'manager',
    'owner'
);

--
-- Name: app_hidden; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA app_hidden;

--
-- Name: app_private; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA app_private;

--
-- Name: app_public; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA app_public;

--
-- Name: assert_password_ok(text); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.assert_password_ok(p_password text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if p_password is null or char_length(p_password) < 10 then
    raise exception 'Password is too short' using errcode = 'WEAKP';
  end if;
  if octet_length(p_password) > 1024 then
    raise exception 'Password is too long' using errcode = 'WEAKP';
  end if;
end;
$$;

--
-- Name: audit_log _100_immutable; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _100_immutable BEFORE DELETE OR UPDATE ON app_public.audit_log FOR EACH ROW EXECUTE FUNCTION app_private.tg_audit_log__immutable();

--
-- Name: audit_log audit_log_pkey; Type: CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.audit_log
    ADD CONSTRAINT audit_log_pkey PRIMARY KEY (id);

--
-- Name: audit_log definer_insert; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY definer_insert ON app_public.audit_log FOR INSERT TO pgauth_owner WITH CHECK (true);

--
-- Name: audit_log definer_select; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY definer_select ON app_public.audit_log FOR SELECT TO pgauth_owner USING (true);

--
-- Name: audit_log select_admin; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY select_admin ON app_public.audit_log FOR SELECT TO admin USING (true);

--
-- Name: audit_log; Type: ROW SECURITY; Schema: app_public; Owner: -
--

ALTER TABLE app_public.audit_log ENABLE ROW LEVEL SECURITY;

--
-- Name: audit_log; Type: TABLE; Schema: app_public; Owner: -
--

CREATE TABLE app_public.audit_log (
    id bigint NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    actor_user_id uuid,
    actor_session_id uuid,
    actor_role text DEFAULT current_setting('role'::text) NOT NULL,
    event text NOT NULL,
    table_name text,
    target_id text,
    old_row jsonb,
    new_row jsonb,
    detail jsonb
);

ALTER TABLE ONLY app_public.audit_log FORCE ROW LEVEL SECURITY;

--
-- Name: audit_log_actor_idx; Type: INDEX; Schema: app_public; Owner: -
--

CREATE INDEX audit_log_actor_idx ON app_public.audit_log USING btree (actor_user_id, at DESC);

--
-- Name: audit_log_at_idx; Type: INDEX; Schema: app_public; Owner: -
--

CREATE INDEX audit_log_at_idx ON app_public.audit_log USING btree (at DESC);

--
-- Name: audit_log_id_seq; Type: SEQUENCE; Schema: app_public; Owner: -
--

ALTER TABLE app_public.audit_log ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app_public.audit_log_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: auth_config auth_config_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.auth_config
    ADD CONSTRAINT auth_config_pkey PRIMARY KEY (id);

--
-- Name: auth_config definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.auth_config TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: auth_config; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.auth_config ENABLE ROW LEVEL SECURITY;

--
-- Name: auth_config; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.auth_config (
    id boolean DEFAULT true NOT NULL,
    bcrypt_cost integer DEFAULT 12 NOT NULL,
    password_min_length integer DEFAULT 10 NOT NULL,
    account_max_failures integer DEFAULT 5 NOT NULL,
    account_lock_max interval DEFAULT '00:15:00'::interval NOT NULL,
    failure_window interval DEFAULT '00:15:00'::interval NOT NULL,
    ip_max_failures integer DEFAULT 50 NOT NULL,
    session_absolute interval DEFAULT '30 days'::interval NOT NULL,
    session_idle interval DEFAULT '7 days'::interval NOT NULL,
    refresh_grace interval DEFAULT '00:00:30'::interval NOT NULL,
    max_sessions_per_user integer DEFAULT 10 NOT NULL,
    refresh_secret bytea DEFAULT public.gen_random_bytes(32) NOT NULL,
    CONSTRAINT auth_config_bcrypt_cost_check CHECK (((bcrypt_cost >= 10) AND (bcrypt_cost <= 16))),
    CONSTRAINT auth_config_id_check CHECK (id),
    CONSTRAINT auth_config_max_sessions_per_user_check CHECK ((max_sessions_per_user >= 1)),
    CONSTRAINT auth_config_password_min_length_check CHECK ((password_min_length >= 8))
);

ALTER TABLE ONLY app_private.auth_config FORCE ROW LEVEL SECURITY;

--
-- Name: auth_result; Type: TYPE; Schema: app_hidden; Owner: -
--

CREATE TYPE app_hidden.auth_result AS (
	error text,
	user_id uuid,
	session_id uuid,
	role text,
	refresh_token text,
	session_expires_at timestamp with time zone
);

--
-- Name: bcrypt_cost_of(text); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.bcrypt_cost_of(p_hash text) RETURNS integer
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
  select nullif(substring(p_hash from '^\$2[abxy]?\$(\d\d)\$'), '')::int
$_$;

--
-- Name: change_password(text, text); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.change_password(p_old text, p_new text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_user uuid := app_hidden.current_user_id();
  v_hash text;
begin
  if v_user is null then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  select s.password_hash into v_hash from app_private.user_secrets s
    where s.user_id = v_user and coalesce(s.locked_until, '-infinity') <= now() for update;
  -- A locked account is refused without checking, like login: a stolen session cannot
  -- brute-force the current password (C6).
  if v_hash is null or v_hash <> public.crypt(app_private.password_input(coalesce(p_old, '')), v_hash) then
    perform app_private.record_password_failure(v_user);
    perform app_private.write_audit('password_change_failed', 'app_public.users', v_user::text, null, null);
    return false;
  end if;
  perform app_private.assert_password_ok(p_new);
  update app_private.user_secrets set password_hash = app_private.hash_password(p_new), password_updated_at = now(),
    failed_attempts = 0, first_failed_at = null, locked_until = null where user_id = v_user;
  update app_private.sessions set revoked_at = now(), revoked_reason = 'password_changed'
    where user_id = v_user and revoked_at is null and id is distinct from app_hidden.current_session_id();
  perform app_private.write_audit('password_changed', 'app_public.users', v_user::text, null, null);
  return true;
end;
$$;

--
-- Name: check_relation(text, text, uuid); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.check_relation(relation text, object_type text, object_id uuid) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$
  select app_hidden.has_relation(relation, object_type, object_id)
$$;

--
-- Name: citext; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;

--
-- Name: claimed_user_id(); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.claimed_user_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  select nullif(current_setting('jwt.claims.user_id', true), '')::uuid
$$;

--
-- Name: current_app_role(); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.current_app_role() RETURNS text
    LANGUAGE plpgsql STABLE
    AS $$
begin
  return coalesce(app_hidden.user_role(app_hidden.current_user_id()), 'anonymous');
end;
$$;

--
-- Name: current_principals(); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.current_principals() RETURNS uuid[]
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return coalesce(app_private.principals_of(app_hidden.current_user_id()), '{}');
end;
$$;

--
-- Name: current_session_id(); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.current_session_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  select nullif(current_setting('jwt.claims.session_id', true), '')::uuid
$$;

--
-- Name: current_user(); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public."current_user"() RETURNS app_public.users
    LANGUAGE sql STABLE
    AS $$
  select u.* from app_public.users u where u.id = app_hidden.current_user_id()
$$;

--
-- Name: current_user_id(); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.current_user_id() RETURNS uuid
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return (
    select s.user_id
    from app_private.sessions s
    join app_public.users u on u.id = s.user_id
    where s.id = app_hidden.current_session_id()
      and s.user_id = app_hidden.claimed_user_id()
      and s.revoked_at is null
      and s.expires_at > now()
      and u.disabled_at is null);
end;
$$;

--
-- Name: doc_access(uuid); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.doc_access(p_document_id uuid) RETURNS app_public.access_level
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return (select max(a.role) from app_public.document_acl a
          where a.document_id = p_document_id and a.subject_id = any (app_hidden.current_principals()));
end;
$$;

--
-- Name: document_acl _900_audit; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.document_acl FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit('document_id', 'subject_id');

--
-- Name: document_acl definer_all; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY definer_all ON app_public.document_acl TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: document_acl document_acl_document_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.document_acl
    ADD CONSTRAINT document_acl_document_id_fkey FOREIGN KEY (document_id) REFERENCES app_public.documents(id) ON DELETE CASCADE;

--
-- Name: document_acl document_acl_pkey; Type: CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.document_acl
    ADD CONSTRAINT document_acl_pkey PRIMARY KEY (document_id, subject_id);

--
-- Name: document_acl select_member; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY select_member ON app_public.document_acl FOR SELECT TO app_user, bot USING (((subject_id = ANY (( SELECT app_hidden.current_principals() AS current_principals)::uuid[])) OR app_hidden.has_doc_role(document_id, 'viewer'::app_public.access_level) OR (( SELECT app_hidden.current_app_role() AS current_app_role) = ANY (ARRAY['manager'::text, 'admin'::text, 'bot'::text]))));

--
-- Name: document_acl; Type: ROW SECURITY; Schema: app_public; Owner: -
--

ALTER TABLE app_public.document_acl ENABLE ROW LEVEL SECURITY;

--
-- Name: document_acl; Type: TABLE; Schema: app_public; Owner: -
--

CREATE TABLE app_public.document_acl (
    document_id uuid NOT NULL,
    subject_type text NOT NULL,
    subject_id uuid NOT NULL,
    role app_public.access_level NOT NULL,
    document_created_at timestamp with time zone NOT NULL,
    granted_by uuid DEFAULT app_hidden.claimed_user_id(),
    granted_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT document_acl_subject_type_check CHECK ((subject_type = ANY (ARRAY['user'::text, 'group'::text])))
);

ALTER TABLE ONLY app_public.document_acl FORCE ROW LEVEL SECURITY;

--
-- Name: document_acl_subject_idx; Type: INDEX; Schema: app_public; Owner: -
--

CREATE INDEX document_acl_subject_idx ON app_public.document_acl USING btree (subject_id, document_created_at DESC, document_id DESC) INCLUDE (role);

--
-- Name: documents _500_creator_owns; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _500_creator_owns AFTER INSERT ON app_public.documents FOR EACH ROW EXECUTE FUNCTION app_private.tg_documents__creator_owns();

--
-- Name: documents _900_audit; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.documents FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit();

--
-- Name: documents definer_all; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY definer_all ON app_public.documents TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: documents delete_admin; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY delete_admin ON app_public.documents FOR DELETE TO admin USING ((( SELECT app_hidden.current_app_role() AS current_app_role) = 'admin'::text));

--
-- Name: documents delete_owner; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY delete_owner ON app_public.documents FOR DELETE TO app_user USING ((EXISTS ( SELECT 1
   FROM app_public.document_acl a
  WHERE ((a.document_id = documents.id) AND (a.subject_id = ANY (( SELECT app_hidden.current_principals() AS current_principals)::uuid[])) AND (a.role = 'owner'::app_public.access_level)))));

--
-- Name: documents documents_owner_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.documents
    ADD CONSTRAINT documents_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: documents documents_pkey; Type: CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.documents
    ADD CONSTRAINT documents_pkey PRIMARY KEY (id);

--
-- Name: documents documents_short_url_key; Type: CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.documents
    ADD CONSTRAINT documents_short_url_key UNIQUE (short_url);

--
-- Name: documents insert_own; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY insert_own ON app_public.documents FOR INSERT TO app_user WITH CHECK ((owner_id = ( SELECT app_hidden.current_user_id() AS current_user_id)));

--
-- Name: documents select_acl; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY select_acl ON app_public.documents FOR SELECT TO app_user, bot USING (((owner_id = ( SELECT app_hidden.current_user_id() AS current_user_id)) OR (EXISTS ( SELECT 1
   FROM app_public.document_acl a
  WHERE ((a.document_id = documents.id) AND (a.subject_id = ANY (( SELECT app_hidden.current_principals() AS current_principals)::uuid[])))))));

--
-- Name: documents select_staff; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY select_staff ON app_public.documents FOR SELECT TO app_user, bot USING ((( SELECT app_hidden.current_app_role() AS current_app_role) = ANY (ARRAY['manager'::text, 'admin'::text, 'bot'::text])));

--
-- Name: documents update_admin; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY update_admin ON app_public.documents FOR UPDATE TO admin USING ((( SELECT app_hidden.current_app_role() AS current_app_role) = 'admin'::text));

--
-- Name: documents update_manager; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY update_manager ON app_public.documents FOR UPDATE TO app_user USING ((EXISTS ( SELECT 1
   FROM app_public.document_acl a
  WHERE ((a.document_id = documents.id) AND (a.subject_id = ANY (( SELECT app_hidden.current_principals() AS current_principals)::uuid[])) AND (a.role >= 'manager'::app_public.access_level)))));

--
-- Name: documents; Type: ROW SECURITY; Schema: app_public; Owner: -
--

ALTER TABLE app_public.documents ENABLE ROW LEVEL SECURITY;

--
-- Name: documents; Type: TABLE; Schema: app_public; Owner: -
--

CREATE TABLE app_public.documents (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    owner_id uuid DEFAULT app_hidden.claimed_user_id() NOT NULL,
    full_url text NOT NULL,
    short_url text DEFAULT app_hidden.random_short_url() NOT NULL,
    comment text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT documents_comment_check CHECK ((length(comment) <= 10000)),
    CONSTRAINT documents_full_url_check CHECK (((length(full_url) >= 1) AND (length(full_url) <= 2048)))
);

ALTER TABLE ONLY app_public.documents FORCE ROW LEVEL SECURITY;

--
-- Name: documents_created_at_idx; Type: INDEX; Schema: app_public; Owner: -
--

CREATE INDEX documents_created_at_idx ON app_public.documents USING btree (created_at DESC, id DESC);

--
-- Name: documents_owner_idx; Type: INDEX; Schema: app_public; Owner: -
--

CREATE INDEX documents_owner_idx ON app_public.documents USING btree (owner_id);

--
-- Name: due_provider_token; Type: TYPE; Schema: app_hidden; Owner: -
--

CREATE TYPE app_hidden.due_provider_token AS (
	identity_id uuid,
	provider text,
	issuer text,
	subject text,
	key_id text,
	refresh_token_enc bytea,
	refresh_attempts integer
);

--
-- Name: finish_provider_token_refresh(uuid, text, text, bytea, bytea, timestamp with time zone); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.finish_provider_token_refresh(p_identity_id uuid, p_error text, p_key_id text, p_access_enc bytea, p_refresh_enc bytea, p_expires_at timestamp with time zone) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

--
-- Name: groups _500_creator_owns; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _500_creator_owns AFTER INSERT ON app_public.groups FOR EACH ROW EXECUTE FUNCTION app_private.tg_groups__creator_owns();

--
-- Name: groups _900_audit; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.groups FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit();

--
-- Name: groups definer_all; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY definer_all ON app_public.groups TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: groups delete_owner; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY delete_owner ON app_public.groups FOR DELETE TO app_user USING ((app_hidden.has_relation('owner'::text, 'group'::text, id) OR (( SELECT app_hidden.current_app_role() AS current_app_role) = 'admin'::text)));

--
-- Name: groups groups_created_by_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.groups
    ADD CONSTRAINT groups_created_by_fkey FOREIGN KEY (created_by) REFERENCES app_public.users(id) ON DELETE SET NULL;

--
-- Name: groups groups_pkey; Type: CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.groups
    ADD CONSTRAINT groups_pkey PRIMARY KEY (id);

--
-- Name: groups insert_own; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY insert_own ON app_public.groups FOR INSERT TO app_user WITH CHECK ((created_by = ( SELECT app_hidden.current_user_id() AS current_user_id)));

--
-- Name: groups select_member; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY select_member ON app_public.groups FOR SELECT TO app_user USING (((created_by = ( SELECT app_hidden.current_user_id() AS current_user_id)) OR (id = ANY (( SELECT app_hidden.current_principals() AS current_principals)::uuid[])) OR (( SELECT app_hidden.current_app_role() AS current_app_role) = 'admin'::text)));

--
-- Name: groups update_manager; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY update_manager ON app_public.groups FOR UPDATE TO app_user USING (app_hidden.has_relation('manager'::text, 'group'::text, id));

--
-- Name: groups; Type: ROW SECURITY; Schema: app_public; Owner: -
--

ALTER TABLE app_public.groups ENABLE ROW LEVEL SECURITY;

--
-- Name: groups; Type: TABLE; Schema: app_public; Owner: -
--

CREATE TABLE app_public.groups (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL,
    created_by uuid DEFAULT app_hidden.claimed_user_id(),
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT groups_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200)))
);

ALTER TABLE ONLY app_public.groups FORCE ROW LEVEL SECURITY;

--
-- Name: has_doc_role(uuid, app_public.access_level); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.has_doc_role(p_document_id uuid, p_role app_public.access_level) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$
  select coalesce(app_hidden.doc_access(p_document_id) >= p_role, false)
$$;

--
-- Name: has_relation(text, text, uuid); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.has_relation(p_relation text, p_object_type text, p_object_id uuid) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return exists (
    select 1 from app_public.relation_edge e
    where e.object_type = p_object_type and e.object_id = p_object_id
      and e.subject_id = any (app_hidden.current_principals())
      and app_hidden.relation_rank(e.relation) >= app_hidden.relation_rank(p_relation));
end;
$$;

--
-- Name: has_user_role(uuid, app_public.access_level); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.has_user_role(p_user_id uuid, p_role app_public.access_level) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return exists (
    select 1 from app_public.user_acl ua
    where ua.user_id = p_user_id and ua.subject_id = any (app_hidden.current_principals()) and ua.role >= p_role);
end;
$$;

--
-- Name: hash_password(text); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.hash_password(p_password text) RETURNS text
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select public.crypt(app_private.password_input(p_password),
                      public.gen_salt('bf', (select bcrypt_cost from app_private.auth_config)))
$$;

--
-- Name: identity_info; Type: TYPE; Schema: app_public; Owner: -
--

CREATE TYPE app_public.identity_info AS (
	provider text,
	email text,
	linked_at timestamp with time zone,
	token_expires_at timestamp with time zone
);

--
-- Name: ip_login_failures definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.ip_login_failures TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: ip_login_failures ip_login_failures_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.ip_login_failures
    ADD CONSTRAINT ip_login_failures_pkey PRIMARY KEY (ip);

--
-- Name: ip_login_failures; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.ip_login_failures ENABLE ROW LEVEL SECURITY;

--
-- Name: ip_login_failures; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.ip_login_failures (
    ip inet NOT NULL,
    window_start timestamp with time zone DEFAULT now() NOT NULL,
    failures integer DEFAULT 0 NOT NULL
);

ALTER TABLE ONLY app_private.ip_login_failures FORCE ROW LEVEL SECURITY;

--
-- Name: lease_provider_tokens(integer, interval); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.lease_provider_tokens(p_limit integer, p_ahead interval) RETURNS SETOF app_hidden.due_provider_token
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

--
-- Name: login(text, text, inet, text); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.login(p_email text, p_password text, p_ip inet, p_user_agent text) RETURNS app_hidden.auth_result
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_user app_public.users;
  v_secret app_private.user_secrets;
  v_ip app_private.ip_login_failures;
  v_ok boolean := false;
  -- An unknown address shares one bucket instead of escaping the per-address limit.
  v_addr inet := coalesce(p_ip, '0.0.0.0'::inet);
begin
  select * into v_ip from app_private.ip_login_failures where ip = v_addr for update;
  if v_ip.failures >= c.ip_max_failures and v_ip.window_start > now() - c.failure_window then
    perform app_private.write_audit('login_rate_limited', null, null, null, null, jsonb_build_object('ip', p_ip::text));
    return row('RATEL', null, null, null, null, null)::app_hidden.auth_result;
  end if;

  select * into v_user from app_public.users where email operator(public.=) p_email::public.citext and disabled_at is null;
  if found then
    select * into v_secret from app_private.user_secrets where user_id = v_user.id for update;
  end if;
  if v_secret.password_hash is not null and coalesce(v_secret.locked_until, '-infinity') <= now() then
    v_ok := v_secret.password_hash = public.crypt(app_private.password_input(coalesce(p_password, '')), v_secret.password_hash);
  else
    -- Same work as a real check, so timing does not tell the cases apart.
    perform public.crypt(app_private.password_input(coalesce(p_password, '')), public.gen_salt('bf', c.bcrypt_cost));
  end if;

  if not v_ok then
    insert into app_private.ip_login_failures as f (ip, failures) values (v_addr, 1)
      on conflict (ip) do update set
        failures = case when f.window_start > now() - c.failure_window then f.failures + 1 else 1 end,
        window_start = case when f.window_start > now() - c.failure_window then f.window_start else now() end;
    if v_secret.user_id is not null then
      perform app_private.record_password_failure(v_secret.user_id);
    end if;
    perform app_private.write_audit('login_failed', 'app_public.users', v_user.id::text, null, null,
      jsonb_build_object('ip', p_ip::text));
    return row('CREDS', null, null, null, null, null)::app_hidden.auth_result;
  end if;

  update app_private.user_secrets set failed_attempts = 0, first_failed_at = null, locked_until = null,
    -- Upgrade hashes made at a lower cost than configured (C1).
    password_hash = case when app_private.bcrypt_cost_of(password_hash) < c.bcrypt_cost
                         then app_private.hash_password(p_password) else password_hash end
    where user_id = v_user.id;
  perform app_private.write_audit('login', 'app_public.users', v_user.id::text, null, null, jsonb_build_object('ip', p_ip::text));
  return app_private.start_session(v_user.id, p_ip, p_user_agent);
end;
$$;

--
-- Name: logout(text, uuid); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.logout(p_refresh_token text, p_session_id uuid DEFAULT NULL::uuid) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_ids uuid[];
begin
  with ended as (
    update app_private.sessions s set revoked_at = now(), revoked_reason = 'logout'
    where s.revoked_at is null and (
      (s.id = app_hidden.current_session_id() and s.user_id = app_hidden.claimed_user_id())
      or s.id = (select rt.session_id from app_private.refresh_tokens rt where rt.token_hash = app_private.token_hash(p_refresh_token)
                 and rt.session_id = coalesce(p_session_id, rt.session_id)))
    returning s.id
  ) select array_agg(id) into v_ids from ended;
  update app_private.refresh_tokens set revoked_at = now() where session_id = any (v_ids) and revoked_at is null;
  if v_ids is not null then
    perform app_private.write_audit('logout', null, array_to_string(v_ids, ','), null, null);
  end if;
  return v_ids is not null;
end;
$$;

--
-- Name: my_identities(); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.my_identities() RETURNS SETOF app_public.identity_info
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select i.provider, i.email::text, i.created_at, t.access_token_expires_at
  from app_public.user_identities i
  left join app_private.user_identity_tokens t on t.identity_id = i.id
  where i.user_id = app_hidden.current_user_id()
  order by i.created_at
$$;

--
-- Name: my_sessions(); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.my_sessions() RETURNS SETOF app_public.session_info
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select s.id, s.created_at, s.last_used_at, s.expires_at, s.user_agent, host(s.ip), s.id = app_hidden.current_session_id()
  from app_private.sessions s
  where s.user_id = app_hidden.current_user_id() and s.revoked_at is null and s.expires_at > now()
  order by s.last_used_at desc
$$;

--
-- Name: oauth_rejected(text, text, inet); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.oauth_rejected(p_provider text, p_reason text, p_ip inet) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select app_private.write_audit('oauth_rejected', null, null, null, null,
    jsonb_build_object('provider', left(p_provider, 40), 'reason', left(p_reason, 40), 'ip', p_ip::text))
$$;

--
-- Name: oauth_result; Type: TYPE; Schema: app_hidden; Owner: -
--

CREATE TYPE app_hidden.oauth_result AS (
	error text,
	user_id uuid,
	session_id uuid,
	role text,
	refresh_token text,
	session_expires_at timestamp with time zone,
	identity_id uuid
);

--
-- Name: oauth_sign_in(text, text, text, text, jsonb, boolean, text, bytea, bytea, timestamp with time zone, inet, text); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.oauth_sign_in(p_provider text, p_issuer text, p_subject text, p_email text, p_profile jsonb, p_link boolean, p_key_id text, p_access_enc bytea, p_refresh_enc bytea, p_expires_at timestamp with time zone, p_ip inet, p_user_agent text) RETURNS app_hidden.oauth_result
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

--
-- Name: password_input(text); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.password_input(p_password text) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  -- bcrypt silently ignores bytes past 72: longer passwords go through SHA-256 first.
  select case when octet_length(p_password) > 72
    then 'sha256:' || encode(public.digest(convert_to(p_password, 'UTF8'), 'sha256'), 'base64')
    else p_password end
$$;

--
-- Name: pgcrypto; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;

--
-- Name: principals_of(uuid); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.principals_of(p_user_id uuid) RETURNS uuid[]
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if p_user_id is null then
    return null;
  end if;
  return (with recursive g(id, depth) as (
    select e.object_id, 1
    from app_public.relation_edge e
    where e.subject_id = p_user_id and e.object_type = 'group'
    union
    select e.object_id, g.depth + 1
    from g join app_public.relation_edge e on e.subject_id = g.id and e.object_type = 'group'
    where g.depth < 8
  )
  select array_prepend(p_user_id, coalesce(array(select distinct id from (select id from g limit 1000) x), '{}')));
end;
$$;

--
-- Name: public; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA public;

--
-- Name: random_short_url(); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.random_short_url() RETURNS text
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select translate(encode(public.gen_random_bytes(9), 'base64'), '+/', '-_')
$$;

--
-- Name: record_denied(text, text); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.record_denied(p_operation text, p_code text) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select app_private.write_audit('access_denied', null, null, null, null,
    jsonb_build_object('operation', left(p_operation, 100), 'code', left(p_code, 10)))
$$;

--
-- Name: record_password_failure(uuid); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.record_password_failure(p_user_id uuid) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v app_private.user_secrets;
begin
  update app_private.user_secrets s set
    failed_attempts = case when s.first_failed_at > now() - c.failure_window then s.failed_attempts + 1 else 1 end,
    first_failed_at = case when s.first_failed_at > now() - c.failure_window then s.first_failed_at else now() end
    where s.user_id = p_user_id
    returning * into v;
  if v.failed_attempts >= c.account_max_failures then
    update app_private.user_secrets set locked_until = now() + least(
        c.account_lock_max, interval '1 minute' * power(2, least(v.failed_attempts - c.account_max_failures, 10)))
      where user_id = p_user_id;
  end if;
end;
$$;

--
-- Name: refresh(text, inet, text, uuid); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.refresh(p_token text, p_ip inet, p_user_agent text, p_session_id uuid DEFAULT NULL::uuid) RETURNS app_hidden.auth_result
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    SET lock_timeout TO '3s'
    AS $_$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_rt app_private.refresh_tokens;
  v_child app_private.refresh_tokens;
  v_session app_private.sessions;
  v_next text;
begin
  if p_token is null or p_token !~ '^[A-Za-z0-9_-]{43}$' then
    return row('TOKEN', null, null, null, null, null)::app_hidden.auth_result;
  end if;
  select * into v_rt from app_private.refresh_tokens where token_hash = app_private.token_hash(p_token) for update;
  if not found or v_rt.session_id is distinct from coalesce(p_session_id, v_rt.session_id) then
    return row('TOKEN', null, null, null, null, null)::app_hidden.auth_result;
  end if;
  select * into v_session from app_private.sessions where id = v_rt.session_id for update;
  if v_session.revoked_at is not null or v_session.expires_at <= now() or v_rt.revoked_at is not null
     or exists (select 1 from app_public.users u where u.id = v_session.user_id and u.disabled_at is not null) then
    return row('TOKEN', null, null, null, null, null)::app_hidden.auth_result;
  end if;
  v_next := app_private.successor_token(p_token);

  if v_rt.rotated_at is null then
    if v_rt.expires_at <= now() then
      return row('TOKEN', null, null, null, null, null)::app_hidden.auth_result;
    end if;
    update app_private.refresh_tokens set rotated_at = now() where id = v_rt.id;
    insert into app_private.refresh_tokens (session_id, token_hash, parent_id, expires_at)
      values (v_session.id, app_private.token_hash(v_next), v_rt.id, least(now() + c.session_idle, v_session.expires_at));
    update app_private.sessions set last_used_at = now(), ip = coalesce(p_ip, ip) where id = v_session.id;
    return row(null, v_session.user_id, v_session.id, app_hidden.user_role(v_session.user_id), v_next, v_session.expires_at)::app_hidden.auth_result;
  end if;

  select * into v_child from app_private.refresh_tokens where parent_id = v_rt.id;
  if v_rt.rotated_at > now() - c.refresh_grace and v_child.rotated_at is null and v_child.revoked_at is null
     and v_child.expires_at > now() then
    -- A concurrent or retried refresh of the same token: converge on the same successor.
    return row(null, v_session.user_id, v_session.id, app_hidden.user_role(v_session.user_id), v_next, v_session.expires_at)::app_hidden.auth_result;
  end if;

  -- Reuse of a rotated token: assume theft and end the whole family.
  update app_private.sessions set revoked_at = now(), revoked_reason = 'refresh_token_reuse' where id = v_session.id;
  update app_private.refresh_tokens set revoked_at = now() where session_id = v_session.id and revoked_at is null;
  perform app_private.write_audit('refresh_token_reuse', null, v_session.id::text, null, null,
    jsonb_build_object('user_id', v_session.user_id, 'ip', p_ip::text));
  return row('REUSE', null, null, null, null, null)::app_hidden.auth_result;
end;
$_$;

--
-- Name: refresh_tokens definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.refresh_tokens TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: refresh_tokens refresh_tokens_parent_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.refresh_tokens
    ADD CONSTRAINT refresh_tokens_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES app_private.refresh_tokens(id);

--
-- Name: refresh_tokens refresh_tokens_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.refresh_tokens
    ADD CONSTRAINT refresh_tokens_pkey PRIMARY KEY (id);

--
-- Name: refresh_tokens refresh_tokens_session_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.refresh_tokens
    ADD CONSTRAINT refresh_tokens_session_id_fkey FOREIGN KEY (session_id) REFERENCES app_private.sessions(id) ON DELETE CASCADE;

--
-- Name: refresh_tokens refresh_tokens_token_hash_key; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.refresh_tokens
    ADD CONSTRAINT refresh_tokens_token_hash_key UNIQUE (token_hash);

--
-- Name: refresh_tokens; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.refresh_tokens ENABLE ROW LEVEL SECURITY;

--
-- Name: refresh_tokens; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.refresh_tokens (
    id bigint NOT NULL,
    session_id uuid NOT NULL,
    token_hash bytea NOT NULL,
    parent_id bigint,
    issued_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    rotated_at timestamp with time zone,
    revoked_at timestamp with time zone,
    CONSTRAINT refresh_tokens_token_hash_check CHECK ((length(token_hash) = 32))
);

ALTER TABLE ONLY app_private.refresh_tokens FORCE ROW LEVEL SECURITY;

--
-- Name: refresh_tokens_id_seq; Type: SEQUENCE; Schema: app_private; Owner: -
--

ALTER TABLE app_private.refresh_tokens ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app_private.refresh_tokens_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: refresh_tokens_session_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX refresh_tokens_session_idx ON app_private.refresh_tokens USING btree (session_id);

--
-- Name: register(text, text, text); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.register(p_email text, p_password text, p_name text) RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
declare
  v_id uuid;
begin
  if p_email is null or p_email !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' or length(p_email) > 320 then
    raise exception 'Invalid email address' using errcode = 'EMAIL';
  end if;
  perform app_private.assert_password_ok(p_password);
  if exists (select 1 from app_public.users u where u.email operator(public.=) p_email::public.citext) then
    raise exception 'An account with this email already exists' using errcode = 'EMTKN';
  end if;
  insert into app_public.users (email, display_name) values (p_email, nullif(trim(p_name), '')) returning id into v_id;
  update app_private.user_secrets set password_hash = app_private.hash_password(p_password), password_updated_at = now()
    where user_id = v_id;
  return v_id;
end;
$_$;

--
-- Name: relation_edge _900_audit; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.relation_edge FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit('subject_id', 'relation', 'object_type', 'object_id');

--
-- Name: relation_edge definer_all; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY definer_all ON app_public.relation_edge TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: relation_edge delete_manager_or_self; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY delete_manager_or_self ON app_public.relation_edge FOR DELETE TO app_user USING (((subject_id = ( SELECT app_hidden.current_user_id() AS current_user_id)) OR app_hidden.has_relation(
CASE
    WHEN (relation = ANY (ARRAY['owner'::text, 'manager'::text])) THEN 'owner'::text
    ELSE 'manager'::text
END, object_type, object_id)));

--
-- Name: relation_edge insert_manager; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY insert_manager ON app_public.relation_edge FOR INSERT TO app_user WITH CHECK (((created_by = ( SELECT app_hidden.current_user_id() AS current_user_id)) AND app_hidden.has_relation(
CASE
    WHEN (relation = ANY (ARRAY['owner'::text, 'manager'::text])) THEN 'owner'::text
    ELSE 'manager'::text
END, object_type, object_id)));

--
-- Name: relation_edge relation_edge_pkey; Type: CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.relation_edge
    ADD CONSTRAINT relation_edge_pkey PRIMARY KEY (object_type, object_id, subject_id, relation);

--
-- Name: relation_edge select_visible; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY select_visible ON app_public.relation_edge FOR SELECT TO app_user USING (((subject_id = ANY (( SELECT app_hidden.current_principals() AS current_principals)::uuid[])) OR app_hidden.has_relation('manager'::text, object_type, object_id) OR (( SELECT app_hidden.current_app_role() AS current_app_role) = 'admin'::text)));

--
-- Name: relation_edge; Type: ROW SECURITY; Schema: app_public; Owner: -
--

ALTER TABLE app_public.relation_edge ENABLE ROW LEVEL SECURITY;

--
-- Name: relation_edge; Type: TABLE; Schema: app_public; Owner: -
--

CREATE TABLE app_public.relation_edge (
    subject_type text NOT NULL,
    subject_id uuid NOT NULL,
    relation text NOT NULL,
    object_type text NOT NULL,
    object_id uuid NOT NULL,
    created_by uuid DEFAULT app_hidden.claimed_user_id(),
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT relation_edge_object_type_check CHECK ((object_type ~ '^[a-z_]{1,40}$'::text)),
    CONSTRAINT relation_edge_relation_check CHECK ((relation = ANY (ARRAY['owner'::text, 'manager'::text, 'member'::text, 'viewer'::text]))),
    CONSTRAINT relation_edge_subject_type_check CHECK ((subject_type = ANY (ARRAY['user'::text, 'group'::text])))
);

ALTER TABLE ONLY app_public.relation_edge FORCE ROW LEVEL SECURITY;

--
-- Name: relation_edge_subject_idx; Type: INDEX; Schema: app_public; Owner: -
--

CREATE INDEX relation_edge_subject_idx ON app_public.relation_edge USING btree (subject_id, object_type, relation) INCLUDE (object_id);

--
-- Name: relation_rank(text); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.relation_rank(p_relation text) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  select case p_relation when 'owner' then 3 when 'manager' then 2 when 'member' then 1 when 'viewer' then 1 else 99 end
$$;

--
-- Name: revoke_sessions(uuid, boolean); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.revoke_sessions(p_session_id uuid, p_all_others boolean) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_user uuid := app_hidden.current_user_id();
  v_n int;
begin
  if v_user is null then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  update app_private.sessions s set revoked_at = now(), revoked_reason = 'revoked_by_user'
    where s.user_id = v_user and s.revoked_at is null
      and (case when p_all_others then s.id <> app_hidden.current_session_id() else s.id = p_session_id end);
  get diagnostics v_n = row_count;
  perform app_private.write_audit('sessions_revoked', 'app_public.users', v_user::text, null, null, jsonb_build_object('count', v_n));
  return v_n;
end;
$$;

--
-- Name: role_domain_rules _900_audit; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.role_domain_rules FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit('domain');

--
-- Name: role_domain_rules all_admin; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY all_admin ON app_public.role_domain_rules TO admin USING ((( SELECT app_hidden.current_app_role() AS current_app_role) = 'admin'::text)) WITH CHECK ((( SELECT app_hidden.current_app_role() AS current_app_role) = 'admin'::text));

--
-- Name: role_domain_rules definer_all; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY definer_all ON app_public.role_domain_rules TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: role_domain_rules role_domain_rules_pkey; Type: CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.role_domain_rules
    ADD CONSTRAINT role_domain_rules_pkey PRIMARY KEY (domain);

--
-- Name: role_domain_rules; Type: ROW SECURITY; Schema: app_public; Owner: -
--

ALTER TABLE app_public.role_domain_rules ENABLE ROW LEVEL SECURITY;

--
-- Name: role_domain_rules; Type: TABLE; Schema: app_public; Owner: -
--

CREATE TABLE app_public.role_domain_rules (
    domain public.citext NOT NULL,
    role text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT role_domain_rules_domain_check CHECK ((domain OPERATOR(public.~) '^[a-z0-9.-]+\.[a-z]+$'::public.citext)),
    CONSTRAINT role_domain_rules_role_check CHECK ((role = ANY (ARRAY['manager'::text, 'admin'::text])))
);

ALTER TABLE ONLY app_public.role_domain_rules FORCE ROW LEVEL SECURITY;

--
-- Name: role_grants _900_audit; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.role_grants FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit('user_id', 'role');

--
-- Name: role_grants all_admin; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY all_admin ON app_public.role_grants TO admin USING ((( SELECT app_hidden.current_app_role() AS current_app_role) = 'admin'::text)) WITH CHECK ((( SELECT app_hidden.current_app_role() AS current_app_role) = 'admin'::text));

--
-- Name: role_grants definer_all; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY definer_all ON app_public.role_grants TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: role_grants role_grants_granted_by_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.role_grants
    ADD CONSTRAINT role_grants_granted_by_fkey FOREIGN KEY (granted_by) REFERENCES app_public.users(id) ON DELETE SET NULL;

--
-- Name: role_grants role_grants_pkey; Type: CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.role_grants
    ADD CONSTRAINT role_grants_pkey PRIMARY KEY (user_id, role);

--
-- Name: role_grants role_grants_user_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.role_grants
    ADD CONSTRAINT role_grants_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: role_grants select_own; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY select_own ON app_public.role_grants FOR SELECT TO app_user USING ((user_id = ( SELECT app_hidden.current_user_id() AS current_user_id)));

--
-- Name: role_grants; Type: ROW SECURITY; Schema: app_public; Owner: -
--

ALTER TABLE app_public.role_grants ENABLE ROW LEVEL SECURITY;

--
-- Name: role_grants; Type: TABLE; Schema: app_public; Owner: -
--

CREATE TABLE app_public.role_grants (
    user_id uuid NOT NULL,
    role text NOT NULL,
    granted_by uuid DEFAULT app_hidden.claimed_user_id(),
    granted_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT role_grants_role_check CHECK ((role = ANY (ARRAY['manager'::text, 'admin'::text])))
);

ALTER TABLE ONLY app_public.role_grants FORCE ROW LEVEL SECURITY;

--
-- Name: session_info; Type: TYPE; Schema: app_public; Owner: -
--

CREATE TYPE app_public.session_info AS (
	id uuid,
	created_at timestamp with time zone,
	last_used_at timestamp with time zone,
	expires_at timestamp with time zone,
	user_agent text,
	ip text,
	is_current boolean
);

--
-- Name: sessions definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.sessions TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: sessions sessions_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.sessions
    ADD CONSTRAINT sessions_pkey PRIMARY KEY (id);

--
-- Name: sessions sessions_user_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.sessions
    ADD CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: sessions; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.sessions ENABLE ROW LEVEL SECURITY;

--
-- Name: sessions; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.sessions (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_used_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone,
    revoked_reason text,
    user_agent text,
    ip inet,
    CONSTRAINT sessions_user_agent_check CHECK ((length(user_agent) <= 512))
);

ALTER TABLE ONLY app_private.sessions FORCE ROW LEVEL SECURITY;

--
-- Name: sessions_user_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX sessions_user_idx ON app_private.sessions USING btree (user_id) WHERE (revoked_at IS NULL);

--
-- Name: share_document(uuid, uuid, app_public.access_level); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.share_document(document_id uuid, subject_id uuid, role app_public.access_level) RETURNS app_public.document_acl
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_me uuid := app_hidden.current_user_id();
  v_mine app_public.access_level;
  v_existing app_public.access_level;
  v_type text;
  v_row app_public.document_acl;
begin
  if v_me is null then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  v_mine := app_hidden.doc_access(share_document.document_id);
  if v_mine is null then
    raise exception 'Document not found' using errcode = 'NTFND';
  end if;
  if v_mine < 'manager' or share_document.role > v_mine then
    raise exception 'You cannot grant this access level' using errcode = 'DNIED';
  end if;
  if share_document.subject_id = v_me then
    raise exception 'You cannot change your own access' using errcode = 'DNIED';
  end if;
  select a.role into v_existing from app_public.document_acl a
    where a.document_id = share_document.document_id and a.subject_id = share_document.subject_id;
  if v_existing > v_mine then
    raise exception 'You cannot change the access of someone above you' using errcode = 'DNIED';
  end if;
  select case
      when exists (select 1 from app_public.users u where u.id = share_document.subject_id and u.disabled_at is null) then 'user'
      when exists (select 1 from app_public.groups g where g.id = share_document.subject_id) then 'group'
    end into v_type;
  if v_type is null then
    raise exception 'No such user or group' using errcode = 'NTFND';
  end if;
  insert into app_public.document_acl as a (document_id, subject_type, subject_id, role, document_created_at, granted_by)
  select d.id, v_type, share_document.subject_id, share_document.role, d.created_at, v_me
  from app_public.documents d where d.id = share_document.document_id
  on conflict on constraint document_acl_pkey do update
    set role = excluded.role, granted_by = excluded.granted_by, granted_at = now()
  returning a.* into v_row;
  return v_row;
end;
$$;

--
-- Name: start_session(uuid, inet, text); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.start_session(p_user uuid, p_ip inet, p_user_agent text) RETURNS app_hidden.auth_result
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_token text := rtrim(translate(encode(public.gen_random_bytes(32), 'base64'), '+/', '-_'), '=');
  v_session app_private.sessions;
begin
  insert into app_private.sessions (user_id, expires_at, user_agent, ip)
    values (p_user, now() + c.session_absolute, left(p_user_agent, 512), p_ip)
    returning * into v_session;
  insert into app_private.refresh_tokens (session_id, token_hash, expires_at)
    values (v_session.id, app_private.token_hash(v_token), least(now() + c.session_idle, v_session.expires_at));
  update app_private.sessions set revoked_at = now(), revoked_reason = 'evicted'
    where id in (select s.id from app_private.sessions s
                 where s.user_id = p_user and s.revoked_at is null and s.expires_at > now()
                 order by s.created_at desc offset c.max_sessions_per_user);
  return row(null, p_user, v_session.id, app_hidden.user_role(p_user), v_token, v_session.expires_at)::app_hidden.auth_result;
end;
$$;

--
-- Name: strip_secrets(jsonb); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.strip_secrets(v jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select coalesce(jsonb_object_agg(key, value), '{}'::jsonb)
  from jsonb_each(v)
  where key !~* '(password|secret|token|hash)'
$$;

--
-- Name: successor_token(text); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.successor_token(p_token text) RETURNS text
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select rtrim(translate(encode(public.hmac(convert_to(p_token, 'UTF8'), c.refresh_secret, 'sha256'), 'base64'), '+/', '-_'), '=')
  from app_private.auth_config c
$$;

--
-- Name: tg__audit(); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.tg__audit() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_old jsonb := case when tg_op in ('UPDATE', 'DELETE') then to_jsonb(old) end;
  v_new jsonb := case when tg_op in ('INSERT', 'UPDATE') then to_jsonb(new) end;
  v_keys text[] := coalesce(tg_argv, '{id}');
begin
  perform app_private.write_audit(lower(tg_op), tg_table_schema || '.' || tg_table_name,
    (select string_agg(coalesce(v_new, v_old) ->> k, '/' order by o) from unnest(v_keys) with ordinality u(k, o)),
    v_old, v_new);
  return null;
end;
$$;

--
-- Name: tg_audit_log__immutable(); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.tg_audit_log__immutable() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  raise exception 'audit rows are append-only' using errcode = 'AUDIT';
end;
$$;

--
-- Name: tg_documents__creator_owns(); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.tg_documents__creator_owns() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  insert into app_public.document_acl (document_id, subject_type, subject_id, role, document_created_at, granted_by)
  values (new.id, 'user', new.owner_id, 'owner', new.created_at, new.owner_id);
  return null;
end;
$$;

--
-- Name: tg_groups__creator_owns(); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.tg_groups__creator_owns() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  insert into app_public.relation_edge (subject_type, subject_id, relation, object_type, object_id, created_by)
  values ('user', new.created_by, 'owner', 'group', new.id, new.created_by);
  return null;
end;
$$;

--
-- Name: tg_users__create_secrets(); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.tg_users__create_secrets() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  insert into app_private.user_secrets (user_id) values (new.id);
  return null;
end;
$$;

--
-- Name: token_hash(text); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.token_hash(p_token text) RETURNS bytea
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select public.digest(convert_to(p_token, 'UTF8'), 'sha256')
$$;

--
-- Name: unlink_provider(text); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.unlink_provider(provider text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

--
-- Name: unshare_document(uuid, uuid); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.unshare_document(document_id uuid, subject_id uuid) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_me uuid := app_hidden.current_user_id();
  v_mine app_public.access_level;
  v_existing app_public.access_level;
begin
  if v_me is null then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  v_mine := app_hidden.doc_access(unshare_document.document_id);
  if v_mine is null then
    raise exception 'Document not found' using errcode = 'NTFND';
  end if;
  if v_mine < 'manager' and unshare_document.subject_id <> v_me then
    raise exception 'You cannot remove access' using errcode = 'DNIED';
  end if;
  select a.role into v_existing from app_public.document_acl a
    where a.document_id = unshare_document.document_id and a.subject_id = unshare_document.subject_id
    for update;
  if v_existing is null then
    return false;
  end if;
  if v_existing > v_mine then
    raise exception 'You cannot remove someone above you' using errcode = 'DNIED';
  end if;
  if exists (select 1 from app_public.documents d
             where d.id = unshare_document.document_id and d.owner_id = unshare_document.subject_id) then
    raise exception 'The creator of a document keeps ownership' using errcode = 'LASTO';
  end if;
  if v_existing = 'owner' and not exists (
    select 1 from app_public.document_acl a
    where a.document_id = unshare_document.document_id and a.role = 'owner'
      and a.subject_id <> unshare_document.subject_id
  ) then
    raise exception 'A document must keep an owner' using errcode = 'LASTO';
  end if;
  delete from app_public.document_acl a
    where a.document_id = unshare_document.document_id and a.subject_id = unshare_document.subject_id;
  return true;
end;
$$;

--
-- Name: user_acl _900_audit; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.user_acl FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit('user_id', 'subject_id');

--
-- Name: user_acl definer_all; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY definer_all ON app_public.user_acl TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: user_acl select_involved; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY select_involved ON app_public.user_acl FOR SELECT TO app_user USING (((subject_id = ANY (( SELECT app_hidden.current_principals() AS current_principals)::uuid[])) OR (user_id = ( SELECT app_hidden.current_user_id() AS current_user_id)) OR (( SELECT app_hidden.current_app_role() AS current_app_role) = 'admin'::text)));

--
-- Name: user_acl user_acl_pkey; Type: CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.user_acl
    ADD CONSTRAINT user_acl_pkey PRIMARY KEY (user_id, subject_id);

--
-- Name: user_acl user_acl_user_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.user_acl
    ADD CONSTRAINT user_acl_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: user_acl write_admin; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY write_admin ON app_public.user_acl TO admin USING ((( SELECT app_hidden.current_app_role() AS current_app_role) = 'admin'::text)) WITH CHECK ((( SELECT app_hidden.current_app_role() AS current_app_role) = 'admin'::text));

--
-- Name: user_acl; Type: ROW SECURITY; Schema: app_public; Owner: -
--

ALTER TABLE app_public.user_acl ENABLE ROW LEVEL SECURITY;

--
-- Name: user_acl; Type: TABLE; Schema: app_public; Owner: -
--

CREATE TABLE app_public.user_acl (
    user_id uuid NOT NULL,
    subject_id uuid NOT NULL,
    role app_public.access_level NOT NULL,
    granted_by uuid DEFAULT app_hidden.claimed_user_id(),
    granted_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY app_public.user_acl FORCE ROW LEVEL SECURITY;

--
-- Name: user_acl_subject_idx; Type: INDEX; Schema: app_public; Owner: -
--

CREATE INDEX user_acl_subject_idx ON app_public.user_acl USING btree (subject_id, user_id) INCLUDE (role);

--
-- Name: user_identities _900_audit; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.user_identities FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit();

--
-- Name: user_identities definer_all; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY definer_all ON app_public.user_identities TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: user_identities select_admin; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY select_admin ON app_public.user_identities FOR SELECT TO admin USING ((( SELECT app_hidden.current_app_role() AS current_app_role) = 'admin'::text));

--
-- Name: user_identities select_own; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY select_own ON app_public.user_identities FOR SELECT TO app_user USING ((user_id = ( SELECT app_hidden.current_user_id() AS current_user_id)));

--
-- Name: user_identities user_identities_issuer_subject_key; Type: CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.user_identities
    ADD CONSTRAINT user_identities_issuer_subject_key UNIQUE (issuer, subject);

--
-- Name: user_identities user_identities_pkey; Type: CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.user_identities
    ADD CONSTRAINT user_identities_pkey PRIMARY KEY (id);

--
-- Name: user_identities user_identities_user_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.user_identities
    ADD CONSTRAINT user_identities_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: user_identities user_identities_user_id_provider_key; Type: CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.user_identities
    ADD CONSTRAINT user_identities_user_id_provider_key UNIQUE (user_id, provider);

--
-- Name: user_identities; Type: ROW SECURITY; Schema: app_public; Owner: -
--

ALTER TABLE app_public.user_identities ENABLE ROW LEVEL SECURITY;

--
-- Name: user_identities; Type: TABLE; Schema: app_public; Owner: -
--

CREATE TABLE app_public.user_identities (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    provider text NOT NULL,
    issuer text NOT NULL,
    subject text NOT NULL,
    email public.citext,
    profile jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT user_identities_issuer_check CHECK ((length(issuer) <= 500)),
    CONSTRAINT user_identities_provider_check CHECK ((provider ~ '^[a-z0-9_-]{1,40}$'::text)),
    CONSTRAINT user_identities_subject_check CHECK (((length(subject) >= 1) AND (length(subject) <= 255)))
);

ALTER TABLE ONLY app_public.user_identities FORCE ROW LEVEL SECURITY;

--
-- Name: user_identities_user_idx; Type: INDEX; Schema: app_public; Owner: -
--

CREATE INDEX user_identities_user_idx ON app_public.user_identities USING btree (user_id);

--
-- Name: user_identity_tokens definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.user_identity_tokens TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: user_identity_tokens user_identity_tokens_identity_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.user_identity_tokens
    ADD CONSTRAINT user_identity_tokens_identity_id_fkey FOREIGN KEY (identity_id) REFERENCES app_public.user_identities(id) ON DELETE CASCADE;

--
-- Name: user_identity_tokens user_identity_tokens_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.user_identity_tokens
    ADD CONSTRAINT user_identity_tokens_pkey PRIMARY KEY (identity_id);

--
-- Name: user_identity_tokens; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.user_identity_tokens ENABLE ROW LEVEL SECURITY;

--
-- Name: user_identity_tokens; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.user_identity_tokens (
    identity_id uuid NOT NULL,
    key_id text NOT NULL,
    access_token_enc bytea,
    refresh_token_enc bytea,
    access_token_expires_at timestamp with time zone,
    refresh_attempts integer DEFAULT 0 NOT NULL,
    last_refresh_error text,
    refresh_lease_until timestamp with time zone,
    refreshed_at timestamp with time zone,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY app_private.user_identity_tokens FORCE ROW LEVEL SECURITY;

--
-- Name: user_role(uuid); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.user_role(p_user_id uuid) RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return (select case
    when u.is_bot then 'bot'
    when exists (select 1 from app_public.role_grants g where g.user_id = u.id and g.role = 'admin')
      or exists (select 1 from app_public.role_domain_rules r
                 where r.role = 'admin' and r.domain operator(public.=) split_part(u.email::text, '@', 2)::public.citext)
      then 'admin'
    when exists (select 1 from app_public.role_grants g where g.user_id = u.id and g.role = 'manager')
      or exists (select 1 from app_public.role_domain_rules r
                 where r.role = 'manager' and r.domain operator(public.=) split_part(u.email::text, '@', 2)::public.citext)
      then 'manager'
    else 'app_user'
  end
  from app_public.users u
  where u.id = p_user_id and u.disabled_at is null);
end;
$$;

--
-- Name: user_secrets definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.user_secrets TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: user_secrets user_secrets_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.user_secrets
    ADD CONSTRAINT user_secrets_pkey PRIMARY KEY (user_id);

--
-- Name: user_secrets user_secrets_user_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.user_secrets
    ADD CONSTRAINT user_secrets_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: user_secrets; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.user_secrets ENABLE ROW LEVEL SECURITY;

--
-- Name: user_secrets; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.user_secrets (
    user_id uuid NOT NULL,
    password_hash text,
    password_updated_at timestamp with time zone,
    failed_attempts integer DEFAULT 0 NOT NULL,
    first_failed_at timestamp with time zone,
    locked_until timestamp with time zone
);

ALTER TABLE ONLY app_private.user_secrets FORCE ROW LEVEL SECURITY;

--
-- Name: users _500_create_secrets; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _500_create_secrets AFTER INSERT ON app_public.users FOR EACH ROW EXECUTE FUNCTION app_private.tg_users__create_secrets();

--
-- Name: users _900_audit; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.users FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit();

--
-- Name: users definer_all; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY definer_all ON app_public.users TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: users select_admin; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY select_admin ON app_public.users FOR SELECT TO admin USING ((( SELECT app_hidden.current_app_role() AS current_app_role) = 'admin'::text));

--
-- Name: users select_managed; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY select_managed ON app_public.users FOR SELECT TO app_user USING ((EXISTS ( SELECT 1
   FROM app_public.user_acl ua
  WHERE ((ua.user_id = users.id) AND (ua.subject_id = ANY (( SELECT app_hidden.current_principals() AS current_principals)::uuid[]))))));

--
-- Name: users select_self; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY select_self ON app_public.users FOR SELECT TO app_user, bot USING ((id = ( SELECT app_hidden.current_user_id() AS current_user_id)));

--
-- Name: users update_admin; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY update_admin ON app_public.users FOR UPDATE TO admin USING ((( SELECT app_hidden.current_app_role() AS current_app_role) = 'admin'::text));

--
-- Name: users update_managed; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY update_managed ON app_public.users FOR UPDATE TO app_user USING ((EXISTS ( SELECT 1
   FROM app_public.user_acl ua
  WHERE ((ua.user_id = users.id) AND (ua.subject_id = ANY (( SELECT app_hidden.current_principals() AS current_principals)::uuid[])) AND (ua.role >= 'manager'::app_public.access_level)))));

--
-- Name: users update_self; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY update_self ON app_public.users FOR UPDATE TO app_user USING ((id = ( SELECT app_hidden.current_user_id() AS current_user_id)));

--
-- Name: users users_email_key; Type: CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.users
    ADD CONSTRAINT users_email_key UNIQUE (email);

--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);

--
-- Name: users; Type: ROW SECURITY; Schema: app_public; Owner: -
--

ALTER TABLE app_public.users ENABLE ROW LEVEL SECURITY;

--
-- Name: users; Type: TABLE; Schema: app_public; Owner: -
--

CREATE TABLE app_public.users (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    email public.citext NOT NULL,
    display_name text,
    is_bot boolean DEFAULT false NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    disabled_at timestamp with time zone,
    CONSTRAINT users_display_name_check CHECK ((length(display_name) <= 200)),
    CONSTRAINT users_email_check CHECK (((email OPERATOR(public.~) '^[^@\s]+@[^@\s]+$'::public.citext) AND (length((email)::text) <= 320)))
);

ALTER TABLE ONLY app_public.users FORCE ROW LEVEL SECURITY;

--
-- Name: visible_documents(app_public.access_level, timestamp with time zone, uuid, integer); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.visible_documents(min_role app_public.access_level DEFAULT 'viewer'::app_public.access_level, before_created_at timestamp with time zone DEFAULT NULL::timestamp with time zone, before_id uuid DEFAULT NULL::uuid, max_rows integer DEFAULT 20) RETURNS SETOF app_public.documents
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_principals uuid[] := app_hidden.current_principals();
  v_limit int := least(greatest(coalesce(max_rows, 20), 1), 100);
begin
  return query
    with page as (
      select distinct c.document_id, c.document_created_at
      from unnest(v_principals) as p(subject_id)
      cross join lateral (
        select a.document_id, a.document_created_at
        from app_public.document_acl a
        where a.subject_id = p.subject_id
          and a.role >= coalesce(min_role, 'viewer')
          and (a.document_created_at, a.document_id)
            < (coalesce(before_created_at, 'infinity'), coalesce(before_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))
        order by a.document_created_at desc, a.document_id desc
        limit v_limit
      ) c
      order by c.document_created_at desc, c.document_id desc
      limit v_limit
    )
    select d.* from page join app_public.documents d on d.id = page.document_id
    order by page.document_created_at desc, page.document_id desc;
end;
$$;

--
-- Name: write_audit(text, text, text, jsonb, jsonb, jsonb); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.write_audit(p_event text, p_table text, p_target_id text, p_old jsonb, p_new jsonb, p_detail jsonb DEFAULT NULL::jsonb) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  insert into app_public.audit_log (actor_user_id, actor_session_id, actor_role, event, table_name, target_id, old_row, new_row, detail)
  values (app_hidden.claimed_user_id(), app_hidden.current_session_id(), current_setting('role'),
          p_event, p_table, p_target_id, app_private.strip_secrets(p_old), app_private.strip_secrets(p_new), p_detail)
$$;
