/**
 * Sending SMS codes (N9), chosen by SMS_PROVIDER:
 * - `log`: one JSON line on stdout (development; the code is withheld in production);
 * - `twilio`: Twilio's Messages API (POST /2010-04-01/Accounts/{sid}/Messages.json, form
 *   fields To, From, Body, HTTP Basic with the account SID and auth token; 201 expected);
 * - `webhook`: POST {"to", "body"} as JSON to SMS_WEBHOOK_URL (2xx expected).
 * The limits (per number, per account, global) are SQL's; a sender only delivers.
 */
import type { MfaConfig } from '../../core/config.ts';

export type SmsSender = (to: string, body: string) => Promise<void>;

const TIMEOUT_MS = 10_000;

export function smsSender(cfg: MfaConfig['sms'], production: boolean): SmsSender {
  switch (cfg.provider) {
    case 'log':
      return async (to, body) => {
        console.log(JSON.stringify({ level: 'info', sms: { to, body: production ? '(withheld)' : body } }));
      };
    case 'twilio':
      return async (to, body) => {
        const sid = cfg.twilioAccountSid!;
        const res = await fetch(`${cfg.twilioApiUrl}/2010-04-01/Accounts/${encodeURIComponent(sid)}/Messages.json`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`${sid}:${cfg.twilioAuthToken}`).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({ To: to, From: cfg.from!, Body: body }).toString(),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        if (res.status !== 201) throw new Error(`Twilio answered ${res.status}`);
      };
    case 'webhook':
      return async (to, body) => {
        const res = await fetch(cfg.webhookUrl!, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ to, body }),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        if (!res.ok) throw new Error(`SMS webhook answered ${res.status}`);
      };
  }
}

export const smsText = (site: string, code: string) =>
  `${code} is your ${site} verification code. It expires in 5 minutes.`;
