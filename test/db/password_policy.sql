-- The password policy (5020-email-password-policy.sql): every setter (register,
-- change_password, reset_password) refuses a password that breaks a rule, with WEAKP and the
-- rule's name as DETAIL (the edge's message names it; the password is never echoed).
select plan(21);

select tests.clear_authentication();
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);

select is(tests.weakp_reason($$ select app_hidden.register('pp1@example.com', 'short', null, '192.0.2.80', 'ua') $$), 'too_short',
  'a password under password_min_length is too_short');
select is(tests.weakp_reason($$ select app_hidden.register('pp1@example.com', repeat('x', 257), null, '192.0.2.80', 'ua') $$), 'too_long',
  'over password_max_length (256) it is too_long');
select is(tests.weakp_reason($$ select app_hidden.register('pp1@example.com', 'Password123', null, '192.0.2.80', 'ua') $$), 'common',
  'a password from the common list (any case) is common');
select is(tests.weakp_reason($$ select app_hidden.register('pp1@example.com', 'qwertyuiop', null, '192.0.2.80', 'ua') $$), 'common',
  'so is a keyboard walk from the list');
select is(tests.weakp_reason($$ select app_hidden.register('pp1@example.com', 'my pp1@example.com pass', null, '192.0.2.80', 'ua') $$), 'personal',
  'a password containing the email is personal');
select is(tests.weakp_reason($$ select app_hidden.register('longname1979@example.com', 'LongName1979', null, '192.0.2.80', 'ua') $$), 'personal',
  'so is one equal to the local part of the address');
select is(tests.weakp_reason($$ select app_hidden.register('pp2@example.com', 'I am Reginald Smith!', 'Reginald Smith', '192.0.2.80', 'ua') $$), 'personal',
  'so is one containing the name');
select is(tests.weakp_reason($$ select app_hidden.register('pp3@example.com', 'a perfectly fine passphrase', 'Pat', '192.0.2.80', 'ua') $$), null,
  'a long uncommon passphrase passes');

-- Composition is opt-in (NIST: none by default).
select tests.set_auth_config('password_min_classes', '3');
select is(tests.weakp_reason($$ select app_hidden.register('pp4@example.com', 'all lower case words', null, '192.0.2.80', 'ua') $$), 'composition',
  'with password_min_classes = 3, one class is composition');
select is(tests.weakp_reason($$ select app_hidden.register('pp4@example.com', 'Mixed Case 4 words', null, '192.0.2.80', 'ua') $$), null,
  '...and four classes pass');
select tests.set_auth_config('password_min_classes', '0');

-- History: change_password (the user signed in) and reset_password refuse the last N.
select tests.remember('pat', tests.returning_id($$ select (app_hidden.register('pat@example.com', 'first good passphrase', 'Pat', '192.0.2.81', 'ua')).user_id $$));
select tests.authenticate_as(tests.id('pat'));
select is(tests.weakp_reason($$ select app_hidden.change_password('first good passphrase', 'first good passphrase') $$), 'reused',
  'the current password cannot be set again');
select is(app_hidden.change_password('first good passphrase', 'second good passphrase'), true, 'a new one can');
select is(tests.password_history_count(tests.id('pat')), 1, 'the replaced hash joins the history');
select is(tests.weakp_reason($$ select app_hidden.change_password('second good passphrase', 'first good passphrase') $$), 'reused',
  'a recent one cannot come back');
select tests.set_auth_config('password_history', '1');
select is(tests.weakp_reason($$ select app_hidden.change_password('second good passphrase', 'first good passphrase') $$), null,
  'with password_history = 1 only the current one is refused');
select throws_ok($$ select app_hidden.change_password('first good passphrase', 'password1234') $$, 'WEAKP', null,
  'change_password applies the common list too');
select tests.clear_authentication();

-- Expiry is opt-in (NIST: none by default): the right but old password answers PWEXP.
select set_config('jwt.claims.role', current_setting('role'), true), set_config('role', 'auth_edge', true);
select is((app_hidden.login('pat@example.com', 'first good passphrase', '192.0.2.82', 'ua')).error, null,
  'without password_max_age an old password signs in');
select tests.age_password(tests.id('pat'), '100 days');
select is((app_hidden.login('pat@example.com', 'first good passphrase', '192.0.2.82', 'ua')).error, null, '...however old');
select tests.set_auth_config('password_max_age', '90 days');
select is((app_hidden.login('pat@example.com', 'first good passphrase', '192.0.2.82', 'ua')).error, 'PWEXP',
  'with password_max_age = 90 days a 100-day-old password is PWEXP');
select is((app_hidden.login('pat@example.com', 'not the passphrase', '192.0.2.82', 'ua')).error, 'CREDS',
  'a wrong one is still CREDS (the expiry is told only to the right password)');
select app_hidden.request_password_reset('pat@example.com', '192.0.2.82');
select app_hidden.reset_password(tests.last_mail('pat@example.com', 'reset_password') #>> '{data,token}', 'third good passphrase', '192.0.2.82');
select is((app_hidden.login('pat@example.com', 'third good passphrase', '192.0.2.82', 'ua')).error, null,
  'a reset sets a fresh password that signs in');
select tests.clear_authentication();

select * from finish();
