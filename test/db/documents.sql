-- Documents under RLS, as owners, viewers, managers, strangers and role-wide staff (I1, A4).
select plan(33);

select tests.remember('alice', tests.create_user('alice@example.com'));
select tests.remember('bob', tests.create_user('bob@example.com'));
select tests.remember('carol', tests.create_user('carol@example.com'));
select tests.remember('mallory', tests.create_user('mallory@example.com'));
select tests.remember('boss', tests.create_user('boss@example.com', 'manager'));
select tests.remember('root', tests.create_user('root@example.com', 'admin'));
select tests.remember('robot', tests.create_user('robot@example.com', 'bot'));
select tests.remember('doc_a', tests.create_document(tests.id('alice'), 'https://a.example/'));
select tests.remember('doc_b', tests.create_document(tests.id('bob'), 'https://b.example/'));
select tests.grant_doc(tests.id('doc_a'), tests.id('carol'), 'viewer');
select tests.grant_doc(tests.id('doc_b'), tests.id('carol'), 'manager');

-- Owner
select tests.authenticate_as(tests.id('alice'));
select set_eq($$ select id from app_public.documents $$, $$ select tests.id('doc_a') $$,
  'select_acl: the owner sees her document and nothing else');
select is(tests.affected($$ update app_public.documents set comment = 'mine' where id = tests.id('doc_a') $$), 1,
  'update_manager: the owner can edit her document');
select is(tests.affected($$ update app_public.documents set comment = 'x' where id = tests.id('doc_b') $$), 0,
  'I1: an invisible document cannot be updated');
select is(tests.affected($$ delete from app_public.documents where id = tests.id('doc_b') $$), 0,
  'I1: an invisible document cannot be deleted');
select is((select count(*)::int from app_public.document_acl where document_id = tests.id('doc_b')), 0,
  'I1: the ACL rows of an invisible document are invisible');
select is((select count(*)::int from app_public.visible_documents() where id = tests.id('doc_b')), 0,
  'I1: visible_documents() does not list an invisible document');

select throws_ok($$ insert into app_public.documents (owner_id, full_url) values (tests.id('bob'), 'https://spoof/') $$,
  '42501', null, 'A4: a document cannot be created in someone else''s name');
select throws_ok($$ update app_public.documents set owner_id = tests.id('bob') where id = tests.id('doc_a') $$,
  '42501', null, 'A4: ownership cannot be transferred by update');
select throws_ok($$ insert into app_public.documents (full_url, short_url) values ('https://x/', 'taken') $$,
  '42501', null, 'A10: short_url cannot be chosen, so its unique index cannot probe other rows');
select throws_ok($$ insert into app_public.document_acl (document_id, subject_type, subject_id, role, document_created_at)
                    values (tests.id('doc_b'), 'user', tests.id('alice'), 'owner', now()) $$,
  '42501', null, 'ACL rows cannot be written directly, only through share_document');

select tests.remember('doc_c', tests.returning_id($$ insert into app_public.documents (full_url) values ('https://c.example/') returning id $$));
select is((select owner_id from app_public.documents where id = tests.id('doc_c')), tests.id('alice'),
  'insert_own: a new document is owned by its creator');
select is((select role::text from app_public.document_acl where document_id = tests.id('doc_c') and subject_id = tests.id('alice')), 'owner',
  'the creator becomes owner in the ACL');

-- Viewer
select tests.authenticate_as(tests.id('carol'));
select set_eq($$ select id from app_public.documents $$, $$ values (tests.id('doc_a')), (tests.id('doc_b')) $$,
  'select_acl: a viewer and a manager see the shared documents');
select is(tests.affected($$ update app_public.documents set comment = 'x' where id = tests.id('doc_a') $$), 0,
  'update_manager: a viewer cannot edit');
select is(tests.affected($$ update app_public.documents set comment = 'edited' where id = tests.id('doc_b') $$), 1,
  'update_manager: a manager can edit');
select is(tests.affected($$ delete from app_public.documents where id = tests.id('doc_b') $$), 0,
  'delete_owner: a manager cannot delete');
select results_eq($$ select id from app_public.visible_documents() $$,
  $$ select id from (values (tests.id('doc_a')), (tests.id('doc_b'))) v(id)
     order by (select created_at from app_public.documents d where d.id = v.id) desc, id desc $$,
  'visible_documents() lists shared documents newest first');
select results_eq($$ select id from app_public.visible_documents(min_role => 'manager') $$, $$ select tests.id('doc_b') $$,
  'visible_documents(min_role) filters by access level');
select is((select count(*)::int from app_public.visible_documents(max_rows => 1)), 1, 'max_rows limits the page');
select is((select count(*)::int from app_public.visible_documents(
    before_created_at => (select created_at from app_public.visible_documents(max_rows => 1)),
    before_id => (select id from app_public.visible_documents(max_rows => 1)))), 1,
  'the keyset cursor returns the next page');
select is((select count(*)::int from app_public.document_acl where document_id = tests.id('doc_a')), 2,
  'select_member: a viewer sees who else has access to the document');

-- Stranger
select tests.authenticate_as(tests.id('mallory'));
select is_empty($$ select id from app_public.documents $$, 'I1: a stranger sees no documents');
select is_empty($$ select * from app_public.visible_documents() $$, 'I1: visible_documents() is empty for a stranger');
select is(app_hidden.has_doc_role(tests.id('doc_a'), 'viewer'), false, 'has_doc_role is false without access');

-- Role-wide rights
select tests.authenticate_as(tests.id('boss'));
select is((select count(*)::int from app_public.documents where id in (tests.id('doc_a'), tests.id('doc_b'))), 2,
  'select_staff: a manager reads every document');
select is(tests.affected($$ update app_public.documents set comment = 'x' where id = tests.id('doc_a') $$), 0,
  'a manager cannot edit documents he was not given');
select tests.authenticate_as(tests.id('robot'));
select is((select count(*)::int from app_public.documents where id in (tests.id('doc_a'), tests.id('doc_b'))), 2,
  'select_staff: a bot reads every document');
select throws_ok($$ insert into app_public.documents (full_url) values ('https://bot/') $$, '42501', null,
  'a bot cannot create documents');
select tests.authenticate_as(tests.id('root'));
select is(tests.affected($$ update app_public.documents set comment = 'admin' where id = tests.id('doc_a') $$), 1,
  'update_admin: an admin edits any document');
select is(tests.affected($$ delete from app_public.documents where id = tests.id('doc_b') $$), 1,
  'delete_admin: an admin deletes any document');

-- Owner delete
select tests.authenticate_as(tests.id('alice'));
select is(tests.affected($$ delete from app_public.documents where id = tests.id('doc_c') $$), 1,
  'delete_owner: the owner deletes her document');

-- A demoted manager loses role-wide reads on the next statement even though the session's
-- role is still manager (E3 at the SQL level).
select tests.authenticate_as(tests.id('boss'));
select tests.revoke_role(tests.id('boss'), 'manager');
select is(current_user::text, 'manager', 'the demoted manager still holds the manager database role');
select is_empty($$ select id from app_public.documents $$, 'E3: ...but lost role-wide reads on the next statement');

select * from finish();
