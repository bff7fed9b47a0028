import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * All configuration, read from the environment once at start-up and validated here, so a wrong value
 * stops the process with a message that names the variable instead of failing later in a request.
 * Absent DATABASE_URL / REDIS_URL mean the embedded default (PGlite, in-memory fan-out, in-process jobs).
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    `a URL starting with ${protocols.join(' or ')}`,
  );

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('localhost'),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  /** HS256 secret shared with the host platform that signs members' JWTs. */
  AUTH_JWT_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  /** Or: the host platform's JWKS endpoint (RS256/ES256 keys). */
  AUTH_JWKS_URL: url(['https:', 'http:']).optional(),
  AUTH_ISSUER: z.string().min(1).optional(),
  AUTH_AUDIENCE: z.string().min(1).default('lounge'),
  /** Signs this server's own short-lived tokens (WebSocket connection tokens, demo sessions). */
  LOUNGE_SIGNING_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  /** Shared secret of the host platform's server-to-server integration API. */
  INTEGRATION_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  LOUNGE_DEMO_SIGN_IN: bool.optional(),
  EVENTS_URL: url(['https:', 'http:']).default('https://allthrive.ai/events'),
  PERKS_URL: url(['https:', 'http:']).default('https://allthrive.ai/perks'),
  CLIENT_DIST_DIR: z.string().min(1).default('client/dist'),
  /** Layer-1 moderation: trusted link domains (comma-separated; subdomains count). */
  MODERATION_ALLOWED_LINK_DOMAINS: z
    .string()
    .default(
      'allthrive.ai,github.com,gitlab.com,stackoverflow.com,stackexchange.com,developer.mozilla.org,npmjs.com,' +
        'pypi.org,python.org,huggingface.co,openai.com,anthropic.com,arxiv.org,wikipedia.org,youtube.com,youtu.be,' +
        'medium.com,dev.to,kaggle.com,colab.research.google.com,docs.google.com,figma.com,notion.so',
    ),
  /** Community words to block on top of the built-in list, and words to allow (comma-separated). */
  MODERATION_BLOCKED_WORDS: z.string().default(''),
  MODERATION_ALLOWED_WORDS: z.string().default(''),
  /** Distinct trusted reporters that hide a message pending review. */
  MODERATION_REPORTS_TO_HIDE: z.coerce.number().int().min(1).max(100).default(3),
  /** Layer-2 moderation (OpenAI moderation endpoint); off when no key is set. */
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: url(['https:', 'http:']).optional(),
  OPENAI_MODERATION_MODEL: z.string().min(1).default('omni-moderation-latest'),
  OPENAI_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** Attachments in S3-compatible storage (MinIO), e.g. http://minio:9000; a local folder when unset. */
  S3_ENDPOINT: url(['https:', 'http:']).optional(),
  S3_ACCESS_KEY: z.string().min(1).optional(),
  S3_SECRET_KEY: z.string().min(1).optional(),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name (3–63 lowercase letters, digits, dots, dashes)')
    .default('lounge-attachments'),
  S3_REGION: z.string().min(1).default('us-east-1'),
  /** The app's public address, for links in emails; default http://HOST:PORT. */
  APP_URL: url(['https:', 'http:']).optional(),
  /** Sender of notification emails (Amazon SES); email is off without it. */
  EMAIL_FROM: z.string().min(3).max(320).optional(),
  SES_REGION: z.string().min(1).default('us-east-1'),
  /** Another SES endpoint than AWS's (a local SES-compatible server). */
  SES_ENDPOINT: url(['https:', 'http:']).optional(),
  /** Critical alerts by SMS (Twilio); off without an account. */
  TWILIO_ACCOUNT_SID: z
    .string()
    .regex(/^AC[0-9a-fA-F]{32}$/, 'a Twilio account SID (AC + 32 hex digits)')
    .optional(),
  TWILIO_AUTH_TOKEN: z.string().min(8).optional(),
  /** The sending number (E.164) or messaging service SID. */
  TWILIO_FROM: z.string().min(3).max(64).optional(),
  /** Another Twilio API origin (a local Twilio-compatible server). */
  TWILIO_API_URL: url(['https:', 'http:']).optional(),
  /** Web Push (VAPID keys, base64url); the embedded default makes its own. */
  VAPID_PUBLIC_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{80,100}$/, 'a base64url P-256 public key')
    .optional(),
  VAPID_PRIVATE_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{40,50}$/, 'a base64url P-256 private key')
    .optional(),
  VAPID_SUBJECT: z
    .string()
    .regex(/^(mailto:|https:)/, 'a mailto: or https: contact')
    .default('mailto:lounge@localhost'),
  /**
   * Push services the server may post to (host names; `.example.com` also allows its subdomains): a
   * subscription names the address, so this keeps members from aiming the server at other hosts.
   */
  PUSH_ALLOWED_HOSTS: z
    .string()
    .default('fcm.googleapis.com,updates.push.services.mozilla.com,web.push.apple.com,.notify.windows.com'),
  /**
   * FCM for members' app devices (native apps register their tokens at `PUT /api/me/devices`): the
   * Firebase project's service account key file (JSON). Unset: app devices get no pushes.
   */
  FIREBASE_SERVICE_ACCOUNT_FILE: z.string().min(1).optional(),
  /** Link previews: the server reads the first web address of each message for a card (off: none). */
  LINK_PREVIEWS: z.enum(['on', 'off']).default('on'),
  /**
   * Host names whose private addresses link previews may read (an intranet wiki); by default a preview
   * reads public addresses only, never this machine's network.
   */
  LINK_PREVIEW_PRIVATE_HOSTS: z.string().default(''),
  /** How long a mention may wait unread in the app before it is emailed. */
  EMAIL_NOTIFY_DELAY_SECONDS: z.coerce.number().int().min(0).max(86_400).default(600),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  mode: 'embedded' | 'production';
  nodeEnv: Env['NODE_ENV'];
  port: number;
  host: string;
  dataDir: string;
  logLevel: Env['LOG_LEVEL'];
  database: { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string; poolSize: number };
  redisUrl: string | undefined;
  auth: {
    /** undefined only in the embedded default, where a secret is generated and kept in DATA_DIR. */
    hostJwtSecret: string | undefined;
    jwksUrl: string | undefined;
    issuer: string | undefined;
    audience: string;
    signingSecret: string | undefined;
    demoSignIn: boolean;
  };
  integrationSecret: string | undefined;
  links: { events: string; perks: string };
  clientDistDir: string;
  /** Where attachment bytes live: a folder (embedded default, one node) or an S3-compatible bucket. */
  attachments:
    | { kind: 'disk'; dir: string }
    | {
        kind: 's3';
        endPoint: string;
        port: number | undefined;
        useSSL: boolean;
        accessKey: string;
        secretKey: string;
        bucket: string;
        region: string;
      };
  /** The app's public address (no trailing slash), for links in emails. */
  appUrl: string;
  /** Notification email (SES); undefined: off, and the Settings page says so. */
  email: { from: string; region: string; endpoint: string | undefined; delaySeconds: number } | undefined;
  /** Web Push: VAPID keys (undefined: generated in the embedded default, push off in production) and where it may go. */
  push: {
    vapid: { publicKey: string; privateKey: string; subject: string } | undefined;
    allowedHosts: string[];
    /** FCM's service account key file; undefined: no pushes to app devices. */
    fcmKeyFile: string | undefined;
  };
  /** Link previews; undefined: off. */
  linkPreviews: { privateHosts: string[] } | undefined;
  /** Critical alerts by SMS (Twilio); undefined: off. */
  sms: { accountSid: string; authToken: string; from: string; apiUrl: string | undefined } | undefined;
  moderation: {
    allowedLinkDomains: string[];
    blockedWords: string[];
    allowedWords: string[];
    reportsToHide: number;
    /** undefined: Layer 2 is off and moderators are told so. */
    ai: { apiKey: string; baseUrl: string | undefined; model: string; timeoutMs: number } | undefined;
  };
}

const list = (value: string) =>
  value
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .filter((v) => v.length > 0);

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings (VAR= in a shell) mean "not set", as most tools treat them.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const mode = e.DATABASE_URL ? 'production' : 'embedded';
  const problems: string[] = [];
  if (mode === 'production') {
    if (!e.AUTH_JWT_SECRET && !e.AUTH_JWKS_URL) {
      problems.push('  AUTH_JWT_SECRET or AUTH_JWKS_URL: one is required when DATABASE_URL is set');
    }
    if (!e.LOUNGE_SIGNING_SECRET) problems.push('  LOUNGE_SIGNING_SECRET: required when DATABASE_URL is set');
  }
  if (!e.VAPID_PUBLIC_KEY !== !e.VAPID_PRIVATE_KEY) {
    problems.push('  VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY: set both or neither');
  }
  if (e.FIREBASE_SERVICE_ACCOUNT_FILE) {
    const problem = serviceAccountProblem(e.FIREBASE_SERVICE_ACCOUNT_FILE);
    if (problem) problems.push(`  FIREBASE_SERVICE_ACCOUNT_FILE: ${problem}`);
  }
  if (e.TWILIO_ACCOUNT_SID && (!e.TWILIO_AUTH_TOKEN || !e.TWILIO_FROM)) {
    problems.push('  TWILIO_AUTH_TOKEN and TWILIO_FROM: required when TWILIO_ACCOUNT_SID is set');
  }
  if (e.S3_ENDPOINT && (!e.S3_ACCESS_KEY || !e.S3_SECRET_KEY)) {
    problems.push('  S3_ACCESS_KEY and S3_SECRET_KEY: required when S3_ENDPOINT is set');
  }
  if (e.NODE_ENV === 'production' && e.LOUNGE_DEMO_SIGN_IN === true) {
    problems.push('  LOUNGE_DEMO_SIGN_IN: demo sign-in cannot be enabled with NODE_ENV=production');
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);

  return {
    mode,
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    logLevel: e.LOG_LEVEL,
    database:
      mode === 'production'
        ? { kind: 'postgres', url: e.DATABASE_URL as string, poolSize: e.DATABASE_POOL_SIZE }
        : { kind: 'pglite', dataDir: `${e.DATA_DIR}/pglite` },
    redisUrl: e.REDIS_URL,
    auth: {
      hostJwtSecret: e.AUTH_JWT_SECRET,
      jwksUrl: e.AUTH_JWKS_URL,
      issuer: e.AUTH_ISSUER,
      audience: e.AUTH_AUDIENCE,
      signingSecret: e.LOUNGE_SIGNING_SECRET,
      demoSignIn: e.LOUNGE_DEMO_SIGN_IN ?? (mode === 'embedded' && e.NODE_ENV !== 'production'),
    },
    integrationSecret: e.INTEGRATION_SECRET,
    links: { events: e.EVENTS_URL, perks: e.PERKS_URL },
    clientDistDir: e.CLIENT_DIST_DIR,
    attachments: e.S3_ENDPOINT ? s3Settings(e) : { kind: 'disk', dir: `${e.DATA_DIR}/attachments` },
    appUrl: (e.APP_URL ?? `http://${e.HOST}:${e.PORT}`).replace(/\/+$/, ''),
    email: e.EMAIL_FROM
      ? {
          from: e.EMAIL_FROM,
          region: e.SES_REGION,
          endpoint: e.SES_ENDPOINT,
          delaySeconds: e.EMAIL_NOTIFY_DELAY_SECONDS,
        }
      : undefined,
    push: {
      vapid:
        e.VAPID_PUBLIC_KEY && e.VAPID_PRIVATE_KEY
          ? { publicKey: e.VAPID_PUBLIC_KEY, privateKey: e.VAPID_PRIVATE_KEY, subject: e.VAPID_SUBJECT }
          : undefined,
      allowedHosts: list(e.PUSH_ALLOWED_HOSTS),
      fcmKeyFile: e.FIREBASE_SERVICE_ACCOUNT_FILE,
    },
    linkPreviews:
      e.LINK_PREVIEWS === 'on'
        ? { privateHosts: list(e.LINK_PREVIEW_PRIVATE_HOSTS).map((h) => h.toLowerCase()) }
        : undefined,
    sms:
      e.TWILIO_ACCOUNT_SID && e.TWILIO_AUTH_TOKEN && e.TWILIO_FROM
        ? {
            accountSid: e.TWILIO_ACCOUNT_SID,
            authToken: e.TWILIO_AUTH_TOKEN,
            from: e.TWILIO_FROM,
            apiUrl: e.TWILIO_API_URL,
          }
        : undefined,
    moderation: {
      allowedLinkDomains: list(e.MODERATION_ALLOWED_LINK_DOMAINS),
      blockedWords: list(e.MODERATION_BLOCKED_WORDS),
      allowedWords: list(e.MODERATION_ALLOWED_WORDS),
      reportsToHide: e.MODERATION_REPORTS_TO_HIDE,
      ai: e.OPENAI_API_KEY
        ? {
            apiKey: e.OPENAI_API_KEY,
            baseUrl: e.OPENAI_BASE_URL,
            model: e.OPENAI_MODERATION_MODEL,
            timeoutMs: e.OPENAI_TIMEOUT_MS,
          }
        : undefined,
    },
  };
}

function s3Settings(e: Env): Config['attachments'] {
  const endpoint = new URL(e.S3_ENDPOINT as string);
  return {
    kind: 's3',
    endPoint: endpoint.hostname,
    port: endpoint.port ? Number(endpoint.port) : undefined,
    useSSL: endpoint.protocol === 'https:',
    accessKey: e.S3_ACCESS_KEY as string,
    secretKey: e.S3_SECRET_KEY as string,
    bucket: e.S3_BUCKET,
    region: e.S3_REGION,
  };
}

/** Why a Firebase service account key file cannot be used, or undefined when it can. */
function serviceAccountProblem(path: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    return `cannot read it as JSON (${(err as Error).message})`;
  }
  const fields = ['project_id', 'client_email', 'private_key'] as const;
  const missing = fields.filter((f) => typeof (parsed as Record<string, unknown> | null)?.[f] !== 'string');
  return missing.length > 0 ? `not a service account key (no ${missing.join(', ')})` : undefined;
}
