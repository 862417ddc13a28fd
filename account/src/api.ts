// The pages talk to the edge only through the typed client (client/, issue 14): CSRF,
// credentials, single-flight refresh across requests and tabs, typed errors. This module
// holds the one client of the app and a few helpers around it.
import * as webauthn from '@simplewebauthn/browser';
import { AuthClientError, createAuthClient, type MfaFactorRef, type User } from '../../client/src/index.ts';

export const auth = createAuthClient({ webauthn });

export { AuthClientError as ApiError };
export type Me = User;

/** Any operation; data, or the first error thrown as an AuthClientError (its `code` typed). */
export function gql<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  return auth.graphql(query, variables) as Promise<T>;
}

/** The signed-in user; null when signed out; `pending` when the session waits for its second
 * factor (also right after a provider's redirect, which this tab did not see start). */
export async function currentUser(): Promise<Me | null | { pending: MfaFactorRef[] }> {
  const user = await auth.getUser().catch(() => null);
  if (user) return auth.state.status === 'mfa-required' ? { pending: auth.state.mfaFactors } : user;
  if (auth.state.status === 'mfa-required') return { pending: auth.state.mfaFactors };
  // No session known to this browser's client: a provider's callback may have set one.
  const r = await auth.execute<{ refresh: { mfaRequired: boolean; mfaFactors: MfaFactorRef[] | null } | null }>(
    'mutation { refresh { mfaRequired mfaFactors { id kind friendlyName } } }',
  );
  const renewed = r.data?.refresh;
  if (!renewed) return null;
  if (renewed.mfaRequired) return { pending: renewed.mfaFactors ?? [] };
  return auth.getUser().catch(() => null);
}

export function messageOf(e: unknown): string {
  if (e instanceof AuthClientError) return `${e.message} (${e.code})`;
  return e instanceof Error ? e.message : String(e);
}
