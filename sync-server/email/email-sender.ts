import { SendEmailCommand, SESClient } from '@aws-sdk/client-ses';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Sends one email; throws when the provider refuses or cannot be reached (the job retries). */
export interface EmailSender {
  send(message: EmailMessage): Promise<void>;
}

export interface SesSettings {
  from: string;
  region: string;
  /** Another endpoint than AWS's (a local SES-compatible server in tests). */
  endpoint?: string | undefined;
  /** Explicit keys; without them the SDK's usual chain (environment, instance role) is used. */
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
}

/** Email through Amazon SES (`SendEmail`), with the official SDK. */
export function createSesEmailSender(settings: SesSettings): EmailSender {
  const client = new SESClient({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    // The job queue owns retries, with backoff that survives restarts.
    maxAttempts: 1,
  });
  return {
    async send(message) {
      await client.send(
        new SendEmailCommand({
          Source: settings.from,
          Destination: { ToAddresses: [message.to] },
          Message: {
            Subject: { Data: message.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: message.text, Charset: 'UTF-8' },
              Html: { Data: message.html, Charset: 'UTF-8' },
            },
          },
        }),
      );
    },
  };
}
