import type { ErrorTable } from '../../core/error-spec.ts';

/** Codes of permissions, API keys and service accounts (issue #11). */
export const permissionErrors = {
  SCOPE: {
    status: 403,
    message: 'An API key cannot carry a permission you do not hold',
    raisedBy: ['sql'],
    doc: '`createApiKey` was asked for a permission its creator does not hold now (O2): a key never carries more than its creator. Ask only for permissions listed in `currentUser.permissions`.',
  },
} as const satisfies ErrorTable;
