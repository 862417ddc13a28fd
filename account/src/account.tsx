import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, auth, gql, type Me } from './api.ts';
import { providerName, useProviders } from './signin.tsx';
import { Alert, Done, field, Link, navigate, useAction } from './ui.tsx';

function useData<T>(query: string): { data: T | null; error: string | null; reload: () => Promise<void> } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(
    () =>
      gql<T>(query)
      .then((d) => {
        setData(d);
        setError(null);
      })
      .catch((e) => setError(e instanceof ApiError ? `${e.message} (${e.code})` : String(e))),
    [query],
  );
  useEffect(() => {
    reload();
  }, [reload]);
  return { data, error, reload };
}

const when = (t: string | null | undefined) => (t ? new Date(t).toLocaleString() : 'never');

function Card(p: { id: string; title: string; children: ComponentChildren }) {
  return (
    <section class="card" id={p.id} aria-labelledby={`${p.id}-h`}>
      <h2 id={`${p.id}-h`}>{p.title}</h2>
      {p.children}
    </section>
  );
}

/** MFARQ: the action needs a second factor first. */
function StepUp(p: { error: string | null }) {
  if (!p.error?.includes('(MFARQ)')) return <Alert error={p.error} />;
  return (
    <p role="alert" class="alert">
      Confirm it is you with your second factor first.{' '}
      <Link href="/account/mfa">Verify now</Link>
    </p>
  );
}

function RecoveryCodes(p: { codes: string[] | null }) {
  if (!p.codes?.length) return null;
  return (
    <div role="status">
      <p>
        <strong>Your recovery codes.</strong> Store them somewhere safe: each works once, and they are shown only now.
      </p>
      <ul class="codes" aria-label="Recovery codes">
        {p.codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ul>
    </div>
  );
}

function Profile(p: { me: Me; reload: () => void }) {
  const a = useAction();
  const verify = useAction();
  return (
    <Card id="profile" title="Profile">
      <p>
        Email: <strong>{p.me.email}</strong> {p.me.emailVerified ? '(verified)' : '(not verified)'}
      </p>
      {!p.me.emailVerified ? (
        <p>
          <button
            type="button"
            class="secondary"
            disabled={verify.busy}
            onClick={() =>
              verify.run(async () => {
                await gql('mutation { resendVerificationEmail { success } }');
                return 'A verification link is on its way.';
              })
            }
          >
            Send the verification email again
          </button>
          <Alert error={verify.error} />
          <Done text={verify.done} />
        </p>
      ) : null}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const name = field(e.currentTarget, 'name');
          a.run(async () => {
            await gql(
              'mutation ($id: UUID!, $n: String) { updateUserByRowId(input: { rowId: $id, userPatch: { displayName: $n } }) { user { displayName } } }',
              { id: p.me.id, n: name || null },
            );
            p.reload();
            return 'Name saved.';
          });
        }}
      >
        <label>
          Display name
          <input name="name" type="text" autocomplete="name" defaultValue={p.me.displayName ?? ''} />
        </label>
        <button type="submit" disabled={a.busy}>
          Save name
        </button>
        <Alert error={a.error} />
        <Done text={a.done} />
      </form>
    </Card>
  );
}

function EmailChange() {
  const a = useAction();
  return (
    <Card id="email" title="Email address">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const f = e.currentTarget;
          const email = field(f, 'newEmail');
          a.run(async () => {
            await gql('mutation ($e: String!, $p: String!) { changeEmail(input: { newEmail: $e, password: $p }) { success } }', {
              e: email,
              p: field(f, 'password'),
            });
            f.reset();
            return `Open the link sent to ${email} to confirm it. Until then your address stays the same.`;
          });
        }}
      >
        <label>
          New email
          <input name="newEmail" type="email" autocomplete="email" required />
        </label>
        <label>
          Current password
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        <button type="submit" disabled={a.busy}>
          Change email
        </button>
        <StepUp error={a.error} />
        <Done text={a.done} />
      </form>
    </Card>
  );
}

function PasswordChange() {
  const a = useAction();
  return (
    <Card id="password" title="Password">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const f = e.currentTarget;
          a.run(async () => {
            await gql('mutation ($o: String!, $n: String!) { changePassword(input: { oldPassword: $o, newPassword: $n }) { success } }', {
              o: field(f, 'old'),
              n: field(f, 'new'),
            });
            f.reset();
            return 'Password changed. Your other sessions were signed out.';
          });
        }}
      >
        <label>
          Current password
          <input name="old" type="password" autocomplete="current-password" required />
        </label>
        <label>
          New password
          <input name="new" type="password" autocomplete="new-password" minLength={10} required />
        </label>
        <button type="submit" disabled={a.busy}>
          Change password
        </button>
        <StepUp error={a.error} />
        <Done text={a.done} />
      </form>
    </Card>
  );
}

interface Factor {
  rowId: string;
  kind: string;
  friendlyName: string | null;
  status: string;
  createdAt: string;
  lastUsedAt: string | null;
}
const FACTORS = '{ myMfaFactors { nodes { rowId kind friendlyName status createdAt lastUsedAt } } }';

function TwoFactor() {
  const { data, error, reload } = useData<{ myMfaFactors: { nodes: Factor[] } }>(FACTORS);
  const [enrolment, setEnrolment] = useState<{ factorId: string; qrCode: string; secret: string } | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  // The number a code was texted to, while its enrolment waits for that code (verifyPhone).
  const [phone, setPhone] = useState<string | null>(null);
  const a = useAction();
  const factors = (data?.myMfaFactors.nodes ?? []).filter((f) => f.kind !== 'webauthn' && f.status === 'active');
  return (
    <Card id="mfa" title="Two-step verification">
      <Alert error={error} />
      <ul class="list" aria-label="Second factors">
        {factors.map((f) => (
          <li key={f.rowId}>
            <span>
              {f.kind === 'totp' ? 'Authenticator app' : 'Phone'}
              {f.friendlyName && f.kind === 'totp' ? ` “${f.friendlyName}”` : ''}
              {f.kind === 'sms' && f.friendlyName ? ` (${f.friendlyName.replace(/^Phone /, '')})` : ''} <span class="muted">last used {when(f.lastUsedAt)}</span>
            </span>
            <button
              type="button"
              class="danger"
              onClick={() =>
                a.run(async () => {
                  await gql('mutation ($id: UUID) { removeMfaFactor(input: { id: $id }) { result } }', { id: f.rowId });
                  await reload();
                  return 'Factor removed.';
                })
              }
            >
              Remove {f.friendlyName ?? f.kind}
            </button>
          </li>
        ))}
        {data && factors.length === 0 ? <li>No authenticator app yet.</li> : null}
      </ul>
      {enrolment ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const code = field(e.currentTarget, 'code');
            a.run(async () => {
              const r = await gql<{ verifyTotpEnrollment: { recoveryCodes: string[] | null } }>(
                'mutation ($f: UUID!, $c: String!) { verifyTotpEnrollment(input: { factorId: $f, code: $c }) { recoveryCodes } }',
                { f: enrolment.factorId, c: code },
              );
              setEnrolment(null);
              setCodes(r.verifyTotpEnrollment.recoveryCodes);
              await reload();
              return 'Authenticator app added.';
            });
          }}
        >
          <p>Scan this code with your authenticator app, then enter the 6-digit code it shows.</p>
          <img class="qr" src={enrolment.qrCode} alt="QR code to add this account to an authenticator app" />
          <p class="muted">
            Or type this key: <code class="secret">{enrolment.secret}</code>
          </p>
          <label>
            Code from the app
            <input name="code" inputMode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required />
          </label>
          <button type="submit" disabled={a.busy}>
            Turn on
          </button>
        </form>
      ) : (
        <div class="row">
          <button
            type="button"
            disabled={a.busy}
            onClick={() =>
              a.run(async () => {
                const r = await gql<{ enrollTotp: { factorId: string; qrCode: string; secret: string } }>(
                  'mutation { enrollTotp(input: { friendlyName: "Authenticator" }) { factorId qrCode secret } }',
                );
                setCodes(null);
                setEnrolment(r.enrollTotp);
              })
            }
          >
            Set up an authenticator app
          </button>
          {factors.length ? (
            <button
              type="button"
              class="secondary"
              onClick={() =>
                a.run(async () => {
                  const r = await gql<{ regenerateRecoveryCodes: { result: string[] } }>(
                    'mutation { regenerateRecoveryCodes(input: {}) { result } }',
                  );
                  setCodes(r.regenerateRecoveryCodes.result);
                })
              }
            >
              New recovery codes
            </button>
          ) : null}
        </div>
      )}
      {enrolment ? null : phone ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const code = field(e.currentTarget, 'code');
            a.run(async () => {
              const r = await gql<{ verifyPhone: { recoveryCodes: string[] | null } }>(
                'mutation ($c: String!) { verifyPhone(input: { code: $c }) { recoveryCodes } }',
                { c: code },
              );
              setPhone(null);
              setCodes(r.verifyPhone.recoveryCodes);
              await reload();
              return 'Phone added.';
            });
          }}
        >
          <p>
            A code is on its way to <strong>{phone}</strong> by SMS.
          </p>
          <label>
            Code from the SMS
            <input name="code" inputMode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required />
          </label>
          <div class="row">
            <button type="submit" disabled={a.busy}>
              Add this phone
            </button>
            <button type="button" class="secondary" onClick={() => setPhone(null)}>
              Use another number
            </button>
          </div>
        </form>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const number = field(e.currentTarget, 'phone').replace(/[\s()-]/g, '');
            a.run(async () => {
              await gql('mutation ($p: String!) { enrollPhone(input: { phone: $p }) { factorId } }', { p: number });
              setCodes(null);
              setPhone(number);
            });
          }}
        >
          <label>
            Phone number for SMS codes (international format, e.g. +15551234567)
            <input name="phone" type="tel" autocomplete="tel" required />
          </label>
          <button type="submit" class="secondary" disabled={a.busy}>
            Text me a code
          </button>
        </form>
      )}
      <StepUp error={a.error} />
      <Done text={a.done} />
      <RecoveryCodes codes={codes} />
    </Card>
  );
}

function Passkeys() {
  const { data, error, reload } = useData<{ myMfaFactors: { nodes: Factor[] } }>(FACTORS);
  const [codes, setCodes] = useState<string[] | null>(null);
  const a = useAction();
  const keys = (data?.myMfaFactors.nodes ?? []).filter((f) => f.kind === 'webauthn');
  return (
    <Card id="passkeys" title="Passkeys">
      <Alert error={error} />
      <ul class="list" aria-label="Passkeys">
        {keys.map((k) => (
          <li key={k.rowId}>
            <span>
              {k.friendlyName ?? 'Passkey'} <span class="muted">last used {when(k.lastUsedAt)}</span>
            </span>
            <button
              type="button"
              class="danger"
              onClick={() =>
                a.run(async () => {
                  await gql('mutation ($id: UUID) { removeMfaFactor(input: { id: $id }) { result } }', { id: k.rowId });
                  await reload();
                  return 'Passkey removed.';
                })
              }
            >
              Remove {k.friendlyName ?? 'passkey'}
            </button>
          </li>
        ))}
        {data && keys.length === 0 ? <li>No passkey yet.</li> : null}
      </ul>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const name = field(e.currentTarget, 'name');
          a.run(async () => {
            const r = await auth.passkeys.add(name || 'Passkey');
            setCodes(r.recoveryCodes);
            await reload();
            return 'Passkey added.';
          });
        }}
      >
        <label>
          Passkey name
          <input name="name" type="text" defaultValue="This device" />
        </label>
        <button type="submit" disabled={a.busy}>
          Add a passkey
        </button>
      </form>
      <StepUp error={a.error} />
      <Done text={a.done} />
      <RecoveryCodes codes={codes} />
    </Card>
  );
}

function TrustedDevices() {
  const { data, error, reload } = useData<{
    myTrustedDevices: { nodes: { rowId: string; userAgent: string | null; expiresAt: string; isCurrent: boolean }[] };
  }>('{ myTrustedDevices { nodes { rowId userAgent expiresAt isCurrent } } }');
  const a = useAction();
  const devices = data?.myTrustedDevices.nodes ?? [];
  return (
    <Card id="devices" title="Trusted devices">
      <Alert error={error} />
      <p class="muted">Browsers that skip the second step until the date shown.</p>
      <ul class="list" aria-label="Trusted devices">
        {devices.map((d) => (
          <li key={d.rowId}>
            <span>
              {d.userAgent ?? 'Unknown browser'}
              {d.isCurrent ? ' (this browser)' : ''} <span class="muted">until {when(d.expiresAt)}</span>
            </span>
            <button
              type="button"
              class="secondary"
              onClick={() =>
                a.run(async () => {
                  await gql('mutation ($id: UUID) { forgetTrustedDevice(input: { id: $id }) { result } }', { id: d.rowId });
                  await reload();
                  return 'Device forgotten.';
                })
              }
            >
              Forget
            </button>
          </li>
        ))}
        {data && devices.length === 0 ? <li>No trusted device.</li> : null}
      </ul>
      <Alert error={a.error} />
      <Done text={a.done} />
    </Card>
  );
}

interface SessionRow {
  rowId: string;
  userAgent: string | null;
  ip: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  isCurrent: boolean;
}

function Sessions() {
  const { data, error, reload } = useData<{ mySessions: { nodes: SessionRow[] } }>(
    '{ mySessions { nodes { rowId userAgent ip createdAt lastUsedAt isCurrent } } }',
  );
  const a = useAction();
  const sessions = data?.mySessions.nodes ?? [];
  return (
    <Card id="sessions" title="Sessions">
      <Alert error={error} />
      <ul class="list" aria-label="Sessions">
        {sessions.map((s) => (
          <li key={s.rowId}>
            <span>
              {s.userAgent ?? 'Unknown browser'} {s.isCurrent ? <strong>(this device)</strong> : null}
              <br />
              <span class="muted">
                {s.ip ?? ''} · signed in {when(s.createdAt)}
              </span>
            </span>
            {s.isCurrent ? null : (
              <button
                type="button"
                class="secondary"
                onClick={() =>
                  a.run(async () => {
                    await auth.sessions.revoke(s.rowId);
                    await reload();
                    return 'Session signed out.';
                  })
                }
              >
                Sign out
              </button>
            )}
          </li>
        ))}
      </ul>
      <div class="row">
        <button
          type="button"
          class="secondary"
          onClick={() =>
            a.run(async () => {
              const count = await auth.sessions.revokeOthers();
              await reload();
              return `Signed out ${count} other session(s).`;
            })
          }
        >
          Sign out everywhere else
        </button>
        <button
          type="button"
          class="danger"
          onClick={() =>
            a.run(async () => {
              await auth.signOut();
              navigate('/account/sign-in');
            })
          }
        >
          Sign out this device
        </button>
      </div>
      <Alert error={a.error} />
      <Done text={a.done} />
    </Card>
  );
}

function Providers() {
  const { data, error, reload } = useData<{ myIdentities: { nodes: { provider: string; email: string | null; linkedAt: string }[] } }>(
    '{ myIdentities { nodes { provider email linkedAt } } }',
  );
  const configured = useProviders();
  const a = useAction();
  const linked = data?.myIdentities.nodes ?? [];
  const unlinked = configured.filter((p) => !linked.some((l) => l.provider === p));
  return (
    <Card id="providers" title="Linked accounts">
      <Alert error={error} />
      <ul class="list" aria-label="Linked accounts">
        {linked.map((l) => (
          <li key={l.provider}>
            <span>
              {providerName(l.provider)} <span class="muted">{l.email ?? ''} · linked {when(l.linkedAt)}</span>
            </span>
            <button
              type="button"
              class="secondary"
              onClick={() =>
                a.run(async () => {
                  await auth.identities.unlink(l.provider);
                  await reload();
                  return `${providerName(l.provider)} unlinked.`;
                })
              }
            >
              Unlink {providerName(l.provider)}
            </button>
          </li>
        ))}
        {data && linked.length === 0 ? <li>No linked account.</li> : null}
      </ul>
      <div class="row">
        {unlinked.map((p) => (
          <button
            key={p}
            type="button"
            class="secondary"
            onClick={() =>
              a.run(async () => {
                // auth.identities.link(p) returns to POST_LOGIN_REDIRECT; these pages come back here.
                const r = await auth.fetch(`/auth/${encodeURIComponent(p)}/link?returnTo=/account`, { method: 'POST' });
                const body = (await r.json()) as { url?: string; error?: { code: string; message: string } };
                if (!body.url) throw new Error(`${body.error?.message ?? 'Link failed'} (${body.error?.code ?? r.status})`);
                location.assign(body.url);
              })
            }
          >
            Link {providerName(p)}
          </button>
        ))}
      </div>
      <Alert error={a.error} />
      <Done text={a.done} />
    </Card>
  );
}

interface Key {
  rowId: string;
  name: string;
  prefix: string;
  permissions: string[];
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

function ApiKeys() {
  const { data, error, reload } = useData<{ myApiKeys: { nodes: Key[] } }>(
    '{ myApiKeys { nodes { rowId name prefix permissions expiresAt lastUsedAt revokedAt } } }',
  );
  const [created, setCreated] = useState<string | null>(null);
  const a = useAction();
  const keys = (data?.myApiKeys.nodes ?? []).filter((k) => !k.revokedAt);
  return (
    <Card id="api-keys" title="API keys">
      <Alert error={error} />
      <ul class="list" aria-label="API keys">
        {keys.map((k) => (
          <li key={k.rowId}>
            <span>
              {k.name} <code>{k.prefix}</code>{' '}
              <span class="muted">
                {k.permissions.length ? k.permissions.join(', ') : 'no permissions'} · expires{' '}
                {k.expiresAt ? when(k.expiresAt) : 'never'} · last used {when(k.lastUsedAt)}
              </span>
            </span>
            <button
              type="button"
              class="danger"
              onClick={() =>
                a.run(async () => {
                  await gql('mutation ($id: UUID) { revokeApiKey(input: { id: $id }) { clientMutationId } }', { id: k.rowId });
                  setCreated(null);
                  await reload();
                  return `Key ${k.name} revoked.`;
                })
              }
            >
              Revoke {k.name}
            </button>
          </li>
        ))}
        {data && keys.length === 0 ? <li>No API key.</li> : null}
      </ul>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const f = e.currentTarget;
          const permissions = field(f, 'permissions')
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
          a.run(async () => {
            const r = await gql<{ createApiKey: { result: { key: string } } }>(
              'mutation ($n: String, $p: [String]) { createApiKey(input: { name: $n, permissions: $p }) { result { apiKeyId prefix key } } }',
              { n: field(f, 'name'), p: permissions },
            );
            setCreated(r.createApiKey.result.key);
            f.reset();
            await reload();
          });
        }}
      >
        <label>
          Key name
          <input name="name" type="text" required />
        </label>
        <label>
          Permissions (comma-separated, ones you hold; empty for none)
          <input name="permissions" type="text" />
        </label>
        <button type="submit" disabled={a.busy}>
          Create an API key
        </button>
      </form>
      {created ? (
        <div role="status">
          <p>Copy your new key now; it is not shown again:</p>
          <p>
            <code class="secret" data-testid="new-api-key">
              {created}
            </code>
          </p>
        </div>
      ) : null}
      <Alert error={a.error} />
      <Done text={a.done} />
    </Card>
  );
}

export function AccountPage(p: { me: Me; reload: () => void }) {
  return (
    <>
      <h1>Your account</h1>
      <nav class="toc" aria-label="Sections">
        <ul>
          {[
            ['profile', 'Profile'],
            ['email', 'Email'],
            ['password', 'Password'],
            ['mfa', 'Two-step verification'],
            ['passkeys', 'Passkeys'],
            ['devices', 'Trusted devices'],
            ['sessions', 'Sessions'],
            ['providers', 'Linked accounts'],
            ['api-keys', 'API keys'],
          ].map(([id, label]) => (
            <li key={id}>
              <a href={`#${id}`}>{label}</a>
            </li>
          ))}
        </ul>
      </nav>
      <Profile me={p.me} reload={p.reload} />
      <EmailChange />
      <PasswordChange />
      <TwoFactor />
      <Passkeys />
      <TrustedDevices />
      <Sessions />
      <Providers />
      <ApiKeys />
    </>
  );
}

export { navigate };
