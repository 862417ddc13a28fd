-- App-initiated OAuth for native apps (issue 15, Q1): one-time codes, hashed, bound to the
-- app, its redirect URI, its PKCE S256 challenge and the session; edge role only; single use.
-- (Expiry is moved in time in test/oauth/native-app.test.ts, which owns the row as the owner.)
select plan(29);

select tests.remember('ann', tests.create_user('native-ann@example.com'));
select tests.remember('ann_sid', tests.create_session(tests.id('ann')));
select tests.remember('ann_sid2', tests.create_session(tests.id('ann')));

create temp table pkce as
  select v.verifier, rtrim(translate(encode(sha256(convert_to(v.verifier, 'UTF8')), 'base64'), '+/', '-_'), '=') as challenge
  from (values (repeat('v', 43) || '-._~0123456789')) v(verifier);
grant select on pkce to public;

-- Request roles: no way in.
select throws_ok(
  format($f$do $d$ begin perform set_config('role', %L, true); perform %s; end $d$$f$, r.role, f.call),
  '42501', null, format('Q1: %s cannot call %s (edge only)', r.role, f.name))
from (values (1, 'anonymous'), (2, 'app_user'), (3, 'bot')) r(o, role)
cross join (values
  (1, 'native_code_issue', $$app_hidden.native_code_issue(null, 'myapp', 'http://127.0.0.1/cb', null)$$),
  (2, 'native_code_exchange', $$app_hidden.native_code_exchange('x', 'myapp', 'http://127.0.0.1/cb', 'v', null, null)$$)
) f(o, name, call)
order by r.o, f.o;
select tests.authenticate_as(tests.id('ann'), tests.id('ann_sid'));
select throws_ok($$ select * from app_private.native_codes $$, '42501', null, 'Q1: codes are unreachable to request roles');
select tests.clear_authentication();

-- Issuing (as the edge).
select throws_ok($$ select tests.as_edge(format('select app_hidden.native_code_issue(%L, ''myapp'', ''http://127.0.0.1:5000/cb'', null)', tests.id('ann_sid'))) $$,
  '22023', null, 'Q1: no code without a PKCE S256 challenge');
select throws_ok($$ select tests.as_edge(format('select app_hidden.native_code_issue(%L, ''myapp'', ''http://127.0.0.1:5000/cb'', ''plain-text-challenge'')', tests.id('ann_sid'))) $$,
  '22023', null, 'Q1: a challenge that is not a S256 value is refused');

create temp table codes (name text primary key, code text);
grant select, insert on codes to public;
insert into codes
  select n, tests.as_edge(format('select app_hidden.native_code_issue(%L, ''myapp'', ''http://127.0.0.1:5000/cb'', %L)',
                                 tests.id(case when n = 'wrongv' then 'ann_sid' else 'ann_sid2' end), (select challenge from pkce)))
  from unnest(array['wrongv', 'otherapp', 'otheruri', 'good']) n;
select matches((select code from codes where name = 'good'), '^[A-Za-z0-9_-]{43}$', 'Q1: a code is 256 random bits, base64url');
select is((select count(distinct code)::int from codes), 4, 'every code is new');

-- Redeeming: every failure is GRANT, and uses the code up.
create or replace function pg_temp.redeem(p_name text, p_client text, p_uri text, p_verifier text) returns text
language sql as $$
  select tests.as_edge(format('select coalesce(error, ''ok:'' || session_id::text || '':'' || length(refresh_token)) from app_hidden.native_code_exchange(%L, %L, %L, %L, null, null)',
                              (select code from codes where name = p_name), p_client, p_uri, p_verifier))
$$;
select is(pg_temp.redeem('wrongv', 'myapp', 'http://127.0.0.1:5000/cb', repeat('w', 43)), 'GRANT', 'Q1: a wrong verifier is GRANT');
select is(pg_temp.redeem('wrongv', 'myapp', 'http://127.0.0.1:5000/cb', (select verifier from pkce)), 'GRANT',
  'Q1: ... and the code is used up: the right verifier after it is GRANT too');
select is(tests.session_revoked(tests.id('ann_sid')), 'code_reuse', 'Q1: presenting a used code again revokes the session it was for');
select is(pg_temp.redeem('otherapp', 'other', 'http://127.0.0.1:5000/cb', (select verifier from pkce)), 'GRANT', 'Q1: another app''s code is GRANT');
select is(pg_temp.redeem('otheruri', 'myapp', 'http://127.0.0.1:5001/cb', (select verifier from pkce)), 'GRANT', 'Q1: another redirect URI (another port) is GRANT');
select is(pg_temp.redeem('good', 'myapp', 'http://127.0.0.1:5000/cb', 'short'), 'GRANT', 'Q1: a malformed verifier is GRANT');
select is(tests.as_edge($$select error from app_hidden.native_code_exchange(repeat('A', 43), 'myapp', 'http://127.0.0.1:5000/cb', repeat('v', 43), null, null)$$),
  'GRANT', 'Q1: an unknown code is GRANT');

-- A fresh code redeemed once: the session, with a new refresh token.
insert into codes values ('fresh', tests.as_edge(format('select app_hidden.native_code_issue(%L, ''myapp'', ''http://127.0.0.1:5000/cb'', %L)',
                                                       tests.id('ann_sid2'), (select challenge from pkce))));
select is(pg_temp.redeem('fresh', 'myapp', 'http://127.0.0.1:5000/cb', (select verifier from pkce)), 'ok:' || tests.id('ann_sid2') || ':43',
  'Q1: the right app, redirect URI and verifier get the session and a refresh token');
select is(pg_temp.redeem('fresh', 'myapp', 'http://127.0.0.1:5000/cb', (select verifier from pkce)), 'GRANT', 'Q1: a code works once');
select is(tests.session_revoked(tests.id('ann_sid2')), 'code_reuse', 'Q1: a second redemption revokes the session the first one handed out');
select throws_ok($$ select tests.as_edge(format('select app_hidden.native_code_issue(%L, ''myapp'', ''http://127.0.0.1:5000/cb'', %L)', tests.id('ann_sid'), (select challenge from pkce))) $$,
  '22023', null, 'Q1: no code for a revoked session');

-- ID tokens are used once (Q2).
select tests.authenticate_as(tests.id('ann'));
select throws_ok($$ select app_hidden.id_token_first_use(sha256('x'), now() + interval '1 hour') $$, '42501', null,
  'Q2: a request role cannot record ID-token uses (edge only)');
select tests.clear_authentication();
select is(tests.as_edge($$select app_hidden.id_token_first_use(sha256('iss|nonce-1'), now() + interval '10 minutes')$$), 'true',
  'Q2: the first use of an ID token is accepted');
select is(tests.as_edge($$select app_hidden.id_token_first_use(sha256('iss|nonce-1'), now() + interval '10 minutes')$$), 'false',
  'Q2: the same ID token again is a replay');

-- Q2: an ID-token sign-in (no provider tokens) keeps the tokens a redirect sign-in stored.
select is(tests.as_edge($$select (app_hidden.oauth_sign_in('g', 'https://idp.example', 'sub-keep', 'keep@example.com', '{}',
  false, 'k1', '\x0102'::bytea, null, now() + interval '1 hour', '192.0.2.80', 'ua')).error$$), null,
  'a redirect sign-in stores the provider''s tokens');
select is(tests.as_edge($$select (app_hidden.oauth_sign_in('g', 'https://idp.example', 'sub-keep', 'keep@example.com', '{}',
  false, null, null, null, null, '192.0.2.80', 'ua')).error$$), null, 'the same identity signs in with an ID token');
select is(tests.identity_access_token('https://idp.example', 'sub-keep'), '\x0102'::bytea,
  'Q2: an ID-token sign-in keeps the provider tokens an earlier redirect sign-in stored');
select tests.remember('fed_sid', tests.as_edge($$select (app_hidden.oauth_sign_in('g', 'https://idp.example', 'sub-amr',
  'amr@example.com', '{}', false, null, null, null, null, '192.0.2.81', 'ua')).session_id$$)::uuid);
select is(tests.as_edge(format('select app_hidden.session_claims(%L) ->> %L', tests.id('fed_sid'), 'amr')), '["fed"]',
  'a provider sign-in records amr fed (federated)');

select * from finish();
