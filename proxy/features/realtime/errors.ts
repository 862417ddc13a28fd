import type { ErrorTable } from '../../core/error-spec.ts';

/** Codes of realtime subscriptions (P4). */
export const realtimeErrors = {
  TOOMANY: {
    status: 429,
    message: 'Too many connections or subscriptions',
    raisedBy: ['edge'],
    doc: 'Realtime limits (P4): WebSocket connections per client address per minute (`REALTIME_CONNECTIONS_PER_MINUTE`, refused at the upgrade with 429), or subscriptions per socket (`REALTIME_MAX_SUBSCRIPTIONS_PER_CONNECTION`) or per user (`REALTIME_MAX_SUBSCRIPTIONS_PER_USER`). End a subscription or wait.',
  },
} as const satisfies ErrorTable;
