import type { ErrorTable } from '../../core/error-spec.ts';

/** Codes of the auth-event webhooks (issue #12). */
export const webhookErrors = {
  WEBHOOKURL: {
    status: 400,
    message: 'The webhook URL is not allowed',
    detailed: true,
    raisedBy: ['edge'],
    doc: '`adminCreateWebhookEndpoint` refused the URL (O5): not https, carrying credentials, not resolving, or resolving to a loopback, link-local, private, CGNAT, multicast or reserved address. The message says which. `WEBHOOK_ALLOW_PRIVATE=true` allows http and private targets for development.',
  },
} as const satisfies ErrorTable;
