import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';

type TwilioResponse<T> = import('twilio/lib/http/response.js').default<T>;

/** Sends one text message; throws when the provider refuses or cannot be reached (the job retries). */
export interface SmsSender {
  send(message: { to: string; body: string }): Promise<void>;
}

export interface TwilioSettings {
  accountSid: string;
  authToken: string;
  /** The sending number (E.164) or a messaging service's sender. */
  from: string;
  /** Another API origin than Twilio's (a local Twilio-compatible server in tests). */
  apiUrl?: string | undefined;
}

/**
 * The SDK's own HTTP client, sending to another origin: the SDK still builds, authenticates and parses
 * every request, only the host differs (twilio-node has no base-URL option).
 */
class OriginRequestClient extends twilio.RequestClient {
  constructor(private readonly origin: string) {
    super();
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<TwilioResponse<TData>> {
    const url = new URL(opts.uri);
    return super.request({ ...opts, uri: `${this.origin}${url.pathname}${url.search}` });
  }
}

/** Text messages through Twilio's Messages API, with the official SDK. */
export function createTwilioSmsSender(settings: TwilioSettings): SmsSender {
  const client = twilio(settings.accountSid, settings.authToken, {
    ...(settings.apiUrl ? { httpClient: new OriginRequestClient(settings.apiUrl.replace(/\/+$/, '')) } : {}),
    // The job queue owns retries.
    autoRetry: false,
  });
  return {
    async send(message) {
      await client.messages.create({ to: message.to, from: settings.from, body: message.body });
    },
  };
}
