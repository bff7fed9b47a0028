import { createECDH, randomBytes, type ECDH } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import selfsigned from 'selfsigned';

// RFC 8188/8291 decryption, from the library web-push itself uses to encrypt (it ships no types).
const ece = createRequire(import.meta.url)('http_ece') as {
  decrypt(body: Buffer, params: { version: 'aes128gcm'; privateKey: ECDH; authSecret: Buffer }): Buffer;
};

/** A push as the local push service received it, decrypted as the browser would. */
export interface ReceivedPush {
  subscription: string;
  payload: unknown;
  headers: {
    authorization: string | undefined;
    ttl: string | undefined;
    urgency: string | undefined;
    encoding: string | undefined;
  };
}

/** A browser's side of a subscription: what it hands the server, and its private key. */
export interface TestSubscription {
  json: { endpoint: string; keys: { p256dh: string; auth: string } };
  ecdh: ECDH;
  auth: Buffer;
}

/**
 * A local push service over TLS (what FCM or Mozilla's service is to a browser): it takes Web Push requests
 * (RFC 8030, VAPID-authorized, aes128gcm-encrypted) at `/push/<id>`, and decrypts each with the keys of
 * the subscription it made, as the browser would. `/gone/<id>` answers 410, as for an unsubscribed browser.
 */
export interface LocalPushService {
  host: string;
  /** Its certificate (self-signed, made at start): the sender must trust it, as browsers trust FCM's. */
  ca: string;
  pushes: ReceivedPush[];
  subscribe(options?: { gone?: boolean }): TestSubscription;
  close(): Promise<void>;
}

export async function startLocalPushService(): Promise<LocalPushService> {
  const pushes: ReceivedPush[] = [];
  const keys = new Map<string, { ecdh: ECDH; auth: Buffer }>();
  const tls = await selfsigned.generate([{ name: 'commonName', value: '127.0.0.1' }], {
    notAfterDate: new Date(Date.now() + 86_400_000),
    keyType: 'ec',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  const server: Server = createServer({ key: tls.private, cert: tls.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const match = /^\/(push|gone)\/([\w-]+)$/.exec(req.url ?? '');
      const subscription = match ? keys.get(match[2]!) : undefined;
      if (req.method !== 'POST' || !match || !subscription) return void res.writeHead(404).end();
      if (match[1] === 'gone') return void res.writeHead(410).end();
      const body = ece.decrypt(Buffer.concat(chunks), {
        version: 'aes128gcm',
        privateKey: subscription.ecdh,
        authSecret: subscription.auth,
      });
      pushes.push({
        subscription: match[2]!,
        payload: JSON.parse(body.toString('utf8')) as unknown,
        headers: {
          authorization: req.headers.authorization,
          ttl: req.headers.ttl as string | undefined,
          urgency: req.headers.urgency as string | undefined,
          encoding: req.headers['content-encoding'],
        },
      });
      res.writeHead(201).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    ca: tls.cert,
    pushes,
    subscribe(options = {}) {
      const id = randomBytes(8).toString('hex');
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      keys.set(id, { ecdh, auth });
      return {
        json: {
          endpoint: `https://127.0.0.1:${port}/${options.gone ? 'gone' : 'push'}/${id}`,
          keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
        },
        ecdh,
        auth,
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
