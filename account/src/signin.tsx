import { useEffect, useState } from 'preact/hooks';
import type { MfaFactorRef, SignInResult } from '../../client/src/index.ts';
import { auth } from './api.ts';
import { Alert, Done, field, Link, navigate, useAction } from './ui.tsx';

export type FactorRef = MfaFactorRef;

/** After a first factor: the MFA challenge when one is pending, else the account page. */
export function signedIn(r: SignInResult): void {
  if (r.mfaRequired) {
    sessionStorage.setItem('pgauth-mfa-factors', JSON.stringify(r.factors));
    navigate('/account/mfa');
  } else navigate('/account');
}

export function useProviders(): string[] {
  const [providers, setProviders] = useState<string[]>([]);
  useEffect(() => {
    fetch('/auth/providers', { credentials: 'include' })
      .then((r) => (r.ok ? r.json() : { providers: [] }))
      .then((b: { providers?: string[] }) => setProviders(b.providers ?? []))
      .catch(() => setProviders([]));
  }, []);
  return providers;
}

export const providerName = (p: string) => p.charAt(0).toUpperCase() + p.slice(1);

export function SignIn() {
  const password = useAction();
  const emailCode = useAction();
  const passkey = useAction();
  const [codeFor, setCodeFor] = useState<string | null>(null);
  const providers = useProviders();
  return (
    <>
      <h1>Sign in</h1>
      <section class="card" aria-labelledby="pw-h">
        <h2 id="pw-h">With your password</h2>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const f = e.currentTarget;
            password.run(async () => {
              signedIn(await auth.signIn({ email: field(f, 'email'), password: field(f, 'password') }));
            });
          }}
        >
          <label>
            Email
            <input name="email" type="email" autocomplete="username" required />
          </label>
          <label>
            Password
            <input name="password" type="password" autocomplete="current-password" required />
          </label>
          <button type="submit" disabled={password.busy}>
            Sign in
          </button>
          <Alert error={password.error} />
        </form>
        <p class="muted">
          <Link href="/account/forgot-password">Forgot your password?</Link> ·{' '}
          <Link href="/account/sign-up">Create an account</Link>
        </p>
      </section>

      <section class="card" aria-labelledby="em-h">
        <h2 id="em-h">With a code by email</h2>
        {codeFor === null ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              const email = field(e.currentTarget, 'email');
              emailCode.run(async () => {
                await auth.signIn({ emailLink: email });
                setCodeFor(email);
              });
            }}
          >
            <label>
              Email for the code
              <input name="email" type="email" autocomplete="email" required />
            </label>
            <button type="submit" class="secondary" disabled={emailCode.busy}>
              Email me a sign-in link and code
            </button>
          </form>
        ) : (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              const code = field(e.currentTarget, 'code');
              emailCode.run(async () => {
                signedIn(await auth.signIn({ emailCode: { email: codeFor, code } }));
              });
            }}
          >
            <p role="status">If {codeFor} has an account, a link and a 6-digit code are on their way.</p>
            <label>
              6-digit code
              <input name="code" inputMode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required />
            </label>
            <button type="submit" disabled={emailCode.busy}>
              Sign in with the code
            </button>
          </form>
        )}
        <Alert error={emailCode.error} />
      </section>

      <section class="card" aria-labelledby="other-h">
        <h2 id="other-h">Other ways</h2>
        <div class="row">
          <button
            type="button"
            class="secondary"
            disabled={passkey.busy}
            onClick={() => passkey.run(async () => signedIn(await auth.signIn({ passkey: true })))}
          >
            Sign in with a passkey
          </button>
          {providers.map((p) => (
            <a key={p} class="button secondary" href={`/auth/${encodeURIComponent(p)}/start?returnTo=/account`}>
              Continue with {providerName(p)}
            </a>
          ))}
        </div>
        <Alert error={passkey.error} />
      </section>
    </>
  );
}

export function SignUp() {
  const a = useAction();
  return (
    <>
      <h1>Create an account</h1>
      <section class="card" aria-label="Sign-up form">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const f = e.currentTarget;
            a.run(async () => {
              signedIn(
                await auth.signUp({ email: field(f, 'email'), password: field(f, 'password'), name: field(f, 'name') || undefined }),
              );
            });
          }}
        >
          <label>
            Name
            <input name="name" type="text" autocomplete="name" />
          </label>
          <label>
            Email
            <input name="email" type="email" autocomplete="email" required />
          </label>
          <label>
            Password (10 characters or more)
            <input name="password" type="password" autocomplete="new-password" minLength={10} required />
          </label>
          <button type="submit" disabled={a.busy}>
            Create my account
          </button>
          <Alert error={a.error} />
        </form>
        <p class="muted">
          Already have an account? <Link href="/account/sign-in">Sign in</Link>
        </p>
      </section>
    </>
  );
}

export function ForgotPassword() {
  const a = useAction();
  return (
    <>
      <h1>Forgot your password?</h1>
      <section class="card" aria-label="Password reset request">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const email = field(e.currentTarget, 'email');
            a.run(async () => {
              await auth.graphql('mutation ($e: String!) { requestPasswordReset(input: { email: $e }) { success } }', { e: email });
              return `If ${email} has an account, a link to choose a new password is on its way.`;
            });
          }}
        >
          <label>
            Email
            <input name="email" type="email" autocomplete="email" required />
          </label>
          <button type="submit" disabled={a.busy}>
            Email me a reset link
          </button>
          <Alert error={a.error} />
          <Done text={a.done} />
        </form>
        <p class="muted">
          <Link href="/account/sign-in">Back to sign in</Link>
        </p>
      </section>
    </>
  );
}
