-- Claims hook (issue #11 part 4, O3): adds claims, never reserved ones; any failure is no
-- claims and error CLAIM, audited; only the edge role runs it; the shipped Hasura hook.
select plan(10);

select tests.remember('alice', tests.create_user('alice@example.com'));
select tests.remember('root', tests.create_user('root@example.com', 'admin'));

select throws_ok($$ select * from app_hidden.token_claims(tests.id('alice'), null, '{}') $$, '42501', null,
  'O3: only the edge role runs the claims hook');
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select is((select claims from app_hidden.token_claims(tests.id('alice'), null, '{"role":"app_user"}')), '{}'::jsonb,
  'no hook configured: no extra claims');

select tests.set_claims_hook('tests.hook_good(uuid, uuid, jsonb)');
select is((select claims from app_hidden.token_claims(tests.id('alice'), null, '{"role":"app_user"}')),
  '{"tenant":"acme","seen_role":"app_user"}'::jsonb, 'a hook adds claims and sees the reserved ones');

select tests.set_claims_hook('tests.hook_reserved(uuid, uuid, jsonb)');
select is((select row(claims, error)::text from app_hidden.token_claims(tests.id('alice'), null, '{"role":"app_user"}')),
  '(,CLAIM)', 'O3: a hook setting a reserved claim fails closed (no claims, CLAIM)');
select tests.set_claims_hook('tests.hook_raises(uuid, uuid, jsonb)');
select is((select row(claims, error)::text from app_hidden.token_claims(tests.id('alice'), null, '{}')),
  '(,CLAIM)', 'O3: a hook that raises fails closed');
select tests.set_claims_hook('tests.hook_scalar(uuid, uuid, jsonb)');
select is((select row(claims, error)::text from app_hidden.token_claims(tests.id('alice'), null, '{}')),
  '(,CLAIM)', 'O3: a hook answering no object fails closed');
select tests.set_claims_hook('tests.hook_text(uuid, uuid, jsonb)');
select is((select row(claims, error)::text from app_hidden.token_claims(tests.id('alice'), null, '{}')),
  '(,CLAIM)', 'O3: a hook of the wrong return type fails closed');
select is(tests.audit_count('claims_hook_failed', 'app_private.auth_config', tests.id('alice')::text), 4::bigint,
  'O3: every hook failure is audited');

-- Hasura
select tests.set_claims_hook('app_private.hasura_claims(uuid, uuid, jsonb)');
select ok((select claims -> 'https://hasura.io/jwt/claims' from app_hidden.token_claims(tests.id('root'), null, '{"role":"admin"}'))
  @> ('{"x-hasura-allowed-roles":["admin"],"x-hasura-default-role":"admin","x-hasura-user-id":"' || tests.id('root') || '"}')::jsonb,
  'Hasura hook: namespace, allowed roles (DB and application roles), default role and user id');
select is((select claims -> 'https://hasura.io/jwt/claims' ->> 'x-hasura-default-role' from app_hidden.token_claims(tests.id('alice'), null, '{"role":"app_user"}')),
  'app_user', 'Hasura hook: a plain user''s default role is app_user');

select * from finish();
