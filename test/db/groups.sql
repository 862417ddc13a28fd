-- Groups and relation tuples: "members of G are viewers of D", nested groups, cycles and
-- depth bounds (I3), and who may change membership.
select plan(23);

select tests.remember('alice', tests.create_user('alice@example.com'));
select tests.remember('bob', tests.create_user('bob@example.com'));
select tests.remember('carol', tests.create_user('carol@example.com'));
select tests.remember('dave', tests.create_user('dave@example.com'));
select tests.remember('root', tests.create_user('root@example.com', 'admin'));
select tests.remember('doc', tests.create_document(tests.id('alice')));

select tests.authenticate_as(tests.id('alice'));
select tests.remember('team', tests.returning_id($$ insert into app_public.groups (name) values ('team') returning id $$));
select is(app_public.check_relation('owner', 'group', tests.id('team')), true, 'insert_own: the creator owns the new group');
select throws_ok($$ insert into app_public.groups (name, created_by) values ('spoof', tests.id('bob')) $$,
  '42501', null, 'A4: a group cannot be created in someone else''s name');
select lives_ok($$ insert into app_public.relation_edge (subject_type, subject_id, relation, object_type, object_id)
                   values ('user', tests.id('bob'), 'member', 'group', tests.id('team')) $$,
  'insert_manager: the owner adds a member');
select lives_ok($$ select app_public.share_document(tests.id('doc'), tests.id('team'), 'viewer') $$,
  'the owner shares the document with the group');
select is(tests.affected($$ update app_public.groups set name = 'renamed' where id = tests.id('team') $$), 1,
  'update_manager: the owner renames the group');

select tests.authenticate_as(tests.id('bob'));
select is((select count(*)::int from app_public.documents where id = tests.id('doc')), 1, 'a member sees the group''s document');
select is(app_public.check_relation('member', 'group', tests.id('team')), true, 'has_relation: bob is a member');
select is(app_public.check_relation('manager', 'group', tests.id('team')), false, 'has_relation: membership does not imply manager');
select is((select count(*)::int from app_public.groups where id = tests.id('team')), 1, 'select_member: a member sees the group');
select is((select count(*)::int from app_public.relation_edge where object_id = tests.id('team')), 1,
  'select_visible: a member sees only his own edge');
select throws_ok($$ insert into app_public.relation_edge (subject_type, subject_id, relation, object_type, object_id)
                    values ('user', tests.id('carol'), 'member', 'group', tests.id('team')) $$,
  '42501', null, 'insert_manager: a member cannot add members');
select throws_ok($$ insert into app_public.relation_edge (subject_type, subject_id, relation, object_type, object_id)
                    values ('user', tests.id('bob'), 'owner', 'group', tests.id('team')) $$,
  '42501', null, 'a member cannot make himself owner');
select is(tests.affected($$ delete from app_public.relation_edge where subject_id = tests.id('alice') $$), 0,
  'delete_manager_or_self: a member cannot remove the owner');
select is(tests.affected($$ delete from app_public.groups where id = tests.id('team') $$), 0, 'delete_owner: a member cannot delete the group');

select tests.authenticate_as(tests.id('carol'));
select is((select count(*)::int from app_public.documents where id = tests.id('doc')), 0, 'a non-member does not see it');
select is((select count(*)::int from app_public.groups where id = tests.id('team')), 0, 'a non-member does not see the group');

-- Nested groups with a cycle: dave in inner, inner in team, team in inner.
select tests.remember('inner', tests.create_group(tests.id('carol'), 'inner'));
select tests.add_edge(tests.id('dave'), 'member', 'group', tests.id('inner'));
select tests.add_edge(tests.id('inner'), 'member', 'group', tests.id('team'));
select tests.add_edge(tests.id('team'), 'member', 'group', tests.id('inner'));
select tests.authenticate_as(tests.id('dave'));
select is((select count(*)::int from app_public.documents where id = tests.id('doc')), 1,
  'I3: access flows through nested groups and traversal terminates on a cycle');

-- A chain deeper than the bound (8) does not grant access.
select tests.remember('g0', tests.create_group(tests.id('root'), 'g0'));
select tests.add_edge(tests.id('carol'), 'member', 'group', tests.id('g0'));
select tests.remember('g' || i, tests.create_group(tests.id('root'), 'g' || i)) from generate_series(1, 9) i;
select tests.add_edge(tests.id('g' || (i - 1)), 'member', 'group', tests.id('g' || i)) from generate_series(1, 9) i;
select tests.remember('deepdoc', tests.create_document(tests.id('root')));
select tests.grant_doc(tests.id('deepdoc'), tests.id('g9'), 'viewer');
select tests.remember('shallowdoc', tests.create_document(tests.id('root')));
select tests.grant_doc(tests.id('shallowdoc'), tests.id('g7'), 'viewer');
select tests.authenticate_as(tests.id('carol'));
select is((select count(*)::int from app_public.documents where id = tests.id('shallowdoc')), 1, 'I3: depth 8 is reachable');
select is((select count(*)::int from app_public.documents where id = tests.id('deepdoc')), 0, 'I3: depth 10 is beyond the bound');

select tests.authenticate_as(tests.id('bob'));
select is(tests.affected($$ delete from app_public.relation_edge where subject_id = tests.id('bob') and object_id = tests.id('team') $$), 1,
  'delete_manager_or_self: a member can leave');
select is((select count(*)::int from app_public.documents where id = tests.id('doc')), 0, 'I4: leaving the group removes access at once');

select tests.authenticate_as(tests.id('root'));
select is((select count(*)::int from app_public.groups where id = tests.id('team')), 1, 'an admin sees every group');
select tests.authenticate_as(tests.id('alice'));
select is(tests.affected($$ delete from app_public.groups where id = tests.id('team') $$), 1, 'delete_owner: the owner deletes the group');

select * from finish();
