/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type PgauthPasskeyAddMutationVariables = Exact<{
  r: string;
  n?: string | null | undefined;
}>;


export type PgauthPasskeyAddMutation = { finishPasskeyRegistration: { factorId: string, recoveryCodes: Array<string>, session: { userId: string, sessionId: string, accessTokenExpiresAt: string, mfaRequired: boolean, mfaFactors: Array<{ id: string, kind: string, friendlyName: string | null }> | null } | null } | null };

export type PgauthRevokeMutationVariables = Exact<{
  id: string;
}>;


export type PgauthRevokeMutation = { revokeSession: { count: number } | null };

export type PgauthUserQueryVariables = Exact<{ [key: string]: never; }>;


export type PgauthUserQuery = { currentUser: { rowId: string, email: string | null, displayName: string | null, emailVerifiedAt: string | null, isAnonymous: boolean, createdAt: string } | null };

export type PgauthSessionsQueryVariables = Exact<{ [key: string]: never; }>;


export type PgauthSessionsQuery = { mySessions: { nodes: Array<{ rowId: string | null, createdAt: string | null, lastUsedAt: string | null, expiresAt: string | null, userAgent: string | null, ip: string | null, isCurrent: boolean | null }> } | null };

export type PgauthRevokeOthersMutationVariables = Exact<{ [key: string]: never; }>;


export type PgauthRevokeOthersMutation = { logoutOtherSessions: { count: number } | null };

export type PgauthPasskeyAddStartMutationVariables = Exact<{ [key: string]: never; }>;


export type PgauthPasskeyAddStartMutation = { startPasskeyRegistration: { optionsJSON: string } | null };

export type PgauthUnlinkMutationVariables = Exact<{
  p: string;
}>;


export type PgauthUnlinkMutation = { unlinkProvider: { clientMutationId: string | null } | null };

export type PgauthLoginMutationVariables = Exact<{
  e: string;
  p: string;
}>;


export type PgauthLoginMutation = { login: { userId: string, sessionId: string, accessTokenExpiresAt: string, mfaRequired: boolean, mfaFactors: Array<{ id: string, kind: string, friendlyName: string | null }> | null } | null };

export type PgauthEmailTokenMutationVariables = Exact<{
  t: string;
}>;


export type PgauthEmailTokenMutation = { signInWithEmailToken: { userId: string, sessionId: string, accessTokenExpiresAt: string, mfaRequired: boolean, mfaFactors: Array<{ id: string, kind: string, friendlyName: string | null }> | null } | null };

export type PgauthPasskeyStartMutationVariables = Exact<{
  email?: string | null | undefined;
}>;


export type PgauthPasskeyStartMutation = { startPasskeySignIn: { challengeId: string | null, optionsJSON: string } | null };

export type PgauthRegisterMutationVariables = Exact<{
  e: string;
  p: string;
  n?: string | null | undefined;
}>;


export type PgauthRegisterMutation = { register: { userId: string, sessionId: string, accessTokenExpiresAt: string, mfaRequired: boolean, mfaFactors: Array<{ id: string, kind: string, friendlyName: string | null }> | null } | null };

export type PgauthRefreshMutationVariables = Exact<{ [key: string]: never; }>;


export type PgauthRefreshMutation = { refresh: { userId: string, sessionId: string, accessTokenExpiresAt: string, mfaRequired: boolean, mfaFactors: Array<{ id: string, kind: string, friendlyName: string | null }> | null } | null };

export type PgauthLogoutMutationVariables = Exact<{ [key: string]: never; }>;


export type PgauthLogoutMutation = { logout: { success: boolean } | null };

export type PgauthRecoveryMutationVariables = Exact<{
  c: string;
}>;


export type PgauthRecoveryMutation = { useRecoveryCode: { userId: string, sessionId: string, accessTokenExpiresAt: string, mfaRequired: boolean, mfaFactors: Array<{ id: string, kind: string, friendlyName: string | null }> | null } | null };

export type PgauthMfaMutationVariables = Exact<{
  f: string;
  c: string;
  t?: boolean | null | undefined;
}>;


export type PgauthMfaMutation = { verifyMfa: { userId: string, sessionId: string, accessTokenExpiresAt: string, mfaRequired: boolean, mfaFactors: Array<{ id: string, kind: string, friendlyName: string | null }> | null } | null };

export type PgauthIdentitiesQueryVariables = Exact<{ [key: string]: never; }>;


export type PgauthIdentitiesQuery = { myIdentities: { nodes: Array<{ provider: string | null, email: string | null, linkedAt: string | null, tokenExpiresAt: string | null }> } | null };

export type PgauthPopupQueryVariables = Exact<{ [key: string]: never; }>;


export type PgauthPopupQuery = { currentUser: { rowId: string } | null };

export type PgauthEmailCodeMutationVariables = Exact<{
  e: string;
  c: string;
}>;


export type PgauthEmailCodeMutation = { signInWithEmailCode: { userId: string, sessionId: string, accessTokenExpiresAt: string, mfaRequired: boolean, mfaFactors: Array<{ id: string, kind: string, friendlyName: string | null }> | null } | null };

export type PgauthPasskeyFinishMutationVariables = Exact<{
  c?: string | null | undefined;
  r: string;
}>;


export type PgauthPasskeyFinishMutation = { finishPasskeySignIn: { userId: string, sessionId: string, accessTokenExpiresAt: string, mfaRequired: boolean, mfaFactors: Array<{ id: string, kind: string, friendlyName: string | null }> | null } | null };

export type PgauthSignInEmailMutationVariables = Exact<{
  e: string;
}>;


export type PgauthSignInEmailMutation = { requestSignInEmail: { success: boolean } | null };


export const PgauthPasskeyAddDocument = {"__meta__":{"hash":"sha256:cc63504b4d02fc4a86dba47af96de1d2c33126ff675e6f375ac7d27ebde08086"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PgauthPasskeyAdd"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"r"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"n"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"finishPasskeyRegistration"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"response"},"value":{"kind":"Variable","name":{"kind":"Name","value":"r"}}},{"kind":"ObjectField","name":{"kind":"Name","value":"friendlyName"},"value":{"kind":"Variable","name":{"kind":"Name","value":"n"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"factorId"}},{"kind":"Field","name":{"kind":"Name","value":"recoveryCodes"}},{"kind":"Field","name":{"kind":"Name","value":"session"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"sessionId"}},{"kind":"Field","name":{"kind":"Name","value":"accessTokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"mfaRequired"}},{"kind":"Field","name":{"kind":"Name","value":"mfaFactors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"friendlyName"}}]}}]}}]}}]}}]} as unknown as DocumentNode<PgauthPasskeyAddMutation, PgauthPasskeyAddMutationVariables>;
export const PgauthRevokeDocument = {"__meta__":{"hash":"sha256:de6114a08a8fa6bed00c1c88ea8f83418ad44a002416c5c3861c7f86fb66804f"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PgauthRevoke"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UUID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"revokeSession"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"count"}}]}}]}}]} as unknown as DocumentNode<PgauthRevokeMutation, PgauthRevokeMutationVariables>;
export const PgauthUserDocument = {"__meta__":{"hash":"sha256:f8b0a36f57f3eb26df40d3887a228550ba645cd6349d2085821bc1b5eaffd43a"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PgauthUser"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"currentUser"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rowId"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"emailVerifiedAt"}},{"kind":"Field","name":{"kind":"Name","value":"isAnonymous"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]}}]} as unknown as DocumentNode<PgauthUserQuery, PgauthUserQueryVariables>;
export const PgauthSessionsDocument = {"__meta__":{"hash":"sha256:77b58115e9f7954dfb841477e3a66e951ff37c33e07b0917be02de64dc5daa4d"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PgauthSessions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"mySessions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rowId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"userAgent"}},{"kind":"Field","name":{"kind":"Name","value":"ip"}},{"kind":"Field","name":{"kind":"Name","value":"isCurrent"}}]}}]}}]}}]} as unknown as DocumentNode<PgauthSessionsQuery, PgauthSessionsQueryVariables>;
export const PgauthRevokeOthersDocument = {"__meta__":{"hash":"sha256:ecf146bf913a10f68ca10227bbde33ea76cac88ba354887f6c56e02f271d79ac"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PgauthRevokeOthers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"logoutOtherSessions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"count"}}]}}]}}]} as unknown as DocumentNode<PgauthRevokeOthersMutation, PgauthRevokeOthersMutationVariables>;
export const PgauthPasskeyAddStartDocument = {"__meta__":{"hash":"sha256:c898bc0450bfde54caba49892b10096d30d29b22f22c6ef157edd4593b8608ae"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PgauthPasskeyAddStart"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"startPasskeyRegistration"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"optionsJSON"}}]}}]}}]} as unknown as DocumentNode<PgauthPasskeyAddStartMutation, PgauthPasskeyAddStartMutationVariables>;
export const PgauthUnlinkDocument = {"__meta__":{"hash":"sha256:29818e98975701cecfe5268aba03b9bac3c59d77ecbeb0f75dc076fce67e9609"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PgauthUnlink"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"p"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"unlinkProvider"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"provider"},"value":{"kind":"Variable","name":{"kind":"Name","value":"p"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"clientMutationId"}}]}}]}}]} as unknown as DocumentNode<PgauthUnlinkMutation, PgauthUnlinkMutationVariables>;
export const PgauthLoginDocument = {"__meta__":{"hash":"sha256:fb2fe5c1c48359f3da6d5ec2059e310f3cd406a082057641bd007f6028b79b71"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PgauthLogin"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"e"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"p"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"login"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"email"},"value":{"kind":"Variable","name":{"kind":"Name","value":"e"}}},{"kind":"ObjectField","name":{"kind":"Name","value":"password"},"value":{"kind":"Variable","name":{"kind":"Name","value":"p"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"sessionId"}},{"kind":"Field","name":{"kind":"Name","value":"accessTokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"mfaRequired"}},{"kind":"Field","name":{"kind":"Name","value":"mfaFactors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"friendlyName"}}]}}]}}]}}]} as unknown as DocumentNode<PgauthLoginMutation, PgauthLoginMutationVariables>;
export const PgauthEmailTokenDocument = {"__meta__":{"hash":"sha256:2e9f3cd1071db955bd77754f6840997f7fa95633f157af76726f4a26d5655dbe"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PgauthEmailToken"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"t"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"signInWithEmailToken"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"token"},"value":{"kind":"Variable","name":{"kind":"Name","value":"t"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"sessionId"}},{"kind":"Field","name":{"kind":"Name","value":"accessTokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"mfaRequired"}},{"kind":"Field","name":{"kind":"Name","value":"mfaFactors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"friendlyName"}}]}}]}}]}}]} as unknown as DocumentNode<PgauthEmailTokenMutation, PgauthEmailTokenMutationVariables>;
export const PgauthPasskeyStartDocument = {"__meta__":{"hash":"sha256:7496e06d026ce6f22d3c7139fa7f2d130239ff056365b8d747f9f2edbfe65466"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PgauthPasskeyStart"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"email"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"startPasskeySignIn"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"email"},"value":{"kind":"Variable","name":{"kind":"Name","value":"email"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"challengeId"}},{"kind":"Field","name":{"kind":"Name","value":"optionsJSON"}}]}}]}}]} as unknown as DocumentNode<PgauthPasskeyStartMutation, PgauthPasskeyStartMutationVariables>;
export const PgauthRegisterDocument = {"__meta__":{"hash":"sha256:95382397b8aad6af54d1d75e79810f19dc404a1d9866d51d7c9dd344cfd0548f"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PgauthRegister"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"e"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"p"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"n"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"register"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"email"},"value":{"kind":"Variable","name":{"kind":"Name","value":"e"}}},{"kind":"ObjectField","name":{"kind":"Name","value":"password"},"value":{"kind":"Variable","name":{"kind":"Name","value":"p"}}},{"kind":"ObjectField","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"n"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"sessionId"}},{"kind":"Field","name":{"kind":"Name","value":"accessTokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"mfaRequired"}},{"kind":"Field","name":{"kind":"Name","value":"mfaFactors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"friendlyName"}}]}}]}}]}}]} as unknown as DocumentNode<PgauthRegisterMutation, PgauthRegisterMutationVariables>;
export const PgauthRefreshDocument = {"__meta__":{"hash":"sha256:d0a5f33e36ae3120dd2b9bccd7d4c96af26e867109fb38c5c2c17db3c253211d"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PgauthRefresh"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"refresh"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"sessionId"}},{"kind":"Field","name":{"kind":"Name","value":"accessTokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"mfaRequired"}},{"kind":"Field","name":{"kind":"Name","value":"mfaFactors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"friendlyName"}}]}}]}}]}}]} as unknown as DocumentNode<PgauthRefreshMutation, PgauthRefreshMutationVariables>;
export const PgauthLogoutDocument = {"__meta__":{"hash":"sha256:ed712935f277d5abf77eca9b06491b14d99d8b7ad6e6f5c7666abf71feeacd9a"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PgauthLogout"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"logout"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"success"}}]}}]}}]} as unknown as DocumentNode<PgauthLogoutMutation, PgauthLogoutMutationVariables>;
export const PgauthRecoveryDocument = {"__meta__":{"hash":"sha256:988386aec87158bf1e6b3515334ec1ae342ce22774080c3fe26802f7d7a29811"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PgauthRecovery"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"c"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"useRecoveryCode"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"code"},"value":{"kind":"Variable","name":{"kind":"Name","value":"c"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"sessionId"}},{"kind":"Field","name":{"kind":"Name","value":"accessTokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"mfaRequired"}},{"kind":"Field","name":{"kind":"Name","value":"mfaFactors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"friendlyName"}}]}}]}}]}}]} as unknown as DocumentNode<PgauthRecoveryMutation, PgauthRecoveryMutationVariables>;
export const PgauthMfaDocument = {"__meta__":{"hash":"sha256:2f552a12be5973419fe31b28bf516e7b53a83f969034ebac9e3d5457fb3b8904"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PgauthMfa"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"f"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UUID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"c"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"t"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"verifyMfa"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"factorId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"f"}}},{"kind":"ObjectField","name":{"kind":"Name","value":"code"},"value":{"kind":"Variable","name":{"kind":"Name","value":"c"}}},{"kind":"ObjectField","name":{"kind":"Name","value":"trustDevice"},"value":{"kind":"Variable","name":{"kind":"Name","value":"t"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"sessionId"}},{"kind":"Field","name":{"kind":"Name","value":"accessTokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"mfaRequired"}},{"kind":"Field","name":{"kind":"Name","value":"mfaFactors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"friendlyName"}}]}}]}}]}}]} as unknown as DocumentNode<PgauthMfaMutation, PgauthMfaMutationVariables>;
export const PgauthIdentitiesDocument = {"__meta__":{"hash":"sha256:19c5adc208c145b039d120e026880fdf9078ea094506b8c9cc399b4342cd7fa6"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PgauthIdentities"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"myIdentities"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"linkedAt"}},{"kind":"Field","name":{"kind":"Name","value":"tokenExpiresAt"}}]}}]}}]}}]} as unknown as DocumentNode<PgauthIdentitiesQuery, PgauthIdentitiesQueryVariables>;
export const PgauthPopupDocument = {"__meta__":{"hash":"sha256:a339291eec3ad12d5749e4a5c1b3f4cc2d987fe7105e31c96135297b68215391"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PgauthPopup"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"currentUser"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rowId"}}]}}]}}]} as unknown as DocumentNode<PgauthPopupQuery, PgauthPopupQueryVariables>;
export const PgauthEmailCodeDocument = {"__meta__":{"hash":"sha256:ecb48287c3459f48fd04c7c0145a25df1c5e114196bd7b6591bf4d17b39b608a"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PgauthEmailCode"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"e"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"c"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"signInWithEmailCode"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"email"},"value":{"kind":"Variable","name":{"kind":"Name","value":"e"}}},{"kind":"ObjectField","name":{"kind":"Name","value":"code"},"value":{"kind":"Variable","name":{"kind":"Name","value":"c"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"sessionId"}},{"kind":"Field","name":{"kind":"Name","value":"accessTokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"mfaRequired"}},{"kind":"Field","name":{"kind":"Name","value":"mfaFactors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"friendlyName"}}]}}]}}]}}]} as unknown as DocumentNode<PgauthEmailCodeMutation, PgauthEmailCodeMutationVariables>;
export const PgauthPasskeyFinishDocument = {"__meta__":{"hash":"sha256:2a9ee95b9dae5ad1fba0c86b9ba1835e602219e0ccfd2c8f48f741e594fee56e"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PgauthPasskeyFinish"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"c"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"UUID"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"r"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"finishPasskeySignIn"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"challengeId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"c"}}},{"kind":"ObjectField","name":{"kind":"Name","value":"response"},"value":{"kind":"Variable","name":{"kind":"Name","value":"r"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"sessionId"}},{"kind":"Field","name":{"kind":"Name","value":"accessTokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"mfaRequired"}},{"kind":"Field","name":{"kind":"Name","value":"mfaFactors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"friendlyName"}}]}}]}}]}}]} as unknown as DocumentNode<PgauthPasskeyFinishMutation, PgauthPasskeyFinishMutationVariables>;
export const PgauthSignInEmailDocument = {"__meta__":{"hash":"sha256:aff5241f2cbc44dcd2f7cc96f525d19b1a7cdf59799e65b36fbcfed374ae613c"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PgauthSignInEmail"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"e"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requestSignInEmail"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"email"},"value":{"kind":"Variable","name":{"kind":"Name","value":"e"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"success"}}]}}]}}]} as unknown as DocumentNode<PgauthSignInEmailMutation, PgauthSignInEmailMutationVariables>;