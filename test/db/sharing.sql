-- share_document / unshare_document (I2, I4): never more than you hold, an invisible
-- document answers like a missing one, no self-escalation, revocation is immediate.
select plan(30);

select tests.remember('alice', tests.create_user('alice@example.com'));
select tests.remember('bob', tests.create_user('bob@example.com'));
select tests.remember('carol', tests.create_user('carol@example.com'));
select tests.remember('doc', tests.create_document(tests.id('alice')));
select tests.remember('other', tests.create_document(tests.id('carol')));

select tests.authenticate_as(tests.id('alice'));
select is((select role::text from app_public.share_document(tests.id('doc'), tests.id('bob'), 'viewer')), 'viewer',
  'the owner shares with a viewer');
select is(tests.audit_count('insert', 'app_public.document_acl', tests.id('doc') || '/' || tests.id('bob'))::int, 1,
  'the share is in the audit log, keyed by document/subject');

select tests.authenticate_as(tests.id('bob'));
select is((select count(*)::int from app_public.documents where id = tests.id('doc')), 1, 'the viewer now sees the document');
select throws_ok($$ select app_public.share_document(tests.id('doc'), tests.id('carol'), 'viewer') $$,
  'DNIED', null, 'I2: a viewer cannot share');
select throws_ok($$ select app_public.share_document(tests.id('doc'), tests.id('bob'), 'owner') $$,
  'DNIED', null, 'I2: a viewer cannot raise their own access');

select tests.authenticate_as(tests.id('carol'));
select throws_ok($$ select app_public.share_document(tests.id('doc'), tests.id('carol'), 'owner') $$,
  'NTFND', 'Document not found', 'I2: sharing a document you cannot see fails like a missing one...');
select throws_ok($$ select app_public.share_document(gen_random_uuid(), tests.id('carol'), 'owner') $$,
  'NTFND', 'Document not found', '...with exactly the same code and message as a missing id');

select tests.authenticate_as(tests.id('alice'));
select lives_ok($$ select app_public.share_document(tests.id('doc'), tests.id('bob'), 'manager') $$, 'the owner makes bob a manager');
select tests.authenticate_as(tests.id('bob'));
select throws_ok($$ select app_public.share_document(tests.id('doc'), tests.id('carol'), 'owner') $$,
  'DNIED', null, 'I2: a manager cannot grant more than manager');
select throws_ok($$ select app_public.share_document(tests.id('doc'), tests.id('alice'), 'viewer') $$,
  'DNIED', null, 'I2: a manager cannot demote the owner');
select throws_ok($$ select app_public.share_document(tests.id('doc'), tests.id('bob'), 'manager') $$,
  'DNIED', null, 'I2: nobody can share with themselves');
select throws_ok($$ select app_public.share_document(tests.id('doc'), gen_random_uuid(), 'viewer') $$,
  'NTFND', 'No such user or group', 'sharing with an unknown subject fails');
select lives_ok($$ select app_public.share_document(tests.id('doc'), tests.id('carol'), 'viewer') $$, 'a manager shares as viewer');

select tests.authenticate_as(tests.id('carol'));
select is((select count(*)::int from app_public.documents where id = tests.id('doc')), 1, 'carol sees the shared document');
select tests.authenticate_as(tests.id('bob'));
select is(app_public.unshare_document(tests.id('doc'), tests.id('carol')), true, 'a manager revokes a viewer');
select tests.authenticate_as(tests.id('carol'));
select is((select count(*)::int from app_public.documents where id = tests.id('doc')), 0, 'I4: revocation is effective on the next statement');

select tests.authenticate_as(tests.id('alice'));
select throws_ok($$ select app_public.unshare_document(tests.id('doc'), tests.id('alice')) $$,
  'LASTO', null, 'the creator cannot be removed, so a document always keeps an owner');

-- I2 (hardening 7): one owner rule for share and unshare: the creator stays owner, only the
-- creator (or the owner themself, leaving) ends another owner's ownership, never the last.
select tests.remember('dave', tests.create_user('dave@example.com'));
select tests.remember('erin', tests.create_user('erin@example.com'));
select tests.authenticate_as(tests.id('alice'));
select lives_ok($$ select app_public.share_document(tests.id('doc'), tests.id('carol'), 'owner') $$, 'the creator makes carol a co-owner');
select lives_ok($$ select app_public.share_document(tests.id('doc'), tests.id('dave'), 'owner') $$, '...and dave');
select tests.authenticate_as(tests.id('carol'));
select throws_ok($$ select app_public.share_document(tests.id('doc'), tests.id('alice'), 'viewer') $$,
  'LASTO', null, 'I2: a co-owner cannot demote the creator through share_document');
select throws_ok($$ select app_public.unshare_document(tests.id('doc'), tests.id('alice')) $$,
  'LASTO', null, 'I2: ...nor remove the creator through unshare_document');
select throws_ok($$ select app_public.share_document(tests.id('doc'), tests.id('dave'), 'manager') $$,
  'DNIED', null, 'I2: a co-owner cannot demote another co-owner through share_document');
select throws_ok($$ select app_public.unshare_document(tests.id('doc'), tests.id('dave')) $$,
  'DNIED', null, 'I2: ...nor remove another co-owner through unshare_document');
select lives_ok($$ select app_public.share_document(tests.id('doc'), tests.id('erin'), 'owner') $$,
  'a co-owner can still add an owner');
select is((select role::text from app_public.document_acl where document_id = tests.id('doc') and subject_id = tests.id('alice')), 'owner',
  'the creator is still owner');
select tests.authenticate_as(tests.id('alice'));
select is((select role::text from app_public.share_document(tests.id('doc'), tests.id('carol'), 'viewer')), 'viewer',
  'I2: the creator demotes a co-owner');
select is(app_public.unshare_document(tests.id('doc'), tests.id('erin')), true, 'I2: the creator removes a co-owner');
select tests.authenticate_as(tests.id('dave'));
select is(app_public.unshare_document(tests.id('doc'), tests.id('dave')), true, 'I2: a co-owner may leave');
select tests.authenticate_as(tests.id('alice'));
select set_eq($$ select subject_id from app_public.document_acl where document_id = tests.id('doc') and role = 'owner' $$,
  $$ select tests.id('alice') $$, '(alice is the only owner left)');
select throws_ok($$ select app_public.share_document(tests.id('doc'), tests.id('alice'), 'viewer') $$,
  'DNIED', null, 'the creator cannot change her own access either');

select * from finish();
