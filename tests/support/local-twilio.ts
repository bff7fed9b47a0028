import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedSms {
  accountSid: string;
  to: string;
  from: string;
  body: string;
  authorization: string | undefined;
}

/**
 * A local server that speaks Twilio's Messages API (`POST /2010-04-01/Accounts/{sid}/Messages.json`,
 * form-encoded, JSON answers), so the real `twilio` SDK can be pointed at it. Records what it was asked
 * to send; refusals are programmable.
 */
export interface LocalTwilio {
  url: string;
  messages: ReceivedSms[];
  /** The next `n` sends are refused as Twilio refuses an invalid number (HTTP 400, code 21211). */
  refuseNext(n: number): void;
  close(): Promise<void>;
}

export async function startLocalTwilio(): Promise<LocalTwilio> {
  const messages: ReceivedSms[] = [];
  let refusals = 0;
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const json = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      const path = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Messages\.json$/.exec(req.url ?? '');
      if (req.method !== 'POST' || !path) {
        json(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
        return;
      }
      const form = new URLSearchParams(raw);
      if (refusals > 0) {
        refusals -= 1;
        json(400, {
          code: 21211,
          message: `The 'To' number ${form.get('To')} is not a valid phone number.`,
          status: 400,
        });
        return;
      }
      const message: ReceivedSms = {
        accountSid: path[1]!,
        to: form.get('To') ?? '',
        from: form.get('From') ?? '',
        body: form.get('Body') ?? '',
        authorization: req.headers.authorization,
      };
      messages.push(message);
      json(201, {
        sid: `SM${randomUUID().replace(/-/g, '')}`,
        account_sid: message.accountSid,
        to: message.to,
        from: message.from,
        body: message.body,
        status: 'queued',
        num_segments: '1',
        direction: 'outbound-api',
        date_created: new Date().toUTCString(),
        uri: `${req.url!.replace('.json', '')}/${randomUUID()}.json`,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    messages,
    refuseNext: (n) => void (refusals = n),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
