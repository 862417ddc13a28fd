--
-- PostgreSQL database dump
--

--
-- Name: COLUMN admin_user.banned_until; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.admin_user.banned_until IS 'End of the ban in force (NULL with is_banned: until unbanned).';

--
-- Name: COLUMN admin_user.factor_count; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.admin_user.factor_count IS 'Active second factors.';

--
-- Name: COLUMN admin_user.is_banned; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.admin_user.is_banned IS 'A ban is in force now (sign-in refused with BANND).';

--
-- Name: COLUMN admin_user.last_sign_in_at; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.admin_user.last_sign_in_at IS 'Start of the newest session that was not an impersonation.';

--
-- Name: COLUMN admin_user.providers; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.admin_user.providers IS 'Linked sign-in providers.';

--
-- Name: COLUMN admin_user.roles; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.admin_user.roles IS 'Live application roles (granted, domain rules, defaults).';

--
-- Name: COLUMN api_keys.created_at; Type: ACL; Schema: app_public; Owner: -
--

GRANT SELECT(created_at) ON TABLE app_public.api_keys TO app_user;

--
-- Name: COLUMN api_keys.expires_at; Type: ACL; Schema: app_public; Owner: -
--

GRANT SELECT(expires_at) ON TABLE app_public.api_keys TO app_user;

--
-- Name: COLUMN api_keys.id; Type: ACL; Schema: app_public; Owner: -
--

GRANT SELECT(id) ON TABLE app_public.api_keys TO app_user;

--
-- Name: COLUMN api_keys.last_used_at; Type: ACL; Schema: app_public; Owner: -
--

GRANT SELECT(last_used_at) ON TABLE app_public.api_keys TO app_user;

--
-- Name: COLUMN api_keys.name; Type: ACL; Schema: app_public; Owner: -
--

GRANT SELECT(name) ON TABLE app_public.api_keys TO app_user;

--
-- Name: COLUMN api_keys.permissions; Type: ACL; Schema: app_public; Owner: -
--

GRANT SELECT(permissions) ON TABLE app_public.api_keys TO app_user;

--
-- Name: COLUMN api_keys.permissions; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.api_keys.permissions IS 'What a request with this key may do: a subset of your permissions when it was created, intersected with your permissions now.';

--
-- Name: COLUMN api_keys.prefix; Type: ACL; Schema: app_public; Owner: -
--

GRANT SELECT(prefix) ON TABLE app_public.api_keys TO app_user;

--
-- Name: COLUMN api_keys.prefix; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.api_keys.prefix IS 'Public part of the key (`pga_<prefix>_...`), to recognise it.';

--
-- Name: COLUMN api_keys.revoked_at; Type: ACL; Schema: app_public; Owner: -
--

GRANT SELECT(revoked_at) ON TABLE app_public.api_keys TO app_user;

--
-- Name: COLUMN api_keys.session_id; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.api_keys.session_id IS '@behavior -*';

--
-- Name: COLUMN api_keys.user_id; Type: ACL; Schema: app_public; Owner: -
--

GRANT SELECT(user_id) ON TABLE app_public.api_keys TO app_user;

--
-- Name: COLUMN app_roles.db_role; Type: ACL; Schema: app_public; Owner: -
--

GRANT INSERT(db_role),UPDATE(db_role) ON TABLE app_public.app_roles TO admin;

--
-- Name: COLUMN app_roles.db_role; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.app_roles.db_role IS 'The database request role this application role implies.';

--
-- Name: COLUMN app_roles.description; Type: ACL; Schema: app_public; Owner: -
--

GRANT INSERT(description),UPDATE(description) ON TABLE app_public.app_roles TO admin;

--
-- Name: COLUMN app_roles.is_default; Type: ACL; Schema: app_public; Owner: -
--

GRANT INSERT(is_default),UPDATE(is_default) ON TABLE app_public.app_roles TO admin;

--
-- Name: COLUMN app_roles.is_default; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.app_roles.is_default IS 'Held implicitly by every enabled, non-bot user.';

--
-- Name: COLUMN app_roles.name; Type: ACL; Schema: app_public; Owner: -
--

GRANT INSERT(name) ON TABLE app_public.app_roles TO admin;

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

COMMENT ON COLUMN app_private.auth_config.account_lock_max IS 'Upper bound of one account lock (C7). Locks start at 1 minute and double while an attack goes on; they are never renewed by attempts made during the lock.';

--
-- Name: COLUMN auth_config.account_max_failures; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.account_max_failures IS 'Failed password checks of one account within failure_window that lock it (C6).';

--
-- Name: COLUMN auth_config.anonymous_max_per_ip; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.anonymous_max_per_ip IS 'Anonymous sign-ins one client address may make within register_window (RATEL beyond, Q4).';

--
-- Name: COLUMN auth_config.anonymous_sign_in_enabled; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.anonymous_sign_in_enabled IS 'signInAnonymously works only when true (Q4: off by default).';

--
-- Name: COLUMN auth_config.bcrypt_cost; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.bcrypt_cost IS 'bcrypt cost of new hashes, and of the dummy check for unknown accounts; lower hashes are upgraded on the next login (C1).';

--
-- Name: COLUMN auth_config.claims_hook; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.claims_hook IS 'A function (uuid, uuid, jsonb) returning jsonb, called when an access token is issued to add claims (reserved ones refused: O3); NULL for none. For Hasura: app_private.hasura_claims(uuid, uuid, jsonb).';

--
-- Name: COLUMN auth_config.device_authorize_max_per_ip; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.device_authorize_max_per_ip IS 'Device authorizations one client address may start per hour (the device gets 429 slow_down beyond).';

--
-- Name: COLUMN auth_config.device_code_ttl; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.device_code_ttl IS 'Lifetime of a device authorization (device code and user code), RFC 8628 expires_in (Q3).';

--
-- Name: COLUMN auth_config.device_failure_window; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.device_failure_window IS 'Window of the user-code guessing limits.';

--
-- Name: COLUMN auth_config.device_poll_interval; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.device_poll_interval IS 'Seconds a device waits between polls (RFC 8628 interval); polling sooner adds 5 s (slow_down).';

--
-- Name: COLUMN auth_config.device_user_code_max_failures; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.device_user_code_max_failures IS 'Wrong user codes one user may enter within device_failure_window before RATEL (Q3).';

--
-- Name: COLUMN auth_config.device_user_code_max_failures_per_ip; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.device_user_code_max_failures_per_ip IS 'Wrong user codes one client address may enter within device_failure_window before RATEL (Q3).';

--
-- Name: COLUMN auth_config.email_change_ttl; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.email_change_ttl IS 'Lifetime of an email-change confirmation token (M1).';

--
-- Name: COLUMN auth_config.email_code_max_attempts; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.email_code_max_attempts IS 'Tries of one 6-digit sign-in code; the code dies at the last wrong one (M5).';

--
-- Name: COLUMN auth_config.email_code_max_failures; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.email_code_max_failures IS 'Wrong sign-in codes per account within email_request_window before RATEL (M5).';

--
-- Name: COLUMN auth_config.email_code_secret; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.email_code_secret IS 'HMAC key of stored sign-in codes (a 6-digit code hashed alone would be read back from its hash).';

--
-- Name: COLUMN auth_config.email_mail_max_attempts; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.email_mail_max_attempts IS 'Delivery attempts of one mail job (graphile-worker backs off exponentially).';

--
-- Name: COLUMN auth_config.email_request_max_per_address; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.email_request_max_per_address IS 'Reset, sign-in and email-change requests per target address (known or not) within email_request_window; RATEL beyond (M5).';

--
-- Name: COLUMN auth_config.email_request_max_per_ip; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.email_request_max_per_ip IS 'Email requests and wrong codes per client address within email_request_window (M5).';

--
-- Name: COLUMN auth_config.email_request_window; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.email_request_window IS 'Window of every email limit (requests, resends, code failures).';

--
-- Name: COLUMN auth_config.email_resend_interval; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.email_resend_interval IS 'Least time between two resent verification mails (M5).';

--
-- Name: COLUMN auth_config.email_resend_max; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.email_resend_max IS 'Verification mails one account may ask for again within email_request_window (M5).';

--
-- Name: COLUMN auth_config.email_reset_ttl; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.email_reset_ttl IS 'Lifetime of a password-reset token (M1).';

--
-- Name: COLUMN auth_config.email_sign_in_ttl; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.email_sign_in_ttl IS 'Lifetime of a sign-in link and its 6-digit code (M1).';

--
-- Name: COLUMN auth_config.email_verification_required; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.email_verification_required IS 'When true, an account whose email is unverified can sign in only to verify it: current_user_id() is NULL for it (it sees what anonymous sees), and only resendVerificationEmail, verifyEmail, changeEmail, refresh and logout work.';

--
-- Name: COLUMN auth_config.email_verify_ttl; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.email_verify_ttl IS 'Lifetime of an email-verification token (M1).';

--
-- Name: COLUMN auth_config.failure_window; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.failure_window IS 'Window in which failures are counted, per account and per address; also how soon a new lock counts as the same attack (and so lasts longer).';

--
-- Name: COLUMN auth_config.impersonation_ttl; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.impersonation_ttl IS 'Lifetime of an impersonation session (impersonateUser); its refresh token ends with it.';

--
-- Name: COLUMN auth_config.ip_max_failures; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.ip_max_failures IS 'Failed logins per client address within failure_window before the address gets RATEL (C6).';

--
-- Name: COLUMN auth_config.max_sessions_per_user; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.max_sessions_per_user IS 'Live sessions per user; signing in again evicts the oldest beyond this.';

--
-- Name: COLUMN auth_config.mfa_challenge_ttl; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.mfa_challenge_ttl IS 'How long after a first-factor sign-in the second factor may be given (N5).';

--
-- Name: COLUMN auth_config.mfa_max_factor_failures; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.mfa_max_factor_failures IS 'Failed verifications per factor within mfa_failure_window before the factor is refused (N3).';

--
-- Name: COLUMN auth_config.mfa_max_user_failures; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.mfa_max_user_failures IS 'Failed verifications per account (all factors and recovery codes) within mfa_failure_window (N3).';

--
-- Name: COLUMN auth_config.mfa_required_roles; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.mfa_required_roles IS 'Roles (database roles such as admin, or app role names) whose users must use a second factor: without one they sign in limited to enrolling one.';

--
-- Name: COLUMN auth_config.password_check_common; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.password_check_common IS 'Refuse passwords in app_private.common_passwords.';

--
-- Name: COLUMN auth_config.password_check_personal; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.password_check_personal IS 'Refuse passwords containing the email or the name, or equal to the local part of the address.';

--
-- Name: COLUMN auth_config.password_history; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.password_history IS 'A new password may not equal any of the last N (the current one included); 0: off. Each costs one bcrypt check when a password is set.';

--
-- Name: COLUMN auth_config.password_max_age; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.password_max_age IS 'Opt-in expiry: a password older than this stops signing in (reset by email); NULL (NIST default): never.';

--
-- Name: COLUMN auth_config.password_max_length; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.password_max_length IS 'Longest accepted password in characters (64..1024; NIST: at least 64).';

--
-- Name: COLUMN auth_config.password_min_classes; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.password_min_classes IS 'Opt-in composition rule: character classes (lower, upper, digit, other) required; 0 (NIST default): none.';

--
-- Name: COLUMN auth_config.password_min_length; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.password_min_length IS 'Shortest accepted password, in characters (never under 8); checked by register and change_password.';

--
-- Name: COLUMN auth_config.refresh_grace; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.refresh_grace IS 'How long the immediate predecessor of a refresh token still answers (with the same successor).';

--
-- Name: COLUMN auth_config.refresh_secret; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.refresh_secret IS 'HMAC key deriving each rotated refresh token from its parent (F3). Changing it breaks only retries inside refresh_grace.';

--
-- Name: COLUMN auth_config.register_max_global; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.register_max_global IS 'Accounts everyone together may register within register_window: a ceiling on bcrypt work and sign-up floods.';

--
-- Name: COLUMN auth_config.register_max_per_ip; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.register_max_per_ip IS 'Accounts one client address may register within register_window (RATEL beyond).';

--
-- Name: COLUMN auth_config.register_window; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.register_window IS 'Window of the registration limits.';

--
-- Name: COLUMN auth_config.session_absolute; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.session_absolute IS 'Absolute lifetime of a session, however often it is refreshed (D7).';

--
-- Name: COLUMN auth_config.session_idle; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.session_idle IS 'Lifetime of each refresh token: a session unused for this long ends (D7).';

--
-- Name: COLUMN auth_config.sms_max_global; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.sms_max_global IS 'SMS sent by the whole system per sms_window (toll-fraud brake, N9); also sms_max_per_number and sms_max_per_user.';

--
-- Name: COLUMN auth_config.trusted_device_ttl; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.auth_config.trusted_device_ttl IS 'How long a trusted device skips the second factor (N10).';

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
-- Name: COLUMN email_tokens.code_hash; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.email_tokens.code_hash IS 'sign_in only: HMAC-SHA256(email_code_secret, id || code) of the 6-digit code.';

--
-- Name: COLUMN email_tokens.email; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.email_tokens.email IS 'The address it was mailed to: verification proves this address (and only while it is still the user''s); email change switches to it.';

--
-- Name: COLUMN groups.name; Type: ACL; Schema: app_public; Owner: -
--

GRANT INSERT(name),UPDATE(name) ON TABLE app_public.groups TO app_user;

--
-- Name: COLUMN mfa_factor_info.kind; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.mfa_factor_info.kind IS 'totp, sms or webauthn.';

--
-- Name: COLUMN mfa_factor_info.phone_hint; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.mfa_factor_info.phone_hint IS 'For a phone: its last two digits.';

--
-- Name: COLUMN mfa_factor_info.status; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.mfa_factor_info.status IS 'unverified (enrolment not finished) or active.';

--
-- Name: COLUMN native_codes.used_at; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.native_codes.used_at IS 'When the code was presented: any second presentation revokes the session (RFC 6749 4.1.2).';

--
-- Name: COLUMN permissions.description; Type: ACL; Schema: app_public; Owner: -
--

GRANT INSERT(description),UPDATE(description) ON TABLE app_public.permissions TO admin;

--
-- Name: COLUMN permissions.name; Type: ACL; Schema: app_public; Owner: -
--

GRANT INSERT(name) ON TABLE app_public.permissions TO admin;

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
-- Name: COLUMN role_permissions.permission; Type: ACL; Schema: app_public; Owner: -
--

GRANT INSERT(permission) ON TABLE app_public.role_permissions TO admin;

--
-- Name: COLUMN role_permissions.role; Type: ACL; Schema: app_public; Owner: -
--

GRANT INSERT(role) ON TABLE app_public.role_permissions TO admin;

--
-- Name: COLUMN sessions.aal; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.sessions.aal IS 'Authentication assurance level reached by this session: aal1 (one factor) or aal2 (a second factor, or a passkey with user verification).';

--
-- Name: COLUMN sessions.actor_id; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.sessions.actor_id IS 'When an admin impersonates the user: the admin (RFC 8693 act claim).';

--
-- Name: COLUMN sessions.amr; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.sessions.amr IS 'Authentication methods used (RFC 8176 values: pwd, otp, sms, hwk, swk, mfa, ...), in the order used.';

--
-- Name: COLUMN sessions.mfa_pending; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.sessions.mfa_pending IS 'Signed in with the first factor only, by a user who needs a second: the session can only complete MFA or sign out (current_user_id() is NULL) until created_at + mfa_challenge_ttl.';

--
-- Name: COLUMN sessions.mfa_verified_at; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.sessions.mfa_verified_at IS 'When a second factor was last verified in this session (step-up).';

--
-- Name: COLUMN sessions.trusted_device_id; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.sessions.trusted_device_id IS 'The trusted device this session signed in with or trusted (myTrustedDevices.isCurrent); NULL otherwise.';

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

COMMENT ON COLUMN app_public.user_identities.email IS 'The email the provider reported as verified (the edge passes no other); never used to link accounts. Equal to the user''s email, it verifies that email.';

--
-- Name: COLUMN user_identity_tokens.refresh_lease_until; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.user_identity_tokens.refresh_lease_until IS 'While in the future, one server instance is refreshing this token; others skip it.';

--
-- Name: COLUMN user_roles.expires_at; Type: ACL; Schema: app_public; Owner: -
--

GRANT INSERT(expires_at),UPDATE(expires_at) ON TABLE app_public.user_roles TO admin;

--
-- Name: COLUMN user_roles.role; Type: ACL; Schema: app_public; Owner: -
--

GRANT INSERT(role) ON TABLE app_public.user_roles TO admin;

--
-- Name: COLUMN user_roles.user_id; Type: ACL; Schema: app_public; Owner: -
--

GRANT INSERT(user_id) ON TABLE app_public.user_roles TO admin;

--
-- Name: COLUMN user_secrets.failed_attempts; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.user_secrets.failed_attempts IS 'Failed checks since first_failed_at (reset by a lock or a success).';

--
-- Name: COLUMN user_secrets.locked_until; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.user_secrets.locked_until IS 'While in the future, every password check of this account answers RATEL (C7).';

--
-- Name: COLUMN user_secrets.lockouts; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.user_secrets.lockouts IS 'Consecutive locks of the current attack: each lasts twice the previous, at most account_lock_max.';

--
-- Name: COLUMN user_secrets.password_scheme; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.user_secrets.password_scheme IS 'How the password was fed to bcrypt: 1 = as typed, SHA-256 over 72 bytes (legacy); 2 = HMAC-SHA256 pre-hash (C2).';

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

COMMENT ON COLUMN app_public.users.email IS 'Unique, case-insensitive sign-in address; NULL only for an anonymous user (is_anonymous).';

--
-- Name: COLUMN users.email_verified_at; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.users.email_verified_at IS 'When the current email was verified (a provider''s verified claim or an email token); NULL for unverified. Cleared when the email changes. Only verified emails match role_domain_rules.';

--
-- Name: COLUMN users.is_anonymous; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.users.is_anonymous IS 'Signed in anonymously (no credential yet); linking one keeps the id and clears this.';

--
-- Name: COLUMN users.is_bot; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.users.is_bot IS 'A service account: gets the bot role, never a human role.';

--
-- Name: COLUMN webauthn_credentials.device_type; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.webauthn_credentials.device_type IS 'singleDevice (bound to one authenticator: amr hwk) or multiDevice (a synced passkey: amr swk).';

--
-- Name: COLUMN webauthn_credentials.sign_count; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON COLUMN app_private.webauthn_credentials.sign_count IS 'The authenticator''s signature counter at its last use; a sign-in that does not move it forward (both zero excepted) is refused and audited (N8).';

--
-- Name: COLUMN webhook_attempts.attempted_at; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.webhook_attempts.attempted_at IS 'When the attempt finished.';

--
-- Name: COLUMN webhook_attempts.error; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.webhook_attempts.error IS 'Why it failed, NULL on success.';

--
-- Name: COLUMN webhook_attempts.response_status; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.webhook_attempts.response_status IS 'HTTP status answered (NULL when none).';

--
-- Name: COLUMN webhook_deliveries.attempts; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.webhook_deliveries.attempts IS 'Attempts made so far.';

--
-- Name: COLUMN webhook_deliveries.delivered_at; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.webhook_deliveries.delivered_at IS 'When a 2xx answer came.';

--
-- Name: COLUMN webhook_deliveries.event_id; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.webhook_deliveries.event_id IS '@behavior -*
The event (its id is the webhook-id header).';

--
-- Name: COLUMN webhook_deliveries.event_type; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.webhook_deliveries.event_type IS 'The event type (user.created, ...).';

--
-- Name: COLUMN webhook_deliveries.last_error; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.webhook_deliveries.last_error IS 'Why the last attempt failed (timeout, refused address, HTTP status).';

--
-- Name: COLUMN webhook_deliveries.last_response_status; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.webhook_deliveries.last_response_status IS 'HTTP status of the last attempt (NULL when no answer came).';

--
-- Name: COLUMN webhook_deliveries.next_attempt_at; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.webhook_deliveries.next_attempt_at IS 'When the next attempt is due (NULL once delivered or failed).';

--
-- Name: COLUMN webhook_deliveries.status; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.webhook_deliveries.status IS 'pending (an attempt is due at next_attempt_at), delivered (a 2xx answer) or failed (attempts exhausted).';

--
-- Name: COLUMN webhook_endpoints.created_at; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.webhook_endpoints.created_at IS 'When it was created.';

--
-- Name: COLUMN webhook_endpoints.created_by; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.webhook_endpoints.created_by IS 'The admin who created it (NULL when created by the CLI).';

--
-- Name: COLUMN webhook_endpoints.description; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.webhook_endpoints.description IS 'What the endpoint is for.';

--
-- Name: COLUMN webhook_endpoints.enabled; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.webhook_endpoints.enabled IS 'Events are queued for enabled endpoints only.';

--
-- Name: COLUMN webhook_endpoints.event_types; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.webhook_endpoints.event_types IS 'Event types sent to this endpoint (user.created, session.revoked, ...); empty means all.';

--
-- Name: COLUMN webhook_endpoints.url; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON COLUMN app_public.webhook_endpoints.url IS 'https URL the events are POSTed to; refused when it resolves to a loopback, link-local or private address (O5).';

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
-- Name: FUNCTION activate_factor(p_s app_private.sessions, p_factor uuid, p_method text); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.activate_factor(p_s app_private.sessions, p_factor uuid, p_method text) FROM PUBLIC;

--
-- Name: FUNCTION add_service_secret(p_client_id text, p_expires_at timestamp with time zone); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.add_service_secret(p_client_id text, p_expires_at timestamp with time zone) FROM PUBLIC;

--
-- Name: FUNCTION add_service_secret(p_client_id text, p_expires_at timestamp with time zone); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.add_service_secret(p_client_id text, p_expires_at timestamp with time zone) IS 'Owner only: a new client secret (returned once); the oldest beyond two live ones is revoked with its sessions.';

--
-- Name: FUNCTION add_webhook_endpoint(p_url text, p_event_types text[], p_description text, p_created_by uuid); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.add_webhook_endpoint(p_url text, p_event_types text[], p_description text, p_created_by uuid) FROM PUBLIC;

--
-- Name: FUNCTION add_webhook_endpoint(p_url text, p_event_types text[], p_description text, p_created_by uuid); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.add_webhook_endpoint(p_url text, p_event_types text[], p_description text, p_created_by uuid) IS 'Creates an endpoint with a new whsec_ secret (256 random bits), returned this once. Owner only (the edge function and the CLI call it after the SSRF check).';

--
-- Name: FUNCTION admin_actor(p_permission text, p_target uuid); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.admin_actor(p_permission text, p_target uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.admin_actor(p_permission text, p_target uuid) TO app_user;

--
-- Name: FUNCTION admin_actor(p_permission text, p_target uuid); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.admin_actor(p_permission text, p_target uuid) IS 'O4 gate of every admin operation: the acting admin (NULL for the ops CLI). LOGIN without a live session, DNIED without the permission, NTFND for a missing target, OUTRK when the target''s role is equal to or higher than yours.';

--
-- Name: FUNCTION admin_audit(p_event text, p_target uuid, p_detail jsonb); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.admin_audit(p_event text, p_target uuid, p_detail jsonb) FROM PUBLIC;

--
-- Name: FUNCTION admin_audit(p_event text, p_target uuid, p_detail jsonb); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.admin_audit(p_event text, p_target uuid, p_detail jsonb) IS 'Appends an admin event about a user to audit_log, actor_role `cli` for the ops CLI.';

--
-- Name: FUNCTION admin_audit_log(user_id uuid, event text, success boolean, since timestamp with time zone, until timestamp with time zone, before_id bigint, max_rows integer); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.admin_audit_log(user_id uuid, event text, success boolean, since timestamp with time zone, until timestamp with time zone, before_id bigint, max_rows integer) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.admin_audit_log(user_id uuid, event text, success boolean, since timestamp with time zone, until timestamp with time zone, before_id bigint, max_rows integer) TO app_user;

--
-- Name: FUNCTION admin_audit_log(user_id uuid, event text, success boolean, since timestamp with time zone, until timestamp with time zone, before_id bigint, max_rows integer); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.admin_audit_log(user_id uuid, event text, success boolean, since timestamp with time zone, until timestamp with time zone, before_id bigint, max_rows integer) IS 'Admin: audit rows newest first, by or about a user, of an event, successful or not (failed, rejected, denied, limited, reuse, locked, expired events are failures), in [since, until). Keyset pages: pass the last row''s id as beforeId; at most 100. Runs under the audit log''s RLS as you; needs admin:audit.';

--
-- Name: FUNCTION admin_delete_user(user_id uuid); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.admin_delete_user(user_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.admin_delete_user(user_id uuid) TO app_user;

--
-- Name: FUNCTION admin_delete_user(user_id uuid); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.admin_delete_user(user_id uuid) IS 'Admin: delete a user''s personal data: credentials, providers, factors, keys, roles, memberships and sessions go; the row stays anonymised and disabled (email deleted-<id>@deleted.invalid) so audit rows keep the id. Needs admin:delete.';

--
-- Name: FUNCTION admin_delete_webhook_endpoint(id uuid); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.admin_delete_webhook_endpoint(id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.admin_delete_webhook_endpoint(id uuid) TO admin;

--
-- Name: FUNCTION admin_delete_webhook_endpoint(id uuid); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.admin_delete_webhook_endpoint(id uuid) IS 'Admins: deletes a webhook endpoint with its secret and deliveries; nothing more is sent to it.';

--
-- Name: FUNCTION admin_reset_mfa(user_id uuid); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.admin_reset_mfa(user_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.admin_reset_mfa(user_id uuid) TO app_user;

--
-- Name: FUNCTION admin_reset_mfa(user_id uuid); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.admin_reset_mfa(user_id uuid) IS 'Admin: remove every second factor of a user, with their recovery codes and trusted devices (they sign in with one factor and may enrol again). Needs admin:mfa.';

--
-- Name: FUNCTION admin_retry_webhook_delivery(id uuid); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.admin_retry_webhook_delivery(id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.admin_retry_webhook_delivery(id uuid) TO admin;

--
-- Name: FUNCTION admin_retry_webhook_delivery(id uuid); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.admin_retry_webhook_delivery(id uuid) IS 'Admins: queues a failed or waiting webhook delivery for an attempt now.';

--
-- Name: FUNCTION admin_revoke_sessions(user_id uuid); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.admin_revoke_sessions(user_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.admin_revoke_sessions(user_id uuid) TO app_user;

--
-- Name: FUNCTION admin_revoke_sessions(user_id uuid); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.admin_revoke_sessions(user_id uuid) IS 'Admin: end every session of a user (API keys included) from their next request; returns how many. Needs admin:sessions.';

--
-- Name: FUNCTION admin_set_roles(user_id uuid, roles text[]); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.admin_set_roles(user_id uuid, roles text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.admin_set_roles(user_id uuid, roles text[]) TO app_user;

--
-- Name: FUNCTION admin_set_roles(user_id uuid, roles text[]); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.admin_set_roles(user_id uuid, roles text[]) IS 'Admin: set exactly the application roles granted to a user (default roles and domain rules still apply). Never on an equal or higher role, never a role above your own (OUTRK). Needs admin:roles.';

--
-- Name: FUNCTION admin_unlink_identity(user_id uuid, provider text, force boolean, reason text); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.admin_unlink_identity(user_id uuid, provider text, force boolean, reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.admin_unlink_identity(user_id uuid, provider text, force boolean, reason text) TO app_user;

--
-- Name: FUNCTION admin_unlink_identity(user_id uuid, provider text, force boolean, reason text); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.admin_unlink_identity(user_id uuid, provider text, force boolean, reason text) IS 'Admin: unlink a user''s sign-in provider. Refused (LASTM) when it is their last way to sign in, unless force with a reason (REASN without one). Needs admin:identities.';

--
-- Name: FUNCTION admin_user(id uuid); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.admin_user(id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.admin_user(id uuid) TO app_user;

--
-- Name: FUNCTION admin_user(id uuid); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.admin_user(id uuid) IS 'Admin: one user with live sessions, linked providers and the latest 20 audit rows about or by them. Needs admin:read.';

--
-- Name: FUNCTION admin_user_row(p_user uuid); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.admin_user_row(p_user uuid) FROM PUBLIC;

--
-- Name: FUNCTION admin_user_row(p_user uuid); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.admin_user_row(p_user uuid) IS 'The admin_user view of one user.';

--
-- Name: FUNCTION admin_users(search text, role text, banned boolean, verified boolean, disabled boolean, before_created_at timestamp with time zone, before_id uuid, max_rows integer); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.admin_users(search text, role text, banned boolean, verified boolean, disabled boolean, before_created_at timestamp with time zone, before_id uuid, max_rows integer) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.admin_users(search text, role text, banned boolean, verified boolean, disabled boolean, before_created_at timestamp with time zone, before_id uuid, max_rows integer) TO app_user;

--
-- Name: FUNCTION admin_users(search text, role text, banned boolean, verified boolean, disabled boolean, before_created_at timestamp with time zone, before_id uuid, max_rows integer); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.admin_users(search text, role text, banned boolean, verified boolean, disabled boolean, before_created_at timestamp with time zone, before_id uuid, max_rows integer) IS 'Admin: users newest first. search matches email or name (case-insensitive substring); role, banned, verified, disabled filter. Keyset pages: pass the last row''s createdAt/id as beforeCreatedAt/beforeId; at most 100 rows. Needs admin:read.';

--
-- Name: FUNCTION admin_webhook_deliveries(endpoint_id uuid, failed_only boolean); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.admin_webhook_deliveries(endpoint_id uuid, failed_only boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.admin_webhook_deliveries(endpoint_id uuid, failed_only boolean) TO admin;

--
-- Name: FUNCTION admin_webhook_deliveries(endpoint_id uuid, failed_only boolean); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.admin_webhook_deliveries(endpoint_id uuid, failed_only boolean) IS 'Admins: webhook deliveries, newest first, of one endpoint or all; failedOnly keeps those that failed at least once.';

--
-- Name: FUNCTION admin_webhook_endpoints(); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.admin_webhook_endpoints() FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.admin_webhook_endpoints() TO admin;

--
-- Name: FUNCTION admin_webhook_endpoints(); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.admin_webhook_endpoints() IS 'Admins: every webhook endpoint (never its secret), newest first.';

--
-- Name: FUNCTION after_failure(p_failed_attempts integer, p_first_failed_at timestamp with time zone, p_locked_until timestamp with time zone, p_lockouts integer, c app_private.auth_config); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.after_failure(p_failed_attempts integer, p_first_failed_at timestamp with time zone, p_locked_until timestamp with time zone, p_lockouts integer, c app_private.auth_config) FROM PUBLIC;

--
-- Name: FUNCTION after_failure(p_failed_attempts integer, p_first_failed_at timestamp with time zone, p_locked_until timestamp with time zone, p_lockouts integer, c app_private.auth_config); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.after_failure(p_failed_attempts integer, p_first_failed_at timestamp with time zone, p_locked_until timestamp with time zone, p_lockouts integer, c app_private.auth_config) IS 'Counts a failure; at account_max_failures locks for 1 minute, doubling per consecutive lock, at most account_lock_max.';

--
-- Name: FUNCTION approve_device(p_user_code text, p_approve boolean, p_ip inet); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.approve_device(p_user_code text, p_approve boolean, p_ip inet) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.approve_device(p_user_code text, p_approve boolean, p_ip inet) TO auth_edge;

--
-- Name: FUNCTION approve_device(p_user_code text, p_approve boolean, p_ip inet); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.approve_device(p_user_code text, p_approve boolean, p_ip inet) IS 'Edge only: the signed-in caller approves (or, with p_approve false, denies) the device authorization of a user code; error LOGIN, DNIED, RATEL or DVCOD (Q3).';

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
-- Name: FUNCTION assert_aal2_if_factor(p_user uuid); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.assert_aal2_if_factor(p_user uuid) FROM PUBLIC;

--
-- Name: FUNCTION assert_aal2_if_factor(p_user uuid); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.assert_aal2_if_factor(p_user uuid) IS 'Raises MFARQ when the user has an active factor and the live session is not aal2 (step-up, N6).';

--
-- Name: FUNCTION assert_can_sign_in(p_user uuid); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.assert_can_sign_in(p_user uuid) FROM PUBLIC;

--
-- Name: FUNCTION assert_can_sign_in(p_user uuid); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.assert_can_sign_in(p_user uuid) IS 'Raises BANND while the user is banned (app_private.user_bans); called by start_session for every sign-in path.';

--
-- Name: FUNCTION assert_may_enroll(p_s app_private.sessions); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.assert_may_enroll(p_s app_private.sessions) FROM PUBLIC;

--
-- Name: FUNCTION assert_may_enroll(p_s app_private.sessions); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.assert_may_enroll(p_s app_private.sessions) IS 'MFARQ unless the session is aal2 or the user has no active factor; LOGIN without a live session.';

--
-- Name: FUNCTION assert_owner_change_allowed(p_document_id uuid, p_subject_id uuid, p_existing app_public.access_level, p_new app_public.access_level, p_me uuid); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.assert_owner_change_allowed(p_document_id uuid, p_subject_id uuid, p_existing app_public.access_level, p_new app_public.access_level, p_me uuid) FROM PUBLIC;

--
-- Name: FUNCTION assert_owner_change_allowed(p_document_id uuid, p_subject_id uuid, p_existing app_public.access_level, p_new app_public.access_level, p_me uuid); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.assert_owner_change_allowed(p_document_id uuid, p_subject_id uuid, p_existing app_public.access_level, p_new app_public.access_level, p_me uuid) IS 'The owner rule of share/unshare: the creator stays owner (LASTO); only the creator or the owner themself ends another ownership (DNIED); never the last owner (LASTO).';

--
-- Name: FUNCTION assert_password_ok(p_password text); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.assert_password_ok(p_password text) FROM PUBLIC;

--
-- Name: FUNCTION assert_password_ok(p_password text); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.assert_password_ok(p_password text) IS 'The account-free password rules (length, common list, composition); raises WEAKP with the rule as DETAIL.';

--
-- Name: FUNCTION assert_password_policy(p_password text, p_user uuid, p_email text, p_name text); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.assert_password_policy(p_password text, p_user uuid, p_email text, p_name text) FROM PUBLIC;

--
-- Name: FUNCTION assert_password_policy(p_password text, p_user uuid, p_email text, p_name text); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.assert_password_policy(p_password text, p_user uuid, p_email text, p_name text) IS 'Raises WEAKP (DETAIL: the rule) unless the password passes every rule of the policy for this account.';

--
-- Name: FUNCTION assert_webhook_admin(); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.assert_webhook_admin() FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.assert_webhook_admin() TO admin;

--
-- Name: FUNCTION assert_webhook_admin(); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.assert_webhook_admin() IS 'LOGIN without a live session, DNIED unless the caller is an admin holding admin:webhooks (within an API key''s scope).';

--
-- Name: FUNCTION attempt_limited(p_key text, p_max integer, p_window interval); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.attempt_limited(p_key text, p_max integer, p_window interval) FROM PUBLIC;

--
-- Name: FUNCTION attempt_limited(p_key text, p_max integer, p_window interval); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.attempt_limited(p_key text, p_max integer, p_window interval) IS 'Counts a hit on a fixed-window counter; true when it exceeds p_max within p_window.';

--
-- Name: FUNCTION attempt_over(p_key text, p_max integer, p_window interval); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.attempt_over(p_key text, p_max integer, p_window interval) FROM PUBLIC;

--
-- Name: FUNCTION attempt_over(p_key text, p_max integer, p_window interval); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.attempt_over(p_key text, p_max integer, p_window interval) IS 'True when the counter p_key already holds p_max hits within p_window.';

--
-- Name: FUNCTION auth_decoy(); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.auth_decoy() FROM PUBLIC;

--
-- Name: FUNCTION auth_decoy(); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.auth_decoy() IS 'What register answers for a taken address: the shape of a new session (new user, role app_user) whose ids and refresh token exist nowhere (M2).';

--
-- Name: FUNCTION auth_error(p_code text); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.auth_error(p_code text) FROM PUBLIC;

--
-- Name: FUNCTION auth_error(p_code text); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.auth_error(p_code text) IS 'A failed auth_result carrying only a registered error code (CREDS, RATEL, TOKEN, REUSE, MFAIN, MFAEX, ...).';

--
-- Name: FUNCTION auth_ok(p_user_id uuid, p_session_id uuid, p_refresh_token text, p_session_expires_at timestamp with time zone); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.auth_ok(p_user_id uuid, p_session_id uuid, p_refresh_token text, p_session_expires_at timestamp with time zone) FROM PUBLIC;

--
-- Name: FUNCTION auth_ok(p_user_id uuid, p_session_id uuid, p_refresh_token text, p_session_expires_at timestamp with time zone); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.auth_ok(p_user_id uuid, p_session_id uuid, p_refresh_token text, p_session_expires_at timestamp with time zone) IS 'A successful auth_result: the session, its refresh token and the role the user is entitled to now; for a session pending MFA, mfa_required, the active factors and the base role app_user.';

--
-- Name: FUNCTION ban_user(user_id uuid, reason text, until timestamp with time zone); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.ban_user(user_id uuid, reason text, until timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.ban_user(user_id uuid, reason text, until timestamp with time zone) TO app_user;

--
-- Name: FUNCTION ban_user(user_id uuid, reason text, until timestamp with time zone); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.ban_user(user_id uuid, reason text, until timestamp with time zone) IS 'Admin: ban a user until a time (NULL: until unbanned) with a reason; every session ends now and sign-in is refused (BANND). Needs admin:ban; never on an equal or higher role (OUTRK).';

--
-- Name: FUNCTION base64url(p bytea); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.base64url(p bytea) FROM PUBLIC;

--
-- Name: FUNCTION base64url(p bytea); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.base64url(p bytea) IS 'Unpadded base64url, as WebAuthn writes credential ids and challenges.';

--
-- Name: FUNCTION bcrypt_cost_of(p_hash text); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.bcrypt_cost_of(p_hash text) FROM PUBLIC;

--
-- Name: FUNCTION bcrypt_cost_of(p_hash text); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.bcrypt_cost_of(p_hash text) IS 'The cost factor recorded in a bcrypt hash.';

--
-- Name: FUNCTION change_email(p_new_email text, p_password text, p_ip inet); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.change_email(p_new_email text, p_password text, p_ip inet) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.change_email(p_new_email text, p_password text, p_ip inet) TO auth_edge;

--
-- Name: FUNCTION change_email(p_new_email text, p_password text, p_ip inet); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.change_email(p_new_email text, p_password text, p_ip inet) IS 'Asks to change your email: the new address gets a confirmation link, the old one a notice (M6). Returns NULL, CREDS (wrong password, counted like a failed login) or RATEL; raises LOGIN, EMAIL, MFARQ (a factor and no aal2 session: step-up).';

--
-- Name: FUNCTION change_password(p_old text, p_new text); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.change_password(p_old text, p_new text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.change_password(p_old text, p_new text) TO app_user;
GRANT ALL ON FUNCTION app_hidden.change_password(p_old text, p_new text) TO bot;

--
-- Name: FUNCTION change_password(p_old text, p_new text); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.change_password(p_old text, p_new text) IS 'Changes your password given the current one; false (committed as a failure) when it is wrong. Errors: LOGIN, WEAKP, RATEL (account locked), MFARQ (a factor and no aal2 session: step-up).';

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
-- Name: FUNCTION client_credentials_token(p_client_id text, p_secret text, p_ip inet, p_ttl_seconds integer); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.client_credentials_token(p_client_id text, p_secret text, p_ip inet, p_ttl_seconds integer) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.client_credentials_token(p_client_id text, p_secret text, p_ip inet, p_ttl_seconds integer) TO auth_edge;

--
-- Name: FUNCTION client_credentials_token(p_client_id text, p_secret text, p_ip inet, p_ttl_seconds integer); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.client_credentials_token(p_client_id text, p_secret text, p_ip inet, p_ttl_seconds integer) IS 'Edge only: the bot user and a new short session for a valid client id and secret, or error invalid_client / limited (counted per client and per address).';

--
-- Name: FUNCTION complete_mfa(p_session_id uuid, p_method text); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.complete_mfa(p_session_id uuid, p_method text) FROM PUBLIC;

--
-- Name: FUNCTION complete_mfa(p_session_id uuid, p_method text); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.complete_mfa(p_session_id uuid, p_method text) IS 'After a verified second factor (p_method: otp, sms, hwk, swk, ...): a live session pending MFA (within mfa_challenge_ttl: else MFAEX) or doing step-up becomes aal2 with p_method and mfa in amr, its refresh token is rotated, and auth_ok is returned so the edge issues new tokens. LOGIN when the session is not live.';

--
-- Name: FUNCTION confirm_email_change(p_token text, p_ip inet); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.confirm_email_change(p_token text, p_ip inet) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.confirm_email_change(p_token text, p_ip inet) TO auth_edge;

--
-- Name: FUNCTION confirm_email_change(p_token text, p_ip inet); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.confirm_email_change(p_token text, p_ip inet) IS 'Switches your email to the address a change token was mailed to, verified; the old address gets a notice and its tokens die (M6). Returns NULL or EMTOK; raises EMTKN when the address was taken meanwhile.';

--
-- Name: FUNCTION create_api_key(name text, permissions text[], expires_at timestamp with time zone); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.create_api_key(name text, permissions text[], expires_at timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.create_api_key(name text, permissions text[], expires_at timestamp with time zone) TO app_user;

--
-- Name: FUNCTION create_api_key(name text, permissions text[], expires_at timestamp with time zone); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.create_api_key(name text, permissions text[], expires_at timestamp with time zone) IS 'Creates a personal API key limited to `permissions` (each one you hold now), optionally expiring. The key (`pga_<prefix>_<secret>`) is returned this once. Not callable with an API key.';

--
-- Name: FUNCTION create_service_account(p_name text, p_expires_at timestamp with time zone); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.create_service_account(p_name text, p_expires_at timestamp with time zone) FROM PUBLIC;

--
-- Name: FUNCTION create_service_account(p_name text, p_expires_at timestamp with time zone); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.create_service_account(p_name text, p_expires_at timestamp with time zone) IS 'Owner only: a bot user with a client id and a first secret (returned once).';

--
-- Name: FUNCTION create_webhook_endpoint(p_url text, p_event_types text[], p_description text); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.create_webhook_endpoint(p_url text, p_event_types text[], p_description text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.create_webhook_endpoint(p_url text, p_event_types text[], p_description text) TO auth_edge;

--
-- Name: FUNCTION create_webhook_endpoint(p_url text, p_event_types text[], p_description text); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.create_webhook_endpoint(p_url text, p_event_types text[], p_description text) IS 'adminCreateWebhookEndpoint: an admin creates an endpoint (the edge has checked its URL); returns its id and its secret, shown once.';

--
-- Name: FUNCTION crypt(text, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.crypt(text, text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.crypt(text, text) TO pgauth_owner;

--
-- Name: FUNCTION current_aal(); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.current_aal() FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.current_aal() TO anonymous;
GRANT ALL ON FUNCTION app_hidden.current_aal() TO app_user;
GRANT ALL ON FUNCTION app_hidden.current_aal() TO bot;

--
-- Name: FUNCTION current_aal(); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.current_aal() IS 'The live session''s assurance level (aal1 or aal2), or NULL without a live session. For policies: (select app_hidden.current_aal()) = ''aal2''.';

--
-- Name: FUNCTION current_actor(); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.current_actor() FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.current_actor() TO anonymous;
GRANT ALL ON FUNCTION app_public.current_actor() TO app_user;
GRANT ALL ON FUNCTION app_public.current_actor() TO bot;

--
-- Name: FUNCTION current_actor(); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.current_actor() IS 'The admin impersonating you in this session (the token''s act.sub, read from the live session), or null. A UI shows a banner with it.';

--
-- Name: FUNCTION current_actor_id(); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.current_actor_id() FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.current_actor_id() TO anonymous;
GRANT ALL ON FUNCTION app_hidden.current_actor_id() TO app_user;
GRANT ALL ON FUNCTION app_hidden.current_actor_id() TO bot;

--
-- Name: FUNCTION current_actor_id(); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.current_actor_id() IS 'The admin acting as the user in this session (impersonation), or NULL.';

--
-- Name: FUNCTION current_api_key_id(); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.current_api_key_id() FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.current_api_key_id() TO anonymous;
GRANT ALL ON FUNCTION app_hidden.current_api_key_id() TO app_user;
GRANT ALL ON FUNCTION app_hidden.current_api_key_id() TO bot;

--
-- Name: FUNCTION current_api_key_id(); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.current_api_key_id() IS 'The API key the current request came with (from its session, not from a claim), or NULL.';

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
-- Name: FUNCTION current_password_scheme(); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.current_password_scheme() FROM PUBLIC;

--
-- Name: FUNCTION current_password_scheme(); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.current_password_scheme() IS 'The scheme hash_password() produces.';

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

COMMENT ON FUNCTION app_hidden.current_user_id() IS 'The calling user, only while the token''s session is live and not waiting for a second factor (N4), the user enabled and (when email_verification_required) the email verified; otherwise NULL, or error LOGIN for a request made with an API key (its key revoked or expired, its user disabled: O2).';

--
-- Name: FUNCTION current_user_is_anonymous(); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.current_user_is_anonymous() FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.current_user_is_anonymous() TO anonymous;
GRANT ALL ON FUNCTION app_hidden.current_user_is_anonymous() TO app_user;
GRANT ALL ON FUNCTION app_hidden.current_user_is_anonymous() TO bot;

--
-- Name: FUNCTION current_user_is_anonymous(); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.current_user_is_anonymous() IS 'True when the live session belongs to an anonymous user (no credential yet). For policies: not (select app_hidden.current_user_is_anonymous()).';

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
-- Name: FUNCTION device_approver(); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.device_approver() FROM PUBLIC;

--
-- Name: FUNCTION device_approver(); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.device_approver() IS 'The signed-in person who may approve a device; raises LOGIN without a live session (or one pending MFA), DNIED for an API key, a service account or an impersonation.';

--
-- Name: FUNCTION device_authorize(p_client_id text, p_client_name text, p_scope text, p_ip inet); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.device_authorize(p_client_id text, p_client_name text, p_scope text, p_ip inet) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.device_authorize(p_client_id text, p_client_name text, p_scope text, p_ip inet) TO auth_edge;

--
-- Name: FUNCTION device_authorize(p_client_id text, p_client_name text, p_scope text, p_ip inet); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.device_authorize(p_client_id text, p_client_name text, p_scope text, p_ip inet) IS 'Edge only: starts a device authorization for a registered client (RFC 8628 3.2); returns the device code and user code (stored only hashed), their lifetime and the poll interval; no row over device_authorize_max_per_ip per hour.';

--
-- Name: FUNCTION device_by_user_code(p_user_code text, p_user uuid, p_ip inet); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.device_by_user_code(p_user_code text, p_user uuid, p_ip inet) FROM PUBLIC;

--
-- Name: FUNCTION device_by_user_code(p_user_code text, p_user uuid, p_ip inet); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.device_by_user_code(p_user_code text, p_user uuid, p_ip inet) IS 'The pending, unexpired device authorization of a user code (locked), or NULL after counting the wrong code; raises RATEL over the guessing limits (Q3).';

--
-- Name: FUNCTION device_lookup(p_user_code text, p_ip inet); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.device_lookup(p_user_code text, p_ip inet) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.device_lookup(p_user_code text, p_ip inet) TO auth_edge;

--
-- Name: FUNCTION device_lookup(p_user_code text, p_ip inet); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.device_lookup(p_user_code text, p_ip inet) IS 'Edge only: for the signed-in caller, the client that asks with this user code (the approval page shows its name). error LOGIN, DNIED, RATEL or DVCOD (unknown, expired or decided; counted against guessing, Q3).';

--
-- Name: FUNCTION device_token(p_device_code text, p_client_id text, p_ip inet, p_user_agent text); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.device_token(p_device_code text, p_client_id text, p_ip inet, p_user_agent text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.device_token(p_device_code text, p_client_id text, p_ip inet, p_user_agent text) TO auth_edge;

--
-- Name: FUNCTION device_token(p_device_code text, p_client_id text, p_ip inet, p_user_agent text); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.device_token(p_device_code text, p_client_id text, p_ip inet, p_user_agent text) IS 'Edge only: a device''s poll. error is an RFC 8628 code (authorization_pending, slow_down, access_denied, expired_token, invalid_grant); once approved, a session of the approving user, delivered once (Q3).';

--
-- Name: FUNCTION device_user_code(p_code text); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.device_user_code(p_code text) FROM PUBLIC;

--
-- Name: FUNCTION device_user_code(p_code text); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.device_user_code(p_code text) IS 'Canonical user code: the 8 letters without separator, upper case; NULL for anything else.';

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
-- Name: FUNCTION email_code_hash(p_token_id uuid, p_code text); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.email_code_hash(p_token_id uuid, p_code text) FROM PUBLIC;

--
-- Name: FUNCTION email_code_hash(p_token_id uuid, p_code text); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.email_code_hash(p_token_id uuid, p_code text) IS 'HMAC-SHA256 of a sign-in code bound to its token row (M1).';

--
-- Name: FUNCTION email_key(p_email text); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.email_key(p_email text) FROM PUBLIC;

--
-- Name: FUNCTION email_key(p_email text); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.email_key(p_email text) IS 'Key of unknown_login_failures: SHA-256 of the lower-cased address.';

--
-- Name: FUNCTION email_limited(p_key text, p_max integer, p_window interval, p_min_gap interval); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.email_limited(p_key text, p_max integer, p_window interval, p_min_gap interval) FROM PUBLIC;

--
-- Name: FUNCTION email_limited(p_key text, p_max integer, p_window interval, p_min_gap interval); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.email_limited(p_key text, p_max integer, p_window interval, p_min_gap interval) IS 'Counts an event under a key; true (not counted) when it would pass p_max per p_window or come within p_min_gap of the last (M5).';

--
-- Name: FUNCTION email_refused(p_what text, p_code text, p_ip inet, p_user uuid); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.email_refused(p_what text, p_code text, p_ip inet, p_user uuid) FROM PUBLIC;

--
-- Name: FUNCTION email_refused(p_what text, p_code text, p_ip inet, p_user uuid); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.email_refused(p_what text, p_code text, p_ip inet, p_user uuid) IS 'Audits a refused email token, code or request and returns its error code.';

--
-- Name: FUNCTION email_request_limited(p_what text, p_email text, p_ip inet); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.email_request_limited(p_what text, p_email text, p_ip inet) FROM PUBLIC;

--
-- Name: FUNCTION email_request_limited(p_what text, p_email text, p_ip inet); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.email_request_limited(p_what text, p_email text, p_ip inet) IS 'True when a request for this address or from this client address is over its limit (M5).';

--
-- Name: FUNCTION email_sign_in(v app_private.email_tokens, p_ip inet, p_user_agent text, p_how text); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.email_sign_in(v app_private.email_tokens, p_ip inet, p_user_agent text, p_how text) FROM PUBLIC;

--
-- Name: FUNCTION email_sign_in(v app_private.email_tokens, p_ip inet, p_user_agent text, p_how text); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.email_sign_in(v app_private.email_tokens, p_ip inet, p_user_agent text, p_how text) IS 'Spends a sign-in token, verifies the address it reached and starts a session (amr otp).';

--
-- Name: FUNCTION emit_webhook_event(p_type text, p_data jsonb); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.emit_webhook_event(p_type text, p_data jsonb) FROM PUBLIC;

--
-- Name: FUNCTION emit_webhook_event(p_type text, p_data jsonb); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.emit_webhook_event(p_type text, p_data jsonb) IS 'Writes an auth event to the outbox with one delivery (and job) per subscribed enabled endpoint, in the current transaction; nothing when no endpoint subscribes.';

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
-- Name: FUNCTION enqueue_mail(p_template text, p_to text, p_data jsonb); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.enqueue_mail(p_template text, p_to text, p_data jsonb) FROM PUBLIC;

--
-- Name: FUNCTION enqueue_mail(p_template text, p_to text, p_data jsonb); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.enqueue_mail(p_template text, p_to text, p_data jsonb) IS 'Queues one mail (graphile-worker task send_email) in the current transaction: sent at least once after commit, never after rollback (M7).';

--
-- Name: FUNCTION enroll_phone(p_phone text, p_ip inet); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.enroll_phone(p_phone text, p_ip inet) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.enroll_phone(p_phone text, p_ip inet) TO auth_edge;

--
-- Name: FUNCTION enroll_phone(p_phone text, p_ip inet); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.enroll_phone(p_phone text, p_ip inet) IS 'Edge only: records an unverified SMS factor for an E.164 number (PHONE otherwise) and returns the code for the edge to send; limited per number, account and globally (RATEL, N9).';

--
-- Name: FUNCTION enroll_totp(p_factor_id uuid, p_friendly_name text, p_key_id text, p_secret bytea); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.enroll_totp(p_factor_id uuid, p_friendly_name text, p_key_id text, p_secret bytea) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.enroll_totp(p_factor_id uuid, p_friendly_name text, p_key_id text, p_secret bytea) TO auth_edge;

--
-- Name: FUNCTION enroll_totp(p_factor_id uuid, p_friendly_name text, p_key_id text, p_secret bytea); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.enroll_totp(p_factor_id uuid, p_friendly_name text, p_key_id text, p_secret bytea) IS 'Edge only: records an unverified TOTP factor with its encrypted secret. MFARQ when the user already has a factor and the session is not aal2.';

--
-- Name: FUNCTION finish_passkey_registration(p_credential_id bytea, p_public_key bytea, p_sign_count bigint, p_transports text[], p_aaguid uuid, p_backed_up boolean, p_device_type text, p_friendly_name text, p_ip inet); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.finish_passkey_registration(p_credential_id bytea, p_public_key bytea, p_sign_count bigint, p_transports text[], p_aaguid uuid, p_backed_up boolean, p_device_type text, p_friendly_name text, p_ip inet) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.finish_passkey_registration(p_credential_id bytea, p_public_key bytea, p_sign_count bigint, p_transports text[], p_aaguid uuid, p_backed_up boolean, p_device_type text, p_friendly_name text, p_ip inet) TO auth_edge;

--
-- Name: FUNCTION finish_passkey_registration(p_credential_id bytea, p_public_key bytea, p_sign_count bigint, p_transports text[], p_aaguid uuid, p_backed_up boolean, p_device_type text, p_friendly_name text, p_ip inet); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.finish_passkey_registration(p_credential_id bytea, p_public_key bytea, p_sign_count bigint, p_transports text[], p_aaguid uuid, p_backed_up boolean, p_device_type text, p_friendly_name text, p_ip inet) IS 'Edge only, after take_passkey_challenge(registration) and verification in the same transaction: stores the passkey as a webauthn factor of the caller and activates it (app_private.activate_factor: notice, recovery codes for a first factor, the session raised to aal2 with new tokens).';

--
-- Name: FUNCTION finish_passkey_sign_in(p_purpose text, p_credential_id bytea, p_sign_count bigint, p_user_verified boolean, p_backed_up boolean, p_device_type text, p_ip inet, p_user_agent text); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.finish_passkey_sign_in(p_purpose text, p_credential_id bytea, p_sign_count bigint, p_user_verified boolean, p_backed_up boolean, p_device_type text, p_ip inet, p_user_agent text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.finish_passkey_sign_in(p_purpose text, p_credential_id bytea, p_sign_count bigint, p_user_verified boolean, p_backed_up boolean, p_device_type text, p_ip inet, p_user_agent text) TO auth_edge;

--
-- Name: FUNCTION finish_passkey_sign_in(p_purpose text, p_credential_id bytea, p_sign_count bigint, p_user_verified boolean, p_backed_up boolean, p_device_type text, p_ip inet, p_user_agent text); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.finish_passkey_sign_in(p_purpose text, p_credential_id bytea, p_sign_count bigint, p_user_verified boolean, p_backed_up boolean, p_device_type text, p_ip inet, p_user_agent text) IS 'Edge only, after take_passkey_challenge and verification in the same transaction: checks the counter (PKCTR, audited), then starts a session (sign_in: amr hwk/swk, aal2 with user verification) or completes MFA for the caller''s session (second_factor).';

--
-- Name: FUNCTION finish_provider_token_refresh(p_identity_id uuid, p_error text, p_key_id text, p_access_enc bytea, p_refresh_enc bytea, p_expires_at timestamp with time zone); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.finish_provider_token_refresh(p_identity_id uuid, p_error text, p_key_id text, p_access_enc bytea, p_refresh_enc bytea, p_expires_at timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.finish_provider_token_refresh(p_identity_id uuid, p_error text, p_key_id text, p_access_enc bytea, p_refresh_enc bytea, p_expires_at timestamp with time zone) TO auth_edge;

--
-- Name: FUNCTION finish_provider_token_refresh(p_identity_id uuid, p_error text, p_key_id text, p_access_enc bytea, p_refresh_enc bytea, p_expires_at timestamp with time zone); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.finish_provider_token_refresh(p_identity_id uuid, p_error text, p_key_id text, p_access_enc bytea, p_refresh_enc bytea, p_expires_at timestamp with time zone) IS 'For the refresh job: store renewed tokens, or count a failed attempt (3 at most).';

--
-- Name: FUNCTION forget_trusted_device(id uuid); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.forget_trusted_device(id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.forget_trusted_device(id uuid) TO app_user;

--
-- Name: FUNCTION forget_trusted_device(id uuid); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.forget_trusted_device(id uuid) IS 'Stops one of your trusted devices from skipping the second factor.';

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
-- Name: FUNCTION has_permission(p_permission text); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.has_permission(p_permission text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.has_permission(p_permission text) TO anonymous;
GRANT ALL ON FUNCTION app_hidden.has_permission(p_permission text) TO app_user;
GRANT ALL ON FUNCTION app_hidden.has_permission(p_permission text) TO bot;

--
-- Name: FUNCTION has_permission(p_permission text); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.has_permission(p_permission text) IS 'True when the calling user (live session) holds the permission (`resource:action`, or `resource:*`) through a live application role, and, for a request with an API key, the key''s scope includes it. Re-read from the tables on every statement.';

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

COMMENT ON FUNCTION app_private.hash_password(p_password text) IS 'bcrypt at the configured cost of the current scheme''s input; store password_scheme = current_password_scheme() with it.';

--
-- Name: FUNCTION hasura_claims(p_user_id uuid, p_session_id uuid, p_claims jsonb); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.hasura_claims(p_user_id uuid, p_session_id uuid, p_claims jsonb) FROM PUBLIC;

--
-- Name: FUNCTION hasura_claims(p_user_id uuid, p_session_id uuid, p_claims jsonb); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.hasura_claims(p_user_id uuid, p_session_id uuid, p_claims jsonb) IS 'Claims hook for Hasura: https://hasura.io/jwt/claims with x-hasura-allowed-roles (DB role and application roles), x-hasura-default-role (the DB role) and x-hasura-user-id. Switch on: update app_private.auth_config set claims_hook = ''app_private.hasura_claims(uuid, uuid, jsonb)''.';

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
-- Name: FUNCTION id_token_first_use(p_use_hash bytea, p_expires_at timestamp with time zone); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.id_token_first_use(p_use_hash bytea, p_expires_at timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.id_token_first_use(p_use_hash bytea, p_expires_at timestamp with time zone) TO auth_edge;

--
-- Name: FUNCTION id_token_first_use(p_use_hash bytea, p_expires_at timestamp with time zone); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.id_token_first_use(p_use_hash bytea, p_expires_at timestamp with time zone) IS 'Edge only: true the first time an ID token (hash of issuer and nonce claim) is used to sign in, false on a replay (Q2).';

--
-- Name: FUNCTION impersonate_user(p_user uuid, p_reason text, p_ip inet, p_user_agent text); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.impersonate_user(p_user uuid, p_reason text, p_ip inet, p_user_agent text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.impersonate_user(p_user uuid, p_reason text, p_ip inet, p_user_agent text) TO auth_edge;

--
-- Name: FUNCTION impersonate_user(p_user uuid, p_reason text, p_ip inet, p_user_agent text); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.impersonate_user(p_user uuid, p_reason text, p_ip inet, p_user_agent text) IS 'Edge only: a session as p_user for the calling admin (actor_id, act claim), ending after auth_config.impersonation_ttl; audited for both users. Needs admin:impersonate and a user of a lower role (OUTRK), and a reason (REASN).';

--
-- Name: FUNCTION is_cli(); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.is_cli() FROM PUBLIC;

--
-- Name: FUNCTION is_cli(); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.is_cli() IS 'True when the caller is the ops CLI: logged in as the schema owner, no SET ROLE (request roles always run under SET ROLE as the login role).';

--
-- Name: FUNCTION lease_provider_tokens(p_limit integer, p_ahead interval); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.lease_provider_tokens(p_limit integer, p_ahead interval) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.lease_provider_tokens(p_limit integer, p_ahead interval) TO auth_edge;

--
-- Name: FUNCTION lease_provider_tokens(p_limit integer, p_ahead interval); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.lease_provider_tokens(p_limit integer, p_ahead interval) IS 'For the refresh job: lease up to p_limit tokens expiring within p_ahead.';

--
-- Name: FUNCTION live_email_token(p_token text, p_purpose text); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.live_email_token(p_token text, p_purpose text) FROM PUBLIC;

--
-- Name: FUNCTION live_email_token(p_token text, p_purpose text); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.live_email_token(p_token text, p_purpose text) IS 'The live token row (unused, unrevoked, unexpired, user enabled) of a purpose, locked; NULL otherwise (M1).';

--
-- Name: FUNCTION login(p_email text, p_password text, p_ip inet, p_user_agent text, p_device_token text); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.login(p_email text, p_password text, p_ip inet, p_user_agent text, p_device_token text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.login(p_email text, p_password text, p_ip inet, p_user_agent text, p_device_token text) TO auth_edge;

--
-- Name: FUNCTION login(p_email text, p_password text, p_ip inet, p_user_agent text, p_device_token text); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.login(p_email text, p_password text, p_ip inet, p_user_agent text, p_device_token text) IS 'Password sign-in. Returns error CREDS (any bad credential), RATEL (address throttled or account locked) or PWEXP (right password, older than auth_config.password_max_age), else a new session and refresh token; mfa_required when the user needs a second factor, unless p_device_token is a live trusted device of theirs.';

--
-- Name: FUNCTION logout(p_refresh_token text, p_session_id uuid); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.logout(p_refresh_token text, p_session_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.logout(p_refresh_token text, p_session_id uuid) TO auth_edge;

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
-- Name: FUNCTION merge_users(source_id uuid, target_id uuid); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.merge_users(source_id uuid, target_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.merge_users(source_id uuid, target_id uuid) TO app_user;

--
-- Name: FUNCTION merge_users(source_id uuid, target_id uuid); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.merge_users(source_id uuid, target_id uuid) IS 'Admin: move the source user''s identities, ACL rows, group memberships, documents and factors to the target, revoke the source''s sessions and disable it, in one transaction. Refused (MRGCF) when both have an identity of the same provider. Needs admin:merge; neither user may rank equal to or above you (OUTRK).';

--
-- Name: FUNCTION mfa_account_email(); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.mfa_account_email() FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.mfa_account_email() TO auth_edge;

--
-- Name: FUNCTION mfa_account_email(); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.mfa_account_email() IS 'Edge only: the email of the caller''s live session (pending MFA or not), for the TOTP label.';

--
-- Name: FUNCTION mfa_attempt_succeeded(p_user uuid, p_factor uuid); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.mfa_attempt_succeeded(p_user uuid, p_factor uuid) FROM PUBLIC;

--
-- Name: FUNCTION mfa_begin(p_factor_id uuid); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.mfa_begin(p_factor_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.mfa_begin(p_factor_id uuid) TO auth_edge;

--
-- Name: FUNCTION mfa_begin(p_factor_id uuid); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.mfa_begin(p_factor_id uuid) IS 'Edge only: checks the caller''s session and factor and counts the attempt (N3); returns the factor''s kind and status and, for TOTP, the encrypted secret. Errors LOGIN, MFAEX, RATEL; raises NTFND.';

--
-- Name: FUNCTION mfa_caller(); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.mfa_caller() FROM PUBLIC;

--
-- Name: FUNCTION mfa_caller(); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.mfa_caller() IS 'The caller''s live session row, whether or not it waits for a second factor; NULL fields without one.';

--
-- Name: FUNCTION mfa_failed(p_user uuid, p_factor uuid, p_reason text); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.mfa_failed(p_user uuid, p_factor uuid, p_reason text) FROM PUBLIC;

--
-- Name: FUNCTION mfa_finish_sms(p_factor_id uuid, p_code text); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.mfa_finish_sms(p_factor_id uuid, p_code text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.mfa_finish_sms(p_factor_id uuid, p_code text) TO auth_edge;

--
-- Name: FUNCTION mfa_finish_sms(p_factor_id uuid, p_code text); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.mfa_finish_sms(p_factor_id uuid, p_code text) IS 'Edge only, after mfa_begin: checks the SMS code (hashed, 5 minutes, once), then activates an enrolment or completes MFA. MFAIN otherwise.';

--
-- Name: FUNCTION mfa_finish_totp(p_factor_id uuid, p_step bigint); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.mfa_finish_totp(p_factor_id uuid, p_step bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.mfa_finish_totp(p_factor_id uuid, p_step bigint) TO auth_edge;

--
-- Name: FUNCTION mfa_finish_totp(p_factor_id uuid, p_step bigint); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.mfa_finish_totp(p_factor_id uuid, p_step bigint) IS 'Edge only, after mfa_begin: the matched TOTP step (or NULL). Refuses a wrong code, a step out of drift or already used (MFAIN, N2), else activates an enrolment (with recovery codes) and completes MFA (aal2, new tokens).';

--
-- Name: FUNCTION mfa_needed(p_user uuid); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.mfa_needed(p_user uuid) FROM PUBLIC;

--
-- Name: FUNCTION mfa_needed(p_user uuid); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.mfa_needed(p_user uuid) IS 'True when the user has an active second factor (any kind) or a role listed in auth_config.mfa_required_roles.';

--
-- Name: FUNCTION mfa_notice(p_user uuid, p_event text, p_what text, p_detail jsonb); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.mfa_notice(p_user uuid, p_event text, p_what text, p_detail jsonb) FROM PUBLIC;

--
-- Name: FUNCTION mfa_notice(p_user uuid, p_event text, p_what text, p_detail jsonb); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.mfa_notice(p_user uuid, p_event text, p_what text, p_detail jsonb) IS 'Writes an audit row and queues the mfa_notice mail (p_what: one sentence) to the user.';

--
-- Name: FUNCTION mfa_reserve_attempt(p_user uuid, p_factor uuid); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.mfa_reserve_attempt(p_user uuid, p_factor uuid) FROM PUBLIC;

--
-- Name: FUNCTION mfa_reserve_attempt(p_user uuid, p_factor uuid); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.mfa_reserve_attempt(p_user uuid, p_factor uuid) IS 'Counts one second-factor attempt for the account and the factor (before the check); false when over mfa_max_user_failures / mfa_max_factor_failures in mfa_failure_window (N3).';

--
-- Name: FUNCTION min(public.citext); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.min(public.citext) FROM PUBLIC;
GRANT ALL ON FUNCTION public.min(public.citext) TO pgauth_owner;

--
-- Name: FUNCTION my_api_keys(); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.my_api_keys() FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.my_api_keys() TO app_user;

--
-- Name: FUNCTION my_api_keys(); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.my_api_keys() IS 'Your API keys (never their secrets), newest first.';

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
-- Name: FUNCTION my_mfa_factors(); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.my_mfa_factors() FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.my_mfa_factors() TO app_user;

--
-- Name: FUNCTION my_mfa_factors(); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.my_mfa_factors() IS 'Your second factors (authenticator apps, phones, passkeys), oldest first.';

--
-- Name: FUNCTION my_sessions(); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.my_sessions() FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.my_sessions() TO app_user;
GRANT ALL ON FUNCTION app_public.my_sessions() TO bot;

--
-- Name: FUNCTION my_sessions(); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.my_sessions() IS 'Your active sessions, most recently used first (API keys are listed by myApiKeys).';

--
-- Name: FUNCTION my_trusted_devices(); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.my_trusted_devices() FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.my_trusted_devices() TO app_user;

--
-- Name: FUNCTION my_trusted_devices(); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.my_trusted_devices() IS 'Devices that skip your second factor at sign-in.';

--
-- Name: FUNCTION native_code_exchange(p_code text, p_client_id text, p_redirect_uri text, p_code_verifier text, p_ip inet, p_user_agent text); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.native_code_exchange(p_code text, p_client_id text, p_redirect_uri text, p_code_verifier text, p_ip inet, p_user_agent text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.native_code_exchange(p_code text, p_client_id text, p_redirect_uri text, p_code_verifier text, p_ip inet, p_user_agent text) TO auth_edge;

--
-- Name: FUNCTION native_code_exchange(p_code text, p_client_id text, p_redirect_uri text, p_code_verifier text, p_ip inet, p_user_agent text); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.native_code_exchange(p_code text, p_client_id text, p_redirect_uri text, p_code_verifier text, p_ip inet, p_user_agent text) IS 'Edge only: redeems a native app''s authorization code with its PKCE verifier (once, within 60 s, same client and redirect URI) for the session''s tokens. Errors: GRANT (any failure; reuse revokes the session).';

--
-- Name: FUNCTION native_code_issue(p_session_id uuid, p_client_id text, p_redirect_uri text, p_code_challenge text); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.native_code_issue(p_session_id uuid, p_client_id text, p_redirect_uri text, p_code_challenge text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.native_code_issue(p_session_id uuid, p_client_id text, p_redirect_uri text, p_code_challenge text) TO auth_edge;

--
-- Name: FUNCTION native_code_issue(p_session_id uuid, p_client_id text, p_redirect_uri text, p_code_challenge text); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.native_code_issue(p_session_id uuid, p_client_id text, p_redirect_uri text, p_code_challenge text) IS 'Edge only: a one-time authorization code (60 s) for a registered native app, bound to its client id, redirect URI, PKCE S256 challenge and the session just started (Q1).';

--
-- Name: FUNCTION new_device_user_code(); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.new_device_user_code() FROM PUBLIC;

--
-- Name: FUNCTION new_device_user_code(); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.new_device_user_code() IS 'A random user code: 8 letters of BCDFGHJKLMNPQRSTVWXZ.';

--
-- Name: FUNCTION new_email_token(p_user uuid, p_purpose text, p_email text, p_ttl interval, p_code boolean, OUT o_token text, OUT o_code text); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.new_email_token(p_user uuid, p_purpose text, p_email text, p_ttl interval, p_code boolean, OUT o_token text, OUT o_code text) FROM PUBLIC;

--
-- Name: FUNCTION new_email_token(p_user uuid, p_purpose text, p_email text, p_ttl interval, p_code boolean, OUT o_token text, OUT o_code text); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.new_email_token(p_user uuid, p_purpose text, p_email text, p_ttl interval, p_code boolean, OUT o_token text, OUT o_code text) IS 'Creates a mailed token (256 random bits, stored as SHA-256) and optionally a 6-digit code (stored as HMAC); returns them in clear once.';

--
-- Name: FUNCTION new_passkey_challenge(p_purpose text, p_session_id uuid, p_user_id uuid, p_email text, OUT challenge_id uuid, OUT challenge text); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.new_passkey_challenge(p_purpose text, p_session_id uuid, p_user_id uuid, p_email text, OUT challenge_id uuid, OUT challenge text) FROM PUBLIC;

--
-- Name: FUNCTION new_passkey_challenge(p_purpose text, p_session_id uuid, p_user_id uuid, p_email text, OUT challenge_id uuid, OUT challenge text); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.new_passkey_challenge(p_purpose text, p_session_id uuid, p_user_id uuid, p_email text, OUT challenge_id uuid, OUT challenge text) IS 'Stores a new challenge (its hash) and returns it once.';

--
-- Name: FUNCTION new_recovery_codes(p_user uuid); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.new_recovery_codes(p_user uuid) FROM PUBLIC;

--
-- Name: FUNCTION new_recovery_codes(p_user uuid); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.new_recovery_codes(p_user uuid) IS 'Replaces the user''s recovery codes with ten new ones, returned once (stored hashed: N1).';

--
-- Name: FUNCTION new_sms_code(p_factor uuid); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.new_sms_code(p_factor uuid) FROM PUBLIC;

--
-- Name: FUNCTION oauth_rejected(p_provider text, p_reason text, p_ip inet); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.oauth_rejected(p_provider text, p_reason text, p_ip inet) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.oauth_rejected(p_provider text, p_reason text, p_ip inet) TO auth_edge;

--
-- Name: FUNCTION oauth_rejected(p_provider text, p_reason text, p_ip inet); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.oauth_rejected(p_provider text, p_reason text, p_ip inet) IS 'Audit a rejected OAuth callback.';

--
-- Name: FUNCTION oauth_sign_in(p_provider text, p_issuer text, p_subject text, p_email text, p_profile jsonb, p_link boolean, p_key_id text, p_access_enc bytea, p_refresh_enc bytea, p_expires_at timestamp with time zone, p_ip inet, p_user_agent text); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.oauth_sign_in(p_provider text, p_issuer text, p_subject text, p_email text, p_profile jsonb, p_link boolean, p_key_id text, p_access_enc bytea, p_refresh_enc bytea, p_expires_at timestamp with time zone, p_ip inet, p_user_agent text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.oauth_sign_in(p_provider text, p_issuer text, p_subject text, p_email text, p_profile jsonb, p_link boolean, p_key_id text, p_access_enc bytea, p_refresh_enc bytea, p_expires_at timestamp with time zone, p_ip inet, p_user_agent text) TO auth_edge;

--
-- Name: FUNCTION oauth_sign_in(p_provider text, p_issuer text, p_subject text, p_email text, p_profile jsonb, p_link boolean, p_key_id text, p_access_enc bytea, p_refresh_enc bytea, p_expires_at timestamp with time zone, p_ip inet, p_user_agent text); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.oauth_sign_in(p_provider text, p_issuer text, p_subject text, p_email text, p_profile jsonb, p_link boolean, p_key_id text, p_access_enc bytea, p_refresh_enc bytea, p_expires_at timestamp with time zone, p_ip inet, p_user_agent text) IS 'Signs in with (issuer, subject), registering a password-less user when new, or links it to your session (p_link); a link from an anonymous user upgrades it in place (same id).';

--
-- Name: FUNCTION passkey_allow_list(p_user_id uuid); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.passkey_allow_list(p_user_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION passkey_allow_list(p_user_id uuid); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.passkey_allow_list(p_user_id uuid) IS 'A user''s credentials as WebAuthn descriptors ({id, transports}).';

--
-- Name: FUNCTION passkey_refusal(p_purpose text, p_reason text, p_user_id uuid, p_credential_id bytea, p_ip inet); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.passkey_refusal(p_purpose text, p_reason text, p_user_id uuid, p_credential_id bytea, p_ip inet) FROM PUBLIC;

--
-- Name: FUNCTION passkey_refusal(p_purpose text, p_reason text, p_user_id uuid, p_credential_id bytea, p_ip inet); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.passkey_refusal(p_purpose text, p_reason text, p_user_id uuid, p_credential_id bytea, p_ip inet) IS 'Audits a refused passkey step (reason: challenge, credential, verification, user_verification, duplicate); a failed second factor is also mailed (mfa_notice).';

--
-- Name: FUNCTION passkey_refused(p_purpose text, p_reason text, p_user_id uuid, p_credential_id bytea, p_ip inet); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.passkey_refused(p_purpose text, p_reason text, p_user_id uuid, p_credential_id bytea, p_ip inet) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.passkey_refused(p_purpose text, p_reason text, p_user_id uuid, p_credential_id bytea, p_ip inet) TO auth_edge;

--
-- Name: FUNCTION passkey_refused(p_purpose text, p_reason text, p_user_id uuid, p_credential_id bytea, p_ip inet); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.passkey_refused(p_purpose text, p_reason text, p_user_id uuid, p_credential_id bytea, p_ip inet) IS 'Edge only: audits a response the edge refused (signature, origin, RP ID, user verification).';

--
-- Name: FUNCTION password_input(p_password text); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.password_input(p_password text) FROM PUBLIC;

--
-- Name: FUNCTION password_input(p_password text); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.password_input(p_password text) IS 'What is fed to bcrypt: the password, or its SHA-256 when over 72 bytes.';

--
-- Name: FUNCTION password_input(p_password text, p_scheme integer); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.password_input(p_password text, p_scheme integer) FROM PUBLIC;

--
-- Name: FUNCTION password_input(p_password text, p_scheme integer); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.password_input(p_password text, p_scheme integer) IS 'What is fed to bcrypt under a scheme: 2 = base64(HMAC-SHA256(''pgauth/password/v2'', password)); 1 = legacy.';

--
-- Name: FUNCTION password_matches(p_password text, p_hash text, p_scheme integer); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.password_matches(p_password text, p_hash text, p_scheme integer) FROM PUBLIC;

--
-- Name: FUNCTION password_matches(p_password text, p_hash text, p_scheme integer); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.password_matches(p_password text, p_hash text, p_scheme integer) IS 'Checks a password against a hash of the given scheme; a NULL hash pays the same work and never matches.';

--
-- Name: FUNCTION password_policy_violation(p_password text, p_email text, p_name text); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.password_policy_violation(p_password text, p_email text, p_name text) FROM PUBLIC;

--
-- Name: FUNCTION password_policy_violation(p_password text, p_email text, p_name text); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.password_policy_violation(p_password text, p_email text, p_name text) IS 'The first password rule broken (too_short, too_long, common, personal, composition), or NULL.';

--
-- Name: FUNCTION pending_phone_factor(); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.pending_phone_factor() FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.pending_phone_factor() TO auth_edge;

--
-- Name: FUNCTION pending_phone_factor(); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.pending_phone_factor() IS 'Edge only: the caller''s unverified SMS factor, if any.';

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
-- Name: FUNCTION purge_email_state(); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.purge_email_state() FROM PUBLIC;

--
-- Name: FUNCTION purge_email_state(); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.purge_email_state() IS 'Deletes email tokens a week past expiry and stale limit counters; run hourly by the mail worker (owner).';

--
-- Name: FUNCTION purge_sessions(); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.purge_sessions() FROM PUBLIC;

--
-- Name: FUNCTION purge_sessions(); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.purge_sessions() IS 'Deletes client-credentials sessions an hour after expiry and other ended sessions (expired or revoked) after 30 days, except those backing an API key; run hourly by the worker (owner).';

--
-- Name: FUNCTION purge_webhook_state(); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.purge_webhook_state() FROM PUBLIC;

--
-- Name: FUNCTION purge_webhook_state(); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.purge_webhook_state() IS 'Deletes deliveries 7 days after success or 30 days after failure, then events without deliveries; hourly by the worker (owner).';

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
-- Name: FUNCTION realtime_document_events(p_ids uuid[], p_kinds text[]); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.realtime_document_events(p_ids uuid[], p_kinds text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.realtime_document_events(p_ids uuid[], p_kinds text[]) TO app_user;
GRANT ALL ON FUNCTION app_hidden.realtime_document_events(p_ids uuid[], p_kinds text[]) TO bot;

--
-- Name: FUNCTION realtime_document_events(p_ids uuid[], p_kinds text[]); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.realtime_document_events(p_ids uuid[], p_kinds text[]) IS 'The realtime re-read: of these (document, kind) events, those the caller may receive: documents it can see now (visible), or just deleted/unshared ones it could see.';

--
-- Name: FUNCTION realtime_ended_sessions(p_session_ids uuid[]); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.realtime_ended_sessions(p_session_ids uuid[]) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.realtime_ended_sessions(p_session_ids uuid[]) TO auth_edge;

--
-- Name: FUNCTION realtime_ended_sessions(p_session_ids uuid[]); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.realtime_ended_sessions(p_session_ids uuid[]) IS 'Edge only: of these sessions, those that ended (reason ended) or whose user is disabled (reason disabled); the realtime watchdog closes their sockets.';

--
-- Name: FUNCTION realtime_former_viewer(p_document_id uuid, p_kind text); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.realtime_former_viewer(p_document_id uuid, p_kind text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.realtime_former_viewer(p_document_id uuid, p_kind text) TO app_user;
GRANT ALL ON FUNCTION app_hidden.realtime_former_viewer(p_document_id uuid, p_kind text) TO bot;

--
-- Name: FUNCTION realtime_former_viewer(p_document_id uuid, p_kind text); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.realtime_former_viewer(p_document_id uuid, p_kind text) IS 'Whether the caller could see a document that was just deleted or unshared from one of its principals (realtime tombstones).';

--
-- Name: FUNCTION realtime_session_events(p_ids uuid[], p_kinds text[]); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.realtime_session_events(p_ids uuid[], p_kinds text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.realtime_session_events(p_ids uuid[], p_kinds text[]) TO app_user;
GRANT ALL ON FUNCTION app_hidden.realtime_session_events(p_ids uuid[], p_kinds text[]) TO bot;

--
-- Name: FUNCTION realtime_session_events(p_ids uuid[], p_kinds text[]); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.realtime_session_events(p_ids uuid[], p_kinds text[]) IS 'The realtime re-read for mySessionsChanged: of these (session, kind) events, those about the caller''s own sign-ins.';

--
-- Name: FUNCTION realtime_tombstone(p_document_id uuid, p_subject_ids uuid[], p_kind text); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.realtime_tombstone(p_document_id uuid, p_subject_ids uuid[], p_kind text) FROM PUBLIC;

--
-- Name: FUNCTION realtime_tombstone(p_document_id uuid, p_subject_ids uuid[], p_kind text); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.realtime_tombstone(p_document_id uuid, p_subject_ids uuid[], p_kind text) IS 'Records who could see a document that was deleted or unshared, purging tombstones older than 10 minutes.';

--
-- Name: FUNCTION record_denied(p_operation text, p_code text); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.record_denied(p_operation text, p_code text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.record_denied(p_operation text, p_code text) TO auth_edge;

--
-- Name: FUNCTION record_denied(p_operation text, p_code text); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.record_denied(p_operation text, p_code text) IS 'Audit a refused operation (called by the edge after the failed request rolled back): p_operation is the GraphQL field name (not an alias), p_code one of NTFND, DNIED, LASTO, LASTM, LOGIN, OUTRK; anything else is refused with BADRQ.';

--
-- Name: FUNCTION record_password_failure(p_user_id uuid); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.record_password_failure(p_user_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION record_password_failure(p_user_id uuid); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.record_password_failure(p_user_id uuid) IS 'Counts a failed password check of an unlocked account, locking it at account_max_failures (C6, C7).';

--
-- Name: FUNCTION record_unknown_failure(p_email text); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.record_unknown_failure(p_email text) FROM PUBLIC;

--
-- Name: FUNCTION record_unknown_failure(p_email text); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.record_unknown_failure(p_email text) IS 'Counts a failed login for an email that is no enabled account, exactly like record_password_failure (C4).';

--
-- Name: FUNCTION record_webhook_attempt(p_delivery_id uuid, p_response_status integer, p_error text, p_max_attempts integer, p_retry_base interval); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.record_webhook_attempt(p_delivery_id uuid, p_response_status integer, p_error text, p_max_attempts integer, p_retry_base interval) FROM PUBLIC;

--
-- Name: FUNCTION record_webhook_attempt(p_delivery_id uuid, p_response_status integer, p_error text, p_max_attempts integer, p_retry_base interval); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.record_webhook_attempt(p_delivery_id uuid, p_response_status integer, p_error text, p_max_attempts integer, p_retry_base interval) IS 'Records an attempt (status code or error) and marks the delivery delivered, failed, or pending with its next attempt queued (exponential backoff). Owner only (the worker).';

--
-- Name: FUNCTION refresh(p_token text, p_ip inet, p_user_agent text, p_session_id uuid); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.refresh(p_token text, p_ip inet, p_user_agent text, p_session_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.refresh(p_token text, p_ip inet, p_user_agent text, p_session_id uuid) TO auth_edge;

--
-- Name: FUNCTION refresh(p_token text, p_ip inet, p_user_agent text, p_session_id uuid); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.refresh(p_token text, p_ip inet, p_user_agent text, p_session_id uuid) IS 'Rotates a refresh token. Errors: TOKEN (unknown, expired or revoked), REUSE (family revoked).';

--
-- Name: FUNCTION regenerate_recovery_codes(); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.regenerate_recovery_codes() FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.regenerate_recovery_codes() TO app_user;

--
-- Name: FUNCTION regenerate_recovery_codes(); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.regenerate_recovery_codes() IS 'Ten new recovery codes, shown once; the old set stops working. Needs an aal2 session (step-up; MFARQ otherwise).';

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
-- Name: FUNCTION register(p_email text, p_password text, p_name text, p_ip inet, p_user_agent text); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.register(p_email text, p_password text, p_name text, p_ip inet, p_user_agent text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.register(p_email text, p_password text, p_name text, p_ip inet, p_user_agent text) TO auth_edge;

--
-- Name: FUNCTION register(p_email text, p_password text, p_name text, p_ip inet, p_user_agent text); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.register(p_email text, p_password text, p_name text, p_ip inet, p_user_agent text) IS 'Creates a password account, mails its verification link and signs it in; called from an anonymous user''s session, it upgrades that user in place (same id). A taken address gets the same answer (a decoy session that opens nothing; an anonymous caller its own still-anonymous session) and its owner a notice (M2). Returns error RATEL over a registration limit; raises EMAIL, WEAKP.';

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
-- Name: FUNCTION remove_mfa_factor(id uuid); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.remove_mfa_factor(id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.remove_mfa_factor(id uuid) TO app_user;

--
-- Name: FUNCTION remove_mfa_factor(id uuid); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.remove_mfa_factor(id uuid) IS 'Removes one of your second factors (of any kind). Needs an aal2 session when you have an active factor (MFARQ).';

--
-- Name: FUNCTION replace(public.citext, public.citext, public.citext); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.replace(public.citext, public.citext, public.citext) FROM PUBLIC;
GRANT ALL ON FUNCTION public.replace(public.citext, public.citext, public.citext) TO pgauth_owner;

--
-- Name: FUNCTION request_password_reset(p_email text, p_ip inet); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.request_password_reset(p_email text, p_ip inet) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.request_password_reset(p_email text, p_ip inet) TO auth_edge;

--
-- Name: FUNCTION request_password_reset(p_email text, p_ip inet); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.request_password_reset(p_email text, p_ip inet) IS 'Mails a password-reset link if the address has an account; answers the same either way (M2). Returns NULL or RATEL; raises EMAIL.';

--
-- Name: FUNCTION request_sign_in_email(p_email text, p_ip inet); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.request_sign_in_email(p_email text, p_ip inet) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.request_sign_in_email(p_email text, p_ip inet) TO auth_edge;

--
-- Name: FUNCTION request_sign_in_email(p_email text, p_ip inet); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.request_sign_in_email(p_email text, p_ip inet) IS 'Mails a sign-in link and a 6-digit code if the address has an account; answers the same either way (M2). Returns NULL or RATEL; raises EMAIL.';

--
-- Name: FUNCTION require_user(); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.require_user() FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.require_user() TO anonymous;
GRANT ALL ON FUNCTION app_hidden.require_user() TO app_user;
GRANT ALL ON FUNCTION app_hidden.require_user() TO bot;

--
-- Name: FUNCTION require_user(); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.require_user() IS 'The calling user (live session, enabled user); raises LOGIN when there is none.';

--
-- Name: FUNCTION resend_verification_email(p_ip inet); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.resend_verification_email(p_ip inet) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.resend_verification_email(p_ip inet) TO auth_edge;

--
-- Name: FUNCTION resend_verification_email(p_ip inet); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.resend_verification_email(p_ip inet) IS 'Mails a new verification link to your (unverified) address: at most email_resend_max per email_request_window, email_resend_interval apart (RATEL); nothing for a user without an address (anonymous). Raises LOGIN without a session.';

--
-- Name: FUNCTION reset_password(p_token text, p_new text, p_ip inet); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.reset_password(p_token text, p_new text, p_ip inet) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.reset_password(p_token text, p_new text, p_ip inet) TO auth_edge;

--
-- Name: FUNCTION reset_password(p_token text, p_new text, p_ip inet); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.reset_password(p_token text, p_new text, p_ip inet) IS 'Sets a new password from a reset token: ends every session and refresh token, clears failures and the lock, verifies the address, mails a notice (M3), forgets the trusted devices (N10). Returns NULL or EMTOK; raises WEAKP.';

--
-- Name: FUNCTION retry_webhook_delivery(p_delivery_id uuid); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.retry_webhook_delivery(p_delivery_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION retry_webhook_delivery(p_delivery_id uuid); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.retry_webhook_delivery(p_delivery_id uuid) IS 'Queues an undelivered delivery for an attempt now (the CLI''s retry); false when there is no such undelivered delivery. Owner only.';

--
-- Name: FUNCTION revoke_api_key(id uuid); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.revoke_api_key(id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.revoke_api_key(id uuid) TO app_user;

--
-- Name: FUNCTION revoke_api_key(id uuid); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.revoke_api_key(id uuid) IS 'Revokes one of your API keys; requests with it fail from the next one. False when no such live key of yours.';

--
-- Name: FUNCTION revoke_email_tokens(p_user uuid, p_purposes text[]); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.revoke_email_tokens(p_user uuid, p_purposes text[]) FROM PUBLIC;

--
-- Name: FUNCTION revoke_email_tokens(p_user uuid, p_purposes text[]); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.revoke_email_tokens(p_user uuid, p_purposes text[]) IS 'Voids a user''s outstanding tokens of these purposes.';

--
-- Name: FUNCTION revoke_service_account(p_client_id text); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.revoke_service_account(p_client_id text) FROM PUBLIC;

--
-- Name: FUNCTION revoke_service_account(p_client_id text); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.revoke_service_account(p_client_id text) IS 'Owner only: revokes every secret and session and disables the bot.';

--
-- Name: FUNCTION revoke_service_secret(p_secret_id uuid); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.revoke_service_secret(p_secret_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION revoke_service_secret(p_secret_id uuid); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.revoke_service_secret(p_secret_id uuid) IS 'Owner only: revokes a client secret and every session it opened.';

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
-- Name: FUNCTION revoke_user_sessions(p_user uuid, p_reason text); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.revoke_user_sessions(p_user uuid, p_reason text) FROM PUBLIC;

--
-- Name: FUNCTION revoke_user_sessions(p_user uuid, p_reason text); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.revoke_user_sessions(p_user uuid, p_reason text) IS 'Revokes every session of a user now; returns how many.';

--
-- Name: FUNCTION role_rank(p_user uuid); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.role_rank(p_user uuid) FROM PUBLIC;

--
-- Name: FUNCTION role_rank(p_user uuid); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.role_rank(p_user uuid) IS 'O4: 3 admin, 2 manager, 1 anyone else: the highest DB role implied by the user''s live application roles (disabled or not).';

--
-- Name: FUNCTION run_claims_hook(p_hook regprocedure, p_user_id uuid, p_session_id uuid, p_claims jsonb); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.run_claims_hook(p_hook regprocedure, p_user_id uuid, p_session_id uuid, p_claims jsonb) FROM PUBLIC;

--
-- Name: FUNCTION run_claims_hook(p_hook regprocedure, p_user_id uuid, p_session_id uuid, p_claims jsonb); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.run_claims_hook(p_hook regprocedure, p_user_id uuid, p_session_id uuid, p_claims jsonb) IS 'Owner only: calls the configured claims hook.';

--
-- Name: FUNCTION schedule_webhook_delivery(p_delivery_id uuid, p_run_at timestamp with time zone); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.schedule_webhook_delivery(p_delivery_id uuid, p_run_at timestamp with time zone) FROM PUBLIC;

--
-- Name: FUNCTION schedule_webhook_delivery(p_delivery_id uuid, p_run_at timestamp with time zone); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.schedule_webhook_delivery(p_delivery_id uuid, p_run_at timestamp with time zone) IS 'Queues one attempt of a delivery (task webhook_deliver) at a time; owner only.';

--
-- Name: FUNCTION send_sms_code(p_factor_id uuid, p_ip inet); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.send_sms_code(p_factor_id uuid, p_ip inet) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.send_sms_code(p_factor_id uuid, p_ip inet) TO auth_edge;

--
-- Name: FUNCTION send_sms_code(p_factor_id uuid, p_ip inet); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.send_sms_code(p_factor_id uuid, p_ip inet) IS 'Edge only: a new 5-minute code for one of the caller''s active SMS factors, for the edge to send (N9).';

--
-- Name: FUNCTION session_claims(p_session_id uuid); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.session_claims(p_session_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.session_claims(p_session_id uuid) TO auth_edge;

--
-- Name: FUNCTION session_claims(p_session_id uuid); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.session_claims(p_session_id uuid) IS 'Edge only: the aal, amr, act, is_anonymous and mfa_pending claims of a session''s next access token.';

--
-- Name: FUNCTION session_user_id(); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.session_user_id() FROM PUBLIC;

--
-- Name: FUNCTION session_user_id(); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.session_user_id() IS 'The caller''s user while its session is live, not pending a second factor and the user enabled, verified or not (for the verify-only calls).';

--
-- Name: FUNCTION share_document(document_id uuid, subject_id uuid, role app_public.access_level); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.share_document(document_id uuid, subject_id uuid, role app_public.access_level) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.share_document(document_id uuid, subject_id uuid, role app_public.access_level) TO app_user;

--
-- Name: FUNCTION share_document(document_id uuid, subject_id uuid, role app_public.access_level); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.share_document(document_id uuid, subject_id uuid, role app_public.access_level) IS 'Give a user or group access to a document you manage, up to your own level. The creator always stays owner; only the creator can demote another owner.';

--
-- Name: FUNCTION sign_in_anonymously(p_ip inet, p_user_agent text); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.sign_in_anonymously(p_ip inet, p_user_agent text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.sign_in_anonymously(p_ip inet, p_user_agent text) TO auth_edge;

--
-- Name: FUNCTION sign_in_anonymously(p_ip inet, p_user_agent text); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.sign_in_anonymously(p_ip inet, p_user_agent text) IS 'Edge only: creates an anonymous user (no email) and signs it in. Returns ANOFF unless auth_config.anonymous_sign_in_enabled, RATEL over anonymous_max_per_ip per register_window (Q4).';

--
-- Name: FUNCTION sign_in_with_email_code(p_email text, p_code text, p_ip inet, p_user_agent text); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.sign_in_with_email_code(p_email text, p_code text, p_ip inet, p_user_agent text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.sign_in_with_email_code(p_email text, p_code text, p_ip inet, p_user_agent text) TO auth_edge;

--
-- Name: FUNCTION sign_in_with_email_code(p_email text, p_code text, p_ip inet, p_user_agent text); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.sign_in_with_email_code(p_email text, p_code text, p_ip inet, p_user_agent text) IS 'Signs in with the 6-digit code of a sign-in mail, like login. Returns error EMTOK (wrong, used or expired; a code dies after email_code_max_attempts wrong tries) or RATEL (too many wrong codes for the account or from the address).';

--
-- Name: FUNCTION sign_in_with_email_token(p_token text, p_ip inet, p_user_agent text); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.sign_in_with_email_token(p_token text, p_ip inet, p_user_agent text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.sign_in_with_email_token(p_token text, p_ip inet, p_user_agent text) TO auth_edge;

--
-- Name: FUNCTION sign_in_with_email_token(p_token text, p_ip inet, p_user_agent text); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.sign_in_with_email_token(p_token text, p_ip inet, p_user_agent text) IS 'Signs in with a mailed sign-in link''s token, like login. Returns error EMTOK (invalid, used or expired).';

--
-- Name: FUNCTION sms_allowed(p_phone text, p_user uuid); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.sms_allowed(p_phone text, p_user uuid) FROM PUBLIC;

--
-- Name: FUNCTION split_part(public.citext, public.citext, integer); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.split_part(public.citext, public.citext, integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.split_part(public.citext, public.citext, integer) TO pgauth_owner;

--
-- Name: FUNCTION start_passkey_registration(); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.start_passkey_registration() FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.start_passkey_registration() TO auth_edge;

--
-- Name: FUNCTION start_passkey_registration(); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.start_passkey_registration() IS 'Edge only: a registration challenge bound to the caller''s session, the user''s name and existing credentials (to exclude). Raises LOGIN without a session, MFARQ when the account has a factor and the session is not aal2.';

--
-- Name: FUNCTION start_passkey_sign_in(p_email text); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.start_passkey_sign_in(p_email text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.start_passkey_sign_in(p_email text) TO auth_edge;

--
-- Name: FUNCTION start_passkey_sign_in(p_email text); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.start_passkey_sign_in(p_email text) IS 'Edge only: a sign-in challenge. Signed in: a second factor bound to the session; otherwise a first factor bound to the returned challenge_id, restricted to the user of p_email when given.';

--
-- Name: FUNCTION start_session(p_user uuid, p_ip inet, p_user_agent text, p_amr text[], p_aal text); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.start_session(p_user uuid, p_ip inet, p_user_agent text, p_amr text[], p_aal text) FROM PUBLIC;

--
-- Name: FUNCTION start_session(p_user uuid, p_ip inet, p_user_agent text, p_amr text[], p_aal text); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.start_session(p_user uuid, p_ip inet, p_user_agent text, p_amr text[], p_aal text) IS 'Starts a session with its first refresh token (session_absolute, session_idle), recording how the user authenticated (amr, aal); an aal1 sign-in of a user who needs a second factor starts pending MFA (N4); refuses through assert_can_sign_in; evicts the oldest beyond max_sessions_per_user.';

--
-- Name: FUNCTION stop_impersonating(); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.stop_impersonating() FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.stop_impersonating() TO app_user;

--
-- Name: FUNCTION stop_impersonating(); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.stop_impersonating() IS 'Ends the caller''s impersonation session now (NOIMP when it is not one); audited for both users.';

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
-- Name: FUNCTION take_passkey_challenge(p_challenge_id uuid, p_challenge text, p_credential_id bytea, p_registration boolean, p_ip inet); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.take_passkey_challenge(p_challenge_id uuid, p_challenge text, p_credential_id bytea, p_registration boolean, p_ip inet) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.take_passkey_challenge(p_challenge_id uuid, p_challenge text, p_credential_id bytea, p_registration boolean, p_ip inet) TO auth_edge;

--
-- Name: FUNCTION take_passkey_challenge(p_challenge_id uuid, p_challenge text, p_credential_id bytea, p_registration boolean, p_ip inet); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.take_passkey_challenge(p_challenge_id uuid, p_challenge text, p_credential_id bytea, p_registration boolean, p_ip inet) IS 'Edge only: spends the pending challenge (by id for a first factor, else the session''s) if it is the one presented, counts a second factor''s attempt (N3), and returns the credential to verify against; PKCHL (unknown, used, expired, another session''s), RATEL (too many second-factor attempts) or PKREF (unknown credential, another user''s), audited.';

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
-- Name: FUNCTION tg__refuse_while_impersonating(); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.tg__refuse_while_impersonating() FROM PUBLIC;

--
-- Name: FUNCTION tg__refuse_while_impersonating(); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.tg__refuse_while_impersonating() IS 'O4: BEFORE trigger refusing (DNIED) a new credential of the user (API key, factor, provider, password) from an impersonation session.';

--
-- Name: FUNCTION tg__webhook_event(); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.tg__webhook_event() FROM PUBLIC;

--
-- Name: FUNCTION tg__webhook_event(); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.tg__webhook_event() IS 'AFTER row trigger: emits the webhook event named by the first argument with the row''s columns named by `key=column` arguments.';

--
-- Name: FUNCTION tg_audit_log__immutable(); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.tg_audit_log__immutable() FROM PUBLIC;

--
-- Name: FUNCTION tg_audit_log__immutable(); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.tg_audit_log__immutable() IS 'Refuses update/delete even for the owner.';

--
-- Name: FUNCTION tg_document_acl__realtime(); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.tg_document_acl__realtime() FROM PUBLIC;

--
-- Name: FUNCTION tg_document_acl__realtime(); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.tg_document_acl__realtime() IS 'NOTIFY pgauth:documents when a document is shared (ACL row added or changed) or unshared (removed; tombstone of that subject).';

--
-- Name: FUNCTION tg_documents__creator_owns(); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.tg_documents__creator_owns() FROM PUBLIC;

--
-- Name: FUNCTION tg_documents__creator_owns(); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.tg_documents__creator_owns() IS 'The creator of a document becomes its owner.';

--
-- Name: FUNCTION tg_documents__realtime(); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.tg_documents__realtime() FROM PUBLIC;

--
-- Name: FUNCTION tg_documents__realtime(); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.tg_documents__realtime() IS 'NOTIFY pgauth:documents with the id and kind of a change (no row data); before a delete, a tombstone of its viewers.';

--
-- Name: FUNCTION tg_groups__creator_owns(); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.tg_groups__creator_owns() FROM PUBLIC;

--
-- Name: FUNCTION tg_groups__creator_owns(); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.tg_groups__creator_owns() IS 'The creator of a group becomes its owner.';

--
-- Name: FUNCTION tg_role_grants__write_through(); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.tg_role_grants__write_through() FROM PUBLIC;

--
-- Name: FUNCTION tg_sessions__realtime(); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.tg_sessions__realtime() FROM PUBLIC;

--
-- Name: FUNCTION tg_sessions__realtime(); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.tg_sessions__realtime() IS 'NOTIFY pgauth:sessions (ids and kind only) when a session starts, is revoked or a live one is deleted.';

--
-- Name: FUNCTION tg_user_identities__verify_email(); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.tg_user_identities__verify_email() FROM PUBLIC;

--
-- Name: FUNCTION tg_user_identities__verify_email(); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.tg_user_identities__verify_email() IS 'AFTER INSERT/UPDATE OF email on user_identities: a provider-verified email equal to the user''s email marks it verified.';

--
-- Name: FUNCTION tg_user_secrets__password_set(); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.tg_user_secrets__password_set() FROM PUBLIC;

--
-- Name: FUNCTION tg_user_secrets__password_set(); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.tg_user_secrets__password_set() IS 'AFTER UPDATE OF password_updated_at: keeps the password history and voids outstanding reset, sign-in and email-change tokens (M1).';

--
-- Name: FUNCTION tg_user_secrets__webhook_password(); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.tg_user_secrets__webhook_password() FROM PUBLIC;

--
-- Name: FUNCTION tg_user_secrets__webhook_password(); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.tg_user_secrets__webhook_password() IS 'AFTER UPDATE OF password_updated_at: emits password.changed (not for the password chosen at registration).';

--
-- Name: FUNCTION tg_users__create_secrets(); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.tg_users__create_secrets() FROM PUBLIC;

--
-- Name: FUNCTION tg_users__create_secrets(); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.tg_users__create_secrets() IS 'Every user gets a secrets row. Definer: request roles have no access to app_private.';

--
-- Name: FUNCTION tg_users__realtime_disabled(); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.tg_users__realtime_disabled() FROM PUBLIC;

--
-- Name: FUNCTION tg_users__realtime_disabled(); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.tg_users__realtime_disabled() IS 'NOTIFY pgauth:sessions when a user is disabled, so open sockets are closed at once (P3).';

--
-- Name: FUNCTION tg_users__unverify_changed_email(); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.tg_users__unverify_changed_email() FROM PUBLIC;

--
-- Name: FUNCTION tg_users__unverify_changed_email(); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.tg_users__unverify_changed_email() IS 'BEFORE UPDATE OF email: a new address is unverified until proven, so domain rules of the old one stop applying.';

--
-- Name: FUNCTION token_claims(p_user_id uuid, p_session_id uuid, p_claims jsonb); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.token_claims(p_user_id uuid, p_session_id uuid, p_claims jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.token_claims(p_user_id uuid, p_session_id uuid, p_claims jsonb) TO auth_edge;

--
-- Name: FUNCTION token_claims(p_user_id uuid, p_session_id uuid, p_claims jsonb); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.token_claims(p_user_id uuid, p_session_id uuid, p_claims jsonb) IS 'Edge only: the extra claims of the configured claims hook for a new access token, or error CLAIM (audited) when the hook fails, answers no object or sets a reserved claim.';

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
-- Name: FUNCTION trust_device(p_user_agent text); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.trust_device(p_user_agent text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.trust_device(p_user_agent text) TO auth_edge;

--
-- Name: FUNCTION trust_device(p_user_agent text); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.trust_device(p_user_agent text) IS 'Edge only: right after a verified second factor, a trusted device of the caller (id.token for the signed cookie; the token is stored hashed).';

--
-- Name: FUNCTION unban_user(user_id uuid); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.unban_user(user_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.unban_user(user_id uuid) TO app_user;

--
-- Name: FUNCTION unban_user(user_id uuid); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.unban_user(user_id uuid) IS 'Admin: lift a user''s ban. Needs admin:ban; never on an equal or higher role (OUTRK).';

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

COMMENT ON FUNCTION app_public.unshare_document(document_id uuid, subject_id uuid) IS 'Remove a user''s or group''s access to a document you manage (or your own access). The creator always stays owner; only the creator can remove another owner.';

--
-- Name: FUNCTION use_email_token(p_token app_private.email_tokens); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.use_email_token(p_token app_private.email_tokens) FROM PUBLIC;

--
-- Name: FUNCTION use_email_token(p_token app_private.email_tokens); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.use_email_token(p_token app_private.email_tokens) IS 'Single use: marks the token used and revokes the user''s other outstanding tokens of its purpose (M1).';

--
-- Name: FUNCTION use_recovery_code(p_code text); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.use_recovery_code(p_code text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.use_recovery_code(p_code text) TO auth_edge;

--
-- Name: FUNCTION use_recovery_code(p_code text); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.use_recovery_code(p_code text) IS 'Edge only: spends one recovery code of the caller (once; counted per account: N3) and completes MFA. MFAIN, RATEL, MFAEX, LOGIN.';

--
-- Name: FUNCTION use_trusted_device(p_user uuid, p_token text); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.use_trusted_device(p_user uuid, p_token text) FROM PUBLIC;

--
-- Name: FUNCTION use_trusted_device(p_user uuid, p_token text); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.use_trusted_device(p_user uuid, p_token text) IS 'Whether p_token (id.token from the device cookie) is a live trusted device of p_user; records its use.';

--
-- Name: FUNCTION user_app_roles(p_user_id uuid); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.user_app_roles(p_user_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION user_app_roles(p_user_id uuid); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.user_app_roles(p_user_id uuid) IS 'The live application roles of a user (user_roles not expired, domain rules for a verified email, default roles for humans). Owner only.';

--
-- Name: FUNCTION user_role(p_user_id uuid); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.user_role(p_user_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION user_role(p_user_id uuid); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.user_role(p_user_id uuid) IS 'The request role a user is entitled to now: the highest DB role implied by their live application roles (user_roles, or a domain rule for a verified email), bot for bots, app_user otherwise; NULL if disabled/missing. Owner only.';

--
-- Name: FUNCTION users_email_verified(u app_public.users); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.users_email_verified(u app_public.users) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.users_email_verified(u app_public.users) TO anonymous;
GRANT ALL ON FUNCTION app_public.users_email_verified(u app_public.users) TO app_user;
GRANT ALL ON FUNCTION app_public.users_email_verified(u app_public.users) TO bot;

--
-- Name: FUNCTION users_email_verified(u app_public.users); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.users_email_verified(u app_public.users) IS 'Whether the current email was verified (by a mailed link or code, or a provider''s verified claim).';

--
-- Name: FUNCTION users_permissions(u app_public.users); Type: ACL; Schema: app_public; Owner: -
--

REVOKE ALL ON FUNCTION app_public.users_permissions(u app_public.users) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.users_permissions(u app_public.users) TO app_user;
GRANT ALL ON FUNCTION app_public.users_permissions(u app_public.users) TO bot;

--
-- Name: FUNCTION users_permissions(u app_public.users); Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON FUNCTION app_public.users_permissions(u app_public.users) IS 'Your permissions (`resource:action`, `resource:*` as catalogued) from your live application roles, within the API key''s scope for a key''s request; null on anyone else''s user.';

--
-- Name: FUNCTION valid_email(p_email text); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.valid_email(p_email text) FROM PUBLIC;

--
-- Name: FUNCTION valid_email(p_email text); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.valid_email(p_email text) IS 'An address we mail: one @, a dot in the domain, no spaces, control characters or header/HTML syntax, at most 320 characters (M7).';

--
-- Name: FUNCTION verify_api_key(p_key text); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.verify_api_key(p_key text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.verify_api_key(p_key text) TO auth_edge;

--
-- Name: FUNCTION verify_api_key(p_key text); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.verify_api_key(p_key text) IS 'Edge only: the user, request role, session and key id of a live API key, recording its use; no row for an unknown, revoked or expired key or a disabled user.';

--
-- Name: FUNCTION verify_email(p_token text, p_ip inet); Type: ACL; Schema: app_hidden; Owner: -
--

REVOKE ALL ON FUNCTION app_hidden.verify_email(p_token text, p_ip inet) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.verify_email(p_token text, p_ip inet) TO auth_edge;

--
-- Name: FUNCTION verify_email(p_token text, p_ip inet); Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON FUNCTION app_hidden.verify_email(p_token text, p_ip inet) IS 'Marks the address a verification token was mailed to as verified, if it is still the user''s. Returns NULL, or EMTOK (invalid, used, expired or for an older address).';

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
-- Name: FUNCTION webhook_delivery_target(p_delivery_id uuid); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.webhook_delivery_target(p_delivery_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION webhook_delivery_target(p_delivery_id uuid); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.webhook_delivery_target(p_delivery_id uuid) IS 'The URL, secret, webhook-id and body of a pending delivery to an enabled endpoint; no row otherwise. Owner only (the worker).';

--
-- Name: FUNCTION webhook_event_types(); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.webhook_event_types() FROM PUBLIC;

--
-- Name: FUNCTION webhook_event_types(); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.webhook_event_types() IS 'Every auth event a webhook endpoint can subscribe to.';

--
-- Name: FUNCTION write_audit(p_event text, p_table text, p_target_id text, p_old jsonb, p_new jsonb, p_detail jsonb); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON FUNCTION app_private.write_audit(p_event text, p_table text, p_target_id text, p_old jsonb, p_new jsonb, p_detail jsonb) FROM PUBLIC;

--
-- Name: FUNCTION write_audit(p_event text, p_table text, p_target_id text, p_old jsonb, p_new jsonb, p_detail jsonb); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON FUNCTION app_private.write_audit(p_event text, p_table text, p_target_id text, p_old jsonb, p_new jsonb, p_detail jsonb) IS 'Appends one audit row attributed to the current claims. Definer: request roles cannot insert directly.';

--
-- Name: PROCEDURE enable_rls(IN p_table regclass); Type: ACL; Schema: app_private; Owner: -
--

REVOKE ALL ON PROCEDURE app_private.enable_rls(IN p_table regclass) FROM PUBLIC;

--
-- Name: PROCEDURE enable_rls(IN p_table regclass); Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON PROCEDURE app_private.enable_rls(IN p_table regclass) IS 'Enables and forces row-level security on a table and gives its owner (the definer of security definer functions) a definer_all policy. Call it as the owner in the migration that creates the table; request-role policies and grants come after.';

--
-- Name: SCHEMA app_hidden; Type: ACL; Schema: -; Owner: -
--

GRANT USAGE ON SCHEMA app_hidden TO anonymous;
GRANT USAGE ON SCHEMA app_hidden TO app_user;
GRANT USAGE ON SCHEMA app_hidden TO bot;
GRANT USAGE ON SCHEMA app_hidden TO auth_edge;

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
-- Name: TABLE api_key_secrets; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.api_key_secrets IS 'SHA-256 of each API key (the whole `pga_..._...` string).';

--
-- Name: TABLE api_keys; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TABLE app_public.api_keys IS 'Your personal API keys (the secret is never stored: only its SHA-256 hash, in app_private). Create with createApiKey, revoke with revokeApiKey.';

--
-- Name: TABLE app_roles; Type: ACL; Schema: app_public; Owner: -
--

GRANT SELECT ON TABLE app_public.app_roles TO app_user;
GRANT SELECT ON TABLE app_public.app_roles TO bot;
GRANT DELETE ON TABLE app_public.app_roles TO admin;

--
-- Name: TABLE app_roles; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TABLE app_public.app_roles IS 'Application roles. db_role is the database role holding the application role implies (app_user, manager or admin); a default role is held by every enabled human user without a row in user_roles.';

--
-- Name: TABLE attempt_counters; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.attempt_counters IS 'Fixed-window counters keyed ''<purpose>:<kind>:<subject>'' (anonymous sign-ins per address, device user-code failures per user and per address).';

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
-- Name: TABLE client_credential_failures; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.client_credential_failures IS 'Failed client-credentials attempts per client id and per address, per 15-minute window (O6).';

--
-- Name: TABLE common_passwords; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.common_passwords IS 'Lowercase passwords refused by the policy when auth_config.password_check_common (generated list).';

--
-- Name: TABLE device_codes; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.device_codes IS 'Device authorizations (RFC 8628): codes stored as SHA-256 hashes, the approving user, the poll state; the session is started when the device collects it.';

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
-- Name: TABLE email_limits; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.email_limits IS 'Counters of email requests, resends and wrong codes, keyed ''<what>:<addr|ip|user>:<value>'', shared by every instance (M5).';

--
-- Name: TABLE email_tokens; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.email_tokens IS 'Mailed tokens, as SHA-256 hashes only (M1): one purpose, one user, the address mailed, single use, expiring.';

--
-- Name: TABLE groups; Type: ACL; Schema: app_public; Owner: -
--

GRANT SELECT,DELETE ON TABLE app_public.groups TO app_user;

--
-- Name: TABLE groups; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TABLE app_public.groups IS 'A set of users (and of other groups) that can be granted rights together.';

--
-- Name: TABLE id_token_uses; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.id_token_uses IS 'ID tokens already used by signInWithIdToken: SHA-256 of issuer and nonce claim, kept until the token expires (Q2).';

--
-- Name: TABLE ip_login_failures; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.ip_login_failures IS 'Failed logins per client address in the current window (C6); shared by every server instance.';

--
-- Name: TABLE ip_registrations; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.ip_registrations IS 'Accounts registered per client address in the current register_window.';

--
-- Name: TABLE mfa_factors; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.mfa_factors IS 'Second factors of every kind (totp, sms, webauthn); secrets live in per-kind side tables keyed by factor_id.';

--
-- Name: TABLE mfa_phones; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.mfa_phones IS 'The E.164 number of an SMS factor (N9).';

--
-- Name: TABLE mfa_recovery_codes; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.mfa_recovery_codes IS 'Recovery codes, SHA-256 hashed (N1), each usable once.';

--
-- Name: TABLE mfa_sms_codes; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.mfa_sms_codes IS 'The one outstanding SMS code of a factor, hashed, 5 minutes (N9).';

--
-- Name: TABLE mfa_totp_secrets; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.mfa_totp_secrets IS 'TOTP secrets, AES-256-GCM encrypted by the edge (key key_id, associated data the factor id); last_step: the last accepted 30 s step (replay: N2).';

--
-- Name: TABLE mfa_user_failures; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.mfa_user_failures IS 'Second-factor attempts per account in the current window (N3); reserved before each check.';

--
-- Name: TABLE native_codes; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.native_codes IS 'One-time authorization codes of app-initiated OAuth (RFC 8252), as SHA-256 hashes: bound to the app, its redirect URI, its PKCE S256 challenge and the session started for the user; 60 s, single use (Q1).';

--
-- Name: TABLE password_history; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.password_history IS 'Previous password hashes (bcrypt, as stored), newest kept up to auth_config.password_history.';

--
-- Name: TABLE permissions; Type: ACL; Schema: app_public; Owner: -
--

GRANT SELECT ON TABLE app_public.permissions TO app_user;
GRANT SELECT ON TABLE app_public.permissions TO bot;
GRANT DELETE ON TABLE app_public.permissions TO admin;

--
-- Name: TABLE permissions; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TABLE app_public.permissions IS 'Permissions as `resource:action` (posts:delete); `resource:*` granted to a role covers every action on the resource.';

--
-- Name: TABLE realtime_tombstones; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.realtime_tombstones IS 'Who could see a document just deleted or unshared (subject ids, not content), so realtime subscribers that lost it still get the event; kept 10 minutes.';

--
-- Name: TABLE refresh_tokens; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.refresh_tokens IS 'Opaque refresh tokens, hashed with SHA-256; rotated_at marks a used (rotated) token.';

--
-- Name: TABLE registration_totals; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.registration_totals IS 'Accounts registered by everyone in the current register_window (one row).';

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

COMMENT ON TABLE app_public.role_grants IS 'Deprecated alias: inserting or deleting a manager/admin grant here writes app_public.user_roles, which is what counts.';

--
-- Name: TABLE role_permissions; Type: ACL; Schema: app_public; Owner: -
--

GRANT SELECT ON TABLE app_public.role_permissions TO app_user;
GRANT SELECT ON TABLE app_public.role_permissions TO bot;
GRANT DELETE ON TABLE app_public.role_permissions TO admin;

--
-- Name: TABLE role_permissions; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TABLE app_public.role_permissions IS 'Which permissions an application role grants.';

--
-- Name: TABLE service_clients; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.service_clients IS 'Service accounts: the client id of a bot user.';

--
-- Name: TABLE service_secrets; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.service_secrets IS 'SHA-256 of each client secret; at most two live per client (rotation).';

--
-- Name: TABLE service_sessions; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.service_sessions IS 'Which secret opened each service session, so revoking the secret ends them.';

--
-- Name: TABLE sessions; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.sessions IS 'One row per sign-in; also the refresh-token family. expires_at is the absolute lifetime.';

--
-- Name: TABLE sms_sends; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.sms_sends IS 'Every SMS sent, for the per-number, per-account and global limits (toll fraud: N9).';

--
-- Name: TABLE trusted_devices; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.trusted_devices IS 'Devices that skip the second factor at sign-in until expires_at (the cookie carries id.token; only the token''s hash is stored).';

--
-- Name: TABLE unknown_login_failures; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.unknown_login_failures IS 'Failed logins for emails that are not enabled accounts, counted and locked like user_secrets (C4, C7).';

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
-- Name: TABLE user_bans; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.user_bans IS 'A ban per user: sign-in is refused (BANND) until banned_until (NULL: until unbanned).';

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
-- Name: TABLE user_roles; Type: ACL; Schema: app_public; Owner: -
--

GRANT SELECT ON TABLE app_public.user_roles TO app_user;
GRANT DELETE ON TABLE app_public.user_roles TO admin;

--
-- Name: TABLE user_roles; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TABLE app_public.user_roles IS 'Application roles held by users; a row past expires_at grants nothing. Admins write it; users read their own.';

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
-- Name: TABLE webauthn_challenges; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.webauthn_challenges IS 'Pending WebAuthn challenges (SHA-256 only): single-use, 5 minutes, bound to a session (registration, second_factor) or to their id (sign_in).';

--
-- Name: TABLE webauthn_credentials; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.webauthn_credentials IS 'Passkeys: one WebAuthn credential per mfa_factors row (kind webauthn). Public keys and counters; never readable by request roles.';

--
-- Name: TABLE webhook_attempts; Type: ACL; Schema: app_public; Owner: -
--

GRANT SELECT ON TABLE app_public.webhook_attempts TO admin;

--
-- Name: TABLE webhook_attempts; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TABLE app_public.webhook_attempts IS '@behavior -insert -update -delete -query:resource:connection -query:resource:list
Every attempt of a delivery: its HTTP status or error. Admins only.';

--
-- Name: TABLE webhook_deliveries; Type: ACL; Schema: app_public; Owner: -
--

GRANT SELECT ON TABLE app_public.webhook_deliveries TO admin;

--
-- Name: TABLE webhook_deliveries; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TABLE app_public.webhook_deliveries IS '@behavior -insert -update -delete -query:resource:connection -query:resource:list
One event to one endpoint: its state and last outcome. Admins only (adminWebhookDeliveries).';

--
-- Name: TABLE webhook_endpoint_secrets; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.webhook_endpoint_secrets IS 'Each endpoint''s signing secret (Standard Webhooks `whsec_` + base64 of 32 random bytes); shown once at creation.';

--
-- Name: TABLE webhook_endpoints; Type: ACL; Schema: app_public; Owner: -
--

GRANT SELECT,DELETE ON TABLE app_public.webhook_endpoints TO admin;

--
-- Name: TABLE webhook_endpoints; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TABLE app_public.webhook_endpoints IS '@behavior -insert -update -delete -query:resource:connection -query:resource:list
Where auth events are POSTed (signed per Standard Webhooks). Admins only: adminWebhookEndpoints, adminCreateWebhookEndpoint, adminDeleteWebhookEndpoint.';

--
-- Name: TABLE webhook_events; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TABLE app_private.webhook_events IS 'The outbox: one row per auth event that had at least one subscribed endpoint, written in the transaction of its cause. `id` is the webhook-id.';

--
-- Name: TYPE access_level; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TYPE app_public.access_level IS 'Ordered: owner > manager > viewer.';

--
-- Name: TYPE admin_identity; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TYPE app_public.admin_identity IS 'A sign-in provider linked to a user.';

--
-- Name: TYPE admin_session; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TYPE app_public.admin_session IS 'A live session of a user; actor_id is the admin of an impersonation session.';

--
-- Name: TYPE admin_user; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TYPE app_public.admin_user IS 'A user as an administrator sees them.';

--
-- Name: TYPE admin_user_detail; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TYPE app_public.admin_user_detail IS 'A user with their live sessions, linked providers and latest 20 audit rows (as them or about them).';

--
-- Name: TYPE auth_result; Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON TYPE app_hidden.auth_result IS 'What login, register and refresh return: error is NULL on success, else a registered code (CREDS, RATEL, TOKEN, REUSE, ...). mfa_required: the session waits for a second factor (mfa_factors lists the active ones). Built only by app_private.auth_ok() and auth_error(), so a new field is set in one place.';

--
-- Name: TYPE created_api_key; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TYPE app_public.created_api_key IS 'A new API key: `key` is shown this once and never again.';

--
-- Name: TYPE device_decision; Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON TYPE app_hidden.device_decision IS 'What device_lookup and approve_device answer: an error code, or the client that asks and the user code shown as XXXX-XXXX.';

--
-- Name: TYPE failure_state; Type: COMMENT; Schema: app_private; Owner: -
--

COMMENT ON TYPE app_private.failure_state IS 'Failure counters of an account (user_secrets) or of an unknown email (unknown_login_failures).';

--
-- Name: TYPE identity_info; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TYPE app_public.identity_info IS 'A sign-in provider linked to your account.';

--
-- Name: TYPE mfa_factor_info; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TYPE app_public.mfa_factor_info IS 'One of your second factors (TOTP app, phone, passkey).';

--
-- Name: TYPE mfa_result; Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON TYPE app_hidden.mfa_result IS 'A second-factor verification: the auth_result (new tokens or an error) and, after an enrolment, the recovery codes shown once.';

--
-- Name: TYPE oauth_result; Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON TYPE app_hidden.oauth_result IS 'error is NULL on success, else EMCOL (email belongs to another account), IDLNK (provider account linked to another user), PRVLN (you already linked this provider), LOGIN, DSBLD.';

--
-- Name: TYPE passkey_registered; Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON TYPE app_hidden.passkey_registered IS 'finish_passkey_registration''s answer: error (PKREF: the credential is registered already) or the new factor with what activating it gave (new tokens for the session, raised to aal2, and the first factor''s recovery codes).';

--
-- Name: TYPE passkey_start; Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON TYPE app_hidden.passkey_start IS 'A started passkey ceremony: the challenge (once), whom it is for and their credentials (excludeCredentials or allowCredentials).';

--
-- Name: TYPE passkey_taken; Type: COMMENT; Schema: app_hidden; Owner: -
--

COMMENT ON TYPE app_hidden.passkey_taken IS 'A challenge taken for verification: error (PKCHL, PKREF) or what the edge verifies against.';

--
-- Name: TYPE session_info; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TYPE app_public.session_info IS 'One of your active sign-ins.';

--
-- Name: TYPE trusted_device_info; Type: COMMENT; Schema: app_public; Owner: -
--

COMMENT ON TYPE app_public.trusted_device_info IS 'A device that skips the second factor when you sign in from it.';

--
-- Name: access_level; Type: TYPE; Schema: app_public; Owner: -
--

CREATE TYPE app_public.access_level AS ENUM (
    'viewer',
    'manager',
    'owner'
);

--
-- Name: activate_factor(app_private.sessions, uuid, text); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.activate_factor(p_s app_private.sessions, p_factor uuid, p_method text) RETURNS app_hidden.mfa_result
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v app_hidden.mfa_result;
  v_kind text;
begin
  update app_private.mfa_factors f set status = 'active' where f.id = p_factor returning f.kind into v_kind;
  if not exists (select 1 from app_private.mfa_recovery_codes r where r.user_id = p_s.user_id and r.used_at is null) then
    v.recovery_codes := app_private.new_recovery_codes(p_s.user_id);
  else
    v.recovery_codes := '{}';
  end if;
  perform app_private.mfa_notice(p_s.user_id, 'mfa_enrolled',
    format('A second factor (%s) was added to your account.', case v_kind when 'totp' then 'authenticator app' when 'sms' then 'phone' else v_kind end),
    jsonb_build_object('factor_id', p_factor, 'kind', v_kind));
  v.auth := app_private.complete_mfa(p_s.id, p_method);
  return v;
end;
$$;

--
-- Name: add_service_secret(text, timestamp with time zone); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.add_service_secret(p_client_id text, p_expires_at timestamp with time zone DEFAULT NULL::timestamp with time zone) RETURNS text
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_secret text := 'svs_' || pg_catalog.encode(public.gen_random_bytes(32), 'hex');
  v_old uuid;
begin
  if not exists (select 1 from app_private.service_clients c where c.client_id = p_client_id) then
    raise exception 'No such service account' using errcode = 'NTFND';
  end if;
  -- clock_timestamp: secrets added in one transaction still order by age.
  insert into app_private.service_secrets (client_id, secret_hash, expires_at, created_at)
    values (p_client_id, public.digest(v_secret, 'sha256'), p_expires_at, pg_catalog.clock_timestamp());
  for v_old in
    select s.id from app_private.service_secrets s
    where s.client_id = p_client_id and s.revoked_at is null
    order by s.created_at desc offset 2
  loop
    perform app_private.revoke_service_secret(v_old);
  end loop;
  return v_secret;
end;
$$;

--
-- Name: add_webhook_endpoint(text, text[], text, uuid); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.add_webhook_endpoint(p_url text, p_event_types text[], p_description text, p_created_by uuid) RETURNS TABLE(id uuid, secret text)
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
declare
  v_types text[] := coalesce(array(select distinct t from pg_catalog.unnest(p_event_types) t order by 1), '{}');
  v_secret text := 'whsec_' || pg_catalog.encode(public.gen_random_bytes(32), 'base64');
  v_id uuid;
begin
  if p_url is null or length(p_url) > 2000 or p_url !~ '^https?://[^/?#@[:space:]]+(/[^[:space:]]*)?$' then
    raise exception 'Invalid webhook URL' using errcode = 'BADRQ';
  end if;
  if not v_types operator(pg_catalog.<@) app_private.webhook_event_types() then
    raise exception 'Unknown event type' using errcode = 'BADRQ';
  end if;
  insert into app_public.webhook_endpoints (url, description, event_types, created_by)
    values (p_url, nullif(p_description, ''), v_types, p_created_by)
    returning webhook_endpoints.id into v_id;
  insert into app_private.webhook_endpoint_secrets (endpoint_id, secret) values (v_id, v_secret);
  return query select v_id, v_secret;
end;
$_$;

--
-- Name: admin_actor(text, uuid); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.admin_actor(p_permission text, p_target uuid) RETURNS uuid
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_me uuid;
begin
  if app_private.is_cli() then
    if p_target is not null and not exists (select 1 from app_public.users u where u.id = p_target) then
      raise exception 'No such user' using errcode = 'NTFND';
    end if;
    return null;
  end if;
  v_me := app_hidden.current_user_id();
  if v_me is null then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  if not app_hidden.has_permission(p_permission) then
    raise exception 'Permission denied' using errcode = 'DNIED';
  end if;
  if p_target is not null then
    if not exists (select 1 from app_public.users u where u.id = p_target) then
      raise exception 'No such user' using errcode = 'NTFND';
    end if;
    if app_private.role_rank(p_target) >= app_private.role_rank(v_me) then
      raise exception 'That user''s role is equal to or higher than yours' using errcode = 'OUTRK';
    end if;
  end if;
  return v_me;
end;
$$;

--
-- Name: admin_audit(text, uuid, jsonb); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.admin_audit(p_event text, p_target uuid, p_detail jsonb) RETURNS void
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  insert into app_public.audit_log (actor_user_id, actor_session_id, actor_role, event, table_name, target_id, detail)
  values (app_hidden.claimed_user_id(), app_hidden.current_session_id(),
          case when app_private.is_cli() then 'cli'
               when pg_catalog.current_setting('role') = 'auth_edge'
                 then coalesce(nullif(pg_catalog.current_setting('jwt.claims.role', true), ''), 'anonymous')
               else pg_catalog.current_setting('role') end,
          p_event, 'app_public.users', p_target::text, p_detail)
$$;

--
-- Name: admin_audit_log(uuid, text, boolean, timestamp with time zone, timestamp with time zone, bigint, integer); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.admin_audit_log(user_id uuid DEFAULT NULL::uuid, event text DEFAULT NULL::text, success boolean DEFAULT NULL::boolean, since timestamp with time zone DEFAULT NULL::timestamp with time zone, until timestamp with time zone DEFAULT NULL::timestamp with time zone, before_id bigint DEFAULT NULL::bigint, max_rows integer DEFAULT 50) RETURNS SETOF app_public.audit_log
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
#variable_conflict use_column
begin
  perform app_hidden.admin_actor('admin:audit', null);
  return query
    select a.* from app_public.audit_log a
    where (admin_audit_log.user_id is null
           or a.actor_user_id = admin_audit_log.user_id or a.target_id = admin_audit_log.user_id::text)
      and (admin_audit_log.event is null or a.event = admin_audit_log.event)
      and (admin_audit_log.success is null
           or (a.event !~ '(failed|rejected|reuse|limited|denied|refused|locked|expired)') = admin_audit_log.success)
      and (admin_audit_log.since is null or a.at >= admin_audit_log.since)
      and (admin_audit_log.until is null or a.at < admin_audit_log.until)
      and (admin_audit_log.before_id is null or a.id < admin_audit_log.before_id)
    order by a.id desc
    limit least(greatest(coalesce(admin_audit_log.max_rows, 50), 1), 100);
end;
$$;

--
-- Name: admin_delete_user(uuid); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.admin_delete_user(user_id uuid) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_id uuid := admin_delete_user.user_id;
begin
  perform app_hidden.admin_actor('admin:delete', v_id);
  perform app_private.revoke_user_sessions(v_id, 'deleted');
  delete from app_public.api_keys k where k.user_id = v_id;
  delete from app_public.user_identities i where i.user_id = v_id;
  delete from app_private.mfa_factors f where f.user_id = v_id;
  delete from app_private.email_tokens t where t.user_id = v_id;
  delete from app_private.password_history h where h.user_id = v_id;
  update app_private.user_secrets s set password_hash = null, password_updated_at = null where s.user_id = v_id;
  delete from app_public.role_grants g where g.user_id = v_id;
  delete from app_public.user_roles ur where ur.user_id = v_id;
  delete from app_public.user_acl a where a.user_id = v_id or a.subject_id = v_id;
  delete from app_public.relation_edge e where e.subject_type = 'user' and e.subject_id = v_id;
  delete from app_private.user_bans b where b.user_id = v_id;
  -- The id stays (documents, audit rows and foreign keys keep pointing at it); who it was does not.
  update app_public.users u
    set email = ('deleted-' || v_id::text || '@deleted.invalid')::public.citext, display_name = null,
        email_verified_at = null, disabled_at = coalesce(u.disabled_at, now())
    where u.id = v_id;
  perform app_private.admin_audit('user_deleted', v_id, null);
  return true;
end;
$$;

--
-- Name: admin_delete_webhook_endpoint(uuid); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.admin_delete_webhook_endpoint(id uuid) RETURNS app_public.webhook_endpoints
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_row app_public.webhook_endpoints;
begin
  perform app_hidden.assert_webhook_admin();
  delete from app_public.webhook_endpoints e where e.id = admin_delete_webhook_endpoint.id returning e.* into v_row;
  if v_row.id is null then
    raise exception 'No such endpoint' using errcode = 'NTFND';
  end if;
  return v_row;
end;
$$;

--
-- Name: admin_identity; Type: TYPE; Schema: app_public; Owner: -
--

CREATE TYPE app_public.admin_identity AS (
	provider text,
	issuer text,
	subject text,
	email text,
	created_at timestamp with time zone
);

--
-- Name: admin_reset_mfa(uuid); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.admin_reset_mfa(user_id uuid) RETURNS app_public.admin_user
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_n int;
begin
  perform app_hidden.admin_actor('admin:mfa', admin_reset_mfa.user_id);
  delete from app_private.mfa_factors f where f.user_id = admin_reset_mfa.user_id;
  get diagnostics v_n = row_count;
  -- What belonged to those factors goes with them: an old recovery code or trusted device must
  -- not stand in for a factor enrolled later (N10).
  delete from app_private.mfa_recovery_codes r where r.user_id = admin_reset_mfa.user_id;
  delete from app_private.trusted_devices t where t.user_id = admin_reset_mfa.user_id;
  perform app_private.admin_audit('admin_mfa_reset', admin_reset_mfa.user_id, jsonb_build_object('factors', v_n));
  return app_private.admin_user_row(admin_reset_mfa.user_id);
end;
$$;

--
-- Name: admin_retry_webhook_delivery(uuid); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.admin_retry_webhook_delivery(id uuid) RETURNS app_public.webhook_deliveries
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_row app_public.webhook_deliveries;
begin
  perform app_hidden.assert_webhook_admin();
  if not app_private.retry_webhook_delivery(admin_retry_webhook_delivery.id) then
    raise exception 'No undelivered delivery' using errcode = 'NTFND';
  end if;
  select d.* into v_row from app_public.webhook_deliveries d where d.id = admin_retry_webhook_delivery.id;
  return v_row;
end;
$$;

--
-- Name: admin_revoke_sessions(uuid); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.admin_revoke_sessions(user_id uuid) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_n int;
begin
  perform app_hidden.admin_actor('admin:sessions', admin_revoke_sessions.user_id);
  v_n := app_private.revoke_user_sessions(admin_revoke_sessions.user_id, 'revoked_by_admin');
  perform app_private.admin_audit('admin_sessions_revoked', admin_revoke_sessions.user_id, jsonb_build_object('count', v_n));
  return v_n;
end;
$$;

--
-- Name: admin_session; Type: TYPE; Schema: app_public; Owner: -
--

CREATE TYPE app_public.admin_session AS (
	id uuid,
	created_at timestamp with time zone,
	last_used_at timestamp with time zone,
	expires_at timestamp with time zone,
	user_agent text,
	ip text,
	aal text,
	amr text[],
	actor_id uuid,
	is_api_key boolean
);

--
-- Name: admin_set_roles(uuid, text[]); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.admin_set_roles(user_id uuid, roles text[]) RETURNS app_public.admin_user
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_actor uuid := app_hidden.admin_actor('admin:roles', admin_set_roles.user_id);
  v_roles text[] := array(select distinct x from unnest(coalesce(admin_set_roles.roles, '{}')) x where x is not null);
  v_before text[];
  v_unknown text;
begin
  select x into v_unknown from unnest(v_roles) x
    where not exists (select 1 from app_public.app_roles r where r.name = x) limit 1;
  if v_unknown is not null then
    raise exception 'No such role' using errcode = 'NTFND';
  end if;
  if v_actor is not null and exists (
       select 1 from app_public.app_roles r
       where r.name = any (v_roles)
         and (case r.db_role when 'admin' then 3 when 'manager' then 2 else 1 end) > app_private.role_rank(v_actor)) then
    raise exception 'You cannot grant a role above your own' using errcode = 'OUTRK';
  end if;
  v_before := array(select ur.role from app_public.user_roles ur where ur.user_id = admin_set_roles.user_id order by 1);
  delete from app_public.role_grants g where g.user_id = admin_set_roles.user_id and g.role <> all (v_roles);
  delete from app_public.user_roles ur where ur.user_id = admin_set_roles.user_id and ur.role <> all (v_roles);
  insert into app_public.user_roles (user_id, role, granted_by)
    select admin_set_roles.user_id, x, v_actor from unnest(v_roles) x
  on conflict on constraint user_roles_pkey do nothing;
  perform app_private.admin_audit('admin_roles_set', admin_set_roles.user_id,
    jsonb_build_object('before', to_jsonb(v_before), 'after', to_jsonb(v_roles)));
  return app_private.admin_user_row(admin_set_roles.user_id);
end;
$$;

--
-- Name: admin_unlink_identity(uuid, text, boolean, text); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.admin_unlink_identity(user_id uuid, provider text, force boolean DEFAULT false, reason text DEFAULT NULL::text) RETURNS app_public.admin_user
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_id uuid;
  v_last boolean;
begin
  perform app_hidden.admin_actor('admin:identities', admin_unlink_identity.user_id);
  select i.id into v_id from app_public.user_identities i
    where i.user_id = admin_unlink_identity.user_id and i.provider = admin_unlink_identity.provider for update;
  if v_id is null then
    raise exception 'No such linked provider' using errcode = 'NTFND';
  end if;
  v_last := not exists (select 1 from app_private.user_secrets s
                        where s.user_id = admin_unlink_identity.user_id and s.password_hash is not null)
        and not exists (select 1 from app_public.user_identities i
                        where i.user_id = admin_unlink_identity.user_id and i.id <> v_id);
  if v_last and not coalesce(admin_unlink_identity.force, false) then
    raise exception 'This is the user''s last way to sign in' using errcode = 'LASTM';
  end if;
  if v_last and coalesce(btrim(admin_unlink_identity.reason), '') = '' then
    raise exception 'A reason is required' using errcode = 'REASN';
  end if;
  delete from app_public.user_identities i where i.id = v_id;
  perform app_private.admin_audit('admin_identity_unlinked', admin_unlink_identity.user_id,
    jsonb_build_object('provider', admin_unlink_identity.provider, 'forced', v_last, 'reason', admin_unlink_identity.reason));
  return app_private.admin_user_row(admin_unlink_identity.user_id);
end;
$$;

--
-- Name: admin_user(uuid); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.admin_user(id uuid) RETURNS app_public.admin_user_detail
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v app_public.admin_user_detail;
begin
  perform app_hidden.admin_actor('admin:read', null);
  v.account := app_private.admin_user_row(admin_user.id);
  if (v.account).id is null then
    raise exception 'No such user' using errcode = 'NTFND';
  end if;
  v.sessions := array(
    select row(s.id, s.created_at, s.last_used_at, s.expires_at, s.user_agent, host(s.ip), s.aal, s.amr, s.actor_id,
               exists (select 1 from app_public.api_keys k where k.session_id = s.id))::app_public.admin_session
    from app_private.sessions s
    where s.user_id = admin_user.id and s.revoked_at is null and s.expires_at > now()
    order by s.last_used_at desc);
  v.identities := array(
    select row(i.provider, i.issuer, i.subject, i.email::text, i.created_at)::app_public.admin_identity
    from app_public.user_identities i where i.user_id = admin_user.id order by i.provider);
  v.recent_audit := coalesce((
    select jsonb_agg(jsonb_build_object('id', a.id, 'at', a.at, 'event', a.event, 'actorUserId', a.actor_user_id,
                                        'actorRole', a.actor_role, 'tableName', a.table_name, 'targetId', a.target_id,
                                        'detail', a.detail) order by a.id desc)
    from (select * from app_public.audit_log a
          where a.target_id = admin_user.id::text or a.actor_user_id = admin_user.id
          order by a.id desc limit 20) a), '[]');
  return v;
end;
$$;

--
-- Name: admin_user; Type: TYPE; Schema: app_public; Owner: -
--

CREATE TYPE app_public.admin_user AS (
	id uuid,
	email text,
	display_name text,
	is_bot boolean,
	created_at timestamp with time zone,
	last_sign_in_at timestamp with time zone,
	email_verified_at timestamp with time zone,
	disabled_at timestamp with time zone,
	is_banned boolean,
	banned_until timestamp with time zone,
	ban_reason text,
	roles text[],
	factor_count integer,
	providers text[]
);

--
-- Name: admin_user_detail; Type: TYPE; Schema: app_public; Owner: -
--

CREATE TYPE app_public.admin_user_detail AS (
	account app_public.admin_user,
	sessions app_public.admin_session[],
	identities app_public.admin_identity[],
	recent_audit jsonb
);

--
-- Name: admin_user_row(uuid); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.admin_user_row(p_user uuid) RETURNS app_public.admin_user
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select u.id, u.email::text, u.display_name, u.is_bot, u.created_at,
    (select max(s.created_at) from app_private.sessions s where s.user_id = u.id and s.actor_id is null),
    u.email_verified_at, u.disabled_at,
    b.user_id is not null, b.banned_until, b.reason,
    array(select x.role from app_private.user_app_roles(u.id) x order by 1),
    (select count(*)::int from app_private.mfa_factors f where f.user_id = u.id and f.status = 'active'),
    array(select i.provider from app_public.user_identities i where i.user_id = u.id order by 1)
  from app_public.users u
  left join app_private.user_bans b
    on b.user_id = u.id and (b.banned_until is null or b.banned_until > now())
  where u.id = p_user
$$;

--
-- Name: admin_users(text, text, boolean, boolean, boolean, timestamp with time zone, uuid, integer); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.admin_users(search text DEFAULT NULL::text, role text DEFAULT NULL::text, banned boolean DEFAULT NULL::boolean, verified boolean DEFAULT NULL::boolean, disabled boolean DEFAULT NULL::boolean, before_created_at timestamp with time zone DEFAULT NULL::timestamp with time zone, before_id uuid DEFAULT NULL::uuid, max_rows integer DEFAULT 20) RETURNS SETOF app_public.admin_user
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
#variable_conflict use_column
begin
  perform app_hidden.admin_actor('admin:read', null);
  return query
    select r.*
    from (
      select u.id, u.created_at from app_public.users u
      where (admin_users.search is null
             or pg_catalog.strpos(pg_catalog.lower(u.email::text), pg_catalog.lower(admin_users.search)) > 0
             or pg_catalog.strpos(pg_catalog.lower(coalesce(u.display_name, '')), pg_catalog.lower(admin_users.search)) > 0)
        and (admin_users.verified is null or (u.email_verified_at is not null) = admin_users.verified)
        and (admin_users.disabled is null or (u.disabled_at is not null) = admin_users.disabled)
        and (admin_users.banned is null or exists (
               select 1 from app_private.user_bans b
               where b.user_id = u.id and (b.banned_until is null or b.banned_until > now())) = admin_users.banned)
        and (admin_users.role is null or exists (
               select 1 from app_private.user_app_roles(u.id) x where x.role = admin_users.role))
        and (u.created_at, u.id) < (coalesce(admin_users.before_created_at, 'infinity'),
                                    coalesce(admin_users.before_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))
      order by u.created_at desc, u.id desc
      limit least(greatest(coalesce(admin_users.max_rows, 20), 1), 100)
    ) page
    cross join lateral app_private.admin_user_row(page.id) r
    order by page.created_at desc, page.id desc;
end;
$$;

--
-- Name: admin_webhook_deliveries(uuid, boolean); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.admin_webhook_deliveries(endpoint_id uuid DEFAULT NULL::uuid, failed_only boolean DEFAULT false) RETURNS SETOF app_public.webhook_deliveries
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform app_hidden.assert_webhook_admin();
  return query select d.* from app_public.webhook_deliveries d
  where (admin_webhook_deliveries.endpoint_id is null or d.endpoint_id = admin_webhook_deliveries.endpoint_id)
    and (not coalesce(admin_webhook_deliveries.failed_only, false) or d.status = 'failed' or d.last_error is not null)
  order by d.created_at desc, d.id;
end;
$$;

--
-- Name: admin_webhook_endpoints(); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.admin_webhook_endpoints() RETURNS SETOF app_public.webhook_endpoints
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform app_hidden.assert_webhook_admin();
  return query select e.* from app_public.webhook_endpoints e order by e.created_at desc, e.id;
end;
$$;

--
-- Name: after_failure(integer, timestamp with time zone, timestamp with time zone, integer, app_private.auth_config); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.after_failure(p_failed_attempts integer, p_first_failed_at timestamp with time zone, p_locked_until timestamp with time zone, p_lockouts integer, c app_private.auth_config) RETURNS app_private.failure_state
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_in_window boolean := coalesce(p_first_failed_at > now() - c.failure_window, false);
  v_attempts int := case when v_in_window then p_failed_attempts + 1 else 1 end;
  v app_private.failure_state;
begin
  if v_attempts < c.account_max_failures then
    v.failed_attempts := v_attempts;
    v.first_failed_at := case when v_in_window then p_first_failed_at else now() end;
    v.locked_until := p_locked_until;
    v.lockouts := p_lockouts;
    return v;
  end if;
  -- A lock soon after the previous one ended belongs to the same attack: twice as long.
  v.lockouts := case when p_locked_until > now() - c.failure_window then p_lockouts + 1 else 1 end;
  v.locked_until := now() + least(c.account_lock_max, interval '1 minute' * power(2, least(v.lockouts - 1, 20)));
  v.failed_attempts := 0;
  v.first_failed_at := null;
  return v;
end;
$$;

--
-- Name: api_key_secrets api_key_secrets_api_key_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.api_key_secrets
    ADD CONSTRAINT api_key_secrets_api_key_id_fkey FOREIGN KEY (api_key_id) REFERENCES app_public.api_keys(id) ON DELETE CASCADE;

--
-- Name: api_key_secrets api_key_secrets_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.api_key_secrets
    ADD CONSTRAINT api_key_secrets_pkey PRIMARY KEY (api_key_id);

--
-- Name: api_key_secrets api_key_secrets_secret_hash_key; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.api_key_secrets
    ADD CONSTRAINT api_key_secrets_secret_hash_key UNIQUE (secret_hash);

--
-- Name: api_key_secrets definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.api_key_secrets TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: api_key_secrets; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.api_key_secrets ENABLE ROW LEVEL SECURITY;

--
-- Name: api_key_secrets; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.api_key_secrets (
    api_key_id uuid NOT NULL,
    secret_hash bytea NOT NULL,
    CONSTRAINT api_key_secrets_secret_hash_check CHECK ((length(secret_hash) = 32))
);

ALTER TABLE ONLY app_private.api_key_secrets FORCE ROW LEVEL SECURITY;

--
-- Name: api_keys _050_refuse_while_impersonating; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _050_refuse_while_impersonating BEFORE INSERT ON app_public.api_keys FOR EACH ROW EXECUTE FUNCTION app_private.tg__refuse_while_impersonating('an API key');

--
-- Name: api_keys _900_audit; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.api_keys FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit('id');

--
-- Name: api_keys api_keys_pkey; Type: CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.api_keys
    ADD CONSTRAINT api_keys_pkey PRIMARY KEY (id);

--
-- Name: api_keys api_keys_prefix_key; Type: CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.api_keys
    ADD CONSTRAINT api_keys_prefix_key UNIQUE (prefix);

--
-- Name: api_keys api_keys_session_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.api_keys
    ADD CONSTRAINT api_keys_session_id_fkey FOREIGN KEY (session_id) REFERENCES app_private.sessions(id) ON DELETE CASCADE;

--
-- Name: api_keys api_keys_session_id_key; Type: CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.api_keys
    ADD CONSTRAINT api_keys_session_id_key UNIQUE (session_id);

--
-- Name: api_keys api_keys_user_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.api_keys
    ADD CONSTRAINT api_keys_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: api_keys definer_all; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY definer_all ON app_public.api_keys TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: api_keys select_own; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY select_own ON app_public.api_keys FOR SELECT TO app_user USING ((user_id = ( SELECT app_hidden.current_user_id() AS current_user_id)));

--
-- Name: api_keys; Type: ROW SECURITY; Schema: app_public; Owner: -
--

ALTER TABLE app_public.api_keys ENABLE ROW LEVEL SECURITY;

--
-- Name: api_keys; Type: TABLE; Schema: app_public; Owner: -
--

CREATE TABLE app_public.api_keys (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    name text NOT NULL,
    prefix text NOT NULL,
    permissions text[] DEFAULT '{}'::text[] NOT NULL,
    expires_at timestamp with time zone,
    last_used_at timestamp with time zone,
    revoked_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    session_id uuid NOT NULL,
    CONSTRAINT api_keys_name_check CHECK (((length(name) >= 1) AND (length(name) <= 100))),
    CONSTRAINT api_keys_prefix_check CHECK ((prefix ~ '^[0-9a-f]{16}$'::text))
);

ALTER TABLE ONLY app_public.api_keys FORCE ROW LEVEL SECURITY;

--
-- Name: api_keys_user_idx; Type: INDEX; Schema: app_public; Owner: -
--

CREATE INDEX api_keys_user_idx ON app_public.api_keys USING btree (user_id);

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
-- Name: app_roles _900_audit; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.app_roles FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit('name');

--
-- Name: app_roles all_admin; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY all_admin ON app_public.app_roles TO admin USING ((( SELECT app_hidden.current_app_role() AS current_app_role) = 'admin'::text)) WITH CHECK ((( SELECT app_hidden.current_app_role() AS current_app_role) = 'admin'::text));

--
-- Name: app_roles app_roles_pkey; Type: CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.app_roles
    ADD CONSTRAINT app_roles_pkey PRIMARY KEY (name);

--
-- Name: app_roles definer_all; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY definer_all ON app_public.app_roles TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: app_roles select_signed_in; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY select_signed_in ON app_public.app_roles FOR SELECT TO app_user, bot USING ((( SELECT app_hidden.current_user_id() AS current_user_id) IS NOT NULL));

--
-- Name: app_roles; Type: ROW SECURITY; Schema: app_public; Owner: -
--

ALTER TABLE app_public.app_roles ENABLE ROW LEVEL SECURITY;

--
-- Name: app_roles; Type: TABLE; Schema: app_public; Owner: -
--

CREATE TABLE app_public.app_roles (
    name text NOT NULL,
    description text,
    db_role text DEFAULT 'app_user'::text NOT NULL,
    is_default boolean DEFAULT false NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT app_roles_db_role_check CHECK ((db_role = ANY (ARRAY['app_user'::text, 'manager'::text, 'admin'::text]))),
    CONSTRAINT app_roles_name_check CHECK ((name ~ '^[a-z][a-z0-9_]{0,62}$'::text))
);

ALTER TABLE ONLY app_public.app_roles FORCE ROW LEVEL SECURITY;

--
-- Name: approve_device(text, boolean, inet); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.approve_device(p_user_code text, p_approve boolean, p_ip inet) RETURNS app_hidden.device_decision
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_user uuid;
  v app_private.device_codes;
  v_code text := app_private.device_user_code(p_user_code);
  v_approve boolean := coalesce(p_approve, true);
begin
  begin
    v_user := app_private.device_approver();
    v := app_private.device_by_user_code(p_user_code, v_user, p_ip);
  exception when sqlstate 'LOGIN' or sqlstate 'DNIED' or sqlstate 'RATEL' then
    -- Returned, not raised: the counted failure must commit with the answer.
    return row(sqlstate, null, null, null, null, null)::app_hidden.device_decision;
  end;
  if v.id is null then
    return row('DVCOD', null, null, null, null, null)::app_hidden.device_decision;
  end if;
  update app_private.device_codes d
    set status = case when v_approve then 'approved' else 'denied' end,
        user_id = v_user, approver_session_id = app_hidden.current_session_id(), decided_at = now()
    where d.id = v.id;
  perform app_private.write_audit(case when v_approve then 'device_approved' else 'device_denied' end,
    'app_public.users', v_user::text, null, null,
    jsonb_build_object('ip', p_ip::text, 'client_id', v.client_id, 'device_ip', v.ip::text));
  return row(null, v.client_id, v.client_name, v.scope, substr(v_code, 1, 4) || '-' || substr(v_code, 5, 4), v_approve)::app_hidden.device_decision;
end;
$$;

--
-- Name: assert_aal2_if_factor(uuid); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.assert_aal2_if_factor(p_user uuid) RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if exists (select 1 from app_private.mfa_factors f where f.user_id = p_user and f.status = 'active')
     and coalesce(app_hidden.current_aal(), 'aal1') <> 'aal2' then
    raise exception 'Verify a second factor first' using errcode = 'MFARQ';
  end if;
end;
$$;

--
-- Name: assert_can_sign_in(uuid); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.assert_can_sign_in(p_user uuid) RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if exists (select 1 from app_private.user_bans b
             where b.user_id = p_user and (b.banned_until is null or b.banned_until > now())) then
    raise exception 'This account is banned' using errcode = 'BANND';
  end if;
end;
$$;

--
-- Name: assert_may_enroll(app_private.sessions); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.assert_may_enroll(p_s app_private.sessions) RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if p_s.id is null then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  if p_s.aal <> 'aal2' and exists (select 1 from app_private.mfa_factors f where f.user_id = p_s.user_id and f.status = 'active') then
    raise exception 'Verify a second factor first' using errcode = 'MFARQ';
  end if;
end;
$$;

--
-- Name: assert_owner_change_allowed(uuid, uuid, app_public.access_level, app_public.access_level, uuid); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.assert_owner_change_allowed(p_document_id uuid, p_subject_id uuid, p_existing app_public.access_level, p_new app_public.access_level, p_me uuid) RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_creator uuid;
begin
  if p_existing is distinct from 'owner' or p_new = 'owner' then
    return; -- nobody loses ownership
  end if;
  select d.owner_id into v_creator from app_public.documents d where d.id = p_document_id;
  if p_subject_id = v_creator then
    raise exception 'The creator of a document keeps ownership' using errcode = 'LASTO';
  end if;
  if p_me is distinct from v_creator and p_me is distinct from p_subject_id then
    raise exception 'Only the creator can take ownership away from another owner' using errcode = 'DNIED';
  end if;
  if not exists (select 1 from app_public.document_acl a
                 where a.document_id = p_document_id and a.role = 'owner' and a.subject_id <> p_subject_id) then
    raise exception 'A document must keep an owner' using errcode = 'LASTO';
  end if;
end;
$$;

--
-- Name: assert_password_ok(text); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.assert_password_ok(p_password text) RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_rule text := app_private.password_policy_violation(p_password, null, null);
begin
  if v_rule is not null then
    raise exception 'Password does not meet the requirements' using errcode = 'WEAKP', detail = v_rule;
  end if;
end;
$$;

--
-- Name: assert_password_policy(text, uuid, text, text); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.assert_password_policy(p_password text, p_user uuid, p_email text, p_name text) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

--
-- Name: assert_webhook_admin(); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.assert_webhook_admin() RETURNS void
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if app_hidden.current_user_id() is null then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  if app_hidden.current_app_role() is distinct from 'admin' or not app_hidden.has_permission('admin:webhooks') then
    raise exception 'Permission denied' using errcode = 'DNIED';
  end if;
end;
$$;

--
-- Name: attempt_counters attempt_counters_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.attempt_counters
    ADD CONSTRAINT attempt_counters_pkey PRIMARY KEY (key);

--
-- Name: attempt_counters definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.attempt_counters TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: attempt_counters; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.attempt_counters ENABLE ROW LEVEL SECURITY;

--
-- Name: attempt_counters; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.attempt_counters (
    key text NOT NULL,
    hits integer DEFAULT 0 NOT NULL,
    window_start timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT attempt_counters_key_check CHECK ((length(key) <= 200))
);

ALTER TABLE ONLY app_private.attempt_counters FORCE ROW LEVEL SECURITY;

--
-- Name: attempt_limited(text, integer, interval); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.attempt_limited(p_key text, p_max integer, p_window interval) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_hits integer;
begin
  insert into app_private.attempt_counters as a (key, hits) values (p_key, 1)
    on conflict (key) do update set
      hits = case when a.window_start > now() - p_window then a.hits + 1 else 1 end,
      window_start = case when a.window_start > now() - p_window then a.window_start else now() end
    returning hits into v_hits;
  return v_hits > p_max;
end;
$$;

--
-- Name: attempt_over(text, integer, interval); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.attempt_over(p_key text, p_max integer, p_window interval) RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select coalesce((select a.hits >= p_max from app_private.attempt_counters a
                   where a.key = p_key and a.window_start > now() - p_window), false)
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

CREATE POLICY select_admin ON app_public.audit_log FOR SELECT TO admin USING ((( SELECT app_hidden.current_app_role() AS current_app_role) = 'admin'::text));

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
-- Name: audit_log_target_id_idx; Type: INDEX; Schema: app_public; Owner: -
--

CREATE INDEX audit_log_target_id_idx ON app_public.audit_log USING btree (target_id, id DESC);

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
    register_window interval DEFAULT '01:00:00'::interval NOT NULL,
    register_max_per_ip integer DEFAULT 20 NOT NULL,
    register_max_global integer DEFAULT 1000 NOT NULL,
    email_verification_required boolean DEFAULT false NOT NULL,
    email_verify_ttl interval DEFAULT '24:00:00'::interval NOT NULL,
    email_reset_ttl interval DEFAULT '01:00:00'::interval NOT NULL,
    email_sign_in_ttl interval DEFAULT '00:15:00'::interval NOT NULL,
    email_change_ttl interval DEFAULT '24:00:00'::interval NOT NULL,
    email_resend_max integer DEFAULT 3 NOT NULL,
    email_resend_interval interval DEFAULT '00:01:00'::interval NOT NULL,
    email_request_window interval DEFAULT '01:00:00'::interval NOT NULL,
    email_request_max_per_address integer DEFAULT 5 NOT NULL,
    email_request_max_per_ip integer DEFAULT 50 NOT NULL,
    email_code_max_attempts integer DEFAULT 5 NOT NULL,
    email_code_max_failures integer DEFAULT 10 NOT NULL,
    email_mail_max_attempts integer DEFAULT 10 NOT NULL,
    email_code_secret bytea DEFAULT public.gen_random_bytes(32) NOT NULL,
    password_max_length integer DEFAULT 256 NOT NULL,
    password_check_common boolean DEFAULT true NOT NULL,
    password_check_personal boolean DEFAULT true NOT NULL,
    password_history integer DEFAULT 5 NOT NULL,
    password_min_classes integer DEFAULT 0 NOT NULL,
    password_max_age interval,
    claims_hook regprocedure,
    mfa_required_roles text[] DEFAULT '{}'::text[] NOT NULL,
    mfa_challenge_ttl interval DEFAULT '00:05:00'::interval NOT NULL,
    mfa_max_factor_failures integer DEFAULT 5 NOT NULL,
    mfa_max_user_failures integer DEFAULT 10 NOT NULL,
    mfa_failure_window interval DEFAULT '00:15:00'::interval NOT NULL,
    trusted_device_ttl interval DEFAULT '30 days'::interval NOT NULL,
    sms_window interval DEFAULT '01:00:00'::interval NOT NULL,
    sms_max_per_number integer DEFAULT 5 NOT NULL,
    sms_max_per_user integer DEFAULT 10 NOT NULL,
    sms_max_global integer DEFAULT 1000 NOT NULL,
    impersonation_ttl interval DEFAULT '01:00:00'::interval NOT NULL,
    anonymous_sign_in_enabled boolean DEFAULT false NOT NULL,
    anonymous_max_per_ip integer DEFAULT 10 NOT NULL,
    device_code_ttl interval DEFAULT '00:10:00'::interval NOT NULL,
    device_poll_interval integer DEFAULT 5 NOT NULL,
    device_user_code_max_failures integer DEFAULT 5 NOT NULL,
    device_user_code_max_failures_per_ip integer DEFAULT 20 NOT NULL,
    device_failure_window interval DEFAULT '00:15:00'::interval NOT NULL,
    device_authorize_max_per_ip integer DEFAULT 60 NOT NULL,
    CONSTRAINT auth_config_anonymous_max_per_ip_check CHECK ((anonymous_max_per_ip >= 1)),
    CONSTRAINT auth_config_bcrypt_cost_check CHECK (((bcrypt_cost >= 10) AND (bcrypt_cost <= 16))),
    CONSTRAINT auth_config_device_authorize_check CHECK ((device_authorize_max_per_ip >= 1)),
    CONSTRAINT auth_config_device_check CHECK ((((device_code_ttl >= '00:01:00'::interval) AND (device_code_ttl <= '01:00:00'::interval)) AND ((device_poll_interval >= 1) AND (device_poll_interval <= 60)) AND (device_user_code_max_failures >= 1) AND (device_user_code_max_failures_per_ip >= 1) AND (device_failure_window > '00:00:00'::interval))),
    CONSTRAINT auth_config_email_check CHECK (((email_verify_ttl > '00:00:00'::interval) AND (email_reset_ttl > '00:00:00'::interval) AND (email_sign_in_ttl > '00:00:00'::interval) AND (email_change_ttl > '00:00:00'::interval) AND (email_resend_max >= 1) AND (email_request_max_per_address >= 1) AND (email_request_max_per_ip >= 1) AND ((email_code_max_attempts >= 1) AND (email_code_max_attempts <= 10)) AND (email_code_max_failures >= 1) AND ((email_mail_max_attempts >= 1) AND (email_mail_max_attempts <= 25)) AND (length(email_code_secret) >= 32))),
    CONSTRAINT auth_config_id_check CHECK (id),
    CONSTRAINT auth_config_impersonation_ttl_check CHECK (((impersonation_ttl >= '00:01:00'::interval) AND (impersonation_ttl <= '1 day'::interval))),
    CONSTRAINT auth_config_max_sessions_per_user_check CHECK ((max_sessions_per_user >= 1)),
    CONSTRAINT auth_config_mfa_check CHECK (((mfa_challenge_ttl > '00:00:00'::interval) AND (mfa_challenge_ttl <= '01:00:00'::interval) AND ((mfa_max_factor_failures >= 1) AND (mfa_max_factor_failures <= 100)) AND ((mfa_max_user_failures >= 1) AND (mfa_max_user_failures <= 1000)) AND (mfa_failure_window > '00:00:00'::interval) AND (trusted_device_ttl > '00:00:00'::interval))),
    CONSTRAINT auth_config_password_min_length_check CHECK ((password_min_length >= 8)),
    CONSTRAINT auth_config_password_policy_check CHECK ((((password_max_length >= 64) AND (password_max_length <= 1024)) AND ((password_history >= 0) AND (password_history <= 24)) AND ((password_min_classes >= 0) AND (password_min_classes <= 4)) AND ((password_max_age IS NULL) OR (password_max_age > '00:00:00'::interval)))),
    CONSTRAINT auth_config_register_limits_check CHECK (((register_max_per_ip >= 1) AND (register_max_global >= 1) AND (register_window > '00:00:00'::interval))),
    CONSTRAINT auth_config_sms_check CHECK (((sms_window > '00:00:00'::interval) AND (sms_max_per_number >= 1) AND (sms_max_per_user >= 1) AND (sms_max_global >= 1)))
);

ALTER TABLE ONLY app_private.auth_config FORCE ROW LEVEL SECURITY;

--
-- Name: auth_decoy(); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.auth_decoy() RETURNS app_hidden.auth_result
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v app_hidden.auth_result;
begin
  v.user_id := public.gen_random_uuid();
  v.session_id := public.gen_random_uuid();
  v.role := 'app_user';
  v.refresh_token := rtrim(translate(encode(public.gen_random_bytes(32), 'base64'), '+/', '-_'), '=');
  v.session_expires_at := now() + (select c.session_absolute from app_private.auth_config c);
  return v;
end;
$$;

--
-- Name: auth_error(text); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.auth_error(p_code text) RETURNS app_hidden.auth_result
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v app_hidden.auth_result;
begin
  v.error := p_code;
  v.mfa_required := false;
  return v;
end;
$$;

--
-- Name: auth_ok(uuid, uuid, text, timestamp with time zone); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.auth_ok(p_user_id uuid, p_session_id uuid, p_refresh_token text, p_session_expires_at timestamp with time zone) RETURNS app_hidden.auth_result
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v app_hidden.auth_result;
begin
  v.user_id := p_user_id;
  v.session_id := p_session_id;
  v.refresh_token := p_refresh_token;
  v.session_expires_at := p_session_expires_at;
  v.mfa_required := coalesce((select s.mfa_pending from app_private.sessions s where s.id = p_session_id), false);
  if v.mfa_required then
    -- Only the rights needed to finish signing in: the base signed-in role (whose
    -- current_user_id() is NULL anyway), never admin or manager before the second factor.
    v.role := 'app_user';
    v.mfa_factors := (select coalesce(jsonb_agg(jsonb_build_object('id', f.id, 'kind', f.kind, 'friendlyName', f.friendly_name)
                                                order by f.created_at, f.id), '[]'::jsonb)
                      from app_private.mfa_factors f where f.user_id = p_user_id and f.status = 'active');
  else
    v.role := app_hidden.user_role(p_user_id);
  end if;
  return v;
end;
$$;

--
-- Name: auth_result; Type: TYPE; Schema: app_hidden; Owner: -
--

CREATE TYPE app_hidden.auth_result AS (
	error text,
	user_id uuid,
	session_id uuid,
	role text,
	refresh_token text,
	session_expires_at timestamp with time zone,
	mfa_required boolean,
	mfa_factors jsonb
);

--
-- Name: ban_user(uuid, text, timestamp with time zone); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.ban_user(user_id uuid, reason text, until timestamp with time zone DEFAULT NULL::timestamp with time zone) RETURNS app_public.admin_user
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_actor uuid := app_hidden.admin_actor('admin:ban', ban_user.user_id);
  v_n int;
begin
  if coalesce(btrim(ban_user.reason), '') = '' then
    raise exception 'A reason is required' using errcode = 'REASN';
  end if;
  if ban_user.until is not null and ban_user.until <= now() then
    raise exception 'The ban must end in the future' using errcode = 'BADRQ';
  end if;
  insert into app_private.user_bans (user_id, banned_until, reason, banned_by)
    values (ban_user.user_id, ban_user.until, ban_user.reason, v_actor)
    on conflict on constraint user_bans_pkey do update
      set banned_until = excluded.banned_until, reason = excluded.reason, banned_by = excluded.banned_by, banned_at = now();
  v_n := app_private.revoke_user_sessions(ban_user.user_id, 'banned');
  perform app_private.admin_audit('user_banned', ban_user.user_id,
    jsonb_build_object('reason', ban_user.reason, 'until', ban_user.until, 'sessions_revoked', v_n));
  return app_private.admin_user_row(ban_user.user_id);
end;
$$;

--
-- Name: base64url(bytea); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.base64url(p bytea) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select rtrim(translate(encode(p, 'base64'), e'+/\n', '-_'), '=')
$$;

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
-- Name: change_email(text, text, inet); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.change_email(p_new_email text, p_password text, p_ip inet) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_user uuid := app_private.session_user_id();
  v_u app_public.users;
  v_secret app_private.user_secrets;
  v_tok record;
begin
  -- N4: not from a session pending MFA (session_user_id() does not look at that).
  if v_user is null or (app_private.mfa_caller()).mfa_pending then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  -- N6: with a second factor, only an aal2 session changes the email.
  perform app_private.assert_aal2_if_factor(v_user);
  if not app_private.valid_email(p_new_email) then
    raise exception 'Invalid email address' using errcode = 'EMAIL';
  end if;
  select * into v_u from app_public.users u where u.id = v_user;
  select * into v_secret from app_private.user_secrets s where s.user_id = v_user;
  if v_secret.locked_until > now() then
    return app_private.email_refused('change_email', 'RATEL', p_ip, v_user);
  end if;
  if not app_private.password_matches(p_password, v_secret.password_hash, v_secret.password_scheme) then
    perform app_private.record_password_failure(v_user);
    return app_private.email_refused('change_email', 'CREDS', p_ip, v_user);
  end if;
  if app_private.email_limited('change_email:user:' || v_user, c.email_request_max_per_address, c.email_request_window)
     or app_private.email_request_limited('change_email', p_new_email, p_ip) then
    return app_private.email_refused('change_email', 'RATEL', p_ip, v_user);
  end if;
  if v_u.email operator(public.=) p_new_email::public.citext then
    return null;
  end if;
  -- A taken address gets no token and no mail, and the answer is the same: whether an
  -- address has an account is not told to whoever types it here either.
  if not exists (select 1 from app_public.users u where u.email operator(public.=) p_new_email::public.citext) then
    select * into v_tok from app_private.new_email_token(v_user, 'change_email', p_new_email, c.email_change_ttl);
    perform app_private.enqueue_mail('change_email_confirm', p_new_email,
      jsonb_build_object('name', v_u.display_name, 'email', p_new_email, 'old_email', v_u.email::text,
                         'action', 'change-email', 'token', v_tok.o_token,
                         'hours', extract(epoch from c.email_change_ttl)::int / 3600));
  end if;
  perform app_private.enqueue_mail('change_email_notice', v_u.email::text,
    jsonb_build_object('name', v_u.display_name, 'email', v_u.email::text, 'new_email', p_new_email));
  perform app_private.write_audit('email_change_requested', 'app_public.users', v_user::text, null, null,
    jsonb_build_object('ip', p_ip::text));
  return null;
end;
$$;

--
-- Name: change_password(text, text); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.change_password(p_old text, p_new text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_user uuid := app_hidden.require_user();
  v_secret app_private.user_secrets;
  v_u app_public.users;
  v_hash text;
begin
  -- N6: with a second factor, only an aal2 session changes the password.
  perform app_private.assert_aal2_if_factor(v_user);
  select * into v_secret from app_private.user_secrets s where s.user_id = v_user;
  if v_secret.locked_until > now() then
    raise exception 'Too many attempts, try again later' using errcode = 'RATEL';
  end if;
  if not app_private.password_matches(p_old, v_secret.password_hash, v_secret.password_scheme) then
    perform app_private.record_password_failure(v_user);
    perform app_private.write_audit('password_change_failed', 'app_public.users', v_user::text, null, null);
    return false;
  end if;
  select * into v_u from app_public.users u where u.id = v_user;
  perform app_private.assert_password_policy(p_new, v_user, v_u.email::text, v_u.display_name);
  v_hash := app_private.hash_password(p_new);
  update app_private.user_secrets s set password_hash = v_hash, password_scheme = app_private.current_password_scheme(),
    password_updated_at = clock_timestamp(), failed_attempts = 0, first_failed_at = null, locked_until = null, lockouts = 0
    where s.user_id = v_user and s.password_hash = v_secret.password_hash;
  if not found then
    return false;
  end if;
  update app_private.sessions set revoked_at = now(), revoked_reason = 'password_changed'
    where user_id = v_user and revoked_at is null and id is distinct from app_hidden.current_session_id();
  perform app_private.enqueue_mail('password_changed', v_u.email::text,
    jsonb_build_object('name', v_u.display_name, 'email', v_u.email::text));
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
-- Name: client_credential_failures client_credential_failures_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.client_credential_failures
    ADD CONSTRAINT client_credential_failures_pkey PRIMARY KEY (bucket, window_start);

--
-- Name: client_credential_failures definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.client_credential_failures TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: client_credential_failures; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.client_credential_failures ENABLE ROW LEVEL SECURITY;

--
-- Name: client_credential_failures; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.client_credential_failures (
    bucket text NOT NULL,
    window_start timestamp with time zone NOT NULL,
    failures integer DEFAULT 0 NOT NULL
);

ALTER TABLE ONLY app_private.client_credential_failures FORCE ROW LEVEL SECURITY;

--
-- Name: client_credentials_token(text, text, inet, integer); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.client_credentials_token(p_client_id text, p_secret text, p_ip inet, p_ttl_seconds integer) RETURNS TABLE(user_id uuid, session_id uuid, error text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_window timestamptz := pg_catalog.to_timestamp(pg_catalog.floor(extract(epoch from pg_catalog.now()) / 900) * 900);
  v_limit constant int := 10;
  v_user uuid;
  v_secret uuid;
  v_session uuid;
  v_buckets text[] := array['client:' || coalesce(pg_catalog.left(p_client_id, 40), ''), 'ip:' || coalesce(pg_catalog.host(p_ip), '')];
begin
  if exists (select 1 from app_private.client_credential_failures f
             where f.bucket = any (v_buckets) and f.window_start = v_window and f.failures >= v_limit) then
    return query select null::uuid, null::uuid, 'limited'::text;
    return;
  end if;
  select c.user_id, s.id into v_user, v_secret
    from app_private.service_clients c
    join app_private.service_secrets s on s.client_id = c.client_id
    join app_public.users u on u.id = c.user_id
    where c.client_id = p_client_id
      and s.secret_hash = public.digest(coalesce(p_secret, ''), 'sha256')
      and s.revoked_at is null and (s.expires_at is null or s.expires_at > pg_catalog.now())
      and u.disabled_at is null and u.is_bot;
  if v_user is null then
    insert into app_private.client_credential_failures (bucket, window_start, failures)
      select b, v_window, 1 from pg_catalog.unnest(v_buckets) b
      on conflict (bucket, window_start) do update set failures = client_credential_failures.failures + 1;
    perform app_private.write_audit('client_credentials_failed', 'app_private.service_clients', null, null, null,
      pg_catalog.jsonb_build_object('client_id', pg_catalog.left(p_client_id, 40)));
    return query select null::uuid, null::uuid, 'invalid_client'::text;
    return;
  end if;
  insert into app_private.sessions (user_id, expires_at, user_agent, ip)
    values (v_user, pg_catalog.now() + pg_catalog.make_interval(secs => p_ttl_seconds), 'client credentials', p_ip)
    returning id into v_session;
  insert into app_private.service_sessions (session_id, secret_id) values (v_session, v_secret);
  return query select v_user, v_session, null::text;
end;
$$;

--
-- Name: common_passwords common_passwords_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.common_passwords
    ADD CONSTRAINT common_passwords_pkey PRIMARY KEY (password);

--
-- Name: common_passwords definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.common_passwords TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: common_passwords; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.common_passwords ENABLE ROW LEVEL SECURITY;

--
-- Name: common_passwords; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.common_passwords (
    password text NOT NULL
);

ALTER TABLE ONLY app_private.common_passwords FORCE ROW LEVEL SECURITY;

--
-- Name: complete_mfa(uuid, text); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.complete_mfa(p_session_id uuid, p_method text) RETURNS app_hidden.auth_result
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_s app_private.sessions;
  v_amr text[];
  v_token text := rtrim(translate(encode(public.gen_random_bytes(32), 'base64'), '+/', '-_'), '=');
begin
  select * into v_s from app_private.sessions s where s.id = p_session_id for update;
  if not found or v_s.revoked_at is not null or v_s.expires_at <= now()
     or exists (select 1 from app_public.users u where u.id = v_s.user_id and u.disabled_at is not null) then
    return app_private.auth_error('LOGIN');
  end if;
  if v_s.mfa_pending and v_s.created_at + c.mfa_challenge_ttl <= now() then
    -- N5: the challenge of this sign-in is over; sign in again.
    perform app_private.write_audit('mfa_challenge_expired', 'app_public.users', v_s.user_id::text, null, null,
      jsonb_build_object('session_id', v_s.id, 'method', p_method));
    return app_private.auth_error('MFAEX');
  end if;
  v_amr := v_s.amr;
  if not (p_method = any (v_amr)) then v_amr := v_amr || p_method; end if;
  if not ('mfa' = any (v_amr)) then v_amr := v_amr || 'mfa'::text; end if;
  update app_private.sessions set aal = 'aal2', amr = v_amr[1:8], mfa_pending = false, mfa_verified_at = now(),
    last_used_at = now()
    where id = v_s.id;
  -- New tokens: what the first factor alone was handed no longer refreshes.
  update app_private.refresh_tokens set revoked_at = now() where session_id = v_s.id and revoked_at is null;
  insert into app_private.refresh_tokens (session_id, token_hash, expires_at)
    values (v_s.id, app_private.token_hash(v_token), least(now() + c.session_idle, v_s.expires_at));
  perform app_private.write_audit('mfa_verified', 'app_public.users', v_s.user_id::text, null, null,
    jsonb_build_object('session_id', v_s.id, 'method', p_method, 'step_up', not v_s.mfa_pending));
  return app_private.auth_ok(v_s.user_id, v_s.id, v_token, v_s.expires_at);
end;
$$;

--
-- Name: confirm_email_change(text, inet); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.confirm_email_change(p_token text, p_ip inet) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v app_private.email_tokens := app_private.live_email_token(p_token, 'change_email');
  v_old app_public.users;
begin
  if v.id is null then
    return app_private.email_refused('change_email', 'EMTOK', p_ip);
  end if;
  select * into v_old from app_public.users u where u.id = v.user_id for update;
  perform app_private.use_email_token(v);
  begin
    -- Verified in the same statement: the new address just proved itself, so the trigger
    -- that clears the verification of a changed email leaves it (2100-verified-email.sql).
    -- clock_timestamp(): a value distinct from an earlier verification in this transaction.
    update app_public.users u set email = v.email, email_verified_at = clock_timestamp() where u.id = v.user_id;
  exception when unique_violation then
    raise exception 'An account with this email already exists' using errcode = 'EMTKN';
  end;
  -- Tokens mailed to the old address (or to no longer current ones) die with it (M6).
  perform app_private.revoke_email_tokens(v.user_id, array['verify_email', 'reset_password', 'sign_in', 'change_email']);
  perform app_private.enqueue_mail('email_changed', v_old.email::text,
    jsonb_build_object('name', v_old.display_name, 'email', v_old.email::text, 'new_email', v.email::text));
  perform app_private.write_audit('email_changed', 'app_public.users', v.user_id::text, null, null,
    jsonb_build_object('ip', p_ip::text));
  return null;
end;
$$;

--
-- Name: create_api_key(text, text[], timestamp with time zone); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.create_api_key(name text, permissions text[], expires_at timestamp with time zone DEFAULT NULL::timestamp with time zone) RETURNS app_public.created_api_key
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_user uuid := app_hidden.current_user_id();
  v_perm text;
  v_prefix text := pg_catalog.encode(public.gen_random_bytes(8), 'hex');
  v_key text;
  v_session uuid;
  v_id uuid;
begin
  if v_user is null then
    raise exception 'Not signed in' using errcode = 'LOGIN';
  end if;
  if app_hidden.current_api_key_id() is not null then
    raise exception 'Not allowed with an API key' using errcode = 'DNIED';
  end if;
  if create_api_key.expires_at is not null and create_api_key.expires_at <= pg_catalog.now() then
    raise exception 'expires_at must be in the future' using errcode = 'BADRQ';
  end if;
  if coalesce(pg_catalog.cardinality(create_api_key.permissions), 0) > 100 then
    raise exception 'Too many permissions' using errcode = 'BADRQ';
  end if;
  foreach v_perm in array coalesce(create_api_key.permissions, '{}') loop
    if not app_hidden.has_permission(v_perm) then
      raise exception 'A key cannot carry a permission you do not hold' using errcode = 'SCOPE';
    end if;
  end loop;
  -- 256 random bits of secret; the prefix only finds nothing (the hash is the lookup).
  v_key := 'pga_' || v_prefix || '_' || pg_catalog.encode(public.gen_random_bytes(32), 'hex');
  insert into app_private.sessions (user_id, expires_at, user_agent)
    values (v_user, coalesce(create_api_key.expires_at, 'infinity'), 'api key')
    returning id into v_session;
  insert into app_public.api_keys (user_id, name, prefix, permissions, expires_at, session_id)
    values (v_user, create_api_key.name, v_prefix,
            coalesce(array(select distinct x from pg_catalog.unnest(create_api_key.permissions) x order by 1), '{}'),
            create_api_key.expires_at, v_session)
    returning id into v_id;
  insert into app_private.api_key_secrets (api_key_id, secret_hash)
    values (v_id, public.digest(v_key, 'sha256'));
  return row(v_id, v_prefix, v_key)::app_public.created_api_key;
end;
$$;

--
-- Name: create_service_account(text, timestamp with time zone); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.create_service_account(p_name text, p_expires_at timestamp with time zone DEFAULT NULL::timestamp with time zone) RETURNS TABLE(client_id text, client_secret text, user_id uuid)
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_client text := 'svc_' || pg_catalog.encode(public.gen_random_bytes(8), 'hex');
  v_user uuid;
begin
  insert into app_public.users (email, display_name, is_bot)
    values (v_client || '@service.invalid', p_name, true) returning id into v_user;
  update app_public.users set email_verified_at = pg_catalog.now() where id = v_user;
  insert into app_private.service_clients (client_id, user_id, name) values (v_client, v_user, p_name);
  return query select v_client, app_private.add_service_secret(v_client, p_expires_at), v_user;
end;
$$;

--
-- Name: create_webhook_endpoint(text, text[], text); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.create_webhook_endpoint(p_url text, p_event_types text[], p_description text) RETURNS app_hidden.created_webhook_endpoint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_user uuid := app_hidden.current_user_id();
  v_row app_hidden.created_webhook_endpoint;
begin
  perform app_hidden.assert_webhook_admin();
  select a.id, a.secret into v_row from app_private.add_webhook_endpoint(p_url, p_event_types, p_description, v_user) a;
  return v_row;
end;
$$;

--
-- Name: created_api_key; Type: TYPE; Schema: app_public; Owner: -
--

CREATE TYPE app_public.created_api_key AS (
	api_key_id uuid,
	prefix text,
	key text
);

--
-- Name: created_webhook_endpoint; Type: TYPE; Schema: app_hidden; Owner: -
--

CREATE TYPE app_hidden.created_webhook_endpoint AS (
	id uuid,
	secret text
);

--
-- Name: current_aal(); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.current_aal() RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select s.aal from app_private.sessions s
  where s.id = app_hidden.current_session_id() and s.user_id = app_hidden.claimed_user_id()
    and s.revoked_at is null and s.expires_at > now()
$$;

--
-- Name: current_actor(); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.current_actor() RETURNS uuid
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select app_hidden.current_actor_id()
$$;

--
-- Name: current_actor_id(); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.current_actor_id() RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select s.actor_id from app_private.sessions s
  where s.id = app_hidden.current_session_id() and s.user_id = app_hidden.claimed_user_id()
    and s.revoked_at is null and s.expires_at > now()
$$;

--
-- Name: current_api_key_id(); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.current_api_key_id() RETURNS uuid
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return (select k.id from app_public.api_keys k where k.session_id = app_hidden.current_session_id());
end;
$$;

--
-- Name: current_app_role(); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.current_app_role() RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return coalesce(app_hidden.user_role(app_hidden.current_user_id()), 'anonymous');
end;
$$;

--
-- Name: current_password_scheme(); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.current_password_scheme() RETURNS smallint
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select 2::smallint
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
    LANGUAGE plpgsql STABLE
    AS $$
begin
  return (select u from app_public.users u where u.id = app_hidden.current_user_id());
end;
$$;

--
-- Name: current_user_id(); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.current_user_id() RETURNS uuid
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_user uuid;
begin
  select s.user_id into v_user
    from app_private.sessions s
    join app_public.users u on u.id = s.user_id
    where s.id = app_hidden.current_session_id()
      and s.user_id = app_hidden.claimed_user_id()
      and s.revoked_at is null
      and s.expires_at > now()
      and not s.mfa_pending
      and u.disabled_at is null
      and (u.email_verified_at is not null
           or not (select c.email_verification_required from app_private.auth_config c));
  if v_user is null and current_setting('jwt.claims.api_key', true) = '1' then
    raise exception 'This API key is no longer valid' using errcode = 'LOGIN';
  end if;
  return v_user;
end;
$$;

--
-- Name: current_user_is_anonymous(); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.current_user_is_anonymous() RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select coalesce((select u.is_anonymous from app_public.users u where u.id = app_hidden.current_user_id()), false)
$$;

--
-- Name: device_approver(); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.device_approver() RETURNS uuid
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_user uuid := app_private.session_user_id();
begin
  if v_user is null
     or exists (select 1 from app_private.sessions s where s.id = app_hidden.current_session_id() and s.mfa_pending) then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  if app_hidden.current_api_key_id() is not null or app_hidden.current_actor_id() is not null
     or exists (select 1 from app_public.users u where u.id = v_user and u.is_bot) then
    raise exception 'Permission denied' using errcode = 'DNIED';
  end if;
  return v_user;
end;
$$;

--
-- Name: device_authorize(text, text, text, inet); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.device_authorize(p_client_id text, p_client_name text, p_scope text, p_ip inet) RETURNS TABLE(o_device_code text, o_user_code text, o_expires_in integer, o_interval integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_device text := rtrim(translate(encode(public.gen_random_bytes(32), 'base64'), '+/', '-_'), '=');
  v_user text;
begin
  if app_private.attempt_limited('device_authorize:ip:' || coalesce(p_ip, '0.0.0.0'::inet)::text,
                                 c.device_authorize_max_per_ip, interval '1 hour') then
    perform app_private.write_audit('device_authorize_rate_limited', null, null, null, null, jsonb_build_object('ip', p_ip::text));
    return;
  end if;
  -- Ended authorizations go after a day; they keep their user codes out of reuse till then.
  delete from app_private.device_codes d where d.expires_at < now() - interval '1 day';
  for i in 1..10 loop
    v_user := app_private.new_device_user_code();
    begin
      insert into app_private.device_codes (device_code_hash, user_code_hash, client_id, client_name, scope, poll_interval, expires_at, ip)
        values (app_private.token_hash(v_device), app_private.token_hash(v_user), p_client_id, p_client_name,
                nullif(p_scope, ''), c.device_poll_interval, now() + c.device_code_ttl, p_ip);
      return query select v_device, v_user, extract(epoch from c.device_code_ttl)::integer, c.device_poll_interval;
      return;
    exception when unique_violation then
      -- a user code still in use: draw another
    end;
  end loop;
  raise exception 'No free user code' using errcode = 'BADRQ';
end;
$$;

--
-- Name: device_by_user_code(text, uuid, inet); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.device_by_user_code(p_user_code text, p_user uuid, p_ip inet) RETURNS app_private.device_codes
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_user_key text := 'device_code:user:' || p_user;
  v_ip_key text := 'device_code:ip:' || coalesce(p_ip, '0.0.0.0'::inet)::text;
  v app_private.device_codes;
begin
  if app_private.attempt_over(v_user_key, c.device_user_code_max_failures, c.device_failure_window)
     or app_private.attempt_over(v_ip_key, c.device_user_code_max_failures_per_ip, c.device_failure_window) then
    perform app_private.write_audit('device_code_rate_limited', null, null, null, null, jsonb_build_object('ip', p_ip::text));
    raise exception 'Too many attempts' using errcode = 'RATEL';
  end if;
  select * into v from app_private.device_codes d
    where d.user_code_hash = app_private.token_hash(app_private.device_user_code(p_user_code))
      and d.status = 'pending' and d.expires_at > now()
    for update;
  if not found then
    perform app_private.attempt_limited(v_user_key, c.device_user_code_max_failures, c.device_failure_window);
    perform app_private.attempt_limited(v_ip_key, c.device_user_code_max_failures_per_ip, c.device_failure_window);
    perform app_private.write_audit('device_code_refused', null, null, null, null, jsonb_build_object('ip', p_ip::text));
    return null;
  end if;
  return v;
end;
$$;

--
-- Name: device_codes definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.device_codes TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: device_codes device_codes_approver_session_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.device_codes
    ADD CONSTRAINT device_codes_approver_session_id_fkey FOREIGN KEY (approver_session_id) REFERENCES app_private.sessions(id) ON DELETE SET NULL;

--
-- Name: device_codes device_codes_device_code_hash_key; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.device_codes
    ADD CONSTRAINT device_codes_device_code_hash_key UNIQUE (device_code_hash);

--
-- Name: device_codes device_codes_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.device_codes
    ADD CONSTRAINT device_codes_pkey PRIMARY KEY (id);

--
-- Name: device_codes device_codes_session_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.device_codes
    ADD CONSTRAINT device_codes_session_id_fkey FOREIGN KEY (session_id) REFERENCES app_private.sessions(id) ON DELETE SET NULL;

--
-- Name: device_codes device_codes_user_code_hash_key; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.device_codes
    ADD CONSTRAINT device_codes_user_code_hash_key UNIQUE (user_code_hash);

--
-- Name: device_codes device_codes_user_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.device_codes
    ADD CONSTRAINT device_codes_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: device_codes; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.device_codes ENABLE ROW LEVEL SECURITY;

--
-- Name: device_codes; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.device_codes (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    device_code_hash bytea NOT NULL,
    user_code_hash bytea NOT NULL,
    client_id text NOT NULL,
    client_name text NOT NULL,
    scope text,
    status text DEFAULT 'pending'::text NOT NULL,
    user_id uuid,
    approver_session_id uuid,
    session_id uuid,
    poll_interval integer NOT NULL,
    last_polled_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    decided_at timestamp with time zone,
    ip inet,
    CONSTRAINT device_codes_check CHECK (((status = 'pending'::text) = (user_id IS NULL))),
    CONSTRAINT device_codes_client_id_check CHECK (((length(client_id) >= 1) AND (length(client_id) <= 100))),
    CONSTRAINT device_codes_client_name_check CHECK (((length(client_name) >= 1) AND (length(client_name) <= 200))),
    CONSTRAINT device_codes_poll_interval_check CHECK (((poll_interval >= 1) AND (poll_interval <= 600))),
    CONSTRAINT device_codes_scope_check CHECK ((length(scope) <= 1000)),
    CONSTRAINT device_codes_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'approved'::text, 'denied'::text, 'delivered'::text])))
);

ALTER TABLE ONLY app_private.device_codes FORCE ROW LEVEL SECURITY;

--
-- Name: device_codes_approver_session_id_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX device_codes_approver_session_id_idx ON app_private.device_codes USING btree (approver_session_id);

--
-- Name: device_codes_expires_at_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX device_codes_expires_at_idx ON app_private.device_codes USING btree (expires_at);

--
-- Name: device_codes_session_id_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX device_codes_session_id_idx ON app_private.device_codes USING btree (session_id);

--
-- Name: device_codes_user_id_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX device_codes_user_id_idx ON app_private.device_codes USING btree (user_id);

--
-- Name: device_decision; Type: TYPE; Schema: app_hidden; Owner: -
--

CREATE TYPE app_hidden.device_decision AS (
	error text,
	client_id text,
	client_name text,
	scope text,
	user_code text,
	approved boolean
);

--
-- Name: device_lookup(text, inet); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.device_lookup(p_user_code text, p_ip inet) RETURNS app_hidden.device_decision
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_user uuid;
  v app_private.device_codes;
  v_code text := app_private.device_user_code(p_user_code);
begin
  begin
    v_user := app_private.device_approver();
    v := app_private.device_by_user_code(p_user_code, v_user, p_ip);
  exception when sqlstate 'LOGIN' or sqlstate 'DNIED' or sqlstate 'RATEL' then
    -- Returned, not raised: the counted failure must commit with the answer.
    return row(sqlstate, null, null, null, null, null)::app_hidden.device_decision;
  end;
  if v.id is null then
    return row('DVCOD', null, null, null, null, null)::app_hidden.device_decision;
  end if;
  return row(null, v.client_id, v.client_name, v.scope, substr(v_code, 1, 4) || '-' || substr(v_code, 5, 4), null)::app_hidden.device_decision;
end;
$$;

--
-- Name: device_token(text, text, inet, text); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.device_token(p_device_code text, p_client_id text, p_ip inet, p_user_agent text) RETURNS app_hidden.auth_result
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v app_private.device_codes;
  v_amr text[];
  v_aal text;
  v_session app_hidden.auth_result;
  v_err app_hidden.auth_result;
begin
  select * into v from app_private.device_codes d
    where d.device_code_hash = app_private.token_hash(coalesce(p_device_code, '')) for update;
  if not found or v.client_id is distinct from p_client_id or v.status = 'delivered' then
    -- Unknown, another client's, or already collected: tokens are delivered once.
    v_err.error := 'invalid_grant';
    return v_err;
  end if;
  if v.expires_at <= now() then
    v_err.error := 'expired_token';
    return v_err;
  end if;
  if v.last_polled_at is not null and now() < v.last_polled_at + make_interval(secs => v.poll_interval) then
    -- Too soon: the interval grows by 5 s for this and every later poll (RFC 8628 3.5).
    update app_private.device_codes d set poll_interval = least(d.poll_interval + 5, 600), last_polled_at = now()
      where d.id = v.id;
    v_err.error := 'slow_down';
    return v_err;
  end if;
  update app_private.device_codes d set last_polled_at = now() where d.id = v.id;
  if v.status = 'pending' then
    v_err.error := 'authorization_pending';
    return v_err;
  end if;
  if v.status = 'denied' then
    v_err.error := 'access_denied';
    return v_err;
  end if;
  -- Approved: a normal session of the approving user for the device, started now, once. It
  -- carries how the approving session authenticated (amr, aal): approval needed that session.
  select s.amr, s.aal into v_amr, v_aal from app_private.sessions s where s.id = v.approver_session_id;
  v_session := app_private.start_session(v.user_id, p_ip, p_user_agent, coalesce(v_amr, '{pwd}'), coalesce(v_aal, 'aal1'));
  update app_private.device_codes d set status = 'delivered', session_id = v_session.session_id where d.id = v.id;
  perform app_private.write_audit('device_signed_in', 'app_public.users', v.user_id::text, null, null,
    jsonb_build_object('ip', p_ip::text, 'client_id', v.client_id, 'session_id', v_session.session_id));
  return v_session;
end;
$$;

--
-- Name: device_user_code(text); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.device_user_code(p_code text) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
  select v from (select upper(translate(coalesce(p_code, ''), '- ', '')) as v) x
  where v ~ '^[BCDFGHJKLMNPQRSTVWXZ]{8}$'
$_$;

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
-- Name: document_acl _800_realtime; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _800_realtime AFTER INSERT OR DELETE OR UPDATE ON app_public.document_acl FOR EACH ROW EXECUTE FUNCTION app_private.tg_document_acl__realtime();

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
-- Name: documents _100_realtime_tombstone; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _100_realtime_tombstone BEFORE DELETE ON app_public.documents FOR EACH ROW EXECUTE FUNCTION app_private.tg_documents__realtime();

--
-- Name: documents _500_creator_owns; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _500_creator_owns AFTER INSERT ON app_public.documents FOR EACH ROW EXECUTE FUNCTION app_private.tg_documents__creator_owns();

--
-- Name: documents _800_realtime; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _800_realtime AFTER INSERT OR UPDATE ON app_public.documents FOR EACH ROW EXECUTE FUNCTION app_private.tg_documents__realtime();

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
-- Name: email_code_hash(uuid, text); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.email_code_hash(p_token_id uuid, p_code text) RETURNS bytea
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select public.hmac(convert_to(p_token_id::text || ':' || coalesce(p_code, ''), 'UTF8'), c.email_code_secret, 'sha256')
  from app_private.auth_config c
$$;

--
-- Name: email_key(text); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.email_key(p_email text) RETURNS bytea
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select public.digest(convert_to(lower(coalesce(p_email, '')), 'UTF8'), 'sha256')
$$;

--
-- Name: email_limited(text, integer, interval, interval); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.email_limited(p_key text, p_max integer, p_window interval, p_min_gap interval DEFAULT NULL::interval) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_counted boolean;
begin
  insert into app_private.email_limits as l (key, window_start, count, last_at) values (p_key, now(), 1, now())
    on conflict (key) do update set
      count = case when l.window_start > now() - p_window then l.count + 1 else 1 end,
      window_start = case when l.window_start > now() - p_window then l.window_start else now() end,
      last_at = now()
    where not (l.window_start > now() - p_window and l.count >= p_max)
      and (p_min_gap is null or l.last_at <= now() - p_min_gap)
    returning true into v_counted;
  return v_counted is null;
end;
$$;

--
-- Name: email_limits definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.email_limits TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: email_limits email_limits_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.email_limits
    ADD CONSTRAINT email_limits_pkey PRIMARY KEY (key);

--
-- Name: email_limits; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.email_limits ENABLE ROW LEVEL SECURITY;

--
-- Name: email_limits; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.email_limits (
    key text NOT NULL,
    window_start timestamp with time zone DEFAULT now() NOT NULL,
    count integer DEFAULT 0 NOT NULL,
    last_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT email_limits_key_check CHECK ((length(key) <= 400))
);

ALTER TABLE ONLY app_private.email_limits FORCE ROW LEVEL SECURITY;

--
-- Name: email_refused(text, text, inet, uuid); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.email_refused(p_what text, p_code text, p_ip inet, p_user uuid DEFAULT NULL::uuid) RETURNS text
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform app_private.write_audit('email_token_refused', case when p_user is not null then 'app_public.users' end,
    p_user::text, null, null, jsonb_build_object('purpose', p_what, 'code', p_code, 'ip', p_ip::text));
  return p_code;
end;
$$;

--
-- Name: email_request_limited(text, text, inet); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.email_request_limited(p_what text, p_email text, p_ip inet) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
begin
  return app_private.email_limited(p_what || ':ip:' || coalesce(p_ip, '0.0.0.0'::inet)::text, c.email_request_max_per_ip, c.email_request_window)
      or app_private.email_limited(p_what || ':addr:' || lower(left(coalesce(p_email, ''), 320)), c.email_request_max_per_address, c.email_request_window);
end;
$$;

--
-- Name: email_sign_in(app_private.email_tokens, inet, text, text); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.email_sign_in(v app_private.email_tokens, p_ip inet, p_user_agent text, p_how text) RETURNS app_hidden.auth_result
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform app_private.use_email_token(v);
  update app_public.users u set email_verified_at = now()
    where u.id = v.user_id and u.email_verified_at is null and u.email operator(public.=) v.email;
  perform app_private.write_audit('login', 'app_public.users', v.user_id::text, null, null,
    jsonb_build_object('ip', p_ip::text, 'method', p_how));
  return app_private.start_session(v.user_id, p_ip, p_user_agent, '{otp}');
end;
$$;

--
-- Name: email_tokens definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.email_tokens TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: email_tokens email_tokens_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.email_tokens
    ADD CONSTRAINT email_tokens_pkey PRIMARY KEY (id);

--
-- Name: email_tokens email_tokens_token_hash_key; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.email_tokens
    ADD CONSTRAINT email_tokens_token_hash_key UNIQUE (token_hash);

--
-- Name: email_tokens email_tokens_user_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.email_tokens
    ADD CONSTRAINT email_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: email_tokens; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.email_tokens ENABLE ROW LEVEL SECURITY;

--
-- Name: email_tokens; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.email_tokens (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    purpose text NOT NULL,
    token_hash bytea NOT NULL,
    code_hash bytea,
    email public.citext NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    used_at timestamp with time zone,
    revoked_at timestamp with time zone,
    code_attempts integer DEFAULT 0 NOT NULL,
    CONSTRAINT email_tokens_code_hash_check CHECK ((length(code_hash) = 32)),
    CONSTRAINT email_tokens_purpose_check CHECK ((purpose = ANY (ARRAY['verify_email'::text, 'reset_password'::text, 'sign_in'::text, 'change_email'::text]))),
    CONSTRAINT email_tokens_token_hash_check CHECK ((length(token_hash) = 32))
);

ALTER TABLE ONLY app_private.email_tokens FORCE ROW LEVEL SECURITY;

--
-- Name: email_tokens_user_purpose_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX email_tokens_user_purpose_idx ON app_private.email_tokens USING btree (user_id, purpose);

--
-- Name: emit_webhook_event(text, jsonb); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.emit_webhook_event(p_type text, p_data jsonb) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_event uuid;
  v_delivery uuid;
begin
  if not exists (select 1 from app_public.webhook_endpoints e
                 where e.enabled and (e.event_types = '{}' or p_type = any (e.event_types))) then
    return;
  end if;
  insert into app_private.webhook_events (type, data) values (p_type, p_data) returning id into v_event;
  for v_delivery in
    insert into app_public.webhook_deliveries (endpoint_id, event_id, event_type)
      select e.id, v_event, p_type from app_public.webhook_endpoints e
      where e.enabled and (e.event_types = '{}' or p_type = any (e.event_types))
      returning id
  loop
    perform app_private.schedule_webhook_delivery(v_delivery, pg_catalog.now());
  end loop;
end;
$$;

--
-- Name: enable_rls(regclass); Type: PROCEDURE; Schema: app_private; Owner: -
--

CREATE PROCEDURE app_private.enable_rls(IN p_table regclass)
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  -- The table's owner is the role definer functions run as (the database owner here).
  v_owner name := (select r.rolname from pg_catalog.pg_class c join pg_catalog.pg_roles r on r.oid = c.relowner
                    where c.oid = p_table);
begin
  -- regclass prints schema-qualified and quoted under this search_path; v_owner is quoted by %I.
  execute format('alter table %s enable row level security', p_table);
  execute format('alter table %s force row level security', p_table);
  execute format('drop policy if exists definer_all on %s', p_table);
  execute format('create policy definer_all on %s to %I using (true) with check (true)', p_table, v_owner);
end;
$$;

--
-- Name: enqueue_mail(text, text, jsonb); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.enqueue_mail(p_template text, p_to text, p_data jsonb DEFAULT '{}'::jsonb) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
begin
  if p_template !~ '^[a-z_]{1,40}$' then
    raise exception 'Unknown mail template' using errcode = 'BADRQ';
  end if;
  perform graphile_worker.add_job('send_email',
    json_build_object('template', p_template, 'to', p_to, 'data', coalesce(p_data, '{}'::jsonb)),
    max_attempts => (select c.email_mail_max_attempts from app_private.auth_config c));
end;
$_$;

--
-- Name: enroll_phone(text, inet); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.enroll_phone(p_phone text, p_ip inet) RETURNS TABLE(factor_id uuid, phone text, code text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
#variable_conflict use_column
declare
  v_s app_private.sessions := app_private.mfa_caller();
  v_id uuid;
begin
  perform app_private.assert_may_enroll(v_s);
  if p_phone is null or p_phone !~ '^\+[1-9][0-9]{6,14}$' then
    raise exception 'Invalid phone number' using errcode = 'PHONE';
  end if;
  if not app_private.sms_allowed(p_phone, v_s.user_id) then
    raise exception 'Too many attempts, try again later' using errcode = 'RATEL';
  end if;
  delete from app_private.mfa_factors f where f.user_id = v_s.user_id and f.kind = 'sms' and f.status = 'unverified';
  insert into app_private.mfa_factors (user_id, kind, friendly_name) values (v_s.user_id, 'sms', 'Phone ending ' || right(p_phone, 2))
    returning id into v_id;
  insert into app_private.mfa_phones (factor_id, phone) values (v_id, p_phone);
  perform app_private.write_audit('mfa_enroll_started', 'app_public.users', v_s.user_id::text, null, null,
    jsonb_build_object('factor_id', v_id, 'kind', 'sms', 'ip', p_ip::text));
  return query select v_id, p_phone, app_private.new_sms_code(v_id);
end;
$_$;

--
-- Name: enroll_totp(uuid, text, text, bytea); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.enroll_totp(p_factor_id uuid, p_friendly_name text, p_key_id text, p_secret bytea) RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_s app_private.sessions := app_private.mfa_caller();
begin
  perform app_private.assert_may_enroll(v_s);
  -- An unfinished enrolment is replaced, not accumulated.
  delete from app_private.mfa_factors f where f.user_id = v_s.user_id and f.kind = 'totp' and f.status = 'unverified';
  insert into app_private.mfa_factors (id, user_id, kind, friendly_name) values (p_factor_id, v_s.user_id, 'totp', coalesce(nullif(trim(p_friendly_name), ''), 'Authenticator app'));
  insert into app_private.mfa_totp_secrets (factor_id, key_id, secret) values (p_factor_id, p_key_id, p_secret);
  perform app_private.write_audit('mfa_enroll_started', 'app_public.users', v_s.user_id::text, null, null,
    jsonb_build_object('factor_id', p_factor_id, 'kind', 'totp'));
  return p_factor_id;
end;
$$;

--
-- Name: failure_state; Type: TYPE; Schema: app_private; Owner: -
--

CREATE TYPE app_private.failure_state AS (
	failed_attempts integer,
	first_failed_at timestamp with time zone,
	locked_until timestamp with time zone,
	lockouts integer
);

--
-- Name: finish_passkey_registration(bytea, bytea, bigint, text[], uuid, boolean, text, text, inet); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.finish_passkey_registration(p_credential_id bytea, p_public_key bytea, p_sign_count bigint, p_transports text[], p_aaguid uuid, p_backed_up boolean, p_device_type text, p_friendly_name text, p_ip inet) RETURNS app_hidden.passkey_registered
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

--
-- Name: finish_passkey_sign_in(text, bytea, bigint, boolean, boolean, text, inet, text); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.finish_passkey_sign_in(p_purpose text, p_credential_id bytea, p_sign_count bigint, p_user_verified boolean, p_backed_up boolean, p_device_type text, p_ip inet, p_user_agent text) RETURNS app_hidden.auth_result
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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
-- Name: forget_trusted_device(uuid); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.forget_trusted_device(id uuid) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_user uuid := app_hidden.require_user();
begin
  delete from app_private.trusted_devices d where d.id = forget_trusted_device.id and d.user_id = v_user;
  if not found then
    raise exception 'Not found' using errcode = 'NTFND';
  end if;
  perform app_private.write_audit('trusted_device_forgotten', 'app_public.users', v_user::text, null, null,
    jsonb_build_object('device_id', forget_trusted_device.id));
  return true;
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
-- Name: groups_created_by_idx; Type: INDEX; Schema: app_public; Owner: -
--

CREATE INDEX groups_created_by_idx ON app_public.groups USING btree (created_by);

--
-- Name: has_doc_role(uuid, app_public.access_level); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.has_doc_role(p_document_id uuid, p_role app_public.access_level) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$
  select coalesce(app_hidden.doc_access(p_document_id) >= p_role, false)
$$;

--
-- Name: has_permission(text); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.has_permission(p_permission text) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_user uuid := app_hidden.current_user_id();
  v_scope text[];
  v_wild text;
begin
  if v_user is null or p_permission is null then
    return false;
  end if;
  v_wild := pg_catalog.split_part(p_permission, ':', 1) || ':*';
  select k.permissions into v_scope from app_public.api_keys k
    where k.session_id = app_hidden.current_session_id();
  if found and not (p_permission = any (v_scope) or v_wild = any (v_scope)) then
    return false;
  end if;
  return exists (
    select 1
    from app_public.role_permissions rp
    where rp.permission in (p_permission, v_wild)
      and rp.role in (select x.role from app_private.user_app_roles(v_user) x));
end;
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
  select public.crypt(app_private.password_input(p_password, app_private.current_password_scheme()),
                      public.gen_salt('bf', (select bcrypt_cost from app_private.auth_config)))
$$;

--
-- Name: hasura_claims(uuid, uuid, jsonb); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.hasura_claims(p_user_id uuid, p_session_id uuid, p_claims jsonb) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_role text := coalesce(p_claims ->> 'role', app_hidden.user_role(p_user_id), 'app_user');
begin
  return pg_catalog.jsonb_build_object('https://hasura.io/jwt/claims', pg_catalog.jsonb_build_object(
    'x-hasura-allowed-roles',
      (select pg_catalog.jsonb_agg(distinct r order by r)
       from (select v_role as r union select x.role from app_private.user_app_roles(p_user_id) x) roles),
    'x-hasura-default-role', v_role,
    'x-hasura-user-id', p_user_id::text));
end;
$$;

--
-- Name: id_token_first_use(bytea, timestamp with time zone); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.id_token_first_use(p_use_hash bytea, p_expires_at timestamp with time zone) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_new boolean;
begin
  if p_use_hash is null or length(p_use_hash) <> 32 or p_expires_at is null then
    raise exception 'id_token_first_use: a 32-byte hash and an expiry are required' using errcode = '22023';
  end if;
  delete from app_private.id_token_uses where expires_at < now() - interval '5 minutes';
  insert into app_private.id_token_uses (use_hash, expires_at)
    values (p_use_hash, least(p_expires_at, now() + interval '1 day') + interval '1 minute')
    on conflict do nothing
    returning true into v_new;
  return coalesce(v_new, false);
end;
$$;

--
-- Name: id_token_uses definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.id_token_uses TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: id_token_uses id_token_uses_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.id_token_uses
    ADD CONSTRAINT id_token_uses_pkey PRIMARY KEY (use_hash);

--
-- Name: id_token_uses; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.id_token_uses ENABLE ROW LEVEL SECURITY;

--
-- Name: id_token_uses; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.id_token_uses (
    use_hash bytea NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    CONSTRAINT id_token_uses_use_hash_check CHECK ((length(use_hash) = 32))
);

ALTER TABLE ONLY app_private.id_token_uses FORCE ROW LEVEL SECURITY;

--
-- Name: id_token_uses_expires_at_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX id_token_uses_expires_at_idx ON app_private.id_token_uses USING btree (expires_at);

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
-- Name: impersonate_user(uuid, text, inet, text); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.impersonate_user(p_user uuid, p_reason text, p_ip inet, p_user_agent text) RETURNS app_hidden.auth_result
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_actor uuid := app_hidden.admin_actor('admin:impersonate', p_user);
  v_amr text[];
  v_until timestamptz := now() + (select c.impersonation_ttl from app_private.auth_config c);
  v app_hidden.auth_result;
begin
  if v_actor is null then
    raise exception 'Impersonation needs a signed-in admin' using errcode = 'LOGIN';
  end if;
  if coalesce(btrim(p_reason), '') = '' then
    raise exception 'A reason is required' using errcode = 'REASN';
  end if;
  if exists (select 1 from app_public.users u where u.id = p_user and u.disabled_at is not null) then
    raise exception 'This account is disabled' using errcode = 'DNIED';
  end if;
  if exists (select 1 from app_private.sessions s where s.id = app_hidden.current_session_id() and s.actor_id is not null) then
    raise exception 'Already impersonating' using errcode = 'DNIED';
  end if;
  select s.amr into v_amr from app_private.sessions s where s.id = app_hidden.current_session_id();
  v := app_private.start_session(p_user, p_ip, p_user_agent, coalesce(v_amr, '{pwd}'), 'aal1');
  -- The admin's own sign-in stands in for the user's factors: never pending MFA (2001-mfa-sessions.sql).
  update app_private.sessions s set actor_id = v_actor, expires_at = least(s.expires_at, v_until), mfa_pending = false
    where s.id = v.session_id;
  update app_private.refresh_tokens t set expires_at = least(t.expires_at, v_until) where t.session_id = v.session_id;
  v := app_private.auth_ok(v.user_id, v.session_id, v.refresh_token, least(v.session_expires_at, v_until));
  perform app_private.admin_audit('impersonation_started', p_user,
    jsonb_build_object('actor', v_actor, 'session', v.session_id, 'reason', p_reason, 'until', v_until));
  perform app_private.admin_audit('impersonating', v_actor,
    jsonb_build_object('user', p_user, 'session', v.session_id, 'reason', p_reason, 'until', v_until));
  return v;
end;
$$;

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
-- Name: ip_registrations definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.ip_registrations TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: ip_registrations ip_registrations_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.ip_registrations
    ADD CONSTRAINT ip_registrations_pkey PRIMARY KEY (ip);

--
-- Name: ip_registrations; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.ip_registrations ENABLE ROW LEVEL SECURITY;

--
-- Name: ip_registrations; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.ip_registrations (
    ip inet NOT NULL,
    window_start timestamp with time zone DEFAULT now() NOT NULL,
    registrations integer DEFAULT 0 NOT NULL
);

ALTER TABLE ONLY app_private.ip_registrations FORCE ROW LEVEL SECURITY;

--
-- Name: is_cli(); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.is_cli() RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select pg_catalog.current_setting('role') = 'none'
     and session_user = (select pg_catalog.pg_get_userbyid(n.nspowner) from pg_catalog.pg_namespace n where n.nspname = 'app_private')
$$;

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
-- Name: live_email_token(text, text); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.live_email_token(p_token text, p_purpose text) RETURNS app_private.email_tokens
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
declare
  v app_private.email_tokens;
begin
  if p_token is null or p_token !~ '^[A-Za-z0-9_-]{43}$' then
    return null;
  end if;
  select * into v from app_private.email_tokens t
    where t.token_hash = app_private.token_hash(p_token) and t.purpose = p_purpose
    for update;
  if not found or v.used_at is not null or v.revoked_at is not null or v.expires_at <= now()
     or exists (select 1 from app_public.users u where u.id = v.user_id and u.disabled_at is not null) then
    return null;
  end if;
  return v;
end;
$_$;

--
-- Name: login(text, text, inet, text, text); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.login(p_email text, p_password text, p_ip inet, p_user_agent text, p_device_token text DEFAULT NULL::text) RETURNS app_hidden.auth_result
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_user app_public.users;
  v_secret app_private.user_secrets;
  v_new_hash text;
  v_locked_until timestamptz;
  v_result app_hidden.auth_result;
  -- An unknown address shares one bucket instead of escaping the per-address limit.
  v_addr inet := coalesce(p_ip, '0.0.0.0'::inet);
begin
  if exists (select 1 from app_private.ip_login_failures f
             where f.ip = v_addr and f.failures >= c.ip_max_failures and f.window_start > now() - c.failure_window) then
    perform app_private.write_audit('login_rate_limited', null, null, null, null,
      jsonb_build_object('ip', p_ip::text, 'reason', 'address'));
    return app_private.auth_error('RATEL');
  end if;

  select * into v_user from app_public.users where email operator(public.=) p_email::public.citext and disabled_at is null;
  if found then
    select * into v_secret from app_private.user_secrets where user_id = v_user.id;
    v_locked_until := v_secret.locked_until;
  else
    -- An unknown email is locked like an account, so RATEL tells nothing about existence (C4).
    select f.locked_until into v_locked_until from app_private.unknown_login_failures f
      where f.email_key = app_private.email_key(p_email);
  end if;
  if v_locked_until > now() then
    -- Not checked and not counted, the right password included (C7).
    perform app_private.write_audit('login_rate_limited', 'app_public.users', v_user.id::text, null, null,
      jsonb_build_object('ip', p_ip::text, 'reason', 'account_locked'));
    return app_private.auth_error('RATEL');
  end if;

  if not app_private.password_matches(p_password, v_secret.password_hash, v_secret.password_scheme) then
    insert into app_private.ip_login_failures as f (ip, failures) values (v_addr, 1)
      on conflict (ip) do update set
        failures = case when f.window_start > now() - c.failure_window then f.failures + 1 else 1 end,
        window_start = case when f.window_start > now() - c.failure_window then f.window_start else now() end;
    if v_secret.user_id is not null then
      perform app_private.record_password_failure(v_secret.user_id);
    else
      perform app_private.record_unknown_failure(p_email);
    end if;
    perform app_private.write_audit('login_failed', 'app_public.users', v_user.id::text, null, null,
      jsonb_build_object('ip', p_ip::text));
    return app_private.auth_error('CREDS');
  end if;

  -- [5030] An expired password (opt-in password_max_age) no longer signs in: the right
  -- password is answered with PWEXP (committed, audited); the owner resets it by email.
  if c.password_max_age is not null and v_secret.password_updated_at < now() - c.password_max_age then
    perform app_private.write_audit('login_password_expired', 'app_public.users', v_user.id::text, null, null,
      jsonb_build_object('ip', p_ip::text));
    return app_private.auth_error('PWEXP');
  end if;

  -- Upgrade an old scheme (C2) or a cost below the configured one (C1), hashed before the
  -- row is touched.
  if v_secret.password_scheme < app_private.current_password_scheme()
     or app_private.bcrypt_cost_of(v_secret.password_hash) < c.bcrypt_cost then
    v_new_hash := app_private.hash_password(p_password);
  end if;
  if v_new_hash is not null or v_secret.failed_attempts <> 0 or v_secret.first_failed_at is not null
     or v_secret.locked_until is not null or v_secret.lockouts <> 0 then
    update app_private.user_secrets s set failed_attempts = 0, first_failed_at = null, locked_until = null, lockouts = 0,
      password_hash = case when s.password_hash = v_secret.password_hash then coalesce(v_new_hash, s.password_hash) else s.password_hash end,
      password_scheme = case when s.password_hash = v_secret.password_hash and v_new_hash is not null
                             then app_private.current_password_scheme() else s.password_scheme end
      where s.user_id = v_user.id and coalesce(s.locked_until, '-infinity') <= now();
    if not found then
      -- Locked by concurrent failures while this check ran: the lock wins.
      return app_private.auth_error('RATEL');
    end if;
  end if;
  perform app_private.write_audit('login', 'app_public.users', v_user.id::text, null, null, jsonb_build_object('ip', p_ip::text));
  -- N10: a trusted device of this user stands in for the second factor, and says so in amr.
  if p_device_token is not null and app_private.mfa_needed(v_user.id)
     and app_private.use_trusted_device(v_user.id, p_device_token) then
    v_result := app_private.start_session(v_user.id, p_ip, p_user_agent, '{pwd,trusted_device}', 'aal2');
    update app_private.sessions s set trusted_device_id = split_part(p_device_token, '.', 1)::uuid
      where s.id = v_result.session_id;
    return v_result;
  end if;
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
-- Name: merge_users(uuid, uuid); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.merge_users(source_id uuid, target_id uuid) RETURNS app_public.admin_user
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_src uuid := merge_users.source_id;
  v_dst uuid := merge_users.target_id;
  v_counts jsonb := '{}';
  v_n int;
begin
  perform app_hidden.admin_actor('admin:merge', v_src);
  perform app_hidden.admin_actor('admin:merge', v_dst);
  if v_src = v_dst then
    raise exception 'Cannot merge a user into itself' using errcode = 'MRGCF';
  end if;
  -- Lock both rows in a fixed order so concurrent merges cannot interleave.
  perform 1 from app_public.users u where u.id in (v_src, v_dst) order by u.id for update;
  if exists (select 1 from app_public.user_identities a join app_public.user_identities b
             on a.provider = b.provider where a.user_id = v_src and b.user_id = v_dst) then
    raise exception 'Both users have an identity of the same provider' using errcode = 'MRGCF';
  end if;
  update app_public.user_identities i set user_id = v_dst where i.user_id = v_src;
  get diagnostics v_n = row_count; v_counts := v_counts || jsonb_build_object('identities', v_n);

  insert into app_public.document_acl (document_id, subject_type, subject_id, role, document_created_at, granted_by, granted_at)
    select a.document_id, 'user', v_dst, a.role, a.document_created_at, a.granted_by, a.granted_at
    from app_public.document_acl a where a.subject_id = v_src
  on conflict on constraint document_acl_pkey do update set role = greatest(document_acl.role, excluded.role);
  delete from app_public.document_acl a where a.subject_id = v_src;
  get diagnostics v_n = row_count; v_counts := v_counts || jsonb_build_object('document_acl', v_n);
  update app_public.documents d set owner_id = v_dst where d.owner_id = v_src;

  insert into app_public.user_acl (user_id, subject_id, role, granted_by, granted_at)
    select a.user_id, v_dst, a.role, a.granted_by, a.granted_at
    from app_public.user_acl a where a.subject_id = v_src and a.user_id <> v_dst
  on conflict on constraint user_acl_pkey do update set role = greatest(user_acl.role, excluded.role);
  delete from app_public.user_acl a where a.subject_id = v_src;
  get diagnostics v_n = row_count; v_counts := v_counts || jsonb_build_object('user_acl', v_n);

  insert into app_public.relation_edge (subject_type, subject_id, relation, object_type, object_id, created_by, created_at)
    select 'user', v_dst, e.relation, e.object_type, e.object_id, e.created_by, e.created_at
    from app_public.relation_edge e where e.subject_type = 'user' and e.subject_id = v_src
  on conflict on constraint relation_edge_pkey do nothing;
  delete from app_public.relation_edge e where e.subject_type = 'user' and e.subject_id = v_src;
  get diagnostics v_n = row_count; v_counts := v_counts || jsonb_build_object('memberships', v_n);

  update app_private.mfa_factors f set user_id = v_dst where f.user_id = v_src;
  get diagnostics v_n = row_count; v_counts := v_counts || jsonb_build_object('factors', v_n);

  v_n := app_private.revoke_user_sessions(v_src, 'merged');
  v_counts := v_counts || jsonb_build_object('sessions_revoked', v_n);
  update app_public.users u set disabled_at = coalesce(u.disabled_at, now()) where u.id = v_src;

  perform app_private.admin_audit('users_merged', v_src, v_counts || jsonb_build_object('into', v_dst));
  perform app_private.admin_audit('users_merged', v_dst, v_counts || jsonb_build_object('from', v_src));
  return app_private.admin_user_row(v_dst);
end;
$$;

--
-- Name: mfa_account_email(); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.mfa_account_email() RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select u.email::text from app_public.users u where u.id = (app_private.mfa_caller()).user_id
$$;

--
-- Name: mfa_attempt_succeeded(uuid, uuid); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.mfa_attempt_succeeded(p_user uuid, p_factor uuid) RETURNS void
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  delete from app_private.mfa_user_failures f where f.user_id = p_user;
  update app_private.mfa_factors f set failed_attempts = 0, first_failed_at = null, last_used_at = now()
    where f.id = p_factor;
$$;

--
-- Name: mfa_begin(uuid); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.mfa_begin(p_factor_id uuid) RETURNS TABLE(error text, kind text, status text, key_id text, secret bytea)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
#variable_conflict use_column
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_s app_private.sessions := app_private.mfa_caller();
  v_f app_private.mfa_factors;
begin
  if v_s.id is null then
    return query select 'LOGIN'::text, null::text, null::text, null::text, null::bytea;
    return;
  end if;
  if v_s.mfa_pending and v_s.created_at + c.mfa_challenge_ttl <= now() then
    return query select 'MFAEX'::text, null::text, null::text, null::text, null::bytea;
    return;
  end if;
  select * into v_f from app_private.mfa_factors f where f.id = p_factor_id and f.user_id = v_s.user_id;
  if not found then
    raise exception 'Not found' using errcode = 'NTFND';
  end if;
  if not app_private.mfa_reserve_attempt(v_s.user_id, v_f.id) then
    return query select 'RATEL'::text, v_f.kind, v_f.status, null::text, null::bytea;
    return;
  end if;
  return query select null::text, v_f.kind, v_f.status, t.key_id, t.secret
    from (select 1) one left join app_private.mfa_totp_secrets t on t.factor_id = v_f.id;
end;
$$;

--
-- Name: mfa_caller(); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.mfa_caller() RETURNS app_private.sessions
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select s.* from app_private.sessions s
  join app_public.users u on u.id = s.user_id
  where s.id = app_hidden.current_session_id() and s.user_id = app_hidden.claimed_user_id()
    and s.revoked_at is null and s.expires_at > now() and u.disabled_at is null
$$;

--
-- Name: mfa_factor_info; Type: TYPE; Schema: app_public; Owner: -
--

CREATE TYPE app_public.mfa_factor_info AS (
	id uuid,
	kind text,
	friendly_name text,
	status text,
	created_at timestamp with time zone,
	last_used_at timestamp with time zone,
	phone_hint text
);

--
-- Name: mfa_factors _050_refuse_while_impersonating; Type: TRIGGER; Schema: app_private; Owner: -
--

CREATE TRIGGER _050_refuse_while_impersonating BEFORE INSERT ON app_private.mfa_factors FOR EACH ROW EXECUTE FUNCTION app_private.tg__refuse_while_impersonating('a second factor');

--
-- Name: mfa_factors _910_webhook_enrolled; Type: TRIGGER; Schema: app_private; Owner: -
--

CREATE TRIGGER _910_webhook_enrolled AFTER INSERT ON app_private.mfa_factors FOR EACH ROW WHEN ((new.status = 'active'::text)) EXECUTE FUNCTION app_private.tg__webhook_event('mfa.enrolled', 'user_id=user_id', 'factor_id=id', 'kind=kind');

--
-- Name: mfa_factors _911_webhook_activated; Type: TRIGGER; Schema: app_private; Owner: -
--

CREATE TRIGGER _911_webhook_activated AFTER UPDATE OF status ON app_private.mfa_factors FOR EACH ROW WHEN (((old.status <> 'active'::text) AND (new.status = 'active'::text))) EXECUTE FUNCTION app_private.tg__webhook_event('mfa.enrolled', 'user_id=user_id', 'factor_id=id', 'kind=kind');

--
-- Name: mfa_factors _912_webhook_removed; Type: TRIGGER; Schema: app_private; Owner: -
--

CREATE TRIGGER _912_webhook_removed AFTER DELETE ON app_private.mfa_factors FOR EACH ROW WHEN ((old.status = 'active'::text)) EXECUTE FUNCTION app_private.tg__webhook_event('mfa.removed', 'user_id=user_id', 'factor_id=id', 'kind=kind');

--
-- Name: mfa_factors definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.mfa_factors TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: mfa_factors mfa_factors_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.mfa_factors
    ADD CONSTRAINT mfa_factors_pkey PRIMARY KEY (id);

--
-- Name: mfa_factors mfa_factors_user_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.mfa_factors
    ADD CONSTRAINT mfa_factors_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: mfa_factors; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.mfa_factors ENABLE ROW LEVEL SECURITY;

--
-- Name: mfa_factors; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.mfa_factors (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    kind text NOT NULL,
    friendly_name text,
    status text DEFAULT 'unverified'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_used_at timestamp with time zone,
    failed_attempts integer DEFAULT 0 NOT NULL,
    first_failed_at timestamp with time zone,
    CONSTRAINT mfa_factors_friendly_name_check CHECK ((length(friendly_name) <= 100)),
    CONSTRAINT mfa_factors_kind_check CHECK ((kind = ANY (ARRAY['totp'::text, 'sms'::text, 'webauthn'::text]))),
    CONSTRAINT mfa_factors_status_check CHECK ((status = ANY (ARRAY['unverified'::text, 'active'::text])))
);

ALTER TABLE ONLY app_private.mfa_factors FORCE ROW LEVEL SECURITY;

--
-- Name: mfa_factors_active_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX mfa_factors_active_idx ON app_private.mfa_factors USING btree (user_id) WHERE (status = 'active'::text);

--
-- Name: mfa_factors_user_id_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX mfa_factors_user_id_idx ON app_private.mfa_factors USING btree (user_id);

--
-- Name: mfa_failed(uuid, uuid, text); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.mfa_failed(p_user uuid, p_factor uuid, p_reason text) RETURNS app_hidden.mfa_result
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v app_hidden.mfa_result;
begin
  if exists (select 1 from app_private.mfa_factors f where f.id = p_factor and f.status = 'unverified') then
    -- A typo while enrolling: audited, not mailed.
    perform app_private.write_audit('mfa_failed', 'app_public.users', p_user::text, null, null,
      jsonb_build_object('factor_id', p_factor, 'reason', p_reason, 'enrolment', true));
  else
    perform app_private.mfa_notice(p_user, 'mfa_failed',
      'A wrong second-factor code was entered for your account.',
      jsonb_build_object('factor_id', p_factor, 'reason', p_reason));
  end if;
  v.auth := app_private.auth_error('MFAIN');
  return v;
end;
$$;

--
-- Name: mfa_finish_sms(uuid, text); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.mfa_finish_sms(p_factor_id uuid, p_code text) RETURNS app_hidden.mfa_result
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_s app_private.sessions := app_private.mfa_caller();
  v_f app_private.mfa_factors;
  v app_hidden.mfa_result;
begin
  select * into v_f from app_private.mfa_factors f where f.id = p_factor_id and f.user_id = v_s.user_id and f.kind = 'sms';
  if not found then
    raise exception 'Not found' using errcode = 'NTFND';
  end if;
  delete from app_private.mfa_sms_codes m
    where m.factor_id = v_f.id and m.expires_at > now()
      and m.code_hash = app_private.token_hash(v_f.id::text || ':' || coalesce(p_code, ''));
  if not found then
    return app_private.mfa_failed(v_s.user_id, v_f.id, 'wrong_code');
  end if;
  perform app_private.mfa_attempt_succeeded(v_s.user_id, v_f.id);
  if v_f.status = 'unverified' then
    return app_private.activate_factor(v_s, v_f.id, 'sms');
  end if;
  v.auth := app_private.complete_mfa(v_s.id, 'sms');
  return v;
end;
$$;

--
-- Name: mfa_finish_totp(uuid, bigint); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.mfa_finish_totp(p_factor_id uuid, p_step bigint) RETURNS app_hidden.mfa_result
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_s app_private.sessions := app_private.mfa_caller();
  v_f app_private.mfa_factors;
  v_t app_private.mfa_totp_secrets;
  v app_hidden.mfa_result;
begin
  select * into v_f from app_private.mfa_factors f where f.id = p_factor_id and f.user_id = v_s.user_id and f.kind = 'totp';
  if not found then
    raise exception 'Not found' using errcode = 'NTFND';
  end if;
  select * into v_t from app_private.mfa_totp_secrets t where t.factor_id = v_f.id for update;
  if p_step is null then
    return app_private.mfa_failed(v_s.user_id, v_f.id, 'wrong_code');
  end if;
  -- N2: at most one step of drift, and a step at most once.
  if abs(p_step - floor(extract(epoch from now()) / 30)::bigint) > 1 then
    return app_private.mfa_failed(v_s.user_id, v_f.id, 'drift');
  end if;
  if v_t.last_step is not null and p_step <= v_t.last_step then
    return app_private.mfa_failed(v_s.user_id, v_f.id, 'replay');
  end if;
  update app_private.mfa_totp_secrets t set last_step = p_step where t.factor_id = v_f.id;
  perform app_private.mfa_attempt_succeeded(v_s.user_id, v_f.id);
  if v_f.status = 'unverified' then
    return app_private.activate_factor(v_s, v_f.id, 'otp');
  end if;
  v.auth := app_private.complete_mfa(v_s.id, 'otp');
  return v;
end;
$$;

--
-- Name: mfa_needed(uuid); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.mfa_needed(p_user uuid) RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select exists (select 1 from app_private.mfa_factors f where f.user_id = p_user and f.status = 'active')
      or exists (select 1 from app_private.auth_config c
                 where cardinality(c.mfa_required_roles) > 0
                   and (app_hidden.user_role(p_user) = any (c.mfa_required_roles)
                        or exists (select 1 from app_private.user_app_roles(p_user) r where r.role = any (c.mfa_required_roles))))
$$;

--
-- Name: mfa_notice(uuid, text, text, jsonb); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.mfa_notice(p_user uuid, p_event text, p_what text, p_detail jsonb DEFAULT '{}'::jsonb) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_u app_public.users;
begin
  perform app_private.write_audit(p_event, 'app_public.users', p_user::text, null, null, p_detail);
  select * into v_u from app_public.users u where u.id = p_user;
  if v_u.email is not null and not v_u.is_bot then
    perform app_private.enqueue_mail('mfa_notice', v_u.email::text,
      jsonb_build_object('name', v_u.display_name, 'email', v_u.email::text, 'what', p_what));
  end if;
end;
$$;

--
-- Name: mfa_phones definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.mfa_phones TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: mfa_phones mfa_phones_factor_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.mfa_phones
    ADD CONSTRAINT mfa_phones_factor_id_fkey FOREIGN KEY (factor_id) REFERENCES app_private.mfa_factors(id) ON DELETE CASCADE;

--
-- Name: mfa_phones mfa_phones_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.mfa_phones
    ADD CONSTRAINT mfa_phones_pkey PRIMARY KEY (factor_id);

--
-- Name: mfa_phones; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.mfa_phones ENABLE ROW LEVEL SECURITY;

--
-- Name: mfa_phones; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.mfa_phones (
    factor_id uuid NOT NULL,
    phone text NOT NULL,
    CONSTRAINT mfa_phones_phone_check CHECK ((phone ~ '^\+[1-9][0-9]{6,14}$'::text))
);

ALTER TABLE ONLY app_private.mfa_phones FORCE ROW LEVEL SECURITY;

--
-- Name: mfa_recovery_codes definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.mfa_recovery_codes TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: mfa_recovery_codes mfa_recovery_codes_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.mfa_recovery_codes
    ADD CONSTRAINT mfa_recovery_codes_pkey PRIMARY KEY (id);

--
-- Name: mfa_recovery_codes mfa_recovery_codes_user_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.mfa_recovery_codes
    ADD CONSTRAINT mfa_recovery_codes_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: mfa_recovery_codes; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.mfa_recovery_codes ENABLE ROW LEVEL SECURITY;

--
-- Name: mfa_recovery_codes; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.mfa_recovery_codes (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    code_hash bytea NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    used_at timestamp with time zone
);

ALTER TABLE ONLY app_private.mfa_recovery_codes FORCE ROW LEVEL SECURITY;

--
-- Name: mfa_recovery_codes_user_id_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX mfa_recovery_codes_user_id_idx ON app_private.mfa_recovery_codes USING btree (user_id);

--
-- Name: mfa_reserve_attempt(uuid, uuid); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.mfa_reserve_attempt(p_user uuid, p_factor uuid) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_user_n int;
  v_factor_n int := 0;
begin
  insert into app_private.mfa_user_failures as f (user_id, failures, window_start) values (p_user, 1, now())
    on conflict (user_id) do update set
      failures = case when f.window_start > now() - c.mfa_failure_window then f.failures + 1 else 1 end,
      window_start = case when f.window_start > now() - c.mfa_failure_window then f.window_start else now() end
    returning f.failures into v_user_n;
  if p_factor is not null then
    update app_private.mfa_factors f set
      failed_attempts = case when f.first_failed_at > now() - c.mfa_failure_window then f.failed_attempts + 1 else 1 end,
      first_failed_at = case when f.first_failed_at > now() - c.mfa_failure_window then f.first_failed_at else now() end
      where f.id = p_factor
      returning f.failed_attempts into v_factor_n;
  end if;
  if v_user_n > c.mfa_max_user_failures or v_factor_n > c.mfa_max_factor_failures then
    perform app_private.write_audit('mfa_rate_limited', 'app_public.users', p_user::text, null, null,
      jsonb_build_object('factor_id', p_factor, 'account_attempts', v_user_n, 'factor_attempts', v_factor_n));
    return false;
  end if;
  return true;
end;
$$;

--
-- Name: mfa_result; Type: TYPE; Schema: app_hidden; Owner: -
--

CREATE TYPE app_hidden.mfa_result AS (
	auth app_hidden.auth_result,
	recovery_codes text[]
);

--
-- Name: mfa_sms_codes definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.mfa_sms_codes TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: mfa_sms_codes mfa_sms_codes_factor_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.mfa_sms_codes
    ADD CONSTRAINT mfa_sms_codes_factor_id_fkey FOREIGN KEY (factor_id) REFERENCES app_private.mfa_factors(id) ON DELETE CASCADE;

--
-- Name: mfa_sms_codes mfa_sms_codes_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.mfa_sms_codes
    ADD CONSTRAINT mfa_sms_codes_pkey PRIMARY KEY (factor_id);

--
-- Name: mfa_sms_codes; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.mfa_sms_codes ENABLE ROW LEVEL SECURITY;

--
-- Name: mfa_sms_codes; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.mfa_sms_codes (
    factor_id uuid NOT NULL,
    code_hash bytea NOT NULL,
    expires_at timestamp with time zone NOT NULL
);

ALTER TABLE ONLY app_private.mfa_sms_codes FORCE ROW LEVEL SECURITY;

--
-- Name: mfa_totp_secrets definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.mfa_totp_secrets TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: mfa_totp_secrets mfa_totp_secrets_factor_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.mfa_totp_secrets
    ADD CONSTRAINT mfa_totp_secrets_factor_id_fkey FOREIGN KEY (factor_id) REFERENCES app_private.mfa_factors(id) ON DELETE CASCADE;

--
-- Name: mfa_totp_secrets mfa_totp_secrets_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.mfa_totp_secrets
    ADD CONSTRAINT mfa_totp_secrets_pkey PRIMARY KEY (factor_id);

--
-- Name: mfa_totp_secrets; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.mfa_totp_secrets ENABLE ROW LEVEL SECURITY;

--
-- Name: mfa_totp_secrets; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.mfa_totp_secrets (
    factor_id uuid NOT NULL,
    key_id text NOT NULL,
    secret bytea NOT NULL,
    last_step bigint
);

ALTER TABLE ONLY app_private.mfa_totp_secrets FORCE ROW LEVEL SECURITY;

--
-- Name: mfa_user_failures definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.mfa_user_failures TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: mfa_user_failures mfa_user_failures_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.mfa_user_failures
    ADD CONSTRAINT mfa_user_failures_pkey PRIMARY KEY (user_id);

--
-- Name: mfa_user_failures mfa_user_failures_user_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.mfa_user_failures
    ADD CONSTRAINT mfa_user_failures_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: mfa_user_failures; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.mfa_user_failures ENABLE ROW LEVEL SECURITY;

--
-- Name: mfa_user_failures; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.mfa_user_failures (
    user_id uuid NOT NULL,
    failures integer DEFAULT 0 NOT NULL,
    window_start timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY app_private.mfa_user_failures FORCE ROW LEVEL SECURITY;

--
-- Name: my_api_keys(); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.my_api_keys() RETURNS SETOF app_public.api_keys
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select k.* from app_public.api_keys k
  where k.user_id = app_hidden.current_user_id()
  order by k.created_at desc
$$;

--
-- Name: my_identities(); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.my_identities() RETURNS SETOF app_public.identity_info
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return query
    select i.provider, i.email::text, i.created_at, t.access_token_expires_at
    from app_public.user_identities i
    left join app_private.user_identity_tokens t on t.identity_id = i.id
    where i.user_id = app_hidden.current_user_id()
    order by i.created_at;
end;
$$;

--
-- Name: my_mfa_factors(); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.my_mfa_factors() RETURNS SETOF app_public.mfa_factor_info
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select f.id, f.kind, f.friendly_name, f.status, f.created_at, f.last_used_at, right(p.phone, 2)
  from app_private.mfa_factors f
  left join app_private.mfa_phones p on p.factor_id = f.id
  where f.user_id = app_hidden.current_user_id()
  order by f.created_at, f.id
$$;

--
-- Name: my_sessions(); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.my_sessions() RETURNS SETOF app_public.session_info
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return query
    select s.id, s.created_at, s.last_used_at, s.expires_at, s.user_agent, host(s.ip),
      s.id = app_hidden.current_session_id()
    from app_private.sessions s
    where s.user_id = app_hidden.current_user_id() and s.revoked_at is null and s.expires_at > now()
      and not exists (select 1 from app_public.api_keys k where k.session_id = s.id)
    order by s.last_used_at desc;
end;
$$;

--
-- Name: my_trusted_devices(); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.my_trusted_devices() RETURNS SETOF app_public.trusted_device_info
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select d.id, d.user_agent, d.created_at, d.last_used_at, d.expires_at,
         d.id is not distinct from (select s.trusted_device_id from app_private.sessions s
                                    where s.id = app_hidden.current_session_id())
  from app_private.trusted_devices d
  where d.user_id = app_hidden.current_user_id() and d.expires_at > now()
  order by d.created_at desc, d.id
$$;

--
-- Name: native_code_exchange(text, text, text, text, inet, text); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.native_code_exchange(p_code text, p_client_id text, p_redirect_uri text, p_code_verifier text, p_ip inet, p_user_agent text) RETURNS app_hidden.auth_result
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    SET lock_timeout TO '3s'
    AS $_$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_code app_private.native_codes;
  v_session app_private.sessions;
  v_token text := rtrim(translate(encode(public.gen_random_bytes(32), 'base64'), '+/', '-_'), '=');
begin
  if p_code is null or p_code !~ '^[A-Za-z0-9_-]{43}$'
     or p_code_verifier is null or p_code_verifier !~ '^[A-Za-z0-9._~-]{43,128}$' then
    return app_private.auth_error('GRANT');
  end if;
  select * into v_code from app_private.native_codes where code_hash = app_private.token_hash(p_code) for update;
  if not found then
    return app_private.auth_error('GRANT');
  end if;
  if v_code.used_at is not null then
    update app_private.sessions set revoked_at = now(), revoked_reason = 'code_reuse'
      where id = v_code.session_id and revoked_at is null;
    update app_private.refresh_tokens set revoked_at = now() where session_id = v_code.session_id and revoked_at is null;
    perform app_private.write_audit('native_code_reuse', null, v_code.session_id::text, null, null,
      jsonb_build_object('client_id', v_code.client_id, 'ip', p_ip::text));
    return app_private.auth_error('GRANT');
  end if;
  update app_private.native_codes set used_at = now() where code_hash = v_code.code_hash;
  if v_code.expires_at <= now()
     or v_code.client_id is distinct from p_client_id
     or v_code.redirect_uri is distinct from p_redirect_uri
     or v_code.code_challenge is distinct from
        rtrim(translate(encode(public.digest(convert_to(p_code_verifier, 'UTF8'), 'sha256'), 'base64'), '+/', '-_'), '=')
  then
    return app_private.auth_error('GRANT');
  end if;
  select * into v_session from app_private.sessions where id = v_code.session_id for update;
  if not found or v_session.revoked_at is not null or v_session.expires_at <= now()
     or exists (select 1 from app_public.users u where u.id = v_session.user_id and u.disabled_at is not null) then
    return app_private.auth_error('GRANT');
  end if;
  -- The session's first refresh token was never handed out: replace it with one for the app.
  update app_private.refresh_tokens set revoked_at = now() where session_id = v_session.id and revoked_at is null;
  insert into app_private.refresh_tokens (session_id, token_hash, expires_at)
    values (v_session.id, app_private.token_hash(v_token), least(now() + c.session_idle, v_session.expires_at));
  update app_private.sessions set last_used_at = now(), ip = coalesce(p_ip, ip),
      user_agent = coalesce(left(p_user_agent, 512), user_agent)
    where id = v_session.id;
  perform app_private.write_audit('native_code_exchange', null, v_session.id::text, null, null,
    jsonb_build_object('client_id', v_code.client_id, 'user_id', v_session.user_id, 'ip', p_ip::text));
  return app_private.auth_ok(v_session.user_id, v_session.id, v_token, v_session.expires_at);
end;
$_$;

--
-- Name: native_code_issue(uuid, text, text, text); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.native_code_issue(p_session_id uuid, p_client_id text, p_redirect_uri text, p_code_challenge text) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
declare
  v_code text := rtrim(translate(encode(public.gen_random_bytes(32), 'base64'), '+/', '-_'), '=');
begin
  if p_code_challenge is null or p_code_challenge !~ '^[A-Za-z0-9_-]{43}$' then
    raise exception 'native_code_issue: a PKCE S256 challenge is required' using errcode = '22023';
  end if;
  if not exists (select 1 from app_private.sessions s
                 where s.id = p_session_id and s.revoked_at is null and s.expires_at > now()) then
    raise exception 'native_code_issue: no live session' using errcode = '22023';
  end if;
  -- Housekeeping: codes are worthless a minute after they were made.
  delete from app_private.native_codes where expires_at < now() - interval '1 hour';
  insert into app_private.native_codes (code_hash, client_id, redirect_uri, code_challenge, session_id, expires_at)
    values (app_private.token_hash(v_code), p_client_id, p_redirect_uri, p_code_challenge, p_session_id,
            now() + interval '60 seconds');
  return v_code;
end;
$_$;

--
-- Name: native_codes definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.native_codes TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: native_codes native_codes_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.native_codes
    ADD CONSTRAINT native_codes_pkey PRIMARY KEY (code_hash);

--
-- Name: native_codes native_codes_session_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.native_codes
    ADD CONSTRAINT native_codes_session_id_fkey FOREIGN KEY (session_id) REFERENCES app_private.sessions(id) ON DELETE CASCADE;

--
-- Name: native_codes; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.native_codes ENABLE ROW LEVEL SECURITY;

--
-- Name: native_codes; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.native_codes (
    code_hash bytea NOT NULL,
    client_id text NOT NULL,
    redirect_uri text NOT NULL,
    code_challenge text NOT NULL,
    session_id uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    used_at timestamp with time zone,
    CONSTRAINT native_codes_client_id_check CHECK ((client_id ~ '^[a-z0-9]{1,100}$'::text)),
    CONSTRAINT native_codes_code_challenge_check CHECK ((code_challenge ~ '^[A-Za-z0-9_-]{43}$'::text)),
    CONSTRAINT native_codes_code_hash_check CHECK ((length(code_hash) = 32)),
    CONSTRAINT native_codes_redirect_uri_check CHECK (((length(redirect_uri) >= 1) AND (length(redirect_uri) <= 2000)))
);

ALTER TABLE ONLY app_private.native_codes FORCE ROW LEVEL SECURITY;

--
-- Name: native_codes_expires_at_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX native_codes_expires_at_idx ON app_private.native_codes USING btree (expires_at);

--
-- Name: native_codes_session_id_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX native_codes_session_id_idx ON app_private.native_codes USING btree (session_id);

--
-- Name: new_device_user_code(); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.new_device_user_code() RETURNS text
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_alphabet constant text := 'BCDFGHJKLMNPQRSTVWXZ';
  v_bytes bytea;
  v_out text := '';
  v_b integer;
begin
  while length(v_out) < 8 loop
    v_bytes := public.gen_random_bytes(16);
    for i in 0..15 loop
      v_b := get_byte(v_bytes, i);
      if v_b < 240 and length(v_out) < 8 then
        v_out := v_out || substr(v_alphabet, v_b % 20 + 1, 1);
      end if;
    end loop;
  end loop;
  return v_out;
end;
$$;

--
-- Name: new_email_token(uuid, text, text, interval, boolean); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.new_email_token(p_user uuid, p_purpose text, p_email text, p_ttl interval, p_code boolean DEFAULT false, OUT o_token text, OUT o_code text) RETURNS record
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_id uuid := public.gen_random_uuid();
begin
  o_token := rtrim(translate(encode(public.gen_random_bytes(32), 'base64'), '+/', '-_'), '=');
  if p_code then
    -- Uniform over 000000-999999: 4 random bytes modulo 10^6 has a bias below 2^-12.
    o_code := lpad(((('x' || encode(public.gen_random_bytes(4), 'hex'))::bit(32)::bigint) % 1000000)::text, 6, '0');
  end if;
  insert into app_private.email_tokens (id, user_id, purpose, token_hash, code_hash, email, expires_at)
    values (v_id, p_user, p_purpose, app_private.token_hash(o_token),
            case when p_code then app_private.email_code_hash(v_id, o_code) end, p_email, now() + p_ttl);
end;
$$;

--
-- Name: new_passkey_challenge(text, uuid, uuid, text); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.new_passkey_challenge(p_purpose text, p_session_id uuid, p_user_id uuid, p_email text, OUT challenge_id uuid, OUT challenge text) RETURNS record
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

--
-- Name: new_recovery_codes(uuid); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.new_recovery_codes(p_user uuid) RETURNS text[]
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_codes text[] := '{}';
  v_hex text;
begin
  delete from app_private.mfa_recovery_codes r where r.user_id = p_user;
  for i in 1..10 loop
    v_hex := encode(public.gen_random_bytes(6), 'hex');
    v_codes := v_codes || (substr(v_hex, 1, 4) || '-' || substr(v_hex, 5, 4) || '-' || substr(v_hex, 9, 4));
    insert into app_private.mfa_recovery_codes (user_id, code_hash) values (p_user, app_private.token_hash(v_hex));
  end loop;
  return v_codes;
end;
$$;

--
-- Name: new_sms_code(uuid); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.new_sms_code(p_factor uuid) RETURNS text
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_code text := lpad(((('x' || encode(public.gen_random_bytes(4), 'hex'))::bit(32)::bigint) % 1000000)::text, 6, '0');
begin
  insert into app_private.mfa_sms_codes as m (factor_id, code_hash, expires_at)
    values (p_factor, app_private.token_hash(p_factor::text || ':' || v_code), now() + c.mfa_challenge_ttl)
    on conflict (factor_id) do update set code_hash = excluded.code_hash, expires_at = excluded.expires_at;
  return v_code;
end;
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
    -- [5100] An anonymous user is nobody to current_user_id() while email verification is
    -- required (it has no verified email); its live session still links.
    v_me := (select s.uid from (select app_private.session_user_id() as uid) s
             join app_public.users u on u.id = s.uid and u.is_anonymous);
  end if;
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
      -- [5100] Upgrade an anonymous user: the provider's address if free (before the identity
      -- row, whose trigger verifies a matching address), and no longer anonymous.
      if exists (select 1 from app_public.users u where u.id = v_me and u.is_anonymous) then
        -- Without a free address it gets the placeholder a provider account without email
        -- gets at sign-up (users.invalid: never mailed, never matches a domain rule).
        update app_public.users u set is_anonymous = false,
            email = case when u.email is not null then u.email
                         when p_email is not null
                           and not exists (select 1 from app_public.users o where o.email operator(public.=) p_email::public.citext)
                         then p_email::public.citext
                         else (p_provider || '-' || md5(p_issuer || '|' || p_subject) || '@users.invalid')::public.citext end
          where u.id = v_me;
        perform app_private.write_audit('anonymous_upgraded', 'app_public.users', v_me::text, null, null,
          v_detail || '{"method":"oauth"}');
      end if;
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

  -- A sign-in with a provider's ID token (features/native) brings no provider tokens: the ones
  -- an earlier redirect sign-in stored are kept.
  if p_access_enc is not null or p_refresh_enc is not null then
    insert into app_private.user_identity_tokens as t (identity_id, key_id, access_token_enc, refresh_token_enc, access_token_expires_at)
      values (v_identity.id, coalesce(p_key_id, ''), p_access_enc, p_refresh_enc, p_expires_at)
      on conflict (identity_id) do update set key_id = excluded.key_id, access_token_enc = excluded.access_token_enc,
        refresh_token_enc = coalesce(excluded.refresh_token_enc, t.refresh_token_enc),
        access_token_expires_at = excluded.access_token_expires_at, refresh_attempts = 0, last_refresh_error = null,
        refresh_lease_until = null, updated_at = now();
  end if;

  if p_link then
    perform app_private.write_audit('oauth_linked', 'app_public.user_identities', v_identity.id::text, null, null, v_detail);
    return row(null, v_user, app_hidden.current_session_id(), app_hidden.user_role(v_user), null, null, v_identity.id)::app_hidden.oauth_result;
  end if;
  perform app_private.write_audit('oauth_sign_in', 'app_public.user_identities', v_identity.id::text, null, null, v_detail);
  v_session := app_private.start_session(v_user, p_ip, p_user_agent, '{fed}');
  return row(null, v_session.user_id, v_session.session_id, v_session.role, v_session.refresh_token,
             v_session.session_expires_at, v_identity.id)::app_hidden.oauth_result;
end;
$$;

--
-- Name: passkey_allow_list(uuid); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.passkey_allow_list(p_user_id uuid) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select coalesce(jsonb_agg(jsonb_build_object('id', app_private.base64url(w.credential_id), 'transports', to_jsonb(w.transports))
                            order by w.created_at), '[]'::jsonb)
  from app_private.webauthn_credentials w where w.user_id = p_user_id
$$;

--
-- Name: passkey_refusal(text, text, uuid, bytea, inet); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.passkey_refusal(p_purpose text, p_reason text, p_user_id uuid, p_credential_id bytea, p_ip inet) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

--
-- Name: passkey_refused(text, text, uuid, bytea, inet); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.passkey_refused(p_purpose text, p_reason text, p_user_id uuid, p_credential_id bytea, p_ip inet) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if p_purpose not in ('registration', 'sign_in', 'second_factor') or p_reason not in ('verification', 'user_verification') then
    raise exception 'Malformed request' using errcode = 'BADRQ';
  end if;
  perform app_private.passkey_refusal(p_purpose, p_reason, p_user_id, p_credential_id, p_ip);
end;
$$;

--
-- Name: passkey_registered; Type: TYPE; Schema: app_hidden; Owner: -
--

CREATE TYPE app_hidden.passkey_registered AS (
	error text,
	factor_id uuid,
	mfa app_hidden.mfa_result
);

--
-- Name: passkey_start; Type: TYPE; Schema: app_hidden; Owner: -
--

CREATE TYPE app_hidden.passkey_start AS (
	challenge_id uuid,
	challenge text,
	purpose text,
	user_id uuid,
	user_name text,
	display_name text,
	credentials jsonb
);

--
-- Name: passkey_taken; Type: TYPE; Schema: app_hidden; Owner: -
--

CREATE TYPE app_hidden.passkey_taken AS (
	error text,
	purpose text,
	user_id uuid,
	public_key bytea,
	sign_count bigint,
	transports text[]
);

--
-- Name: password_history definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.password_history TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: password_history password_history_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.password_history
    ADD CONSTRAINT password_history_pkey PRIMARY KEY (id);

--
-- Name: password_history password_history_user_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.password_history
    ADD CONSTRAINT password_history_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: password_history; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.password_history ENABLE ROW LEVEL SECURITY;

--
-- Name: password_history; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.password_history (
    id bigint NOT NULL,
    user_id uuid NOT NULL,
    password_hash text NOT NULL,
    password_scheme smallint NOT NULL,
    replaced_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY app_private.password_history FORCE ROW LEVEL SECURITY;

--
-- Name: password_history_id_seq; Type: SEQUENCE; Schema: app_private; Owner: -
--

ALTER TABLE app_private.password_history ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app_private.password_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: password_history_user_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX password_history_user_idx ON app_private.password_history USING btree (user_id, id DESC);

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
-- Name: password_input(text, integer); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.password_input(p_password text, p_scheme integer) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select case p_scheme
    when 1 then app_private.password_input(p_password)
    when 2 then encode(public.hmac(convert_to(p_password, 'UTF8'), convert_to('pgauth/password/v2', 'UTF8'), 'sha256'), 'base64')
  end
$$;

--
-- Name: password_matches(text, text, integer); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.password_matches(p_password text, p_hash text, p_scheme integer) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
declare
  v_password text := coalesce(p_password, '');
begin
  if p_hash is null
     -- Scheme 1 fed this exact form of a long password's pre-hash to bcrypt (C2).
     or (p_scheme = 1 and v_password ~ '^sha256:[A-Za-z0-9+/]{43}=$') then
    perform public.crypt(app_private.password_input(v_password, app_private.current_password_scheme()),
                         public.gen_salt('bf', (select bcrypt_cost from app_private.auth_config)));
    return false;
  end if;
  return coalesce(public.crypt(app_private.password_input(v_password, p_scheme), p_hash) = p_hash, false);
end;
$_$;

--
-- Name: password_policy_violation(text, text, text); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.password_policy_violation(p_password text, p_email text, p_name text) RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

--
-- Name: pending_phone_factor(); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.pending_phone_factor() RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select f.id from app_private.mfa_factors f
  where f.user_id = (app_private.mfa_caller()).user_id and f.kind = 'sms' and f.status = 'unverified'
  order by f.created_at desc limit 1
$$;

--
-- Name: permissions _900_audit; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.permissions FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit('name');

--
-- Name: permissions all_admin; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY all_admin ON app_public.permissions TO admin USING ((( SELECT app_hidden.current_app_role() AS current_app_role) = 'admin'::text)) WITH CHECK ((( SELECT app_hidden.current_app_role() AS current_app_role) = 'admin'::text));

--
-- Name: permissions definer_all; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY definer_all ON app_public.permissions TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: permissions permissions_pkey; Type: CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.permissions
    ADD CONSTRAINT permissions_pkey PRIMARY KEY (name);

--
-- Name: permissions select_signed_in; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY select_signed_in ON app_public.permissions FOR SELECT TO app_user, bot USING ((( SELECT app_hidden.current_user_id() AS current_user_id) IS NOT NULL));

--
-- Name: permissions; Type: ROW SECURITY; Schema: app_public; Owner: -
--

ALTER TABLE app_public.permissions ENABLE ROW LEVEL SECURITY;

--
-- Name: permissions; Type: TABLE; Schema: app_public; Owner: -
--

CREATE TABLE app_public.permissions (
    name text NOT NULL,
    description text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT permissions_name_check CHECK ((name ~ '^[a-z][a-z0-9_]*:([a-z][a-z0-9_]*|\*)$'::text))
);

ALTER TABLE ONLY app_public.permissions FORCE ROW LEVEL SECURITY;

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
-- Name: purge_email_state(); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.purge_email_state() RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_tokens int;
  v_limits int;
begin
  delete from app_private.email_tokens t
    where greatest(t.expires_at, coalesce(t.used_at, t.revoked_at, t.expires_at)) < now() - interval '7 days';
  get diagnostics v_tokens = row_count;
  delete from app_private.email_limits l where l.window_start < now() - c.email_request_window - interval '1 day';
  get diagnostics v_limits = row_count;
  return v_tokens + v_limits;
end;
$$;

--
-- Name: purge_sessions(); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.purge_sessions() RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_service int;
  v_ended int;
begin
  delete from app_private.sessions s
    using app_private.service_sessions ss
    where ss.session_id = s.id and s.expires_at < now() - interval '1 hour';
  get diagnostics v_service = row_count;
  delete from app_private.sessions s
    where least(s.expires_at, coalesce(s.revoked_at, 'infinity')) < now() - interval '30 days'
      and not exists (select 1 from app_public.api_keys k where k.session_id = s.id);
  get diagnostics v_ended = row_count;
  return v_service + v_ended;
end;
$$;

--
-- Name: purge_webhook_state(); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.purge_webhook_state() RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_deliveries int;
  v_events int;
begin
  delete from app_public.webhook_deliveries d
    where (d.status = 'delivered' and d.delivered_at < pg_catalog.now() - interval '7 days')
       or (d.status = 'failed' and d.created_at < pg_catalog.now() - interval '30 days');
  get diagnostics v_deliveries = row_count;
  delete from app_private.webhook_events e
    where e.created_at < pg_catalog.now() - interval '1 day'
      and not exists (select 1 from app_public.webhook_deliveries d where d.event_id = e.id);
  get diagnostics v_events = row_count;
  return v_deliveries + v_events;
end;
$$;

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
-- Name: realtime_document_events(uuid[], text[]); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.realtime_document_events(p_ids uuid[], p_kinds text[]) RETURNS TABLE(document_id uuid, kind text, visible boolean)
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return query
    select e.id, e.kind, d.id is not null
    from unnest(p_ids, p_kinds) with ordinality as e(id, kind, n)
    left join app_public.documents d on d.id = e.id
    where d.id is not null
       or (e.kind in ('deleted', 'unshared') and app_hidden.realtime_former_viewer(e.id, e.kind))
    order by e.n;
end;
$$;

--
-- Name: realtime_ended_sessions(uuid[]); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.realtime_ended_sessions(p_session_ids uuid[]) RETURNS TABLE(session_id uuid, reason text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select i.id, case when u.disabled_at is not null then 'disabled' else 'ended' end
  from unnest(p_session_ids) as i(id)
  left join app_private.sessions s on s.id = i.id
  left join app_public.users u on u.id = s.user_id
  where s.id is null or s.revoked_at is not null or s.expires_at <= now() or u.disabled_at is not null;
$$;

--
-- Name: realtime_former_viewer(uuid, text); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.realtime_former_viewer(p_document_id uuid, p_kind text) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select app_hidden.current_user_id() is not null and exists (
    select 1 from app_private.realtime_tombstones t
    where t.document_id = p_document_id and t.kind = p_kind
      and (t.subject_ids && app_hidden.current_principals()
           or (t.kind = 'deleted' and app_hidden.current_app_role() in ('manager', 'admin', 'bot'))));
$$;

--
-- Name: realtime_session_events(uuid[], text[]); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.realtime_session_events(p_ids uuid[], p_kinds text[]) RETURNS TABLE(session_id uuid, kind text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  return query
    select e.id, e.kind
    from unnest(p_ids, p_kinds) with ordinality as e(id, kind, n)
    join app_private.sessions s on s.id = e.id
    where s.user_id = app_hidden.current_user_id()
      and not exists (select 1 from app_public.api_keys k where k.session_id = s.id)
    order by e.n;
end;
$$;

--
-- Name: realtime_tombstone(uuid, uuid[], text); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.realtime_tombstone(p_document_id uuid, p_subject_ids uuid[], p_kind text) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  delete from app_private.realtime_tombstones where created_at < now() - interval '10 minutes';
  insert into app_private.realtime_tombstones (document_id, subject_ids, kind) values (p_document_id, p_subject_ids, p_kind);
$$;

--
-- Name: realtime_tombstones definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.realtime_tombstones TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: realtime_tombstones realtime_tombstones_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.realtime_tombstones
    ADD CONSTRAINT realtime_tombstones_pkey PRIMARY KEY (id);

--
-- Name: realtime_tombstones; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.realtime_tombstones ENABLE ROW LEVEL SECURITY;

--
-- Name: realtime_tombstones; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.realtime_tombstones (
    id bigint NOT NULL,
    document_id uuid NOT NULL,
    subject_ids uuid[] NOT NULL,
    kind text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT realtime_tombstones_kind_check CHECK ((kind = ANY (ARRAY['deleted'::text, 'unshared'::text])))
);

ALTER TABLE ONLY app_private.realtime_tombstones FORCE ROW LEVEL SECURITY;

--
-- Name: realtime_tombstones_created_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX realtime_tombstones_created_idx ON app_private.realtime_tombstones USING btree (created_at);

--
-- Name: realtime_tombstones_document_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX realtime_tombstones_document_idx ON app_private.realtime_tombstones USING btree (document_id);

--
-- Name: realtime_tombstones_id_seq; Type: SEQUENCE; Schema: app_private; Owner: -
--

ALTER TABLE app_private.realtime_tombstones ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app_private.realtime_tombstones_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: record_denied(text, text); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.record_denied(p_operation text, p_code text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
begin
  if p_operation is null or p_operation !~ '^[A-Za-z_][A-Za-z0-9_]{0,62}$' then
    raise exception 'The operation must be a GraphQL field name' using errcode = 'BADRQ';
  end if;
  if p_code is null or not (p_code = any (array['NTFND', 'DNIED', 'LASTO', 'LASTM', 'LOGIN', 'OUTRK'])) then
    raise exception 'Not a registered denial code' using errcode = 'BADRQ';
  end if;
  perform app_private.write_audit('access_denied', null, null, null, null,
    jsonb_build_object('operation', p_operation, 'code', p_code));
end;
$_$;

--
-- Name: record_password_failure(uuid); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.record_password_failure(p_user_id uuid) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_until timestamptz;
begin
  update app_private.user_secrets s
    set (failed_attempts, first_failed_at, locked_until, lockouts) =
      (select n.failed_attempts, n.first_failed_at, n.locked_until, n.lockouts
       from app_private.after_failure(s.failed_attempts, s.first_failed_at, s.locked_until, s.lockouts, c) n)
    where s.user_id = p_user_id and coalesce(s.locked_until, '-infinity') <= now()
    returning s.locked_until into v_until;
  if v_until > now() then
    perform app_private.write_audit('account_locked', 'app_public.users', p_user_id::text, null, null,
      jsonb_build_object('until', v_until));
  end if;
end;
$$;

--
-- Name: record_unknown_failure(text); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.record_unknown_failure(p_email text) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
begin
  insert into app_private.unknown_login_failures as f (email_key, failed_attempts, first_failed_at, locked_until, lockouts)
    select app_private.email_key(p_email), n.failed_attempts, n.first_failed_at, n.locked_until, n.lockouts
    from app_private.after_failure(0, null, null, 0, c) n
    on conflict (email_key) do update
      set (failed_attempts, first_failed_at, locked_until, lockouts) =
        (select n.failed_attempts, n.first_failed_at, n.locked_until, n.lockouts
         from app_private.after_failure(f.failed_attempts, f.first_failed_at, f.locked_until, f.lockouts, c) n)
      where coalesce(f.locked_until, '-infinity') <= now();
  delete from app_private.unknown_login_failures
    where email_key in (select u.email_key from app_private.unknown_login_failures u
                        where greatest(u.first_failed_at, u.locked_until) < now() - c.failure_window
                        limit 100 for update skip locked);
end;
$$;

--
-- Name: record_webhook_attempt(uuid, integer, text, integer, interval); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.record_webhook_attempt(p_delivery_id uuid, p_response_status integer, p_error text, p_max_attempts integer, p_retry_base interval) RETURNS text
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_ok boolean := p_error is null and p_response_status between 200 and 299;
  v_error text := case when v_ok then null
                       else left(coalesce(p_error, 'HTTP ' || coalesce(p_response_status::text, '?')), 500) end;
  v_d app_public.webhook_deliveries;
begin
  insert into app_public.webhook_attempts (delivery_id, response_status, error)
    values (p_delivery_id, p_response_status, v_error);
  update app_public.webhook_deliveries d set
    attempts = d.attempts + 1,
    last_response_status = p_response_status,
    last_error = v_error,
    status = case when v_ok then 'delivered' when d.attempts + 1 >= p_max_attempts then 'failed' else 'pending' end,
    delivered_at = case when v_ok then pg_catalog.now() end,
    next_attempt_at = case when v_ok or d.attempts + 1 >= p_max_attempts then null
                           else pg_catalog.now() + least(p_retry_base * pg_catalog.power(2, d.attempts), interval '6 hours') end
    where d.id = p_delivery_id
    returning d.* into v_d;
  if v_d.status = 'pending' then
    perform app_private.schedule_webhook_delivery(v_d.id, v_d.next_attempt_at);
  end if;
  return v_d.status;
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
    return app_private.auth_error('TOKEN');
  end if;
  select * into v_rt from app_private.refresh_tokens where token_hash = app_private.token_hash(p_token) for update;
  if not found or v_rt.session_id is distinct from coalesce(p_session_id, v_rt.session_id) then
    return app_private.auth_error('TOKEN');
  end if;
  select * into v_session from app_private.sessions where id = v_rt.session_id for update;
  if v_session.revoked_at is not null or v_session.expires_at <= now() or v_rt.revoked_at is not null
     or exists (select 1 from app_public.users u where u.id = v_session.user_id and u.disabled_at is not null) then
    return app_private.auth_error('TOKEN');
  end if;
  v_next := app_private.successor_token(p_token);

  if v_rt.rotated_at is null then
    if v_rt.expires_at <= now() then
      return app_private.auth_error('TOKEN');
    end if;
    update app_private.refresh_tokens set rotated_at = now() where id = v_rt.id;
    insert into app_private.refresh_tokens (session_id, token_hash, parent_id, expires_at)
      values (v_session.id, app_private.token_hash(v_next), v_rt.id, least(now() + c.session_idle, v_session.expires_at));
    update app_private.sessions set last_used_at = now(), ip = coalesce(p_ip, ip) where id = v_session.id;
    return app_private.auth_ok(v_session.user_id, v_session.id, v_next, v_session.expires_at);
  end if;

  select * into v_child from app_private.refresh_tokens where parent_id = v_rt.id;
  if v_rt.rotated_at > now() - c.refresh_grace and v_child.rotated_at is null and v_child.revoked_at is null
     and v_child.expires_at > now() then
    -- A concurrent or retried refresh of the same token: converge on the same successor.
    return app_private.auth_ok(v_session.user_id, v_session.id, v_next, v_session.expires_at);
  end if;

  -- Reuse of a rotated token: assume theft and end the whole family.
  update app_private.sessions set revoked_at = now(), revoked_reason = 'refresh_token_reuse' where id = v_session.id;
  update app_private.refresh_tokens set revoked_at = now() where session_id = v_session.id and revoked_at is null;
  perform app_private.write_audit('refresh_token_reuse', null, v_session.id::text, null, null,
    jsonb_build_object('user_id', v_session.user_id, 'ip', p_ip::text));
  return app_private.auth_error('REUSE');
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
-- Name: refresh_tokens_parent_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX refresh_tokens_parent_idx ON app_private.refresh_tokens USING btree (parent_id);

--
-- Name: refresh_tokens_session_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX refresh_tokens_session_idx ON app_private.refresh_tokens USING btree (session_id);

--
-- Name: regenerate_recovery_codes(); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.regenerate_recovery_codes() RETURNS text[]
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_user uuid := app_hidden.require_user();
  v_codes text[];
begin
  if coalesce(app_hidden.current_aal(), 'aal1') <> 'aal2' then
    raise exception 'Verify a second factor first' using errcode = 'MFARQ';
  end if;
  v_codes := app_private.new_recovery_codes(v_user);
  perform app_private.mfa_notice(v_user, 'mfa_recovery_codes_regenerated',
    'New recovery codes were generated for your account; the old ones no longer work.');
  return v_codes;
end;
$$;

--
-- Name: register(text, text, text, inet, text); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.register(p_email text, p_password text, p_name text, p_ip inet, p_user_agent text) RETURNS app_hidden.auth_result
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_addr inet := coalesce(p_ip, '0.0.0.0'::inet);
  v_name text := nullif(trim(p_name), '');
  v_hash text;
  v_id uuid;
  v_existing app_public.users;
  v_tok record;
  v_me uuid := app_private.session_user_id();
  v_anon boolean := false;
begin
  if v_me is not null then
    select u.is_anonymous into v_anon from app_public.users u where u.id = v_me;
  end if;
  if exists (select 1 from app_private.ip_registrations r
             where r.ip = v_addr and r.window_start > now() - c.register_window and r.registrations >= c.register_max_per_ip)
     or exists (select 1 from app_private.registration_totals t
                where t.window_start > now() - c.register_window and t.registrations >= c.register_max_global) then
    perform app_private.write_audit('register_rate_limited', null, null, null, null, jsonb_build_object('ip', p_ip::text));
    return app_private.auth_error('RATEL');
  end if;
  if not app_private.valid_email(p_email) then
    raise exception 'Invalid email address' using errcode = 'EMAIL';
  end if;
  perform app_private.assert_password_policy(p_password, null, p_email, v_name);

  -- The same bcrypt work and the same counters whether the address is free or taken (M2).
  v_hash := app_private.hash_password(p_password);
  insert into app_private.ip_registrations as r (ip, registrations) values (v_addr, 1)
    on conflict (ip) do update set
      registrations = case when r.window_start > now() - c.register_window then r.registrations + 1 else 1 end,
      window_start = case when r.window_start > now() - c.register_window then r.window_start else now() end;
  update app_private.registration_totals t set
    registrations = case when t.window_start > now() - c.register_window then t.registrations + 1 else 1 end,
    window_start = case when t.window_start > now() - c.register_window then t.window_start else now() end;

  select * into v_existing from app_public.users u where u.email operator(public.=) p_email::public.citext;
  if not found then
    begin
      if v_anon then
        -- [5100] The anonymous user becomes a password account: same id, its data kept. The
        -- address is unverified (the trigger on email changes leaves email_verified_at NULL),
        -- so nothing is granted by it until the mailed token verifies it (Q4, M6).
        update app_public.users u set email = p_email, is_anonymous = false,
            display_name = coalesce(v_name, u.display_name)
          where u.id = v_me and u.is_anonymous
          returning u.id into v_id;
      else
        insert into app_public.users (email, display_name) values (p_email, v_name) returning id into v_id;
      end if;
    exception when unique_violation then
      -- The same address registered concurrently since the check above: taken after all.
      select * into v_existing from app_public.users u where u.email operator(public.=) p_email::public.citext;
    end;
  end if;
  if v_id is null then
    perform app_private.enqueue_mail('account_exists', v_existing.email::text,
      jsonb_build_object('name', v_existing.display_name, 'email', v_existing.email::text));
    perform app_private.write_audit('register_existing_email', 'app_public.users', v_existing.id::text, null, null,
      jsonb_build_object('ip', p_ip::text));
    if v_anon then
      -- [5100] An anonymous caller keeps its own (still anonymous) user: a decoy would throw
      -- away its data; the answer names the caller's own id either way.
      return app_private.start_session(v_me, p_ip, p_user_agent, '{anonymous}');
    end if;
    return app_private.auth_decoy();
  end if;

  update app_private.user_secrets set password_hash = v_hash, password_scheme = app_private.current_password_scheme(),
    password_updated_at = clock_timestamp()
    where user_id = v_id;
  select * into v_tok from app_private.new_email_token(v_id, 'verify_email', p_email, c.email_verify_ttl);
  perform app_private.enqueue_mail('verify_email', p_email,
    jsonb_build_object('name', v_name, 'email', p_email, 'action', 'verify', 'token', v_tok.o_token,
                       'hours', extract(epoch from c.email_verify_ttl)::int / 3600));
  if v_anon then
    perform app_private.write_audit('anonymous_upgraded', 'app_public.users', v_id::text, null, null,
      jsonb_build_object('ip', p_ip::text, 'method', 'password'));
  else
    perform app_private.write_audit('register', 'app_public.users', v_id::text, null, null, jsonb_build_object('ip', p_ip::text));
  end if;
  return app_private.start_session(v_id, p_ip, p_user_agent);
end;
$$;

--
-- Name: registration_totals definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.registration_totals TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: registration_totals registration_totals_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.registration_totals
    ADD CONSTRAINT registration_totals_pkey PRIMARY KEY (id);

--
-- Name: registration_totals; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.registration_totals ENABLE ROW LEVEL SECURITY;

--
-- Name: registration_totals; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.registration_totals (
    id boolean DEFAULT true NOT NULL,
    window_start timestamp with time zone DEFAULT now() NOT NULL,
    registrations integer DEFAULT 0 NOT NULL,
    CONSTRAINT registration_totals_id_check CHECK (id)
);

ALTER TABLE ONLY app_private.registration_totals FORCE ROW LEVEL SECURITY;

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
-- Name: remove_mfa_factor(uuid); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.remove_mfa_factor(id uuid) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_user uuid := app_hidden.require_user();
  v_f app_private.mfa_factors;
begin
  select * into v_f from app_private.mfa_factors f where f.id = remove_mfa_factor.id and f.user_id = v_user;
  if not found then
    raise exception 'Not found' using errcode = 'NTFND';
  end if;
  perform app_private.assert_aal2_if_factor(v_user);
  delete from app_private.mfa_factors f where f.id = v_f.id;
  if not exists (select 1 from app_private.mfa_factors f where f.user_id = v_user and f.status = 'active') then
    delete from app_private.mfa_recovery_codes r where r.user_id = v_user;
    -- N10: with no second factor left, nothing is trusted to stand in for one: a factor
    -- enrolled later is not skipped by a device trusted before.
    delete from app_private.trusted_devices d where d.user_id = v_user;
  end if;
  if v_f.status = 'active' then
    perform app_private.mfa_notice(v_user, 'mfa_removed',
      format('A second factor (%s) was removed from your account.', coalesce(v_f.friendly_name, v_f.kind)),
      jsonb_build_object('factor_id', v_f.id, 'kind', v_f.kind));
  end if;
  return true;
end;
$$;

--
-- Name: request_password_reset(text, inet); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.request_password_reset(p_email text, p_ip inet) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_u app_public.users;
  v_tok record;
begin
  if not app_private.valid_email(p_email) then
    raise exception 'Invalid email address' using errcode = 'EMAIL';
  end if;
  if app_private.email_request_limited('reset', p_email, p_ip) then
    return app_private.email_refused('reset_password', 'RATEL', p_ip);
  end if;
  select * into v_u from app_public.users u
    where u.email operator(public.=) p_email::public.citext and u.disabled_at is null and not u.is_bot;
  if found then
    select * into v_tok from app_private.new_email_token(v_u.id, 'reset_password', v_u.email::text, c.email_reset_ttl);
    perform app_private.enqueue_mail('reset_password', v_u.email::text,
      jsonb_build_object('name', v_u.display_name, 'email', v_u.email::text, 'action', 'reset', 'token', v_tok.o_token,
                         'minutes', extract(epoch from c.email_reset_ttl)::int / 60));
  end if;
  perform app_private.write_audit('password_reset_requested', case when found then 'app_public.users' end, v_u.id::text, null, null,
    jsonb_build_object('ip', p_ip::text, 'known', found));
  return null;
end;
$$;

--
-- Name: request_sign_in_email(text, inet); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.request_sign_in_email(p_email text, p_ip inet) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_u app_public.users;
  v_tok record;
begin
  if not app_private.valid_email(p_email) then
    raise exception 'Invalid email address' using errcode = 'EMAIL';
  end if;
  if app_private.email_request_limited('sign_in', p_email, p_ip) then
    return app_private.email_refused('sign_in', 'RATEL', p_ip);
  end if;
  select * into v_u from app_public.users u
    where u.email operator(public.=) p_email::public.citext and u.disabled_at is null and not u.is_bot;
  if found then
    select * into v_tok from app_private.new_email_token(v_u.id, 'sign_in', v_u.email::text, c.email_sign_in_ttl, true);
    perform app_private.enqueue_mail('sign_in', v_u.email::text,
      jsonb_build_object('name', v_u.display_name, 'email', v_u.email::text, 'action', 'sign-in',
                         'token', v_tok.o_token, 'code', v_tok.o_code,
                         'minutes', extract(epoch from c.email_sign_in_ttl)::int / 60));
  end if;
  perform app_private.write_audit('sign_in_email_requested', case when found then 'app_public.users' end, v_u.id::text, null, null,
    jsonb_build_object('ip', p_ip::text, 'known', found));
  return null;
end;
$$;

--
-- Name: require_user(); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.require_user() RETURNS uuid
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_user uuid := app_hidden.current_user_id();
begin
  if v_user is null then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  return v_user;
end;
$$;

--
-- Name: resend_verification_email(inet); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.resend_verification_email(p_ip inet) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_user uuid := app_private.session_user_id();
  v_u app_public.users;
  v_tok record;
begin
  if v_user is null then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  select * into v_u from app_public.users u where u.id = v_user;
  if v_u.email_verified_at is not null or v_u.email is null then
    return null;
  end if;
  if app_private.email_limited('resend:user:' || v_user, c.email_resend_max, c.email_request_window, c.email_resend_interval) then
    return app_private.email_refused('verify_email', 'RATEL', p_ip, v_user);
  end if;
  select * into v_tok from app_private.new_email_token(v_user, 'verify_email', v_u.email::text, c.email_verify_ttl);
  perform app_private.enqueue_mail('verify_email', v_u.email::text,
    jsonb_build_object('name', v_u.display_name, 'email', v_u.email::text, 'action', 'verify', 'token', v_tok.o_token,
                       'hours', extract(epoch from c.email_verify_ttl)::int / 3600));
  perform app_private.write_audit('verification_email_sent', 'app_public.users', v_user::text, null, null,
    jsonb_build_object('ip', p_ip::text));
  return null;
end;
$$;

--
-- Name: reset_password(text, text, inet); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.reset_password(p_token text, p_new text, p_ip inet) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v app_private.email_tokens := app_private.live_email_token(p_token, 'reset_password');
  v_u app_public.users;
  v_hash text;
begin
  if v.id is null then
    return app_private.email_refused('reset_password', 'EMTOK', p_ip);
  end if;
  select * into v_u from app_public.users u where u.id = v.user_id;
  perform app_private.assert_password_policy(p_new, v.user_id, v_u.email::text, v_u.display_name);
  v_hash := app_private.hash_password(p_new);
  perform app_private.use_email_token(v);
  update app_private.user_secrets s set password_hash = v_hash, password_scheme = app_private.current_password_scheme(),
    password_updated_at = clock_timestamp(), failed_attempts = 0, first_failed_at = null, locked_until = null, lockouts = 0
    where s.user_id = v.user_id;
  update app_private.sessions set revoked_at = now(), revoked_reason = 'password_reset'
    where user_id = v.user_id and revoked_at is null;
  update app_private.refresh_tokens rt set revoked_at = now()
    from app_private.sessions s
    where rt.session_id = s.id and s.user_id = v.user_id and rt.revoked_at is null;
  -- N10: a reset forgets every trusted device (whoever reset may not trust them).
  delete from app_private.trusted_devices d where d.user_id = v.user_id;
  -- The link reached the address: it is verified, if still the user's.
  update app_public.users u set email_verified_at = now()
    where u.id = v.user_id and u.email_verified_at is null and u.email operator(public.=) v.email;
  perform app_private.enqueue_mail('password_changed', v_u.email::text,
    jsonb_build_object('name', v_u.display_name, 'email', v_u.email::text));
  perform app_private.write_audit('password_reset', 'app_public.users', v.user_id::text, null, null,
    jsonb_build_object('ip', p_ip::text));
  return null;
end;
$$;

--
-- Name: retry_webhook_delivery(uuid); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.retry_webhook_delivery(p_delivery_id uuid) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  update app_public.webhook_deliveries d set status = 'pending', next_attempt_at = pg_catalog.now()
    where d.id = p_delivery_id and d.status <> 'delivered';
  if not found then
    return false;
  end if;
  perform app_private.schedule_webhook_delivery(p_delivery_id, pg_catalog.now());
  return true;
end;
$$;

--
-- Name: revoke_api_key(uuid); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.revoke_api_key(id uuid) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_session uuid;
begin
  update app_public.api_keys k set revoked_at = pg_catalog.now()
    where k.id = revoke_api_key.id and k.user_id = app_hidden.current_user_id() and k.revoked_at is null
    returning k.session_id into v_session;
  if v_session is null then
    return false;
  end if;
  update app_private.sessions set revoked_at = pg_catalog.now(), revoked_reason = 'api key revoked'
    where sessions.id = v_session and revoked_at is null;
  return true;
end;
$$;

--
-- Name: revoke_email_tokens(uuid, text[]); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.revoke_email_tokens(p_user uuid, p_purposes text[]) RETURNS void
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  update app_private.email_tokens set revoked_at = now()
    where user_id = p_user and purpose = any (p_purposes) and used_at is null and revoked_at is null
$$;

--
-- Name: revoke_service_account(text); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.revoke_service_account(p_client_id text) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_id uuid;
begin
  for v_id in select s.id from app_private.service_secrets s where s.client_id = p_client_id and s.revoked_at is null loop
    perform app_private.revoke_service_secret(v_id);
  end loop;
  update app_public.users u set disabled_at = pg_catalog.now()
    from app_private.service_clients c where c.client_id = p_client_id and u.id = c.user_id and u.disabled_at is null;
end;
$$;

--
-- Name: revoke_service_secret(uuid); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.revoke_service_secret(p_secret_id uuid) RETURNS void
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  update app_private.service_secrets set revoked_at = pg_catalog.now() where id = p_secret_id and revoked_at is null;
  update app_private.sessions s set revoked_at = pg_catalog.now(), revoked_reason = 'service secret revoked'
    from app_private.service_sessions ss
    where ss.secret_id = p_secret_id and ss.session_id = s.id and s.revoked_at is null;
$$;

--
-- Name: revoke_sessions(uuid, boolean); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.revoke_sessions(p_session_id uuid, p_all_others boolean) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_user uuid := app_hidden.require_user();
  v_n int;
begin
  update app_private.sessions s set revoked_at = now(), revoked_reason = 'revoked_by_user'
    where s.user_id = v_user and s.revoked_at is null
      and (case when p_all_others then s.id <> app_hidden.current_session_id() else s.id = p_session_id end);
  get diagnostics v_n = row_count;
  perform app_private.write_audit('sessions_revoked', 'app_public.users', v_user::text, null, null, jsonb_build_object('count', v_n));
  return v_n;
end;
$$;

--
-- Name: revoke_user_sessions(uuid, text); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.revoke_user_sessions(p_user uuid, p_reason text) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_n int;
begin
  update app_private.sessions s set revoked_at = now(), revoked_reason = p_reason
    where s.user_id = p_user and s.revoked_at is null;
  get diagnostics v_n = row_count;
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
-- Name: role_grants _500_write_through; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _500_write_through AFTER INSERT OR DELETE ON app_public.role_grants FOR EACH ROW EXECUTE FUNCTION app_private.tg_role_grants__write_through();

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
-- Name: role_grants_granted_by_idx; Type: INDEX; Schema: app_public; Owner: -
--

CREATE INDEX role_grants_granted_by_idx ON app_public.role_grants USING btree (granted_by);

--
-- Name: role_permissions _900_audit; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.role_permissions FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit('role', 'permission');

--
-- Name: role_permissions all_admin; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY all_admin ON app_public.role_permissions TO admin USING ((( SELECT app_hidden.current_app_role() AS current_app_role) = 'admin'::text)) WITH CHECK ((( SELECT app_hidden.current_app_role() AS current_app_role) = 'admin'::text));

--
-- Name: role_permissions definer_all; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY definer_all ON app_public.role_permissions TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: role_permissions role_permissions_permission_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.role_permissions
    ADD CONSTRAINT role_permissions_permission_fkey FOREIGN KEY (permission) REFERENCES app_public.permissions(name) ON UPDATE CASCADE ON DELETE CASCADE;

--
-- Name: role_permissions role_permissions_pkey; Type: CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.role_permissions
    ADD CONSTRAINT role_permissions_pkey PRIMARY KEY (role, permission);

--
-- Name: role_permissions role_permissions_role_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.role_permissions
    ADD CONSTRAINT role_permissions_role_fkey FOREIGN KEY (role) REFERENCES app_public.app_roles(name) ON UPDATE CASCADE ON DELETE CASCADE;

--
-- Name: role_permissions select_signed_in; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY select_signed_in ON app_public.role_permissions FOR SELECT TO app_user, bot USING ((( SELECT app_hidden.current_user_id() AS current_user_id) IS NOT NULL));

--
-- Name: role_permissions; Type: ROW SECURITY; Schema: app_public; Owner: -
--

ALTER TABLE app_public.role_permissions ENABLE ROW LEVEL SECURITY;

--
-- Name: role_permissions; Type: TABLE; Schema: app_public; Owner: -
--

CREATE TABLE app_public.role_permissions (
    role text NOT NULL,
    permission text NOT NULL,
    granted_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY app_public.role_permissions FORCE ROW LEVEL SECURITY;

--
-- Name: role_permissions_permission_idx; Type: INDEX; Schema: app_public; Owner: -
--

CREATE INDEX role_permissions_permission_idx ON app_public.role_permissions USING btree (permission);

--
-- Name: role_rank(uuid); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.role_rank(p_user uuid) RETURNS integer
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select coalesce(max(case r.db_role when 'admin' then 3 when 'manager' then 2 else 1 end), 1)
  from app_private.user_app_roles(p_user) x
  join app_public.app_roles r on r.name = x.role
$$;

--
-- Name: run_claims_hook(regprocedure, uuid, uuid, jsonb); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.run_claims_hook(p_hook regprocedure, p_user_id uuid, p_session_id uuid, p_claims jsonb) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
declare
  v_out jsonb;
begin
  execute pg_catalog.format('select %s($1::uuid, $2::uuid, $3::jsonb)', p_hook::oid::regproc)
    into v_out using p_user_id, p_session_id, p_claims;
  return v_out;
end;
$_$;

--
-- Name: schedule_webhook_delivery(uuid, timestamp with time zone); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.schedule_webhook_delivery(p_delivery_id uuid, p_run_at timestamp with time zone) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform graphile_worker.add_job('webhook_deliver', pg_catalog.json_build_object('delivery_id', p_delivery_id),
    run_at => p_run_at, max_attempts => 3, job_key => 'webhook:' || p_delivery_id::text);
end;
$$;

--
-- Name: send_sms_code(uuid, inet); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.send_sms_code(p_factor_id uuid, p_ip inet) RETURNS TABLE(phone text, code text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
#variable_conflict use_column
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_s app_private.sessions := app_private.mfa_caller();
  v_phone text;
begin
  if v_s.id is null then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  if v_s.mfa_pending and v_s.created_at + c.mfa_challenge_ttl <= now() then
    raise exception 'The second-factor challenge has expired' using errcode = 'MFAEX';
  end if;
  select p.phone into v_phone from app_private.mfa_factors f join app_private.mfa_phones p on p.factor_id = f.id
    where f.id = p_factor_id and f.user_id = v_s.user_id and f.kind = 'sms' and f.status = 'active';
  if v_phone is null then
    raise exception 'Not found' using errcode = 'NTFND';
  end if;
  if not app_private.sms_allowed(v_phone, v_s.user_id) then
    raise exception 'Too many attempts, try again later' using errcode = 'RATEL';
  end if;
  return query select v_phone, app_private.new_sms_code(p_factor_id);
end;
$$;

--
-- Name: service_clients definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.service_clients TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: service_clients service_clients_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.service_clients
    ADD CONSTRAINT service_clients_pkey PRIMARY KEY (client_id);

--
-- Name: service_clients service_clients_user_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.service_clients
    ADD CONSTRAINT service_clients_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: service_clients service_clients_user_id_key; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.service_clients
    ADD CONSTRAINT service_clients_user_id_key UNIQUE (user_id);

--
-- Name: service_clients; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.service_clients ENABLE ROW LEVEL SECURITY;

--
-- Name: service_clients; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.service_clients (
    client_id text NOT NULL,
    user_id uuid NOT NULL,
    name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT service_clients_client_id_check CHECK ((client_id ~ '^svc_[0-9a-f]{16}$'::text)),
    CONSTRAINT service_clients_name_check CHECK (((length(name) >= 1) AND (length(name) <= 100)))
);

ALTER TABLE ONLY app_private.service_clients FORCE ROW LEVEL SECURITY;

--
-- Name: service_secrets definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.service_secrets TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: service_secrets service_secrets_client_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.service_secrets
    ADD CONSTRAINT service_secrets_client_id_fkey FOREIGN KEY (client_id) REFERENCES app_private.service_clients(client_id) ON DELETE CASCADE;

--
-- Name: service_secrets service_secrets_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.service_secrets
    ADD CONSTRAINT service_secrets_pkey PRIMARY KEY (id);

--
-- Name: service_secrets service_secrets_secret_hash_key; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.service_secrets
    ADD CONSTRAINT service_secrets_secret_hash_key UNIQUE (secret_hash);

--
-- Name: service_secrets; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.service_secrets ENABLE ROW LEVEL SECURITY;

--
-- Name: service_secrets; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.service_secrets (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    client_id text NOT NULL,
    secret_hash bytea NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone,
    revoked_at timestamp with time zone,
    CONSTRAINT service_secrets_secret_hash_check CHECK ((length(secret_hash) = 32))
);

ALTER TABLE ONLY app_private.service_secrets FORCE ROW LEVEL SECURITY;

--
-- Name: service_secrets_client_id_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX service_secrets_client_id_idx ON app_private.service_secrets USING btree (client_id);

--
-- Name: service_sessions definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.service_sessions TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: service_sessions service_sessions_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.service_sessions
    ADD CONSTRAINT service_sessions_pkey PRIMARY KEY (session_id);

--
-- Name: service_sessions service_sessions_secret_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.service_sessions
    ADD CONSTRAINT service_sessions_secret_id_fkey FOREIGN KEY (secret_id) REFERENCES app_private.service_secrets(id) ON DELETE CASCADE;

--
-- Name: service_sessions service_sessions_session_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.service_sessions
    ADD CONSTRAINT service_sessions_session_id_fkey FOREIGN KEY (session_id) REFERENCES app_private.sessions(id) ON DELETE CASCADE;

--
-- Name: service_sessions; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.service_sessions ENABLE ROW LEVEL SECURITY;

--
-- Name: service_sessions; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.service_sessions (
    session_id uuid NOT NULL,
    secret_id uuid NOT NULL
);

ALTER TABLE ONLY app_private.service_sessions FORCE ROW LEVEL SECURITY;

--
-- Name: service_sessions_secret_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX service_sessions_secret_idx ON app_private.service_sessions USING btree (secret_id);

--
-- Name: session_claims(uuid); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.session_claims(p_session_id uuid) RETURNS jsonb
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select jsonb_build_object('aal', s.aal, 'amr', to_jsonb(s.amr))
         || case when s.actor_id is not null
                 then jsonb_build_object('act', jsonb_build_object('sub', s.actor_id::text)) else '{}'::jsonb end
         || jsonb_build_object('is_anonymous', u.is_anonymous)
         || case when s.mfa_pending then '{"mfa_pending": true}'::jsonb else '{}'::jsonb end
  from app_private.sessions s
  join app_public.users u on u.id = s.user_id
  where s.id = p_session_id
$$;

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
-- Name: session_user_id(); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.session_user_id() RETURNS uuid
    LANGUAGE plpgsql STABLE
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
      and not s.mfa_pending
      and u.disabled_at is null);
end;
$$;

--
-- Name: sessions _800_realtime; Type: TRIGGER; Schema: app_private; Owner: -
--

CREATE TRIGGER _800_realtime AFTER INSERT OR DELETE OR UPDATE OF revoked_at ON app_private.sessions FOR EACH ROW EXECUTE FUNCTION app_private.tg_sessions__realtime();

--
-- Name: sessions _910_webhook_created; Type: TRIGGER; Schema: app_private; Owner: -
--

CREATE TRIGGER _910_webhook_created AFTER INSERT ON app_private.sessions FOR EACH ROW EXECUTE FUNCTION app_private.tg__webhook_event('session.created', 'session_id=id', 'user_id=user_id');

--
-- Name: sessions _911_webhook_revoked; Type: TRIGGER; Schema: app_private; Owner: -
--

CREATE TRIGGER _911_webhook_revoked AFTER UPDATE OF revoked_at ON app_private.sessions FOR EACH ROW WHEN (((old.revoked_at IS NULL) AND (new.revoked_at IS NOT NULL))) EXECUTE FUNCTION app_private.tg__webhook_event('session.revoked', 'session_id=id', 'user_id=user_id', 'reason=revoked_reason');

--
-- Name: sessions definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.sessions TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: sessions sessions_actor_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.sessions
    ADD CONSTRAINT sessions_actor_id_fkey FOREIGN KEY (actor_id) REFERENCES app_public.users(id) ON DELETE SET NULL;

--
-- Name: sessions sessions_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.sessions
    ADD CONSTRAINT sessions_pkey PRIMARY KEY (id);

--
-- Name: sessions sessions_trusted_device_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.sessions
    ADD CONSTRAINT sessions_trusted_device_id_fkey FOREIGN KEY (trusted_device_id) REFERENCES app_private.trusted_devices(id) ON DELETE SET NULL;

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
    aal text DEFAULT 'aal1'::text NOT NULL,
    amr text[] DEFAULT '{pwd}'::text[] NOT NULL,
    actor_id uuid,
    mfa_pending boolean DEFAULT false NOT NULL,
    mfa_verified_at timestamp with time zone,
    trusted_device_id uuid,
    CONSTRAINT sessions_aal_check CHECK ((aal = ANY (ARRAY['aal1'::text, 'aal2'::text]))),
    CONSTRAINT sessions_amr_check CHECK (((cardinality(amr) >= 1) AND (cardinality(amr) <= 8))),
    CONSTRAINT sessions_user_agent_check CHECK ((length(user_agent) <= 512))
);

ALTER TABLE ONLY app_private.sessions FORCE ROW LEVEL SECURITY;

--
-- Name: sessions_actor_id_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX sessions_actor_id_idx ON app_private.sessions USING btree (actor_id);

--
-- Name: sessions_trusted_device_id_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX sessions_trusted_device_id_idx ON app_private.sessions USING btree (trusted_device_id);

--
-- Name: sessions_user_id_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX sessions_user_id_idx ON app_private.sessions USING btree (user_id);

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
    where a.document_id = share_document.document_id and a.subject_id = share_document.subject_id
    for update;
  if v_existing > v_mine then
    raise exception 'You cannot change the access of someone above you' using errcode = 'DNIED';
  end if;
  perform app_private.assert_owner_change_allowed(share_document.document_id, share_document.subject_id,
    v_existing, share_document.role, v_me);
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
-- Name: sign_in_anonymously(inet, text); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.sign_in_anonymously(p_ip inet, p_user_agent text) RETURNS app_hidden.auth_result
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_id uuid;
begin
  if not c.anonymous_sign_in_enabled then
    return app_private.auth_error('ANOFF');
  end if;
  if app_private.attempt_limited('anonymous:ip:' || coalesce(p_ip, '0.0.0.0'::inet)::text, c.anonymous_max_per_ip, c.register_window) then
    perform app_private.write_audit('anonymous_rate_limited', null, null, null, null, jsonb_build_object('ip', p_ip::text));
    return app_private.auth_error('RATEL');
  end if;
  insert into app_public.users (email, is_anonymous) values (null, true) returning id into v_id;
  perform app_private.write_audit('anonymous_sign_in', 'app_public.users', v_id::text, null, null, jsonb_build_object('ip', p_ip::text));
  return app_private.start_session(v_id, p_ip, p_user_agent, '{anonymous}');
end;
$$;

--
-- Name: sign_in_with_email_code(text, text, inet, text); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.sign_in_with_email_code(p_email text, p_code text, p_ip inet, p_user_agent text) RETURNS app_hidden.auth_result
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_u app_public.users;
  v app_private.email_tokens;
  v_ip_key text := 'code:ip:' || coalesce(p_ip, '0.0.0.0'::inet)::text;
begin
  if exists (select 1 from app_private.email_limits l
             where l.key = v_ip_key and l.window_start > now() - c.email_request_window and l.count >= c.email_request_max_per_ip) then
    perform app_private.email_refused('sign_in_code', 'RATEL', p_ip);
    return app_private.auth_error('RATEL');
  end if;
  select * into v_u from app_public.users u
    where u.email operator(public.=) coalesce(p_email, '')::public.citext and u.disabled_at is null;
  if found and exists (select 1 from app_private.email_limits l
                       where l.key = 'code:user:' || v_u.id and l.window_start > now() - c.email_request_window
                         and l.count >= c.email_code_max_failures) then
    perform app_private.email_refused('sign_in_code', 'RATEL', p_ip, v_u.id);
    return app_private.auth_error('RATEL');
  end if;
  -- The newest live code of the account, locked: concurrent guesses are counted one by one.
  select * into v from app_private.email_tokens t
    where t.user_id = v_u.id and t.purpose = 'sign_in' and t.code_hash is not null
      and t.used_at is null and t.revoked_at is null and t.expires_at > now()
    order by t.created_at desc limit 1
    for update;
  if v.id is not null and p_code ~ '^[0-9]{6}$' and v.code_hash = app_private.email_code_hash(v.id, p_code)
     and v.email operator(public.=) v_u.email then
    return app_private.email_sign_in(v, p_ip, p_user_agent, 'email_code');
  end if;
  perform app_private.email_limited(v_ip_key, 2147483647, c.email_request_window);
  if v_u.id is not null then
    perform app_private.email_limited('code:user:' || v_u.id, 2147483647, c.email_request_window);
  end if;
  if v.id is not null then
    update app_private.email_tokens t set code_attempts = t.code_attempts + 1,
      revoked_at = case when t.code_attempts + 1 >= c.email_code_max_attempts then now() end
      where t.id = v.id;
  end if;
  perform app_private.email_refused('sign_in_code', 'EMTOK', p_ip, v_u.id);
    return app_private.auth_error('EMTOK');
end;
$_$;

--
-- Name: sign_in_with_email_token(text, inet, text); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.sign_in_with_email_token(p_token text, p_ip inet, p_user_agent text) RETURNS app_hidden.auth_result
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v app_private.email_tokens := app_private.live_email_token(p_token, 'sign_in');
begin
  if v.id is null or not exists (select 1 from app_public.users u where u.id = v.user_id and u.email operator(public.=) v.email) then
    perform app_private.email_refused('sign_in', 'EMTOK', p_ip);
    return app_private.auth_error('EMTOK');
  end if;
  return app_private.email_sign_in(v, p_ip, p_user_agent, 'email_link');
end;
$$;

--
-- Name: sms_allowed(text, uuid); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.sms_allowed(p_phone text, p_user uuid) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
begin
  -- Serialize the global count so that parallel sends cannot all pass it.
  perform pg_catalog.pg_advisory_xact_lock(7428840010);
  -- The ledger keeps what the limits can still count.
  delete from app_private.sms_sends s where s.sent_at < now() - c.sms_window;
  if (select count(*) from app_private.sms_sends s where s.phone = p_phone and s.sent_at > now() - c.sms_window) >= c.sms_max_per_number
     or (select count(*) from app_private.sms_sends s where s.user_id = p_user and s.sent_at > now() - c.sms_window) >= c.sms_max_per_user
     or (select count(*) from app_private.sms_sends s where s.sent_at > now() - c.sms_window) >= c.sms_max_global then
    perform app_private.write_audit('sms_rate_limited', 'app_public.users', p_user::text, null, null,
      jsonb_build_object('phone_hint', right(p_phone, 2)));
    return false;
  end if;
  insert into app_private.sms_sends (phone, user_id) values (p_phone, p_user);
  return true;
end;
$$;

--
-- Name: sms_sends definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.sms_sends TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: sms_sends sms_sends_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.sms_sends
    ADD CONSTRAINT sms_sends_pkey PRIMARY KEY (id);

--
-- Name: sms_sends sms_sends_user_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.sms_sends
    ADD CONSTRAINT sms_sends_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: sms_sends; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.sms_sends ENABLE ROW LEVEL SECURITY;

--
-- Name: sms_sends; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.sms_sends (
    id bigint NOT NULL,
    phone text NOT NULL,
    user_id uuid,
    sent_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY app_private.sms_sends FORCE ROW LEVEL SECURITY;

--
-- Name: sms_sends_id_seq; Type: SEQUENCE; Schema: app_private; Owner: -
--

ALTER TABLE app_private.sms_sends ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app_private.sms_sends_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: sms_sends_phone_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX sms_sends_phone_idx ON app_private.sms_sends USING btree (phone, sent_at);

--
-- Name: sms_sends_sent_at_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX sms_sends_sent_at_idx ON app_private.sms_sends USING btree (sent_at);

--
-- Name: sms_sends_user_id_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX sms_sends_user_id_idx ON app_private.sms_sends USING btree (user_id, sent_at);

--
-- Name: start_passkey_registration(); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.start_passkey_registration() RETURNS app_hidden.passkey_start
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

--
-- Name: start_passkey_sign_in(text); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.start_passkey_sign_in(p_email text) RETURNS app_hidden.passkey_start
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

--
-- Name: start_session(uuid, inet, text, text[], text); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.start_session(p_user uuid, p_ip inet, p_user_agent text, p_amr text[] DEFAULT '{pwd}'::text[], p_aal text DEFAULT 'aal1'::text) RETURNS app_hidden.auth_result
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_token text := rtrim(translate(encode(public.gen_random_bytes(32), 'base64'), '+/', '-_'), '=');
  v_session app_private.sessions;
begin
  perform app_private.assert_can_sign_in(p_user);
  insert into app_private.sessions (user_id, expires_at, user_agent, ip, amr, aal, mfa_pending)
    values (p_user, now() + c.session_absolute, left(p_user_agent, 512), p_ip, p_amr, p_aal,
            -- N4: one factor for a user who needs two: limited until complete_mfa.
            p_aal = 'aal1' and app_private.mfa_needed(p_user))
    returning * into v_session;
  insert into app_private.refresh_tokens (session_id, token_hash, expires_at)
    values (v_session.id, app_private.token_hash(v_token), least(now() + c.session_idle, v_session.expires_at));
  update app_private.sessions set revoked_at = now(), revoked_reason = 'evicted'
    where id in (select s.id from app_private.sessions s
                 where s.user_id = p_user and s.revoked_at is null and s.expires_at > now()
                 order by s.created_at desc, s.id offset c.max_sessions_per_user);
  return app_private.auth_ok(p_user, v_session.id, v_token, v_session.expires_at);
end;
$$;

--
-- Name: stop_impersonating(); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.stop_impersonating() RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_user uuid := app_hidden.current_user_id();
  v_actor uuid := app_hidden.current_actor_id();
  v_session uuid := app_hidden.current_session_id();
begin
  if v_user is null then
    raise exception 'You must sign in' using errcode = 'LOGIN';
  end if;
  if v_actor is null then
    raise exception 'This session is not an impersonation' using errcode = 'NOIMP';
  end if;
  update app_private.sessions s set revoked_at = now(), revoked_reason = 'impersonation_ended'
    where s.id = v_session and s.revoked_at is null;
  perform app_private.admin_audit('impersonation_ended', v_user, jsonb_build_object('actor', v_actor, 'session', v_session));
  perform app_private.admin_audit('impersonation_ended', v_actor, jsonb_build_object('user', v_user, 'session', v_session));
  return true;
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
-- Name: take_passkey_challenge(uuid, text, bytea, boolean, inet); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.take_passkey_challenge(p_challenge_id uuid, p_challenge text, p_credential_id bytea, p_registration boolean, p_ip inet) RETURNS app_hidden.passkey_taken
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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
-- Name: tg__refuse_while_impersonating(); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.tg__refuse_while_impersonating() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if app_hidden.current_actor_id() is not null then
    raise exception 'Not while impersonating: % cannot be created for the user', tg_argv[0] using errcode = 'DNIED';
  end if;
  return new;
end;
$$;

--
-- Name: tg__webhook_event(); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.tg__webhook_event() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_row jsonb := case when tg_op = 'DELETE' then pg_catalog.to_jsonb(old) else pg_catalog.to_jsonb(new) end;
  v_data jsonb := '{}';
  v_i int;
begin
  for v_i in 1 .. tg_nargs - 1 loop
    v_data := v_data || pg_catalog.jsonb_build_object(pg_catalog.split_part(tg_argv[v_i], '=', 1),
                                                      v_row -> pg_catalog.split_part(tg_argv[v_i], '=', 2));
  end loop;
  perform app_private.emit_webhook_event(tg_argv[0], v_data);
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
-- Name: tg_document_acl__realtime(); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.tg_document_acl__realtime() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if tg_op = 'DELETE' then
    if exists (select 1 from app_public.documents d where d.id = old.document_id) then
      perform app_private.realtime_tombstone(old.document_id, array[old.subject_id], 'unshared');
      perform pg_catalog.pg_notify('pgauth:documents', json_build_object('id', old.document_id, 'kind', 'unshared')::text);
    end if;
    return old;
  end if;
  -- The creator's own owner row, written with the document, is announced as its creation.
  if tg_op = 'INSERT' and exists (select 1 from app_public.documents d where d.id = new.document_id and d.owner_id = new.subject_id) then
    return new;
  end if;
  perform pg_catalog.pg_notify('pgauth:documents', json_build_object('id', new.document_id, 'kind', 'shared')::text);
  return new;
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
-- Name: tg_documents__realtime(); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.tg_documents__realtime() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if tg_op = 'DELETE' then
    perform app_private.realtime_tombstone(old.id,
      array_append(coalesce((select array_agg(a.subject_id) from app_public.document_acl a where a.document_id = old.id), '{}'), old.owner_id),
      'deleted');
    perform pg_catalog.pg_notify('pgauth:documents', json_build_object('id', old.id, 'kind', 'deleted')::text);
    return old;
  end if;
  perform pg_catalog.pg_notify('pgauth:documents',
    json_build_object('id', new.id, 'kind', case tg_op when 'INSERT' then 'created' else 'updated' end)::text);
  return new;
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
-- Name: tg_role_grants__write_through(); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.tg_role_grants__write_through() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if tg_op = 'INSERT' then
    -- Only the columns an admin may write; granted_by/granted_at take their defaults.
    insert into app_public.user_roles (user_id, role) values (new.user_id, new.role)
      on conflict (user_id, role) do update set expires_at = null;
  elsif tg_op = 'DELETE' then
    delete from app_public.user_roles where user_id = old.user_id and role = old.role;
  end if;
  return null;
end;
$$;

--
-- Name: tg_sessions__realtime(); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.tg_sessions__realtime() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if tg_op = 'INSERT' then
    perform pg_catalog.pg_notify('pgauth:sessions', json_build_object('id', new.id, 'user', new.user_id, 'kind', 'signed_in')::text);
  elsif tg_op = 'UPDATE' then
    if old.revoked_at is null and new.revoked_at is not null then
      perform pg_catalog.pg_notify('pgauth:sessions', json_build_object('id', new.id, 'user', new.user_id, 'kind', 'revoked')::text);
    end if;
  elsif old.revoked_at is null and old.expires_at > now() then
    perform pg_catalog.pg_notify('pgauth:sessions', json_build_object('id', old.id, 'user', old.user_id, 'kind', 'revoked')::text);
  end if;
  return null;
end;
$$;

--
-- Name: tg_user_identities__verify_email(); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.tg_user_identities__verify_email() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if new.email is not null then
    update app_public.users u set email_verified_at = now()
      where u.id = new.user_id and u.email_verified_at is null
        and u.email operator(public.=) new.email;
  end if;
  return null;
end;
$$;

--
-- Name: tg_user_secrets__password_set(); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.tg_user_secrets__password_set() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

--
-- Name: tg_user_secrets__webhook_password(); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.tg_user_secrets__webhook_password() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if old.password_hash is not null
     or exists (select 1 from app_public.users u where u.id = new.user_id and u.created_at < pg_catalog.now()) then
    perform app_private.emit_webhook_event('password.changed', pg_catalog.jsonb_build_object('user_id', new.user_id));
  end if;
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
-- Name: tg_users__realtime_disabled(); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.tg_users__realtime_disabled() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform pg_catalog.pg_notify('pgauth:sessions', json_build_object('user', new.id, 'kind', 'user_disabled')::text);
  return null;
end;
$$;

--
-- Name: tg_users__unverify_changed_email(); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.tg_users__unverify_changed_email() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if new.email is distinct from old.email and new.email_verified_at is not distinct from old.email_verified_at then
    new.email_verified_at := null;
  end if;
  return new;
end;
$$;

--
-- Name: token_claims(uuid, uuid, jsonb); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.token_claims(p_user_id uuid, p_session_id uuid, p_claims jsonb) RETURNS TABLE(claims jsonb, error text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_hook regprocedure := (select c.claims_hook from app_private.auth_config c);
  v_out jsonb;
  v_reserved constant text[] := array['sub', 'sid', 'role', 'iss', 'aud', 'exp', 'iat', 'nbf', 'jti', 'aal', 'amr', 'client_id', 'act'];
  v_reason text;
begin
  if v_hook is null then
    return query select '{}'::jsonb, null::text;
    return;
  end if;
  begin
    if (select p.prorettype from pg_catalog.pg_proc p where p.oid = v_hook) <> 'jsonb'::regtype then
      v_reason := 'wrong_return_type';
    else
      v_out := app_private.run_claims_hook(v_hook, p_user_id, p_session_id, p_claims);
      if v_out is null or pg_catalog.jsonb_typeof(v_out) <> 'object' then
        v_reason := 'not_an_object';
      elsif exists (select 1 from pg_catalog.jsonb_object_keys(v_out) k where k = any (v_reserved)) then
        v_reason := 'reserved_claim';
      end if;
    end if;
  exception when others then
    v_reason := 'hook_failed';
  end;
  if v_reason is not null then
    perform app_private.write_audit('claims_hook_failed', 'app_private.auth_config', p_user_id::text, null, null,
      pg_catalog.jsonb_build_object('reason', v_reason, 'hook', v_hook::text, 'session_id', p_session_id));
    return query select null::jsonb, 'CLAIM'::text;
    return;
  end if;
  return query select v_out, null::text;
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
-- Name: trust_device(text); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.trust_device(p_user_agent text) RETURNS TABLE(id uuid, token text, expires_at timestamp with time zone)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
#variable_conflict use_column
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_s app_private.sessions := app_private.mfa_caller();
  v_token text := rtrim(translate(encode(public.gen_random_bytes(32), 'base64'), '+/', '-_'), '=');
  v_id uuid;
  v_exp timestamptz := now() + c.trusted_device_ttl;
begin
  -- Only right after a second factor was verified in this session.
  if v_s.id is null or v_s.aal <> 'aal2' or v_s.mfa_pending or v_s.mfa_verified_at is null
     or v_s.mfa_verified_at < now() - c.mfa_challenge_ttl then
    raise exception 'Verify a second factor first' using errcode = 'MFARQ';
  end if;
  insert into app_private.trusted_devices (user_id, token_hash, user_agent, expires_at)
    values (v_s.user_id, app_private.token_hash(v_token), left(p_user_agent, 512), v_exp)
    returning trusted_devices.id into v_id;
  update app_private.sessions s set trusted_device_id = v_id where s.id = v_s.id;
  perform app_private.write_audit('trusted_device_added', 'app_public.users', v_s.user_id::text, null, null,
    jsonb_build_object('device_id', v_id));
  return query select v_id, v_id::text || '.' || v_token, v_exp;
end;
$$;

--
-- Name: trusted_device_info; Type: TYPE; Schema: app_public; Owner: -
--

CREATE TYPE app_public.trusted_device_info AS (
	id uuid,
	user_agent text,
	created_at timestamp with time zone,
	last_used_at timestamp with time zone,
	expires_at timestamp with time zone,
	is_current boolean
);

--
-- Name: trusted_devices definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.trusted_devices TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: trusted_devices trusted_devices_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.trusted_devices
    ADD CONSTRAINT trusted_devices_pkey PRIMARY KEY (id);

--
-- Name: trusted_devices trusted_devices_token_hash_key; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.trusted_devices
    ADD CONSTRAINT trusted_devices_token_hash_key UNIQUE (token_hash);

--
-- Name: trusted_devices trusted_devices_user_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.trusted_devices
    ADD CONSTRAINT trusted_devices_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: trusted_devices; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.trusted_devices ENABLE ROW LEVEL SECURITY;

--
-- Name: trusted_devices; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.trusted_devices (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    token_hash bytea NOT NULL,
    user_agent text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_used_at timestamp with time zone,
    expires_at timestamp with time zone NOT NULL,
    CONSTRAINT trusted_devices_user_agent_check CHECK ((length(user_agent) <= 512))
);

ALTER TABLE ONLY app_private.trusted_devices FORCE ROW LEVEL SECURITY;

--
-- Name: trusted_devices_user_id_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX trusted_devices_user_id_idx ON app_private.trusted_devices USING btree (user_id);

--
-- Name: unban_user(uuid); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.unban_user(user_id uuid) RETURNS app_public.admin_user
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_actor uuid := app_hidden.admin_actor('admin:ban', unban_user.user_id);
begin
  delete from app_private.user_bans b where b.user_id = unban_user.user_id;
  if not found then
    raise exception 'This user is not banned' using errcode = 'NTFND';
  end if;
  perform app_private.admin_audit('user_unbanned', unban_user.user_id, jsonb_build_object('by', v_actor));
  return app_private.admin_user_row(unban_user.user_id);
end;
$$;

--
-- Name: unknown_login_failures definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.unknown_login_failures TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: unknown_login_failures unknown_login_failures_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.unknown_login_failures
    ADD CONSTRAINT unknown_login_failures_pkey PRIMARY KEY (email_key);

--
-- Name: unknown_login_failures; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.unknown_login_failures ENABLE ROW LEVEL SECURITY;

--
-- Name: unknown_login_failures; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.unknown_login_failures (
    email_key bytea NOT NULL,
    failed_attempts integer DEFAULT 0 NOT NULL,
    first_failed_at timestamp with time zone,
    locked_until timestamp with time zone,
    lockouts integer DEFAULT 0 NOT NULL,
    CONSTRAINT unknown_login_failures_email_key_check CHECK ((length(email_key) = 32))
);

ALTER TABLE ONLY app_private.unknown_login_failures FORCE ROW LEVEL SECURITY;

--
-- Name: unknown_login_failures_stale_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX unknown_login_failures_stale_idx ON app_private.unknown_login_failures USING btree (GREATEST(first_failed_at, locked_until));

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
  perform app_private.assert_owner_change_allowed(unshare_document.document_id, unshare_document.subject_id,
    v_existing, null, v_me);
  delete from app_public.document_acl a
    where a.document_id = unshare_document.document_id and a.subject_id = unshare_document.subject_id;
  return true;
end;
$$;

--
-- Name: use_email_token(app_private.email_tokens); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.use_email_token(p_token app_private.email_tokens) RETURNS void
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  update app_private.email_tokens t
    set used_at = case when t.id = p_token.id then now() else t.used_at end,
        revoked_at = case when t.id = p_token.id then t.revoked_at else now() end
    where t.user_id = p_token.user_id and t.purpose = p_token.purpose and t.used_at is null and t.revoked_at is null
$$;

--
-- Name: use_recovery_code(text); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.use_recovery_code(p_code text) RETURNS app_hidden.mfa_result
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  c app_private.auth_config := (select c from app_private.auth_config c);
  v_s app_private.sessions := app_private.mfa_caller();
  v_norm text := lower(regexp_replace(coalesce(p_code, ''), '[^0-9A-Fa-f]', '', 'g'));
  v_id uuid;
  v app_hidden.mfa_result;
begin
  if v_s.id is null then
    v.auth := app_private.auth_error('LOGIN');
    return v;
  end if;
  if v_s.mfa_pending and v_s.created_at + c.mfa_challenge_ttl <= now() then
    v.auth := app_private.auth_error('MFAEX');
    return v;
  end if;
  if not app_private.mfa_reserve_attempt(v_s.user_id, null) then
    v.auth := app_private.auth_error('RATEL');
    return v;
  end if;
  update app_private.mfa_recovery_codes r set used_at = now()
    where r.id = (select r2.id from app_private.mfa_recovery_codes r2
                  where r2.user_id = v_s.user_id and r2.used_at is null and r2.code_hash = app_private.token_hash(v_norm)
                  limit 1 for update)
      and r.used_at is null
    returning r.id into v_id;
  if v_id is null then
    return app_private.mfa_failed(v_s.user_id, null, 'wrong_recovery_code');
  end if;
  perform app_private.mfa_attempt_succeeded(v_s.user_id, null);
  perform app_private.mfa_notice(v_s.user_id, 'mfa_recovery_code_used',
    format('A recovery code was used to sign in to your account (%s left).',
           (select count(*) from app_private.mfa_recovery_codes r where r.user_id = v_s.user_id and r.used_at is null)),
    jsonb_build_object('session_id', v_s.id));
  v.auth := app_private.complete_mfa(v_s.id, 'recovery_code');
  return v;
end;
$$;

--
-- Name: use_trusted_device(uuid, text); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.use_trusted_device(p_user uuid, p_token text) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
begin
  if p_token is null or p_token !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[A-Za-z0-9_-]{43}$' then
    return false;
  end if;
  update app_private.trusted_devices d set last_used_at = now()
    where d.id = split_part(p_token, '.', 1)::uuid and d.user_id = p_user
      and d.token_hash = app_private.token_hash(split_part(p_token, '.', 2)) and d.expires_at > now();
  return found;
end;
$_$;

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
-- Name: user_app_roles(uuid); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.user_app_roles(p_user_id uuid) RETURNS TABLE(role text)
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select ur.role from app_public.user_roles ur
    where ur.user_id = p_user_id and (ur.expires_at is null or ur.expires_at > pg_catalog.now())
  union
  select d.role from app_public.users u
    join app_public.role_domain_rules d
      on d.domain operator(public.=) pg_catalog.split_part(u.email::text, '@', 2)::public.citext
    where u.id = p_user_id and u.email_verified_at is not null
  union
  select r.name from app_public.app_roles r, app_public.users u
    where r.is_default and u.id = p_user_id and not u.is_bot
$$;

--
-- Name: user_bans _910_webhook_banned; Type: TRIGGER; Schema: app_private; Owner: -
--

CREATE TRIGGER _910_webhook_banned AFTER INSERT OR UPDATE ON app_private.user_bans FOR EACH ROW EXECUTE FUNCTION app_private.tg__webhook_event('user.banned', 'user_id=user_id', 'banned_until=banned_until', 'banned_by=banned_by');

--
-- Name: user_bans _911_webhook_unbanned; Type: TRIGGER; Schema: app_private; Owner: -
--

CREATE TRIGGER _911_webhook_unbanned AFTER DELETE ON app_private.user_bans FOR EACH ROW EXECUTE FUNCTION app_private.tg__webhook_event('user.unbanned', 'user_id=user_id');

--
-- Name: user_bans definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.user_bans TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: user_bans user_bans_banned_by_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.user_bans
    ADD CONSTRAINT user_bans_banned_by_fkey FOREIGN KEY (banned_by) REFERENCES app_public.users(id) ON DELETE SET NULL;

--
-- Name: user_bans user_bans_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.user_bans
    ADD CONSTRAINT user_bans_pkey PRIMARY KEY (user_id);

--
-- Name: user_bans user_bans_user_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.user_bans
    ADD CONSTRAINT user_bans_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: user_bans; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.user_bans ENABLE ROW LEVEL SECURITY;

--
-- Name: user_bans; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.user_bans (
    user_id uuid NOT NULL,
    banned_until timestamp with time zone,
    reason text NOT NULL,
    banned_by uuid,
    banned_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT user_bans_reason_check CHECK (((length(reason) >= 1) AND (length(reason) <= 500)))
);

ALTER TABLE ONLY app_private.user_bans FORCE ROW LEVEL SECURITY;

--
-- Name: user_bans_banned_by_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX user_bans_banned_by_idx ON app_private.user_bans USING btree (banned_by);

--
-- Name: user_identities _050_refuse_while_impersonating; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _050_refuse_while_impersonating BEFORE INSERT ON app_public.user_identities FOR EACH ROW EXECUTE FUNCTION app_private.tg__refuse_while_impersonating('a linked provider');

--
-- Name: user_identities _400_verify_email; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _400_verify_email AFTER INSERT OR UPDATE OF email ON app_public.user_identities FOR EACH ROW EXECUTE FUNCTION app_private.tg_user_identities__verify_email();

--
-- Name: user_identities _900_audit; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.user_identities FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit();

--
-- Name: user_identities _910_webhook_linked; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _910_webhook_linked AFTER INSERT ON app_public.user_identities FOR EACH ROW EXECUTE FUNCTION app_private.tg__webhook_event('identity.linked', 'user_id=user_id', 'identity_id=id', 'provider=provider');

--
-- Name: user_identities _911_webhook_unlinked; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _911_webhook_unlinked AFTER DELETE ON app_public.user_identities FOR EACH ROW EXECUTE FUNCTION app_private.tg__webhook_event('identity.unlinked', 'user_id=user_id', 'identity_id=id', 'provider=provider');

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
declare
  v_bot boolean;
  v_email text;
  v_verified boolean;
  v_implied text;
begin
  select u.is_bot, u.email::text, u.email_verified_at is not null into v_bot, v_email, v_verified
    from app_public.users u where u.id = p_user_id and u.disabled_at is null;
  if not found then
    return null;
  end if;
  if v_bot then
    return 'bot';
  end if;
  select r.db_role into v_implied
    from app_public.app_roles r
    where r.db_role operator(pg_catalog.<>) 'app_user'
      and (exists (select 1 from app_public.user_roles ur
                   where ur.user_id = p_user_id and ur.role = r.name
                     and (ur.expires_at is null or ur.expires_at > pg_catalog.now()))
           or (v_verified and exists (
                 select 1 from app_public.role_domain_rules d
                 where d.role = r.name
                   and d.domain operator(public.=) pg_catalog.split_part(v_email, '@', 2)::public.citext)))
    order by case r.db_role when 'admin' then 0 else 1 end
    limit 1;
  return coalesce(v_implied, 'app_user');
end;
$$;

--
-- Name: user_roles _900_audit; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.user_roles FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit('user_id', 'role');

--
-- Name: user_roles all_admin; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY all_admin ON app_public.user_roles TO admin USING ((( SELECT app_hidden.current_app_role() AS current_app_role) = 'admin'::text)) WITH CHECK ((( SELECT app_hidden.current_app_role() AS current_app_role) = 'admin'::text));

--
-- Name: user_roles definer_all; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY definer_all ON app_public.user_roles TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: user_roles select_own; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY select_own ON app_public.user_roles FOR SELECT TO app_user USING ((user_id = ( SELECT app_hidden.current_user_id() AS current_user_id)));

--
-- Name: user_roles user_roles_granted_by_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.user_roles
    ADD CONSTRAINT user_roles_granted_by_fkey FOREIGN KEY (granted_by) REFERENCES app_public.users(id) ON DELETE SET NULL;

--
-- Name: user_roles user_roles_pkey; Type: CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.user_roles
    ADD CONSTRAINT user_roles_pkey PRIMARY KEY (user_id, role);

--
-- Name: user_roles user_roles_role_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.user_roles
    ADD CONSTRAINT user_roles_role_fkey FOREIGN KEY (role) REFERENCES app_public.app_roles(name) ON UPDATE CASCADE ON DELETE CASCADE;

--
-- Name: user_roles user_roles_user_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.user_roles
    ADD CONSTRAINT user_roles_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: user_roles; Type: ROW SECURITY; Schema: app_public; Owner: -
--

ALTER TABLE app_public.user_roles ENABLE ROW LEVEL SECURITY;

--
-- Name: user_roles; Type: TABLE; Schema: app_public; Owner: -
--

CREATE TABLE app_public.user_roles (
    user_id uuid NOT NULL,
    role text NOT NULL,
    granted_by uuid DEFAULT app_hidden.claimed_user_id(),
    granted_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone
);

ALTER TABLE ONLY app_public.user_roles FORCE ROW LEVEL SECURITY;

--
-- Name: user_roles_granted_by_idx; Type: INDEX; Schema: app_public; Owner: -
--

CREATE INDEX user_roles_granted_by_idx ON app_public.user_roles USING btree (granted_by);

--
-- Name: user_roles_role_idx; Type: INDEX; Schema: app_public; Owner: -
--

CREATE INDEX user_roles_role_idx ON app_public.user_roles USING btree (role);

--
-- Name: user_secrets _050_refuse_while_impersonating; Type: TRIGGER; Schema: app_private; Owner: -
--

CREATE TRIGGER _050_refuse_while_impersonating BEFORE UPDATE OF password_hash ON app_private.user_secrets FOR EACH ROW WHEN (((new.password_hash IS DISTINCT FROM old.password_hash) AND (new.password_hash IS NOT NULL))) EXECUTE FUNCTION app_private.tg__refuse_while_impersonating('a password');

--
-- Name: user_secrets _500_password_set; Type: TRIGGER; Schema: app_private; Owner: -
--

CREATE TRIGGER _500_password_set AFTER UPDATE OF password_updated_at ON app_private.user_secrets FOR EACH ROW WHEN ((new.password_updated_at IS DISTINCT FROM old.password_updated_at)) EXECUTE FUNCTION app_private.tg_user_secrets__password_set();

--
-- Name: user_secrets _910_webhook_password; Type: TRIGGER; Schema: app_private; Owner: -
--

CREATE TRIGGER _910_webhook_password AFTER UPDATE OF password_updated_at ON app_private.user_secrets FOR EACH ROW WHEN (((new.password_updated_at IS DISTINCT FROM old.password_updated_at) AND (new.password_hash IS NOT NULL))) EXECUTE FUNCTION app_private.tg_user_secrets__webhook_password();

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
    locked_until timestamp with time zone,
    password_scheme smallint DEFAULT 2 NOT NULL,
    lockouts integer DEFAULT 0 NOT NULL,
    CONSTRAINT user_secrets_password_scheme_check CHECK ((password_scheme = ANY (ARRAY[1, 2])))
);

ALTER TABLE ONLY app_private.user_secrets FORCE ROW LEVEL SECURITY;

--
-- Name: users _200_unverify_changed_email; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _200_unverify_changed_email BEFORE UPDATE OF email ON app_public.users FOR EACH ROW EXECUTE FUNCTION app_private.tg_users__unverify_changed_email();

--
-- Name: users _500_create_secrets; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _500_create_secrets AFTER INSERT ON app_public.users FOR EACH ROW EXECUTE FUNCTION app_private.tg_users__create_secrets();

--
-- Name: users _800_realtime_disabled; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _800_realtime_disabled AFTER UPDATE OF disabled_at ON app_public.users FOR EACH ROW WHEN (((old.disabled_at IS NULL) AND (new.disabled_at IS NOT NULL))) EXECUTE FUNCTION app_private.tg_users__realtime_disabled();

--
-- Name: users _900_audit; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.users FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit();

--
-- Name: users _910_webhook_created; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _910_webhook_created AFTER INSERT ON app_public.users FOR EACH ROW EXECUTE FUNCTION app_private.tg__webhook_event('user.created', 'user_id=id');

--
-- Name: users _911_webhook_verified; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _911_webhook_verified AFTER INSERT ON app_public.users FOR EACH ROW WHEN ((new.email_verified_at IS NOT NULL)) EXECUTE FUNCTION app_private.tg__webhook_event('user.verified', 'user_id=id');

--
-- Name: users _912_webhook_verified_later; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _912_webhook_verified_later AFTER UPDATE OF email_verified_at ON app_public.users FOR EACH ROW WHEN (((old.email_verified_at IS NULL) AND (new.email_verified_at IS NOT NULL))) EXECUTE FUNCTION app_private.tg__webhook_event('user.verified', 'user_id=id');

--
-- Name: users _913_webhook_deleted; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _913_webhook_deleted AFTER DELETE ON app_public.users FOR EACH ROW EXECUTE FUNCTION app_private.tg__webhook_event('user.deleted', 'user_id=id');

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
    email public.citext,
    display_name text,
    is_bot boolean DEFAULT false NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    disabled_at timestamp with time zone,
    email_verified_at timestamp with time zone,
    is_anonymous boolean DEFAULT false NOT NULL,
    CONSTRAINT users_display_name_check CHECK ((length(display_name) <= 200)),
    CONSTRAINT users_email_check CHECK (((email OPERATOR(public.~) '^[^@\s]+@[^@\s]+$'::public.citext) AND (length((email)::text) <= 320))),
    CONSTRAINT users_email_or_anonymous_check CHECK (((email IS NOT NULL) OR is_anonymous))
);

ALTER TABLE ONLY app_public.users FORCE ROW LEVEL SECURITY;

--
-- Name: users_email_verified(app_public.users); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.users_email_verified(u app_public.users) RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select u.email_verified_at is not null
$$;

--
-- Name: users_permissions(app_public.users); Type: FUNCTION; Schema: app_public; Owner: -
--

CREATE FUNCTION app_public.users_permissions(u app_public.users) RETURNS text[]
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_user uuid := app_hidden.current_user_id();
begin
  if v_user is null or u.id is distinct from v_user then
    return null;
  end if;
  return coalesce((
    select pg_catalog.array_agg(distinct p.name order by p.name)
    from app_public.permissions p
    where app_hidden.has_permission(p.name)), '{}');
end;
$$;

--
-- Name: valid_email(text); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.valid_email(p_email text) RETURNS boolean
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
  select p_email is not null and p_email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' and length(p_email) <= 320
    and p_email !~ '[[:cntrl:]<>",;:\\()\[\]]'
$_$;

--
-- Name: verify_api_key(text); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.verify_api_key(p_key text) RETURNS TABLE(user_id uuid, role text, session_id uuid, api_key_id uuid)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
declare
  v_key app_public.api_keys;
begin
  if p_key is null or p_key !~ '^pga_[0-9a-f]{16}_[0-9a-f]{64}$' then
    return;
  end if;
  select k.* into v_key
    from app_private.api_key_secrets s join app_public.api_keys k on k.id = s.api_key_id
    where s.secret_hash = public.digest(p_key, 'sha256')
      and k.prefix = pg_catalog.split_part(p_key, '_', 2)
      and k.revoked_at is null and (k.expires_at is null or k.expires_at > pg_catalog.now());
  if not found then
    return;
  end if;
  -- At most one write a minute per key, so a busy key does not write on every request.
  update app_public.api_keys k set last_used_at = pg_catalog.now()
    where k.id = v_key.id and (k.last_used_at is null or k.last_used_at < pg_catalog.now() - interval '1 minute');
  return query select v_key.user_id, app_hidden.user_role(v_key.user_id), v_key.session_id, v_key.id
    where app_hidden.user_role(v_key.user_id) is not null;
end;
$_$;

--
-- Name: verify_email(text, inet); Type: FUNCTION; Schema: app_hidden; Owner: -
--

CREATE FUNCTION app_hidden.verify_email(p_token text, p_ip inet) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v app_private.email_tokens := app_private.live_email_token(p_token, 'verify_email');
begin
  if v.id is null
     or not exists (select 1 from app_public.users u where u.id = v.user_id and u.email operator(public.=) v.email) then
    return app_private.email_refused('verify_email', 'EMTOK', p_ip);
  end if;
  perform app_private.use_email_token(v);
  update app_public.users u set email_verified_at = now() where u.id = v.user_id and u.email_verified_at is null;
  perform app_private.write_audit('email_verified', 'app_public.users', v.user_id::text, null, null,
    jsonb_build_object('ip', p_ip::text));
  return null;
end;
$$;

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
-- Name: webauthn_challenges definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.webauthn_challenges TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: webauthn_challenges webauthn_challenges_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.webauthn_challenges
    ADD CONSTRAINT webauthn_challenges_pkey PRIMARY KEY (id);

--
-- Name: webauthn_challenges webauthn_challenges_session_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.webauthn_challenges
    ADD CONSTRAINT webauthn_challenges_session_id_fkey FOREIGN KEY (session_id) REFERENCES app_private.sessions(id) ON DELETE CASCADE;

--
-- Name: webauthn_challenges webauthn_challenges_user_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.webauthn_challenges
    ADD CONSTRAINT webauthn_challenges_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: webauthn_challenges; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.webauthn_challenges ENABLE ROW LEVEL SECURITY;

--
-- Name: webauthn_challenges; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.webauthn_challenges (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    purpose text NOT NULL,
    challenge_hash bytea NOT NULL,
    session_id uuid,
    user_id uuid,
    email public.citext,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone DEFAULT (now() + '00:05:00'::interval) NOT NULL,
    CONSTRAINT webauthn_challenges_bound_check CHECK (((purpose = 'sign_in'::text) = (session_id IS NULL))),
    CONSTRAINT webauthn_challenges_purpose_check CHECK ((purpose = ANY (ARRAY['registration'::text, 'sign_in'::text, 'second_factor'::text])))
);

ALTER TABLE ONLY app_private.webauthn_challenges FORCE ROW LEVEL SECURITY;

--
-- Name: webauthn_challenges_expires_at_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX webauthn_challenges_expires_at_idx ON app_private.webauthn_challenges USING btree (expires_at);

--
-- Name: webauthn_challenges_session_id_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX webauthn_challenges_session_id_idx ON app_private.webauthn_challenges USING btree (session_id);

--
-- Name: webauthn_challenges_user_id_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX webauthn_challenges_user_id_idx ON app_private.webauthn_challenges USING btree (user_id);

--
-- Name: webauthn_credentials definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.webauthn_credentials TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: webauthn_credentials webauthn_credentials_credential_id_key; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.webauthn_credentials
    ADD CONSTRAINT webauthn_credentials_credential_id_key UNIQUE (credential_id);

--
-- Name: webauthn_credentials webauthn_credentials_factor_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.webauthn_credentials
    ADD CONSTRAINT webauthn_credentials_factor_id_fkey FOREIGN KEY (factor_id) REFERENCES app_private.mfa_factors(id) ON DELETE CASCADE;

--
-- Name: webauthn_credentials webauthn_credentials_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.webauthn_credentials
    ADD CONSTRAINT webauthn_credentials_pkey PRIMARY KEY (factor_id);

--
-- Name: webauthn_credentials webauthn_credentials_user_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.webauthn_credentials
    ADD CONSTRAINT webauthn_credentials_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: webauthn_credentials; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.webauthn_credentials ENABLE ROW LEVEL SECURITY;

--
-- Name: webauthn_credentials; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.webauthn_credentials (
    factor_id uuid NOT NULL,
    user_id uuid NOT NULL,
    credential_id bytea NOT NULL,
    public_key bytea NOT NULL,
    sign_count bigint DEFAULT 0 NOT NULL,
    transports text[] DEFAULT '{}'::text[] NOT NULL,
    aaguid uuid,
    backed_up boolean DEFAULT false NOT NULL,
    device_type text DEFAULT 'singleDevice'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_used_at timestamp with time zone,
    CONSTRAINT webauthn_credentials_credential_id_check CHECK (((length(credential_id) >= 1) AND (length(credential_id) <= 1023))),
    CONSTRAINT webauthn_credentials_device_type_check CHECK ((device_type = ANY (ARRAY['singleDevice'::text, 'multiDevice'::text]))),
    CONSTRAINT webauthn_credentials_public_key_check CHECK ((length(public_key) <= 2048)),
    CONSTRAINT webauthn_credentials_sign_count_check CHECK ((sign_count >= 0)),
    CONSTRAINT webauthn_credentials_transports_check CHECK ((cardinality(transports) <= 8))
);

ALTER TABLE ONLY app_private.webauthn_credentials FORCE ROW LEVEL SECURITY;

--
-- Name: webauthn_credentials_user_id_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX webauthn_credentials_user_id_idx ON app_private.webauthn_credentials USING btree (user_id);

--
-- Name: webhook_attempts definer_all; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY definer_all ON app_public.webhook_attempts TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: webhook_attempts select_admin; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY select_admin ON app_public.webhook_attempts FOR SELECT TO admin USING (((( SELECT app_hidden.current_app_role() AS current_app_role) = 'admin'::text) AND ( SELECT app_hidden.has_permission('admin:webhooks'::text) AS has_permission)));

--
-- Name: webhook_attempts webhook_attempts_delivery_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.webhook_attempts
    ADD CONSTRAINT webhook_attempts_delivery_id_fkey FOREIGN KEY (delivery_id) REFERENCES app_public.webhook_deliveries(id) ON DELETE CASCADE;

--
-- Name: webhook_attempts webhook_attempts_pkey; Type: CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.webhook_attempts
    ADD CONSTRAINT webhook_attempts_pkey PRIMARY KEY (id);

--
-- Name: webhook_attempts; Type: ROW SECURITY; Schema: app_public; Owner: -
--

ALTER TABLE app_public.webhook_attempts ENABLE ROW LEVEL SECURITY;

--
-- Name: webhook_attempts; Type: TABLE; Schema: app_public; Owner: -
--

CREATE TABLE app_public.webhook_attempts (
    id bigint NOT NULL,
    delivery_id uuid NOT NULL,
    attempted_at timestamp with time zone DEFAULT now() NOT NULL,
    response_status integer,
    error text,
    CONSTRAINT webhook_attempts_error_check CHECK ((length(error) <= 500))
);

ALTER TABLE ONLY app_public.webhook_attempts FORCE ROW LEVEL SECURITY;

--
-- Name: webhook_attempts_delivery_id_idx; Type: INDEX; Schema: app_public; Owner: -
--

CREATE INDEX webhook_attempts_delivery_id_idx ON app_public.webhook_attempts USING btree (delivery_id, id);

--
-- Name: webhook_attempts_id_seq; Type: SEQUENCE; Schema: app_public; Owner: -
--

ALTER TABLE app_public.webhook_attempts ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app_public.webhook_attempts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: webhook_deliveries definer_all; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY definer_all ON app_public.webhook_deliveries TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: webhook_deliveries select_admin; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY select_admin ON app_public.webhook_deliveries FOR SELECT TO admin USING (((( SELECT app_hidden.current_app_role() AS current_app_role) = 'admin'::text) AND ( SELECT app_hidden.has_permission('admin:webhooks'::text) AS has_permission)));

--
-- Name: webhook_deliveries webhook_deliveries_endpoint_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_endpoint_id_fkey FOREIGN KEY (endpoint_id) REFERENCES app_public.webhook_endpoints(id) ON DELETE CASCADE;

--
-- Name: webhook_deliveries webhook_deliveries_event_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_event_id_fkey FOREIGN KEY (event_id) REFERENCES app_private.webhook_events(id) ON DELETE CASCADE;

--
-- Name: webhook_deliveries webhook_deliveries_pkey; Type: CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_pkey PRIMARY KEY (id);

--
-- Name: webhook_deliveries; Type: ROW SECURITY; Schema: app_public; Owner: -
--

ALTER TABLE app_public.webhook_deliveries ENABLE ROW LEVEL SECURITY;

--
-- Name: webhook_deliveries; Type: TABLE; Schema: app_public; Owner: -
--

CREATE TABLE app_public.webhook_deliveries (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    endpoint_id uuid NOT NULL,
    event_id uuid NOT NULL,
    event_type text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    next_attempt_at timestamp with time zone DEFAULT now(),
    last_response_status integer,
    last_error text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    delivered_at timestamp with time zone,
    CONSTRAINT webhook_deliveries_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'delivered'::text, 'failed'::text])))
);

ALTER TABLE ONLY app_public.webhook_deliveries FORCE ROW LEVEL SECURITY;

--
-- Name: webhook_deliveries_endpoint_id_idx; Type: INDEX; Schema: app_public; Owner: -
--

CREATE INDEX webhook_deliveries_endpoint_id_idx ON app_public.webhook_deliveries USING btree (endpoint_id, created_at DESC);

--
-- Name: webhook_deliveries_event_id_idx; Type: INDEX; Schema: app_public; Owner: -
--

CREATE INDEX webhook_deliveries_event_id_idx ON app_public.webhook_deliveries USING btree (event_id);

--
-- Name: webhook_delivery_target(uuid); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.webhook_delivery_target(p_delivery_id uuid) RETURNS TABLE(url text, secret text, message_id text, body text)
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select e.url, s.secret, ev.id::text,
         pg_catalog.json_build_object('type', ev.type,
           'timestamp', pg_catalog.to_char(ev.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
           'data', ev.data)::text
  from app_public.webhook_deliveries d
  join app_public.webhook_endpoints e on e.id = d.endpoint_id
  join app_private.webhook_endpoint_secrets s on s.endpoint_id = e.id
  join app_private.webhook_events ev on ev.id = d.event_id
  where d.id = p_delivery_id and d.status = 'pending' and e.enabled
$$;

--
-- Name: webhook_endpoint_secrets definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.webhook_endpoint_secrets TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: webhook_endpoint_secrets webhook_endpoint_secrets_endpoint_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.webhook_endpoint_secrets
    ADD CONSTRAINT webhook_endpoint_secrets_endpoint_id_fkey FOREIGN KEY (endpoint_id) REFERENCES app_public.webhook_endpoints(id) ON DELETE CASCADE;

--
-- Name: webhook_endpoint_secrets webhook_endpoint_secrets_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.webhook_endpoint_secrets
    ADD CONSTRAINT webhook_endpoint_secrets_pkey PRIMARY KEY (endpoint_id);

--
-- Name: webhook_endpoint_secrets; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.webhook_endpoint_secrets ENABLE ROW LEVEL SECURITY;

--
-- Name: webhook_endpoint_secrets; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.webhook_endpoint_secrets (
    endpoint_id uuid NOT NULL,
    secret text NOT NULL,
    CONSTRAINT webhook_endpoint_secrets_secret_check CHECK ((secret ~ '^whsec_[A-Za-z0-9+/]{43}=$'::text))
);

ALTER TABLE ONLY app_private.webhook_endpoint_secrets FORCE ROW LEVEL SECURITY;

--
-- Name: webhook_endpoints _900_audit; Type: TRIGGER; Schema: app_public; Owner: -
--

CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.webhook_endpoints FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit('id');

--
-- Name: webhook_endpoints definer_all; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY definer_all ON app_public.webhook_endpoints TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: webhook_endpoints delete_admin; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY delete_admin ON app_public.webhook_endpoints FOR DELETE TO admin USING (((( SELECT app_hidden.current_app_role() AS current_app_role) = 'admin'::text) AND ( SELECT app_hidden.has_permission('admin:webhooks'::text) AS has_permission)));

--
-- Name: webhook_endpoints select_admin; Type: POLICY; Schema: app_public; Owner: -
--

CREATE POLICY select_admin ON app_public.webhook_endpoints FOR SELECT TO admin USING (((( SELECT app_hidden.current_app_role() AS current_app_role) = 'admin'::text) AND ( SELECT app_hidden.has_permission('admin:webhooks'::text) AS has_permission)));

--
-- Name: webhook_endpoints webhook_endpoints_created_by_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.webhook_endpoints
    ADD CONSTRAINT webhook_endpoints_created_by_fkey FOREIGN KEY (created_by) REFERENCES app_public.users(id) ON DELETE SET NULL;

--
-- Name: webhook_endpoints webhook_endpoints_pkey; Type: CONSTRAINT; Schema: app_public; Owner: -
--

ALTER TABLE ONLY app_public.webhook_endpoints
    ADD CONSTRAINT webhook_endpoints_pkey PRIMARY KEY (id);

--
-- Name: webhook_endpoints; Type: ROW SECURITY; Schema: app_public; Owner: -
--

ALTER TABLE app_public.webhook_endpoints ENABLE ROW LEVEL SECURITY;

--
-- Name: webhook_endpoints; Type: TABLE; Schema: app_public; Owner: -
--

CREATE TABLE app_public.webhook_endpoints (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    url text NOT NULL,
    description text,
    event_types text[] DEFAULT '{}'::text[] NOT NULL,
    enabled boolean DEFAULT true NOT NULL,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT webhook_endpoints_description_check CHECK ((length(description) <= 200)),
    CONSTRAINT webhook_endpoints_url_check CHECK (((length(url) <= 2000) AND (url ~ '^https?://[^/?#@[:space:]]+(/[^[:space:]]*)?$'::text)))
);

ALTER TABLE ONLY app_public.webhook_endpoints FORCE ROW LEVEL SECURITY;

--
-- Name: webhook_endpoints_created_by_idx; Type: INDEX; Schema: app_public; Owner: -
--

CREATE INDEX webhook_endpoints_created_by_idx ON app_public.webhook_endpoints USING btree (created_by);

--
-- Name: webhook_event_types(); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.webhook_event_types() RETURNS text[]
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select array['user.created', 'user.verified', 'user.deleted', 'user.banned', 'user.unbanned',
               'session.created', 'session.revoked', 'password.changed', 'mfa.enrolled', 'mfa.removed',
               'identity.linked', 'identity.unlinked']
$$;

--
-- Name: webhook_events definer_all; Type: POLICY; Schema: app_private; Owner: -
--

CREATE POLICY definer_all ON app_private.webhook_events TO pgauth_owner USING (true) WITH CHECK (true);

--
-- Name: webhook_events webhook_events_pkey; Type: CONSTRAINT; Schema: app_private; Owner: -
--

ALTER TABLE ONLY app_private.webhook_events
    ADD CONSTRAINT webhook_events_pkey PRIMARY KEY (id);

--
-- Name: webhook_events; Type: ROW SECURITY; Schema: app_private; Owner: -
--

ALTER TABLE app_private.webhook_events ENABLE ROW LEVEL SECURITY;

--
-- Name: webhook_events; Type: TABLE; Schema: app_private; Owner: -
--

CREATE TABLE app_private.webhook_events (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    type text NOT NULL,
    data jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY app_private.webhook_events FORCE ROW LEVEL SECURITY;

--
-- Name: webhook_events_created_at_idx; Type: INDEX; Schema: app_private; Owner: -
--

CREATE INDEX webhook_events_created_at_idx ON app_private.webhook_events USING btree (created_at);

--
-- Name: write_audit(text, text, text, jsonb, jsonb, jsonb); Type: FUNCTION; Schema: app_private; Owner: -
--

CREATE FUNCTION app_private.write_audit(p_event text, p_table text, p_target_id text, p_old jsonb, p_new jsonb, p_detail jsonb DEFAULT NULL::jsonb) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  insert into app_public.audit_log (actor_user_id, actor_session_id, actor_role, event, table_name, target_id, old_row, new_row, detail)
  values (app_hidden.claimed_user_id(), app_hidden.current_session_id(),
          case when current_setting('role') = 'auth_edge'
            then coalesce(nullif(current_setting('jwt.claims.role', true), ''), 'anonymous')
            else current_setting('role') end,
          p_event, p_table, p_target_id, app_private.strip_secrets(p_old), app_private.strip_secrets(p_new), p_detail)
$$;
