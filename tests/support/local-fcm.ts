import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { importSPKI, jwtVerify } from 'jose';
import selfsigned from 'selfsigned';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FcmRoute } from '../../sync-server/push/fcm-sender.ts';

/** A message as the local FCM received it (the `message` of a `messages:send` request). */
export interface ReceivedFcmMessage {
  project: string;
  message: {
    token: string;
    notification?: { title?: string; body?: string };
    data?: Record<string, string>;
    android?: Record<string, unknown>;
    apns?: { headers?: Record<string, string>; payload?: unknown };
    webpush?: Record<string, unknown>;
  };
}

/**
 * Google's two endpoints that Firebase Cloud Messaging's HTTP v1 API needs, on one local TLS server:
 * `POST /token` (OAuth 2.0 JWT bearer grant: the service account's RS256-signed assertion, checked against
 * its public key, traded for an access token) and `POST /v1/projects/<id>/messages:send` (the bearer token
 * checked; a token starting `gone-` answers FCM's 404 UNREGISTERED, as for an uninstalled app). Its
 * certificate names Google's hosts; the sender reaches it through `route`.
 */
export interface LocalFcm {
  /** A service account key file for this FCM (a temp file, removed on close). */
  keyFile: string;
  route: FcmRoute;
  messages: ReceivedFcmMessage[];
  /** Access tokens handed out (a sender asks once, then reuses it until it expires). */
  tokensIssued: number;
  close(): Promise<void>;
}

export async function startLocalFcm(): Promise<LocalFcm> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const account = {
    type: 'service_account',
    project_id: 'lounge-test',
    private_key_id: randomBytes(20).toString('hex'),
    client_email: 'lounge-push@lounge-test.iam.gserviceaccount.com',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
  const dir = mkdtempSync(join(tmpdir(), 'lounge-fcm-'));
  const keyFile = join(dir, 'service-account.json');
  writeFileSync(keyFile, JSON.stringify(account));
  const verifyKey = await importSPKI(publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'RS256');
  const accessTokens = new Set<string>();
  const messages: ReceivedFcmMessage[] = [];
  const state = { tokensIssued: 0 };
  const tls = await selfsigned.generate([{ name: 'commonName', value: 'fcm.googleapis.com' }], {
    notAfterDate: new Date(Date.now() + 86_400_000),
    keyType: 'ec',
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'fcm.googleapis.com' },
          { type: 2, value: 'oauth2.googleapis.com' },
          { type: 2, value: 'www.googleapis.com' },
        ],
      },
    ],
  });

  const json = (res: import('node:http').ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

  const server: Server = createServer({ key: tls.private, cert: tls.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      void (async () => {
        if (req.method === 'POST' && (req.url === '/token' || req.url === '/oauth2/v4/token')) {
          const form = new URLSearchParams(body);
          if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer')
            return json(res, 400, { error: 'unsupported_grant_type' });
          try {
            const { payload } = await jwtVerify(form.get('assertion') ?? '', verifyKey, {
              issuer: account.client_email,
            });
            if (!String(payload.scope ?? '').includes('https://www.googleapis.com/auth/firebase.messaging'))
              return json(res, 400, { error: 'invalid_scope' });
          } catch {
            return json(res, 400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
          }
          const token = `ya29.${randomBytes(16).toString('hex')}`;
          accessTokens.add(token);
          state.tokensIssued++;
          return json(res, 200, { access_token: token, expires_in: 3599, token_type: 'Bearer' });
        }
        const send = /^\/v1\/projects\/([\w-]+)\/messages:send$/.exec(req.url ?? '');
        if (req.method === 'POST' && send) {
          const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
          if (!bearer || !accessTokens.has(bearer))
            return json(res, 401, {
              error: {
                code: 401,
                message: 'Request had invalid authentication credentials.',
                status: 'UNAUTHENTICATED',
              },
            });
          const { message } = JSON.parse(body) as { message: ReceivedFcmMessage['message'] };
          if (message.token.startsWith('gone-'))
            return json(res, 404, {
              error: {
                code: 404,
                message: 'Requested entity was not found.',
                status: 'NOT_FOUND',
                details: [
                  { '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNREGISTERED' },
                ],
              },
            });
          messages.push({ project: send[1]!, message });
          return json(res, 200, { name: `projects/${send[1]}/messages/${randomBytes(8).toString('hex')}` });
        }
        json(res, 404, { error: { code: 404, message: 'Not found', status: 'NOT_FOUND' } });
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    keyFile,
    route: { host: '127.0.0.1', port, ca: tls.cert },
    messages,
    get tokensIssued() {
      return state.tokensIssued;
    },
    close: () =>
      new Promise<void>((resolve) => {
        rmSync(dir, { recursive: true, force: true });
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
