import type { ErrorTable } from '../../core/error-spec.ts';

/** Codes of administration: bans, the admin API, impersonation, merging (issue 12). */
export const adminErrors = {
  BANND: {
    status: 403,
    message: 'This account is banned',
    raisedBy: ['sql'],
    doc: 'Sign-in (any path: password, OAuth, email link or code, passkey, impersonation) was refused because an admin banned the account (`banUser`) and the ban has not ended. Contact the operator.',
  },
  OUTRK: {
    status: 403,
    message: "That user's role is equal to or higher than yours",
    raisedBy: ['sql'],
    doc: 'O4: an admin operation targeted a user whose role ranks equal to or above yours (admin 3, manager 2, anyone else 1; yourself included), or `adminSetRoles` tried to grant a role above your own.',
  },
  REASN: {
    status: 400,
    message: 'A reason is required',
    raisedBy: ['sql'],
    doc: '`banUser`, `impersonateUser` and a forced `adminUnlinkIdentity` need a non-empty reason (it is audited).',
  },
  MRGCF: {
    status: 409,
    message: 'These accounts cannot be merged',
    raisedBy: ['sql'],
    doc: '`mergeUsers`: both users hold an identity of the same provider (unlink one first), or source and target are the same user.',
  },
  NOIMP: {
    status: 400,
    message: 'This session is not an impersonation',
    raisedBy: ['sql'],
    doc: '`stopImpersonating` was called from a session that an admin did not open with `impersonateUser`.',
  },
} as const satisfies ErrorTable;
