import { useEffect, useState } from 'preact/hooks';
import { auth, gql } from './api.ts';
import type { FactorRef } from './signin.tsx';
import { Alert, Done, field, navigate, useAction } from './ui.tsx';

/** The second factor: after a sign-in that answered mfaRequired, or a step-up (MFARQ). */
export function MfaChallenge() {
  const [factors, setFactors] = useState<FactorRef[] | null>(null);
  const totp = useAction();
  const recovery = useAction();
  const passkey = useAction();
  const sms = useAction();
  // The phone factor a code was texted to (sendMfaSmsCode), whose code verifyMfa then checks.
  const [texted, setTexted] = useState<string | null>(null);
  useEffect(() => {
    const stored = sessionStorage.getItem('pgauth-mfa-factors');
    if (auth.state.status === 'mfa-required') {
      setFactors(auth.state.mfaFactors);
      return;
    }
    if (stored) {
      setFactors(JSON.parse(stored));
      return;
    }
    // Step-up from the account page: the session is signed in at aal1 and may list its factors.
    gql<{ myMfaFactors: { nodes: { rowId: string; kind: string; friendlyName: string | null; status: string }[] } }>(
      '{ myMfaFactors { nodes { rowId kind friendlyName status } } }',
    )
      .then((r) =>
        setFactors(
          r.myMfaFactors.nodes
            .filter((f) => f.status === 'active')
            .map((f) => ({ id: f.rowId, kind: f.kind, friendlyName: f.friendlyName })),
        ),
      )
      .catch(() => setFactors([]));
  }, []);
  const finish = () => {
    sessionStorage.removeItem('pgauth-mfa-factors');
    navigate('/account');
  };
  const apps = (factors ?? []).filter((f) => f.kind === 'totp');
  const phones = (factors ?? []).filter((f) => f.kind === 'sms');
  const hasPasskey = (factors ?? []).some((f) => f.kind === 'webauthn');
  return (
    <>
      <h1>Two-step verification</h1>
      {factors === null ? <p>Loading…</p> : null}
      {apps.map((f) => (
        <section class="card" key={f.id} aria-labelledby={`f-${f.id}`}>
          <h2 id={`f-${f.id}`}>Authenticator app{f.friendlyName ? ` (${f.friendlyName})` : ''}</h2>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              const form = e.currentTarget;
              totp.run(async () => {
                await auth.completeMfa({ factorId: f.id, code: field(form, 'code'), trustDevice: field(form, 'trust') === 'true' });
                finish();
              });
            }}
          >
            <label>
              6-digit code from the app
              <input name="code" inputMode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required />
            </label>
            <label class="check">
              <input name="trust" type="checkbox" /> Trust this browser for 30 days
            </label>
            <button type="submit" disabled={totp.busy}>
              Verify
            </button>
            <Alert error={totp.error} />
          </form>
        </section>
      ))}
      {phones.map((f) => (
        <section class="card" key={f.id} aria-labelledby={`f-${f.id}`}>
          <h2 id={`f-${f.id}`}>Phone{f.friendlyName ? ` (${f.friendlyName.replace(/^Phone /, '')})` : ''}</h2>
          <p>
            <button
              type="button"
              class={texted === f.id ? 'secondary' : undefined}
              disabled={sms.busy}
              onClick={() =>
                sms.run(async () => {
                  await gql('mutation ($f: UUID!) { sendMfaSmsCode(input: { factorId: $f }) { success } }', { f: f.id });
                  setTexted(f.id);
                  return 'A code is on its way by SMS.';
                })
              }
            >
              {texted === f.id ? 'Text me a new code' : 'Text me a code'}
            </button>
          </p>
          {texted === f.id ? (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                const form = e.currentTarget;
                sms.run(async () => {
                  await auth.completeMfa({
                    factorId: f.id,
                    code: field(form, 'code'),
                    trustDevice: field(form, 'trust') === 'true',
                  });
                  finish();
                });
              }}
            >
              <label>
                6-digit code from the SMS
                <input name="code" inputMode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required />
              </label>
              <label class="check">
                <input name="trust" type="checkbox" /> Trust this browser for 30 days
              </label>
              <button type="submit" disabled={sms.busy}>
                Confirm the SMS code
              </button>
            </form>
          ) : null}
          <Alert error={sms.error} />
          <Done text={sms.done} />
        </section>
      ))}
      {hasPasskey ? (
        <section class="card" aria-labelledby="pk-h">
          <h2 id="pk-h">Passkey</h2>
          <button
            type="button"
            disabled={passkey.busy}
            onClick={() =>
              passkey.run(async () => {
                await auth.completeMfa({ passkey: true });
                finish();
              })
            }
          >
            Use a passkey
          </button>
          <Alert error={passkey.error} />
        </section>
      ) : null}
      <section class="card" aria-labelledby="rc-h">
        <h2 id="rc-h">Recovery code</h2>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const code = field(e.currentTarget, 'code');
            recovery.run(async () => {
              await auth.completeMfa({ recoveryCode: code });
              finish();
            });
          }}
        >
          <label>
            Recovery code (xxxx-xxxx-xxxx)
            <input name="code" autocomplete="off" required />
          </label>
          <button type="submit" class="secondary" disabled={recovery.busy}>
            Use a recovery code
          </button>
          <Alert error={recovery.error} />
        </form>
      </section>
      <p>
        <button
          type="button"
          class="secondary"
          onClick={async () => {
            sessionStorage.removeItem('pgauth-mfa-factors');
            await auth.signOut().catch(() => undefined);
            navigate('/account/sign-in');
          }}
        >
          Cancel and sign out
        </button>
      </p>
    </>
  );
}
