import type { ErrorTable } from '../../core/error-spec.ts';

/** Codes of permissions, API keys and service accounts (issue #11). */
export const permissionErrors = {
  SCOPE: {
    status: 403,
    message: 'An API key cannot carry a permission you do not hold',
    raisedBy: ['sql'],
    doc: '`createApiKey` was asked for a permission its creator does not hold now (O2): a key never carries more than its creator. Ask only for permissions listed in `currentUser.permissions`.',
  },
  CLAIM: {
    status: 500,
    message: 'The access token could not be issued',
    raisedBy: ['edge'],
    doc: 'The configured claims hook (`auth_config.claims_hook`) failed, answered no JSON object or tried to set a reserved claim (O3): no token is signed, and the failure is audited (`claims_hook_failed`). An operator must fix the hook.',
  },
} as const satisfies ErrorTable;
