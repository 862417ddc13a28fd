/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "mutation PgauthPasskeyAdd($r: String!, $n: String) {\n  finishPasskeyRegistration(input: {response: $r, friendlyName: $n}) {\n    factorId\n    recoveryCodes\n    session {\n      userId\n      sessionId\n      accessTokenExpiresAt\n      mfaRequired\n      mfaFactors {\n        id\n        kind\n        friendlyName\n      }\n    }\n  }\n}": typeof types.PgauthPasskeyAddDocument,
    "mutation PgauthRevoke($id: UUID!) {\n  revokeSession(input: {id: $id}) {\n    count\n  }\n}": typeof types.PgauthRevokeDocument,
    "query PgauthUser {\n  currentUser {\n    rowId\n    email\n    displayName\n    emailVerifiedAt\n    isAnonymous\n    createdAt\n  }\n}": typeof types.PgauthUserDocument,
    "query PgauthSessions {\n  mySessions {\n    nodes {\n      rowId\n      createdAt\n      lastUsedAt\n      expiresAt\n      userAgent\n      ip\n      isCurrent\n    }\n  }\n}": typeof types.PgauthSessionsDocument,
    "mutation PgauthRevokeOthers {\n  logoutOtherSessions {\n    count\n  }\n}": typeof types.PgauthRevokeOthersDocument,
    "mutation PgauthPasskeyAddStart {\n  startPasskeyRegistration {\n    optionsJSON\n  }\n}": typeof types.PgauthPasskeyAddStartDocument,
    "mutation PgauthUnlink($p: String!) {\n  unlinkProvider(input: {provider: $p}) {\n    clientMutationId\n  }\n}": typeof types.PgauthUnlinkDocument,
    "mutation PgauthLogin($e: String!, $p: String!) {\n  login(input: {email: $e, password: $p}) {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}": typeof types.PgauthLoginDocument,
    "mutation PgauthEmailToken($t: String!) {\n  signInWithEmailToken(input: {token: $t}) {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}": typeof types.PgauthEmailTokenDocument,
    "mutation PgauthPasskeyStart($email: String) {\n  startPasskeySignIn(input: {email: $email}) {\n    challengeId\n    optionsJSON\n  }\n}": typeof types.PgauthPasskeyStartDocument,
    "mutation PgauthRegister($e: String!, $p: String!, $n: String) {\n  register(input: {email: $e, password: $p, name: $n}) {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}": typeof types.PgauthRegisterDocument,
    "mutation PgauthRefresh {\n  refresh {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}": typeof types.PgauthRefreshDocument,
    "mutation PgauthLogout {\n  logout {\n    success\n  }\n}": typeof types.PgauthLogoutDocument,
    "mutation PgauthRecovery($c: String!) {\n  useRecoveryCode(input: {code: $c}) {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}": typeof types.PgauthRecoveryDocument,
    "mutation PgauthMfa($f: UUID!, $c: String!, $t: Boolean) {\n  verifyMfa(input: {factorId: $f, code: $c, trustDevice: $t}) {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}": typeof types.PgauthMfaDocument,
    "query PgauthIdentities {\n  myIdentities {\n    nodes {\n      provider\n      email\n      linkedAt\n      tokenExpiresAt\n    }\n  }\n}": typeof types.PgauthIdentitiesDocument,
    "query PgauthPopup {\n  currentUser {\n    rowId\n  }\n}": typeof types.PgauthPopupDocument,
    "mutation PgauthEmailCode($e: String!, $c: String!) {\n  signInWithEmailCode(input: {email: $e, code: $c}) {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}": typeof types.PgauthEmailCodeDocument,
    "mutation PgauthPasskeyFinish($c: UUID, $r: String!) {\n  finishPasskeySignIn(input: {challengeId: $c, response: $r}) {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}": typeof types.PgauthPasskeyFinishDocument,
    "mutation PgauthSignInEmail($e: String!) {\n  requestSignInEmail(input: {email: $e}) {\n    success\n  }\n}": typeof types.PgauthSignInEmailDocument,
};
const documents: Documents = {
    "mutation PgauthPasskeyAdd($r: String!, $n: String) {\n  finishPasskeyRegistration(input: {response: $r, friendlyName: $n}) {\n    factorId\n    recoveryCodes\n    session {\n      userId\n      sessionId\n      accessTokenExpiresAt\n      mfaRequired\n      mfaFactors {\n        id\n        kind\n        friendlyName\n      }\n    }\n  }\n}": types.PgauthPasskeyAddDocument,
    "mutation PgauthRevoke($id: UUID!) {\n  revokeSession(input: {id: $id}) {\n    count\n  }\n}": types.PgauthRevokeDocument,
    "query PgauthUser {\n  currentUser {\n    rowId\n    email\n    displayName\n    emailVerifiedAt\n    isAnonymous\n    createdAt\n  }\n}": types.PgauthUserDocument,
    "query PgauthSessions {\n  mySessions {\n    nodes {\n      rowId\n      createdAt\n      lastUsedAt\n      expiresAt\n      userAgent\n      ip\n      isCurrent\n    }\n  }\n}": types.PgauthSessionsDocument,
    "mutation PgauthRevokeOthers {\n  logoutOtherSessions {\n    count\n  }\n}": types.PgauthRevokeOthersDocument,
    "mutation PgauthPasskeyAddStart {\n  startPasskeyRegistration {\n    optionsJSON\n  }\n}": types.PgauthPasskeyAddStartDocument,
    "mutation PgauthUnlink($p: String!) {\n  unlinkProvider(input: {provider: $p}) {\n    clientMutationId\n  }\n}": types.PgauthUnlinkDocument,
    "mutation PgauthLogin($e: String!, $p: String!) {\n  login(input: {email: $e, password: $p}) {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}": types.PgauthLoginDocument,
    "mutation PgauthEmailToken($t: String!) {\n  signInWithEmailToken(input: {token: $t}) {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}": types.PgauthEmailTokenDocument,
    "mutation PgauthPasskeyStart($email: String) {\n  startPasskeySignIn(input: {email: $email}) {\n    challengeId\n    optionsJSON\n  }\n}": types.PgauthPasskeyStartDocument,
    "mutation PgauthRegister($e: String!, $p: String!, $n: String) {\n  register(input: {email: $e, password: $p, name: $n}) {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}": types.PgauthRegisterDocument,
    "mutation PgauthRefresh {\n  refresh {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}": types.PgauthRefreshDocument,
    "mutation PgauthLogout {\n  logout {\n    success\n  }\n}": types.PgauthLogoutDocument,
    "mutation PgauthRecovery($c: String!) {\n  useRecoveryCode(input: {code: $c}) {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}": types.PgauthRecoveryDocument,
    "mutation PgauthMfa($f: UUID!, $c: String!, $t: Boolean) {\n  verifyMfa(input: {factorId: $f, code: $c, trustDevice: $t}) {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}": types.PgauthMfaDocument,
    "query PgauthIdentities {\n  myIdentities {\n    nodes {\n      provider\n      email\n      linkedAt\n      tokenExpiresAt\n    }\n  }\n}": types.PgauthIdentitiesDocument,
    "query PgauthPopup {\n  currentUser {\n    rowId\n  }\n}": types.PgauthPopupDocument,
    "mutation PgauthEmailCode($e: String!, $c: String!) {\n  signInWithEmailCode(input: {email: $e, code: $c}) {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}": types.PgauthEmailCodeDocument,
    "mutation PgauthPasskeyFinish($c: UUID, $r: String!) {\n  finishPasskeySignIn(input: {challengeId: $c, response: $r}) {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}": types.PgauthPasskeyFinishDocument,
    "mutation PgauthSignInEmail($e: String!) {\n  requestSignInEmail(input: {email: $e}) {\n    success\n  }\n}": types.PgauthSignInEmailDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation PgauthPasskeyAdd($r: String!, $n: String) {\n  finishPasskeyRegistration(input: {response: $r, friendlyName: $n}) {\n    factorId\n    recoveryCodes\n    session {\n      userId\n      sessionId\n      accessTokenExpiresAt\n      mfaRequired\n      mfaFactors {\n        id\n        kind\n        friendlyName\n      }\n    }\n  }\n}"): (typeof documents)["mutation PgauthPasskeyAdd($r: String!, $n: String) {\n  finishPasskeyRegistration(input: {response: $r, friendlyName: $n}) {\n    factorId\n    recoveryCodes\n    session {\n      userId\n      sessionId\n      accessTokenExpiresAt\n      mfaRequired\n      mfaFactors {\n        id\n        kind\n        friendlyName\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation PgauthRevoke($id: UUID!) {\n  revokeSession(input: {id: $id}) {\n    count\n  }\n}"): (typeof documents)["mutation PgauthRevoke($id: UUID!) {\n  revokeSession(input: {id: $id}) {\n    count\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query PgauthUser {\n  currentUser {\n    rowId\n    email\n    displayName\n    emailVerifiedAt\n    isAnonymous\n    createdAt\n  }\n}"): (typeof documents)["query PgauthUser {\n  currentUser {\n    rowId\n    email\n    displayName\n    emailVerifiedAt\n    isAnonymous\n    createdAt\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query PgauthSessions {\n  mySessions {\n    nodes {\n      rowId\n      createdAt\n      lastUsedAt\n      expiresAt\n      userAgent\n      ip\n      isCurrent\n    }\n  }\n}"): (typeof documents)["query PgauthSessions {\n  mySessions {\n    nodes {\n      rowId\n      createdAt\n      lastUsedAt\n      expiresAt\n      userAgent\n      ip\n      isCurrent\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation PgauthRevokeOthers {\n  logoutOtherSessions {\n    count\n  }\n}"): (typeof documents)["mutation PgauthRevokeOthers {\n  logoutOtherSessions {\n    count\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation PgauthPasskeyAddStart {\n  startPasskeyRegistration {\n    optionsJSON\n  }\n}"): (typeof documents)["mutation PgauthPasskeyAddStart {\n  startPasskeyRegistration {\n    optionsJSON\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation PgauthUnlink($p: String!) {\n  unlinkProvider(input: {provider: $p}) {\n    clientMutationId\n  }\n}"): (typeof documents)["mutation PgauthUnlink($p: String!) {\n  unlinkProvider(input: {provider: $p}) {\n    clientMutationId\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation PgauthLogin($e: String!, $p: String!) {\n  login(input: {email: $e, password: $p}) {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}"): (typeof documents)["mutation PgauthLogin($e: String!, $p: String!) {\n  login(input: {email: $e, password: $p}) {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation PgauthEmailToken($t: String!) {\n  signInWithEmailToken(input: {token: $t}) {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}"): (typeof documents)["mutation PgauthEmailToken($t: String!) {\n  signInWithEmailToken(input: {token: $t}) {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation PgauthPasskeyStart($email: String) {\n  startPasskeySignIn(input: {email: $email}) {\n    challengeId\n    optionsJSON\n  }\n}"): (typeof documents)["mutation PgauthPasskeyStart($email: String) {\n  startPasskeySignIn(input: {email: $email}) {\n    challengeId\n    optionsJSON\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation PgauthRegister($e: String!, $p: String!, $n: String) {\n  register(input: {email: $e, password: $p, name: $n}) {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}"): (typeof documents)["mutation PgauthRegister($e: String!, $p: String!, $n: String) {\n  register(input: {email: $e, password: $p, name: $n}) {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation PgauthRefresh {\n  refresh {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}"): (typeof documents)["mutation PgauthRefresh {\n  refresh {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation PgauthLogout {\n  logout {\n    success\n  }\n}"): (typeof documents)["mutation PgauthLogout {\n  logout {\n    success\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation PgauthRecovery($c: String!) {\n  useRecoveryCode(input: {code: $c}) {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}"): (typeof documents)["mutation PgauthRecovery($c: String!) {\n  useRecoveryCode(input: {code: $c}) {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation PgauthMfa($f: UUID!, $c: String!, $t: Boolean) {\n  verifyMfa(input: {factorId: $f, code: $c, trustDevice: $t}) {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}"): (typeof documents)["mutation PgauthMfa($f: UUID!, $c: String!, $t: Boolean) {\n  verifyMfa(input: {factorId: $f, code: $c, trustDevice: $t}) {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query PgauthIdentities {\n  myIdentities {\n    nodes {\n      provider\n      email\n      linkedAt\n      tokenExpiresAt\n    }\n  }\n}"): (typeof documents)["query PgauthIdentities {\n  myIdentities {\n    nodes {\n      provider\n      email\n      linkedAt\n      tokenExpiresAt\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query PgauthPopup {\n  currentUser {\n    rowId\n  }\n}"): (typeof documents)["query PgauthPopup {\n  currentUser {\n    rowId\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation PgauthEmailCode($e: String!, $c: String!) {\n  signInWithEmailCode(input: {email: $e, code: $c}) {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}"): (typeof documents)["mutation PgauthEmailCode($e: String!, $c: String!) {\n  signInWithEmailCode(input: {email: $e, code: $c}) {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation PgauthPasskeyFinish($c: UUID, $r: String!) {\n  finishPasskeySignIn(input: {challengeId: $c, response: $r}) {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}"): (typeof documents)["mutation PgauthPasskeyFinish($c: UUID, $r: String!) {\n  finishPasskeySignIn(input: {challengeId: $c, response: $r}) {\n    userId\n    sessionId\n    accessTokenExpiresAt\n    mfaRequired\n    mfaFactors {\n      id\n      kind\n      friendlyName\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation PgauthSignInEmail($e: String!) {\n  requestSignInEmail(input: {email: $e}) {\n    success\n  }\n}"): (typeof documents)["mutation PgauthSignInEmail($e: String!) {\n  requestSignInEmail(input: {email: $e}) {\n    success\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;