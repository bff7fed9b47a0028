import { describe, expect, it } from 'vitest';
import type { NotificationEntry } from '../../shared/sync/inbox.ts';
import type { EnqueueOptions, JobQueue } from '../../workers/job-queue.ts';
import { outOfAppDelivery } from './out-of-app.ts';

/** A queue that only records what it was given (the jobs themselves are tested against real services). */
function recordingQueue() {
  const jobs: Array<{ name: string; data: unknown; opts: EnqueueOptions | undefined }> = [];
  const queue: JobQueue = {
    enqueue: async (name, data, opts) => void jobs.push({ name, data, opts }),
    repeat: async () => {},
    close: async () => {},
  };
  return { queue, jobs };
}

const base = { channelId: 'c', roomId: 'c', threadId: null, actorId: 'a', actorName: 'Ada', at: 0, read: false };
const mention = (userId: string, id: string) => ({
  id,
  userId,
  notification: { ...base, kind: 'mention', messageId: 'm', seq: 1 } as NotificationEntry,
});
const moderation = (userId: string, id: string, action: 'ban' | 'warn' | 'mute') => ({
  id,
  userId,
  notification: {
    ...base,
    kind: 'moderation',
    action,
    reason: 'x',
    until: null,
    messageId: null,
    seq: null,
  } as NotificationEntry,
});
const EMAIL = { from: 'a@b.c', region: 'r', endpoint: undefined, delaySeconds: 600 };
const SMS = { accountSid: 'AC', authToken: 't', from: '+1', apiUrl: undefined };

describe('outOfAppDelivery', () => {
  it('is off when the server sends neither email nor SMS', () => {
    expect(outOfAppDelivery({ email: undefined, sms: undefined }, recordingQueue().queue)).toBeUndefined();
  });

  it('schedules one email job per member after the grace period, and texts only bans and mutes', async () => {
    const { queue, jobs } = recordingQueue();
    const deliver = outOfAppDelivery({ email: EMAIL, sms: SMS }, queue)!;
    await deliver([
      mention('eve', 'n1'),
      mention('eve', 'n2'),
      mention('max', 'n3'),
      moderation('sam', 'n4', 'ban'),
      moderation('sam', 'n5', 'warn'),
      moderation('tia', 'n6', 'mute'),
    ]);
    expect(jobs).toEqual([
      { name: 'email-notifications', data: { userId: 'eve' }, opts: { jobId: 'email:eve', delayMs: 600_000 } },
      { name: 'email-notifications', data: { userId: 'max' }, opts: { jobId: 'email:max', delayMs: 600_000 } },
      { name: 'sms-alert', data: { notificationId: 'n4' }, opts: { jobId: 'sms:n4' } },
      { name: 'sms-alert', data: { notificationId: 'n6' }, opts: { jobId: 'sms:n6' } },
    ]);
  });

  it('pushes every new notification at once when the server has push keys', async () => {
    const { queue, jobs } = recordingQueue();
    await outOfAppDelivery({ email: undefined, sms: undefined }, queue, true)!([
      mention('eve', 'n1'),
      moderation('sam', 'n2', 'warn'),
    ]);
    expect(jobs).toEqual([
      { name: 'push-notification', data: { notificationId: 'n1' }, opts: { jobId: 'push:n1' } },
      { name: 'push-notification', data: { notificationId: 'n2' }, opts: { jobId: 'push:n2' } },
    ]);
  });

  it('with SMS off, a ban schedules nothing; with email off, a mention schedules nothing', async () => {
    const onlyEmail = recordingQueue();
    await outOfAppDelivery({ email: EMAIL, sms: undefined }, onlyEmail.queue)!([moderation('sam', 'n1', 'ban')]);
    expect(onlyEmail.jobs).toEqual([]);
    const onlySms = recordingQueue();
    await outOfAppDelivery({ email: undefined, sms: SMS }, onlySms.queue)!([mention('eve', 'n2')]);
    expect(onlySms.jobs).toEqual([]);
  });
});
