-- Administration (db/migrations/committed/000010-administration-and-webhooks.sql): every admin operation runs as the
-- admin under the role rule of O4 (LOGIN without a session, DNIED without the permission,
-- OUTRK on an equal or higher role, never a role above your own), is audited with the actor,
-- and has its refused side here. test/http/admin.test.ts drives the same through GraphQL.
select plan(112);

select tests.remember('root', tests.create_user('root@example.com', 'admin', 'Root'));
select tests.remember('root2', tests.create_user('root2@example.com', 'admin'));
select tests.remember('mgr', tests.create_user('mgr@example.com', 'manager'));
select tests.remember('alice', tests.create_user('alice@example.com', 'app_user', 'Alice Liddell'));
select tests.remember('bob', tests.create_user('bob@example.com'));
select tests.remember('dan', tests.create_user('dan@example.org'));
select tests.remember('alice_gone', tests.create_user('gone@example.com'));
select tests.disable_user(tests.id('alice_gone'));

-- Structure.
select ok((select relrowsecurity and relforcerowsecurity from pg_class where relname = 'user_bans' and relnamespace = 'app_private'::regnamespace),
  'O4: user_bans has RLS enabled and forced');
select ok(not bool_or(has_schema_privilege(r, 'app_private', 'USAGE')),
  'O4: no request role reaches app_private (bans, sessions)')
  from unnest(array['anonymous', 'app_user', 'manager', 'admin', 'bot']) r;

-- O4: the refused side for callers without rights.
select tests.clear_authentication();
select throws_ok($$ select * from app_public.admin_users() $$, '42501', null, 'O4: anonymous cannot call adminUsers');
select tests.authenticate_as(tests.id('alice'));
select throws_ok($$ select * from app_public.admin_users() $$, 'DNIED', null, 'O4: a plain user is refused adminUsers (DNIED)');
select throws_ok($$ select app_public.admin_user(tests.id('bob')) $$, 'DNIED', null, 'O4: a plain user is refused adminUser');
select throws_ok($$ select app_public.ban_user(tests.id('bob'), 'spam') $$, 'DNIED', null, 'O4: a plain user is refused banUser');
select throws_ok($$ select app_public.unban_user(tests.id('bob')) $$, 'DNIED', null, 'O4: a plain user is refused unbanUser');
select throws_ok($$ select app_public.admin_revoke_sessions(tests.id('bob')) $$, 'DNIED', null, 'O4: a plain user is refused adminRevokeSessions');
select throws_ok($$ select app_public.admin_unlink_identity(tests.id('bob'), 'gh') $$, 'DNIED', null, 'O4: a plain user is refused adminUnlinkIdentity');
select throws_ok($$ select app_public.admin_set_roles(tests.id('bob'), '{admin}') $$, 'DNIED', null, 'O4: a plain user is refused adminSetRoles');
select throws_ok($$ select app_public.admin_delete_user(tests.id('bob')) $$, 'DNIED', null, 'O4: a plain user is refused adminDeleteUser');
select throws_ok($$ select app_public.admin_reset_mfa(tests.id('bob')) $$, 'DNIED', null, 'O4: a plain user is refused adminResetMfa');
select throws_ok($$ select app_public.merge_users(tests.id('bob'), tests.id('dan')) $$, 'DNIED', null, 'O4: a plain user is refused mergeUsers');
select throws_ok($$ select * from app_public.admin_audit_log() $$, 'DNIED', null, 'O4: a plain user is refused adminAuditLog');
select throws_ok($$ select app_hidden.stop_impersonating() $$, 'NOIMP', null, 'stopImpersonating outside an impersonation: NOIMP');
select tests.authenticate_as(tests.id('mgr'));
select throws_ok($$ select app_public.ban_user(tests.id('bob'), 'spam') $$, 'DNIED', null,
  'O4: a manager without the admin:ban permission is refused (DNIED)');
select tests.revoke_session(tests.authenticate_as(tests.id('root')));
select throws_ok($$ select * from app_public.admin_users() $$, 'LOGIN', null, 'O4: an admin whose session is revoked is nobody (LOGIN)');

-- Listing: search, filters, keyset pages.
select tests.authenticate_as(tests.id('root'));
select ok(exists (select 1 from app_public.role_permissions where role = 'admin' and permission = 'admin:*'),
  'the admin application role holds admin:*');
select is((select array_agg(email order by email) from app_public.admin_users(search => 'LIDDELL')),
  array['alice@example.com'], 'adminUsers: search matches the name case-insensitively');
select is((select array_agg(email order by email) from app_public.admin_users(search => 'example.org')),
  array['dan@example.org'], 'adminUsers: search matches the email');
select is((select array_agg(email order by email) from app_public.admin_users(role => 'admin')),
  array['root2@example.com', 'root@example.com'], 'adminUsers: role filter');
select ok((select bool_and('user' = any (roles)) from app_public.admin_users()), 'adminUsers lists live roles (default role included)');
select is((select count(*)::int from app_public.admin_users(max_rows => 2)), 2, 'adminUsers: max_rows bounds the page');
select is(
  (select count(*)::int from app_public.admin_users(max_rows => 2)) +
  (select count(*)::int from app_public.admin_users(
     before_created_at => (select created_at from app_public.admin_users(max_rows => 2) offset 1 limit 1),
     before_id => (select id from app_public.admin_users(max_rows => 2) offset 1 limit 1), max_rows => 100)),
  (select count(*)::int from app_public.admin_users(max_rows => 100)),
  'adminUsers: the keyset page after the first page holds exactly the rest');
select is((select count(*)::int from app_public.admin_users(max_rows => 100) a
           join app_public.admin_users(max_rows => 2) b using (id)), 2, '...and the first page is the newest rows');
select is((app_public.admin_user(tests.id('alice'))).account.email, 'alice@example.com', 'adminUser: the account');
select throws_ok($$ select app_public.admin_user('00000000-0000-0000-0000-000000000000') $$, 'NTFND', null,
  'adminUser: an unknown id is NTFND');

-- Bans (O4): refused on equal or higher roles, sessions end at once, sign-in refused (BANND).
select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select tests.remember('carol', (app_hidden.register('carol@example.com', 'violet horse battery staple', 'Carol', '192.0.2.70', 'ua')).user_id);
select tests.remember('carol_sid', (app_hidden.login('carol@example.com', 'violet horse battery staple', '192.0.2.70', 'ua')).session_id);
select tests.authenticate_as(tests.id('root'));
select throws_ok($$ select app_public.ban_user(tests.id('root2'), 'no') $$, 'OUTRK', null, 'O4: an admin cannot ban another admin (OUTRK)');
select throws_ok($$ select app_public.ban_user(tests.id('root'), 'no') $$, 'OUTRK', null, 'O4: an admin cannot ban themself (equal role)');
select throws_ok($$ select app_public.ban_user(tests.id('carol'), ' ') $$, 'REASN', null, 'banUser needs a reason (REASN)');
select throws_ok($$ select app_public.ban_user(tests.id('carol'), 'x', now() - interval '1 minute') $$, 'BADRQ', null,
  'banUser: an end in the past is refused');
select is((app_public.ban_user(tests.id('carol'), 'spam', null)).is_banned, true, 'an admin bans a user');
select is(tests.session_revoked(tests.id('carol_sid')), 'banned', 'the ban revokes the user''s sessions at once');
select is((tests.ban_of(tests.id('carol'))).banned_by, tests.id('root'), 'the ban records the admin');
select is((select count(*)::int from app_public.audit_log where event = 'user_banned' and target_id = tests.id('carol')::text
           and actor_user_id = tests.id('root') and actor_role = 'admin'), 1, 'O4: the ban is audited with the acting admin');
select is((select array_agg(email) from app_public.admin_users(banned => true)), array['carol@example.com'], 'adminUsers: banned filter');
select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select throws_ok($$ select app_hidden.login('carol@example.com', 'violet horse battery staple', '192.0.2.70', 'ua') $$, 'BANND', null,
  'a banned user''s sign-in is refused with BANND');
select tests.authenticate_as(tests.id('root'));
select throws_ok($$ select app_public.unban_user(tests.id('root2')) $$, 'OUTRK', null, 'O4: an admin cannot unban another admin');
select is((app_public.unban_user(tests.id('carol'))).is_banned, false, 'an admin unbans');
select throws_ok($$ select app_public.unban_user(tests.id('carol')) $$, 'NTFND', null, 'unbanning a user who is not banned: NTFND');
select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select isnt((app_hidden.login('carol@example.com', 'violet horse battery staple', '192.0.2.70', 'ua')).session_id, null,
  'after the unban the user signs in again');
select tests.authenticate_as(tests.id('root'));
select lives_ok($$ select app_public.ban_user(tests.id('carol'), 'cool-off', now() + interval '1 hour') $$, 'a time-limited ban');
select is((app_public.admin_user(tests.id('carol'))).account.banned_until > now(), true, 'adminUser shows the ban''s end');
select lives_ok($$ select app_public.unban_user(tests.id('carol')) $$, '(unban again)');

-- Revoking sessions.
select tests.create_session(tests.id('bob'));
select tests.create_session(tests.id('bob'));
select throws_ok($$ select app_public.admin_revoke_sessions(tests.id('root2')) $$, 'OUTRK', null,
  'O4: an admin cannot revoke another admin''s sessions');
select is(app_public.admin_revoke_sessions(tests.id('bob')), 2, 'adminRevokeSessions ends every session of the user');
select is(tests.live_sessions(tests.id('bob')), 0, '...none is left');

-- Unlinking identities: the last-method rule unless forced with a reason.
select tests.create_identity(tests.id('dan'), 'gh', 'dan-gh');
select tests.clear_password(tests.id('dan'));
select throws_ok($$ select app_public.admin_unlink_identity(tests.id('dan'), 'gh') $$, 'LASTM', null,
  'adminUnlinkIdentity keeps the last way to sign in (LASTM)');
select throws_ok($$ select app_public.admin_unlink_identity(tests.id('dan'), 'gh', true) $$, 'REASN', null,
  'forcing it needs a reason (REASN)');
select throws_ok($$ select app_public.admin_unlink_identity(tests.id('dan'), 'nope') $$, 'NTFND', null,
  'an unknown provider is NTFND');
select tests.create_identity(tests.id('root2'), 'gh', 'root2-gh');
select throws_ok($$ select app_public.admin_unlink_identity(tests.id('root2'), 'gh', true, 'x') $$, 'OUTRK', null,
  'O4: an admin cannot unlink another admin''s identity');
select is((app_public.admin_unlink_identity(tests.id('dan'), 'gh', true, 'lost account')).providers, '{}'::text[],
  'forced with a reason, the last identity is unlinked');
select is((select detail ->> 'reason' from app_public.audit_log where event = 'admin_identity_unlinked'
           and target_id = tests.id('dan')::text), 'lost account', '...and the reason is audited');

-- Roles: never on an equal or higher role, never above your own.
select is((app_public.admin_set_roles(tests.id('bob'), '{moderator}')).roles, '{moderator,user}'::text[],
  'adminSetRoles sets the granted roles');
select is((select granted_by from app_public.user_roles where user_id = tests.id('bob') and role = 'moderator'),
  tests.id('root'), 'the grant records the admin');
select throws_ok($$ select app_public.admin_set_roles(tests.id('bob'), '{nope}') $$, 'NTFND', null, 'an unknown role is NTFND');
select throws_ok($$ select app_public.admin_set_roles(tests.id('root2'), '{}') $$, 'OUTRK', null,
  'O4: an admin cannot change another admin''s roles');
-- A helpdesk role: manager rank with every admin permission.
select lives_ok($$
  insert into app_public.app_roles (name, description, db_role) values ('helpdesk', 'support staff', 'manager');
  insert into app_public.role_permissions (role, permission) values ('helpdesk', 'admin:*');
$$, 'an admin defines a manager-rank role holding admin:*');
select is((app_public.admin_set_roles(tests.id('mgr'), '{helpdesk}')).roles, '{helpdesk,user}'::text[],
  'an admin grants it to a manager');
select tests.authenticate_as(tests.id('mgr'));
select throws_ok($$ select app_public.admin_set_roles(tests.id('bob'), '{admin}') $$, 'OUTRK', null,
  'O4: a manager-rank admin cannot grant a role above their own');
select throws_ok($$ select app_public.ban_user(tests.id('root'), 'coup') $$, 'OUTRK', null,
  'O4: a manager-rank admin cannot ban an admin (higher role)');
select throws_ok($$ select app_public.ban_user(tests.id('mgr'), 'me') $$, 'OUTRK', null,
  'O4: ...nor themself (equal role)');
select is((app_public.admin_set_roles(tests.id('bob'), '{helpdesk}')).roles, '{helpdesk,user}'::text[],
  'O4: a role equal to your own may be granted to a lower user');
select throws_ok($$ select app_public.admin_set_roles(tests.id('bob'), '{}') $$, 'OUTRK', null,
  'O4: ...who is then of an equal role and out of reach');
select tests.authenticate_as(tests.id('root'));
select is((app_public.admin_set_roles(tests.id('bob'), '{}')).roles, '{user}'::text[], 'an admin clears the granted roles');

-- MFA reset.
select tests.remember('factor', tests.add_factor(tests.id('bob')));
select tests.add_mfa_leftovers(tests.id('bob'));
select is((app_public.admin_user(tests.id('bob'))).account.factor_count, 1, 'adminUser counts active factors');
select throws_ok($$ select app_public.admin_reset_mfa(tests.id('root2')) $$, 'OUTRK', null, 'O4: an admin cannot reset another admin''s MFA');
select is((app_public.admin_reset_mfa(tests.id('bob'))).factor_count, 0, 'adminResetMfa deletes the user''s factors');
select is(tests.factor_owner(tests.id('factor')), null, '...the factor row is gone');
select is(tests.mfa_leftovers(tests.id('bob')), 0,
  'N10: ...with its recovery codes and trusted devices, which must not stand in for a factor enrolled later');

-- Impersonation: a time-limited session as the user, act claim and current_actor_id() = admin.
select tests.remember('root_sid', tests.authenticate_as(tests.id('root')));
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select throws_ok($$ select app_hidden.impersonate_user(tests.id('root2'), 'check', '192.0.2.1', 'ua') $$, 'OUTRK', null,
  'O4: impersonation is never allowed towards an equal or higher role');
select throws_ok($$ select app_hidden.impersonate_user(tests.id('bob'), '', '192.0.2.1', 'ua') $$, 'REASN', null,
  'impersonation needs a reason');
select throws_ok($$ select app_hidden.impersonate_user(tests.id('alice_gone'), 'x', null, null) $$, 'DNIED', null,
  'a disabled user cannot be impersonated');
select tests.remember('imp', (app_hidden.impersonate_user(tests.id('bob'), 'ticket 42', '192.0.2.1', 'ua')).session_id);
select is(app_hidden.session_claims(tests.id('imp')) -> 'act', jsonb_build_object('sub', tests.id('root')::text),
  'O4: every token of the session carries act.sub = the admin');
select is((tests.session_of(tests.id('imp'))).user_id, tests.id('bob'), 'the session is the user''s');
select ok((tests.session_of(tests.id('imp'))).expires_at <= now() + interval '1 hour', 'O4: the session is time-limited (impersonation_ttl)');
select tests.authenticate_as(tests.id('root'), tests.id('root_sid'));
select is((select count(*)::int from app_public.audit_log where event = 'impersonation_started' and target_id = tests.id('bob')::text
           and actor_user_id = tests.id('root')), 1, 'O4: audited on the user...');
select is((select count(*)::int from app_public.audit_log where event = 'impersonating' and target_id = tests.id('root')::text
           and detail ->> 'reason' = 'ticket 42'), 1, 'O4: ...and on the admin, with the reason');
select tests.authenticate_as(tests.id('bob'), tests.id('imp'));
select is(app_hidden.current_actor_id(), tests.id('root'), 'O4: current_actor_id() is the admin in SQL');
select is(app_hidden.current_user_id(), tests.id('bob'), '...while the user is the impersonated one');
select throws_ok($$ select * from app_public.admin_users() $$, 'DNIED', null, 'O4: the impersonation has the user''s rights, not the admin''s');
select throws_ok($$ select app_public.create_api_key('outlives', '{}', now() + interval '1 year') $$, 'DNIED', null,
  'O4: no API key from an impersonation (it would outlive it, unmarked by act)');
select throws_ok($$ select tests.add_factor(tests.id('bob')) $$, 'DNIED', null,
  'O4: no second factor or passkey enrolled for the user from an impersonation');
select throws_ok($$ select tests.create_identity(tests.id('bob'), 'gh', 'imp-bob') $$, 'DNIED', null,
  'O4: no provider linked to the user from an impersonation');
select is(app_hidden.stop_impersonating(), true, 'stopImpersonating');
select is(tests.session_revoked(tests.id('imp')), 'impersonation_ended', '...ends the session');
select is(app_hidden.current_user_id(), null, '...from the next statement');
select tests.authenticate_as(tests.id('alice'));
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select throws_ok($$ select app_hidden.impersonate_user(tests.id('bob'), 'x', null, null) $$, 'DNIED', null,
  'O4: a plain user cannot impersonate (DNIED)');
select throws_ok($$ do $d$ begin perform set_config('role', 'admin', true); perform app_hidden.impersonate_user(tests.id('bob'), 'x', null, null); end $d$ $$,
  '42501', null, 'A6: impersonate_user is edge only (admin cannot call it)');

-- Merging accounts.
select tests.authenticate_as(tests.id('root'));
select tests.remember('src', tests.create_user('src@example.com'));
select tests.remember('dst', tests.create_user('dst@example.com'));
select tests.create_identity(tests.id('src'), 'gh', 'src-gh');
select tests.create_identity(tests.id('dst'), 'google', 'dst-google');
select tests.remember('doc', tests.create_document(tests.id('alice')));
select tests.grant_doc(tests.id('doc'), tests.id('src'), 'manager');
select tests.remember('grp', tests.create_group(tests.id('alice')));
select tests.add_edge(tests.id('src'), 'member', 'group', tests.id('grp'));
select tests.remember('srcf', tests.add_factor(tests.id('src')));
select tests.remember('src_sid', tests.create_session(tests.id('src')));
select throws_ok($$ select app_public.merge_users(tests.id('src'), tests.id('root2')) $$, 'OUTRK', null,
  'O4: no merge into an admin');
select throws_ok($$ select app_public.merge_users(tests.id('src'), tests.id('src')) $$, 'MRGCF', null, 'no merge of a user into itself');
select is((app_public.merge_users(tests.id('src'), tests.id('dst'))).providers, '{gh,google}'::text[],
  'mergeUsers moves identities to the target');
select is((select role::text from app_public.document_acl where document_id = tests.id('doc') and subject_id = tests.id('dst')),
  'manager', '...ACL rows');
select is((select count(*)::int from app_public.relation_edge where subject_id = tests.id('dst') and object_id = tests.id('grp')), 1,
  '...group memberships');
select is(tests.factor_owner(tests.id('srcf')), tests.id('dst'), '...factors');
select is(tests.session_revoked(tests.id('src_sid')), 'merged', '...revokes the source''s sessions');
select isnt((app_public.admin_user(tests.id('src'))).account.disabled_at, null, '...and disables the source');
select is((select count(*)::int from app_public.audit_log where event = 'users_merged'
           and target_id in (tests.id('src')::text, tests.id('dst')::text) and actor_user_id = tests.id('root')), 2,
  'O4: the merge is audited on both users with the admin');
select tests.remember('src2', tests.create_user('src2@example.com'));
select tests.create_identity(tests.id('src2'), 'gh', 'src2-gh');
select throws_ok($$ select app_public.merge_users(tests.id('src2'), tests.id('dst')) $$, 'MRGCF', null,
  'mergeUsers is refused when both hold an identity of the same provider');
select is((select count(*)::int from app_public.user_identities where user_id = tests.id('src2')), 1, '...and nothing moved');

-- Deleting: personal data gone, the id and the audit rows kept.
select throws_ok($$ select app_public.admin_delete_user(tests.id('root2')) $$, 'OUTRK', null, 'O4: an admin cannot delete another admin');
select tests.create_identity(tests.id('alice'), 'gh', 'alice-gh');
select is(app_public.admin_delete_user(tests.id('alice')), true, 'adminDeleteUser');
select is((select email::text from app_public.users where id = tests.id('alice')),
  'deleted-' || tests.id('alice') || '@deleted.invalid', '...anonymises the email');
select is((select display_name from app_public.users where id = tests.id('alice')), null, '...removes the name');
select is((select count(*)::int from app_public.user_identities where user_id = tests.id('alice')), 0, '...and the identities');
select is((tests.secrets_of(tests.id('alice'))).password_hash, null, '...and the password');
select ok((select count(*) from app_public.audit_log where target_id = tests.id('alice')::text) > 1,
  'the audit rows about the user are kept with the id');

-- Audit queries: filters and keyset pages, under the audit log's RLS as the admin.
select is((select array_agg(distinct event) from app_public.admin_audit_log(user_id => tests.id('carol'), event => 'user_banned')),
  array['user_banned'], 'adminAuditLog filters by user and event');
select ok((select bool_and(event !~ 'failed') from app_public.admin_audit_log(success => true, max_rows => 100)),
  'adminAuditLog success filter');
select is((select count(*)::int from app_public.admin_audit_log(max_rows => 3)), 3, 'adminAuditLog pages');
select ok((select max(id) from app_public.admin_audit_log(before_id => (select min(id) from app_public.admin_audit_log(max_rows => 3)), max_rows => 3))
          < (select min(id) from app_public.admin_audit_log(max_rows => 3)), '...keyset: the next page is strictly older');
select is((select count(*)::int from app_public.admin_audit_log(since => now() + interval '1 day')), 0, '...time range');

select * from finish();
