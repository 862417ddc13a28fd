/**
 * A Twilio-like SMS API on loopback for tests: POST /2010-04-01/Accounts/{sid}/Messages.json
 * with Basic auth and a form body (To, From, Body), as Twilio's Messages API takes it; also
 * POST /sms-webhook for the `webhook` sender (JSON). What arrived is kept in `messages` and
 * `hooks`; `env` is what the edge needs to send through it (SMS_PROVIDER=twilio).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export const TWILIO_SID = 'AC00000000000000000000000000000000';
export const TWILIO_TOKEN = 'twilio-test-token';

export interface TwilioServer {
  url: string;
  messages: { to: string; from: string; body: string }[];
  hooks: { to: string; body: string }[];
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startTwilio(): Promise<TwilioServer> {
  const messages: TwilioServer['messages'] = [];
  const hooks: TwilioServer['hooks'] = [];
  const auth = `Basic ${Buffer.from(`${TWILIO_SID}:${TWILIO_TOKEN}`).toString('base64')}`;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      if (req.url === '/sms-webhook') {
        hooks.push(JSON.parse(body) as { to: string; body: string });
        res.writeHead(req.headers['content-type'] === 'application/json' ? 204 : 400).end();
        return;
      }
      if (req.method !== 'POST' || req.url !== `/2010-04-01/Accounts/${TWILIO_SID}/Messages.json`) {
        res.writeHead(404).end();
        return;
      }
      if (req.headers.authorization !== auth) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"code":20003}');
        return;
      }
      const f = new URLSearchParams(body);
      messages.push({ to: f.get('To')!, from: f.get('From')!, body: f.get('Body')! });
      res
        .writeHead(201, { 'content-type': 'application/json' })
        .end(JSON.stringify({ sid: `SM${messages.length}`, status: 'queued' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    messages,
    hooks,
    env: {
      SMS_PROVIDER: 'twilio',
      SMS_TWILIO_API_URL: url,
      SMS_TWILIO_ACCOUNT_SID: TWILIO_SID,
      SMS_TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}
