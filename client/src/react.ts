/**
 * React bindings: <AuthProvider client={auth}>, useAuth() (the client and its state) and
 * useUser() (the signed-in user or null). React is an optional peer; these are written
 * against the few hooks they use, so they also work with preact/compat.
 *
 *   const auth = createAuthClient();
 *   root.render(createElement(AuthProvider, { client: auth }, createElement(App)));
 *   function App() { const { user, status, client } = useAuth(); ... }
 */
// biome-ignore lint/suspicious/noTsIgnore: react is an optional peer whose types may be absent (no @types/react here)
// @ts-ignore
import * as ReactModule from 'react';
import type { AuthClient, AuthState, User } from './index.ts';

interface ContextLike<T> {
  Provider: unknown;
  readonly __value?: T;
}
interface ReactLike {
  createContext<T>(value: T): ContextLike<T>;
  useContext<T>(context: ContextLike<T>): T;
  useEffect(effect: () => undefined | (() => void), deps?: unknown[]): void;
  useSyncExternalStore<T>(subscribe: (onChange: () => void) => () => void, get: () => T, server?: () => T): T;
  createElement(type: unknown, props: Record<string, unknown> | null, ...children: unknown[]): unknown;
}
const React = ReactModule as unknown as ReactLike;

const AuthContext = React.createContext<AuthClient | null>(null);

/** Provides the client to useAuth/useUser and reads the user once when mounted. */
export function AuthProvider(props: { client: AuthClient; children?: unknown }): unknown {
  const { client } = props;
  React.useEffect(() => {
    if (client.state.status === 'unknown') client.getUser().catch(() => {});
    return undefined;
  }, [client]);
  return React.createElement(AuthContext.Provider, { value: client }, props.children);
}

export interface UseAuth extends AuthState {
  client: AuthClient;
  signIn: AuthClient['signIn'];
  signUp: AuthClient['signUp'];
  signOut: AuthClient['signOut'];
  completeMfa: AuthClient['completeMfa'];
}

/** The client and its state; re-renders on every change of state (sign-in, sign-out, MFA). */
export function useAuth(): UseAuth {
  const client = React.useContext(AuthContext);
  if (!client) throw new Error('useAuth() needs an <AuthProvider client={...}> above it');
  const state = React.useSyncExternalStore(
    (onChange) => client.onAuthStateChange(() => onChange()),
    () => client.state,
    () => client.state,
  );
  return {
    ...state,
    client,
    signIn: client.signIn,
    signUp: client.signUp,
    signOut: client.signOut,
    completeMfa: client.completeMfa,
  };
}

/** The signed-in user, or null (also while the first read is under way: see useAuth().status). */
export function useUser(): User | null {
  return useAuth().user;
}
