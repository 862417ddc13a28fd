/**
 * Every GraphQL document the client sends (test/browser/client.test.ts validates them all
 * against the live schema, so a renamed field fails a test, not a user).
 */
const PAYLOAD = 'userId sessionId accessTokenExpiresAt mfaRequired mfaFactors { id kind friendlyName }';
const USER = 'rowId email displayName emailVerifiedAt isAnonymous createdAt';

export const OPS = {
  refresh: `mutation PgauthRefresh { refresh { ${PAYLOAD} } }`,
  user: `query PgauthUser { currentUser { ${USER} } }`,
  passkeyStart:
    'mutation PgauthPasskeyStart($email: String) { startPasskeySignIn(input: { email: $email }) { challengeId optionsJSON } }',
  passkeyFinish: `mutation PgauthPasskeyFinish($c: UUID, $r: String!) { finishPasskeySignIn(input: { challengeId: $c, response: $r }) { ${PAYLOAD} } }`,
  popup: 'query PgauthPopup { currentUser { rowId } }',
  register: `mutation PgauthRegister($e: String!, $p: String!, $n: String) { register(input: { email: $e, password: $p, name: $n }) { ${PAYLOAD} } }`,
  login: `mutation PgauthLogin($e: String!, $p: String!) { login(input: { email: $e, password: $p }) { ${PAYLOAD} } }`,
  signInEmail: 'mutation PgauthSignInEmail($e: String!) { requestSignInEmail(input: { email: $e }) { success } }',
  emailToken: `mutation PgauthEmailToken($t: String!) { signInWithEmailToken(input: { token: $t }) { ${PAYLOAD} } }`,
  emailCode: `mutation PgauthEmailCode($e: String!, $c: String!) { signInWithEmailCode(input: { email: $e, code: $c }) { ${PAYLOAD} } }`,
  recovery: `mutation PgauthRecovery($c: String!) { useRecoveryCode(input: { code: $c }) { ${PAYLOAD} } }`,
  mfa: `mutation PgauthMfa($f: UUID!, $c: String!, $t: Boolean) { verifyMfa(input: { factorId: $f, code: $c, trustDevice: $t }) { ${PAYLOAD} } }`,
  logout: 'mutation PgauthLogout { logout { success } }',
  sessions:
    'query PgauthSessions { mySessions { nodes { rowId createdAt lastUsedAt expiresAt userAgent ip isCurrent } } }',
  revoke: 'mutation PgauthRevoke($id: UUID!) { revokeSession(input: { id: $id }) { count } }',
  revokeOthers: 'mutation PgauthRevokeOthers { logoutOtherSessions { count } }',
  identities: 'query PgauthIdentities { myIdentities { nodes { provider email linkedAt tokenExpiresAt } } }',
  unlink: 'mutation PgauthUnlink($p: String!) { unlinkProvider(input: { provider: $p }) { clientMutationId } }',
  passkeyAddStart: 'mutation PgauthPasskeyAddStart { startPasskeyRegistration { optionsJSON } }',
  passkeyAdd: `mutation PgauthPasskeyAdd($r: String!, $n: String) { finishPasskeyRegistration(input: { response: $r, friendlyName: $n }) { factorId recoveryCodes session { ${PAYLOAD} } } }`,
} as const;
