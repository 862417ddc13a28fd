-- Realtime (P2, P3): NOTIFY payloads carry ids and a kind only; the re-read run for every
-- subscriber returns only what that subscriber may see (RLS as the subscriber), former
-- viewers of a deleted or unshared document get the id and kind from a tombstone, the
-- watchdog's check names ended sessions and disabled users, and only the edge may ask it.
select plan(23);

-- Payloads: every json_build_object in the notifying trigger functions uses only the keys
-- id, user and kind (never a column's content). NOTIFY is delivered at commit, which a
-- rolled-back test never reaches; test/http/realtime.test.ts LISTENs to committed ones.
select is(
  (select array_agg(distinct k order by k) from (
     select (regexp_matches(pg_get_functiondef(p.oid), '''(\w+)'', (?:new|old)\.', 'g'))[1] as k
     from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'app_private' and p.proname in ('tg_documents__realtime', 'tg_document_acl__realtime',
                                                      'tg_sessions__realtime', 'tg_users__realtime_disabled')) x),
  array['id', 'user'],
  'P2: NOTIFY payloads are built from ids only (id, user) besides the kind');
select ok(
  (select bool_and(pg_get_functiondef(p.oid) !~* 'full_url|comment|short_url|user_agent|email|to_json|row_to_json|json_build_object\([^)]*, (new|old)\)')
   from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where n.nspname = 'app_private' and p.proname like 'tg_%realtime%'),
  'P2: no trigger serializes a row or names a content column');
select is(
  (select count(*)::int from pg_trigger t where t.tgname like '%realtime%' and not t.tgisinternal),
  5, 'the realtime triggers are installed (documents x2, document_acl, sessions, users)');

select tests.remember('alice', tests.create_user('rt-alice@example.com'));
select tests.remember('bob', tests.create_user('rt-bob@example.com'));
select tests.remember('carol', tests.create_user('rt-carol@example.com'));
select tests.remember('mgr', tests.create_user('rt-mgr@example.com', 'manager'));
select tests.remember('doc', tests.create_document(tests.id('alice')));
select tests.remember('gone', tests.create_document(tests.id('alice')));
select tests.grant_doc(tests.id('doc'), tests.id('bob'), 'viewer');
select tests.grant_doc(tests.id('gone'), tests.id('bob'), 'viewer');
select tests.remember('bob_s', tests.create_session(tests.id('bob')));

-- The re-read as each subscriber.
select tests.authenticate_as(tests.id('bob'), tests.id('bob_s'));
select is((select array_agg(kind || ':' || visible) from app_hidden.realtime_document_events(array[tests.id('doc')], array['updated'])),
  array['updated:true'], 'P2: a viewer receives an update of a document it sees');
select tests.authenticate_as(tests.id('carol'));
select is((select count(*)::int from app_hidden.realtime_document_events(array[tests.id('doc'), tests.id('gone')], array['updated', 'created'])),
  0, 'P2: a user who cannot see the documents receives nothing');
select is((select count(*)::int from app_hidden.realtime_document_events(array[tests.id('doc')], array['deleted'])),
  0, 'P2: a made-up delete of a document never seen yields nothing');
select is((select count(*)::int from app_hidden.realtime_document_events(array[tests.id('doc')], array['unshared'])),
  0, 'P2: a made-up unshare yields nothing without a tombstone');
select tests.clear_authentication();
select throws_ok($$ select * from app_hidden.realtime_document_events(array[gen_random_uuid()], array['updated']) $$,
  '42501', null, 'P2: anonymous cannot call the re-read');

-- Unshare: bob loses the document; the tombstone tells him (id, kind), not the row.
select tests.authenticate_as(tests.id('alice'));
select lives_ok($$ select app_public.unshare_document(tests.id('doc'), tests.id('bob')) $$, 'the owner unshares with bob');
select tests.authenticate_as(tests.id('bob'), tests.id('bob_s'));
select is((select array_agg(kind || ':' || visible) from app_hidden.realtime_document_events(array[tests.id('doc'), tests.id('doc')], array['updated', 'unshared'])),
  array['unshared:false'], 'P2: after an unshare, updates stop at once; the unshare itself arrives without the row');
select tests.authenticate_as(tests.id('carol'));
select is((select count(*)::int from app_hidden.realtime_document_events(array[tests.id('doc')], array['unshared'])),
  0, 'P2: an unshare from bob is not delivered to carol');

-- Delete: every former viewer (owner, ACL subjects, staff) gets the tombstone, nobody else.
select tests.authenticate_as(tests.id('alice'));
select is(tests.affected($$ delete from app_public.documents where id = tests.id('gone') $$), 1, 'the owner deletes a document');
select is((select array_agg(kind || ':' || visible) from app_hidden.realtime_document_events(array[tests.id('gone')], array['deleted'])),
  array['deleted:false'], 'P2: the owner receives the delete (id and kind)');
select tests.authenticate_as(tests.id('bob'), tests.id('bob_s'));
select is((select array_agg(kind) from app_hidden.realtime_document_events(array[tests.id('gone')], array['deleted'])),
  array['deleted'], 'P2: a viewer of a deleted document receives the delete');
select tests.authenticate_as(tests.id('mgr'));
select is((select array_agg(kind) from app_hidden.realtime_document_events(array[tests.id('gone')], array['deleted'])),
  array['deleted'], 'P2: a manager (who sees every document) receives the delete');
select tests.authenticate_as(tests.id('carol'));
select is((select count(*)::int from app_hidden.realtime_document_events(array[tests.id('gone')], array['deleted'])),
  0, 'P2: a user who never saw it does not');
select is((select count(*)::int from app_hidden.realtime_former_viewer(tests.id('gone'), 'deleted') where realtime_former_viewer),
  0, 'P2: nor does asking about the tombstone directly');
select tests.clear_authentication();
select throws_ok($$ select count(*) from app_private.realtime_tombstones $$, '42501', null,
  'P2: request roles cannot read tombstones');

-- Sessions: mySessionsChanged re-read is the caller's own sign-ins only.
select tests.remember('bob_s2', tests.create_session(tests.id('bob')));
select tests.remember('carol_s', tests.create_session(tests.id('carol')));
select tests.authenticate_as(tests.id('bob'), tests.id('bob_s'));
select is((select array_agg(kind) from app_hidden.realtime_session_events(array[tests.id('bob_s2'), tests.id('carol_s')], array['signed_in', 'signed_in'])),
  array['signed_in'], 'P2: a session event is delivered to its user only');
select tests.revoke_session(tests.id('bob_s'));
select is((select count(*)::int from app_hidden.realtime_session_events(array[tests.id('bob_s2')], array['revoked'])),
  0, 'P3: a revoked session receives nothing more');

-- The watchdog's batched check, edge only.
select tests.remember('carol_s2', tests.create_session(tests.id('carol')));
select tests.remember('alice_s', tests.create_session(tests.id('alice')));
select tests.expire_session(tests.id('carol_s2'));
select tests.disable_user(tests.id('alice'));
select tests.authenticate_as(tests.id('carol'), tests.id('carol_s'));
select throws_ok($$ select * from app_hidden.realtime_ended_sessions(array[tests.id('bob_s')]) $$, '42501', null,
  'P3: a request role cannot call the watchdog check');
select is(
  tests.as_edge($$ select string_agg(session_id::text || '=' || reason, ',' order by reason, session_id)
                   from app_hidden.realtime_ended_sessions(array[tests.id('bob_s'), tests.id('bob_s2'), tests.id('carol_s2'), tests.id('alice_s'), '00000000-0000-0000-0000-000000000000']) $$),
  (select string_agg(x, ',' order by r, s) from (values
     (tests.id('alice_s')::text || '=disabled', 'disabled', tests.id('alice_s')),
     (tests.id('bob_s')::text || '=ended', 'ended', tests.id('bob_s')),
     (tests.id('carol_s2')::text || '=ended', 'ended', tests.id('carol_s2')),
     ('00000000-0000-0000-0000-000000000000=ended', 'ended', '00000000-0000-0000-0000-000000000000'::uuid)) v(x, r, s)),
  'P3: one query names revoked, expired and unknown sessions (ended) and disabled users (disabled); live ones are absent');
select is(
  tests.as_edge($$ select count(*)::text from app_hidden.realtime_ended_sessions(array[tests.id('bob_s2'), tests.id('carol_s')]) $$),
  '0', 'P3: live sessions of enabled users are not reported');

select * from finish();
