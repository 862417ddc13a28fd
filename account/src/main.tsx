import { render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { AccountPage } from './account.tsx';
import { currentUser, type Me } from './api.ts';
import { MfaChallenge } from './mfa.tsx';
import { ForgotPassword, SignIn, SignUp } from './signin.tsx';
import { Link, navigate } from './ui.tsx';
import './style.css';

const TITLES: Record<string, string> = {
  '/account/sign-in': 'Sign in',
  '/account/sign-up': 'Create an account',
  '/account/forgot-password': 'Forgot your password',
  '/account/mfa': 'Two-step verification',
  '/account': 'Your account',
};

function usePath(): string {
  const [path, setPath] = useState(location.pathname.replace(/\/+$/, '') || '/account');
  useEffect(() => {
    const on = () => setPath(location.pathname.replace(/\/+$/, '') || '/account');
    addEventListener('popstate', on);
    return () => removeEventListener('popstate', on);
  }, []);
  return path;
}

function App() {
  const path = usePath();
  // The user as loaded for a path: a value loaded for another page counts as still loading.
  const [state, setState] = useState<{ path: string; me: Me | null } | null>(null);
  const load = useCallback(() => {
    const at = location.pathname.replace(/\/+$/, '') || '/account';
    currentUser().then(
      (me) => {
        if (me && 'pending' in me) {
          // A first factor without the second (a provider's sign-in): the challenge.
          sessionStorage.setItem('pgauth-mfa-factors', JSON.stringify(me.pending));
          if (at !== '/account/mfa') navigate('/account/mfa');
          setState({ path: at, me: null });
        } else setState({ path: at, me });
      },
      () => setState({ path: at, me: null }),
    );
  }, []);
  useEffect(load, [path]);
  const me = state && state.path === path ? state.me : state?.me ? state.me : undefined;
  const known = state?.path === path;
  useEffect(() => {
    if (path === '/account' && known && me === null) navigate('/account/sign-in');
  }, [path, known, me]);
  const [first, setFirst] = useState(true);
  useEffect(() => {
    document.title = `${TITLES[path] ?? 'Account'} · pgauth`;
    if (first) return setFirst(false);
    // After a client-side navigation, move focus to the new page's heading so screen readers
    // and keyboards start there (not on the first load: the browser starts at the top).
    requestAnimationFrame(() => {
      const h1 = document.querySelector<HTMLElement>('main h1');
      h1?.setAttribute('tabindex', '-1');
      h1?.focus();
    });
  }, [path]);

  let page = null;
  if (path === '/account/sign-in') page = <SignIn />;
  else if (path === '/account/sign-up') page = <SignUp />;
  else if (path === '/account/forgot-password') page = <ForgotPassword />;
  else if (path === '/account/mfa') page = <MfaChallenge />;
  else if (path === '/account') {
    if (!known || me === undefined) page = <p>Loading…</p>;
    else if (me === null) page = <p>Signed out.</p>;
    else page = <AccountPage me={me} reload={load} />;
  } else
    page = (
      <>
        <h1>Page not found</h1>
        <p>
          <Link href="/account">Go to your account</Link>
        </p>
      </>
    );

  return (
    <>
      <header class="top">
        <Link href="/account">Account</Link>
        <span>{me ? me.email : <Link href="/account/sign-in">Sign in</Link>}</span>
      </header>
      <main>{page}</main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
