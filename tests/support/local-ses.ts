import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An email as the local SES server received it. */
export interface ReceivedEmail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  authorization: string | undefined;
}

/**
 * A local server that speaks Amazon SES's query API for `SendEmail` (form-encoded POST, XML answers), so
 * the real `@aws-sdk/client-ses` can be pointed at it. It records what it was asked to send; refusals are
 * programmable. (It does not check SigV4 signatures; it records that one was sent.)
 */
export interface LocalSes {
  endpoint: string;
  emails: ReceivedEmail[];
  /** The next `n` sends are refused with `MessageRejected`. */
  rejectNext(n: number): void;
  close(): Promise<void>;
}

export async function startLocalSes(): Promise<LocalSes> {
  const emails: ReceivedEmail[] = [];
  let rejections = 0;
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const form = new URLSearchParams(raw);
      const xml = (status: number, body: string) =>
        res.writeHead(status, { 'content-type': 'text/xml' }).end(`<?xml version="1.0"?>\n${body}`);
      if (req.method !== 'POST' || form.get('Action') !== 'SendEmail') {
        xml(400, error('InvalidAction', `Unsupported action ${form.get('Action') ?? '(none)'}`));
        return;
      }
      if (rejections > 0) {
        rejections -= 1;
        xml(400, error('MessageRejected', 'Email address is not verified.'));
        return;
      }
      const to = [...form.keys()]
        .filter((k) => k.startsWith('Destination.ToAddresses.member.'))
        .map((k) => form.get(k)!);
      emails.push({
        from: form.get('Source') ?? '',
        to,
        subject: form.get('Message.Subject.Data') ?? '',
        text: form.get('Message.Body.Text.Data') ?? '',
        html: form.get('Message.Body.Html.Data') ?? '',
        authorization: req.headers.authorization,
      });
      xml(
        200,
        `<SendEmailResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><SendEmailResult><MessageId>${randomUUID()}</MessageId></SendEmailResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></SendEmailResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    emails,
    rejectNext: (n) => void (rejections = n),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const error = (code: string, message: string) =>
  `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
