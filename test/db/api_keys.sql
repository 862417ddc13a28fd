-- Personal API keys (issue #11 part 2, O2): 256-bit secrets shown once and stored hashed,
-- scoped to a subset of the creator's permissions, verified only by the edge role, and dead on
-- the next request after revocation, expiry or the user's disable.
select plan(28);

select tests.remember('alice', tests.create_user('alice@example.com'));
select tests.remember('bob', tests.create_user('bob@example.com'));
select tests.remember('root', tests.create_user('root@example.com', 'admin'));

select tests.authenticate_as(tests.id('root'));
select lives_ok($$
  insert into app_public.permissions (name) values ('notes:read'), ('notes:write'), ('notes:*'), ('vault:read');
  insert into app_public.app_roles (name) values ('editor');
  insert into app_public.role_permissions (role, permission) values ('editor', 'notes:*');
  insert into app_public.user_roles (user_id, role) values (tests.id('alice'), 'editor');
$$, 'fixture: alice is an editor (notes:*)');

select tests.remember('alice_sid', tests.authenticate_as(tests.id('alice')));
select throws_ok($$ select app_public.create_api_key('k', array['vault:read'], null) $$, 'SCOPE', null,
  'O2: a key cannot carry a permission its creator does not hold');
select throws_ok($$ select app_public.create_api_key('k', array['notes:read', 'roles:write'], null) $$, 'SCOPE', null,
  'O2: one permission not held refuses the whole key');
select throws_ok($$ select app_public.create_api_key('k', array['notes:read'], now() - interval '1 minute') $$, 'BADRQ', null,
  'an expiry in the past is refused');
create temp table k as select * from app_public.create_api_key('ci', array['notes:read'], null);
create temp table k2 as select * from app_public.create_api_key('short', array['notes:read'], now() + interval '1 hour');
grant select on k, k2 to public;
select matches((select key from k), '^pga_[0-9a-f]{16}_[0-9a-f]{64}$', 'O2: the key is pga_<prefix>_<256 random bits>');
select is((select split_part(key, '_', 2) from k), (select prefix from k), 'O2: identifiable by its public prefix');
select is((select count(*)::int from app_public.my_api_keys()), 2, 'myApiKeys lists the caller''s keys');
select is((select permissions from app_public.my_api_keys() where name = 'ci'), array['notes:read'], 'the key records its scope');
select set_eq($$ select a.attname::text || ' ' || format_type(a.atttypid, a.atttypmod)
                 from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
                 where n.nspname = 'app_private' and c.relname = 'api_key_secrets' and a.attnum > 0 and not a.attisdropped $$,
  $$ values ('api_key_id uuid'), ('secret_hash bytea') $$, 'O2: the secret is stored only as a hash');
select throws_ok($$ select * from app_private.api_key_secrets $$, '42501', null, 'O2: hashes are unreachable to request roles');
select throws_ok($$ select * from app_hidden.verify_api_key((select key from k)) $$, '42501', null,
  'O2: only the edge role verifies a key');

-- The edge verifies the key as auth_edge.
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select is((select user_id from app_hidden.verify_api_key((select key from k))), tests.id('alice'), 'the edge resolves a key to its user');
select is((select count(*)::int from app_hidden.verify_api_key((select overlay(key placing '0' from 60 for 1) from k where substr(key, 60, 1) <> '0'
                                                                 union all select overlay(key placing '1' from 60 for 1) from k where substr(key, 60, 1) = '0'))),
  0, 'O2: a key with one wrong character verifies nothing');
select tests.remember('key_sid', (select session_id from app_hidden.verify_api_key((select key from k))));
select tests.remember('key_id', (select api_key_id from app_hidden.verify_api_key((select key from k))));

-- A request with the key: alice, within the key's scope only.
select tests.authenticate_as(tests.id('alice'), tests.id('key_sid'));
select is(app_hidden.current_user_id(), tests.id('alice'), 'a key''s request runs as its user');
select is(app_hidden.has_permission('notes:read'), true, 'O2: the key''s permission is held');
select is(app_hidden.has_permission('notes:write'), false, 'O2: a permission of the user outside the key''s scope is not');
select isnt((select last_used_at from app_public.api_keys where id = tests.id('key_id')), null, 'O2: last use is recorded');
select throws_ok($$ select app_public.create_api_key('k3', array['notes:read'], null) $$, 'DNIED', null,
  'O2: a key cannot create keys (credential mutations refuse an API key)');
select is(app_hidden.current_api_key_id(), tests.id('key_id'), 'SQL sees which key the request came with');

-- Revocation: dead on the next request and the next statement.
select tests.authenticate_as(tests.id('bob'));
select is(app_public.revoke_api_key(tests.id('key_id')), false, 'someone else cannot revoke alice''s key');
select tests.authenticate_as(tests.id('alice'), tests.id('alice_sid'));
select is(app_public.revoke_api_key(tests.id('key_id')), true, 'alice revokes her key');
select tests.authenticate_as(tests.id('alice'), tests.id('key_sid'));
select is(app_hidden.current_user_id(), null, 'O2: a revoked key is nobody on the next statement');
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select is((select count(*)::int from app_hidden.verify_api_key((select key from k))), 0, 'O2: a revoked key no longer verifies');

-- Disable: the other key stops working too.
select is((select count(*)::int from app_hidden.verify_api_key((select key from k2))), 1, 'the second key verifies');
select tests.remember('k2_sid', (select session_id from app_hidden.verify_api_key((select key from k2))));
select tests.disable_user(tests.id('alice'));
select is((select count(*)::int from app_hidden.verify_api_key((select key from k2))), 0, 'O2: a disabled user''s key no longer verifies');
select tests.authenticate_as(tests.id('alice'), tests.id('k2_sid'));
select is(app_hidden.current_user_id(), null, 'O2: a disabled user''s key is nobody on the next statement');
-- The edge remembers verified keys for a minute and marks such requests (jwt.claims.api_key):
-- then a dead backing session is an error (401), not an anonymous request.
select set_config('jwt.claims.api_key', '1', true);
select throws_ok($$ select app_hidden.current_user_id() $$, 'LOGIN', null,
  'O2: a request the edge made with a remembered key whose user is disabled fails with LOGIN');
select throws_ok($$ select * from app_public.visible_documents() $$, 'LOGIN', null,
  'O2: ...from every statement that asks who is calling (the document list)');
select set_config('jwt.claims.api_key', '', true);

select * from finish();
