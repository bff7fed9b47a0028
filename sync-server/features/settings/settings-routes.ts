import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { switchAskMe } from '../integration/ask-me.ts';
import { publishCommitted } from '../rooms-admin/publish.ts';
import type { AppDeps } from '../../app-deps.ts';
import { memberOf } from '../../auth/auth-plugin.ts';
import { badRequest, errorBodySchema, notFound } from '../../http/errors.ts';

const settingsSchema = z.object({
  dmPermission: z.enum(['everyone', 'connections', 'following', 'none']),
  notifyPush: z.boolean(),
  notifyEmailMentions: z.boolean(),
  emailDigest: z.enum(['off', 'daily', 'weekly']),
  smsCritical: z.boolean(),
  phoneE164: z
    .string()
    .regex(/^\+[1-9][0-9]{6,14}$/, 'must be a phone number in international format, e.g. +14155550123')
    .nullable(),
  askMeEnabled: z.boolean(),
});

/**
 * What this server can deliver outside the app, so the page never offers a switch that does nothing:
 * `email` is 'on' when email is set up and the host platform gave the member an address, 'no_address'
 * when it is set up but they have none, 'off' when the server sends no email; the same for SMS and
 * Web Push (on when the server has VAPID keys: the embedded default makes its own).
 */
const deliverySchema = z.object({
  email: z.enum(['on', 'no_address', 'off']),
  sms: z.enum(['on', 'off']),
  push: z.enum(['on', 'off']),
});
const settingsAnswerSchema = settingsSchema.extend({ delivery: deliverySchema });

const COLUMNS = {
  dmPermission: 'dm_permission',
  notifyPush: 'notify_push',
  notifyEmailMentions: 'notify_email_mentions',
  emailDigest: 'email_digest',
  smsCritical: 'sms_critical',
  phoneE164: 'phone_e164',
  askMeEnabled: 'ask_me_enabled',
} as const satisfies Record<keyof z.infer<typeof settingsSchema>, string>;

interface SettingsRow {
  email: string | null;
  dm_permission: z.infer<typeof settingsSchema>['dmPermission'];
  notify_push: boolean;
  notify_email_mentions: boolean;
  email_digest: z.infer<typeof settingsSchema>['emailDigest'];
  sms_critical: boolean;
  phone_e164: string | null;
  ask_me_enabled: boolean;
}

const toApi = (r: SettingsRow): z.infer<typeof settingsSchema> => ({
  dmPermission: r.dm_permission,
  notifyPush: r.notify_push,
  notifyEmailMentions: r.notify_email_mentions,
  emailDigest: r.email_digest,
  smsCritical: r.sms_critical,
  phoneE164: r.phone_e164,
  askMeEnabled: r.ask_me_enabled,
});

/** A member's own settings, and whom they block or mute (privacy & safety in the spec). */
export async function settingsRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { db, sync } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  const read = async (userId: string) => {
    await db.query('INSERT INTO user_settings (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING', [userId]);
    const { rows } = await db.query<SettingsRow>(
      `SELECT ${Object.values(COLUMNS).join(', ')}, email FROM user_settings WHERE user_id = $1`,
      [userId],
    );
    const row = rows[0]!;
    return {
      ...toApi(row),
      delivery: {
        email: !deps.config.email ? ('off' as const) : row.email ? ('on' as const) : ('no_address' as const),
        sms: deps.config.sms ? ('on' as const) : ('off' as const),
        push: deps.push ? ('on' as const) : ('off' as const),
      },
    };
  };

  r.get(
    '/api/me/settings',
    {
      schema: {
        tags: ['settings'],
        summary: 'My DM and notification settings',
        response: { 200: settingsAnswerSchema },
      },
    },
    async (request) => read(memberOf(request).id),
  );

  r.patch(
    '/api/me/settings',
    {
      schema: {
        tags: ['settings'],
        summary: 'Change some of my settings',
        body: settingsSchema.partial().strict(),
        response: { 200: settingsAnswerSchema, 400: errorBodySchema },
      },
    },
    async (request) => {
      const member = memberOf(request);
      const entries = Object.entries(request.body).filter(([, v]) => v !== undefined) as Array<
        [keyof typeof COLUMNS, unknown]
      >;
      if (entries.length === 0) throw badRequest('Nothing to change: send at least one setting.');
      if (request.body.smsCritical === true) {
        const current = await read(member.id);
        if (!(request.body.phoneE164 ?? current.phoneE164)) {
          throw badRequest('SMS alerts need a phone number: set phoneE164 too.', 'phone_required');
        }
      }
      await read(member.id);
      // "Ask me" is more than a column: turning it on opens the member's profile chat (as the host platform's
      // switch does), turning it off locks it.
      const columns = entries.filter(([key]) => key !== 'askMeEnabled');
      if (columns.length > 0) {
        const sets = columns.map(([key], i) => `${COLUMNS[key]} = $${i + 2}`);
        await db.query(`UPDATE user_settings SET ${sets.join(', ')}, updated_at = now() WHERE user_id = $1`, [
          member.id,
          ...columns.map(([, v]) => v),
        ]);
      }
      if (request.body.askMeEnabled !== undefined) {
        const enabled = request.body.askMeEnabled;
        const { changes } = await db.transaction((tx) =>
          switchAskMe(
            tx,
            { id: member.id, hostUserId: member.host_user_id, displayName: member.display_name, deleted: false },
            enabled,
          ),
        );
        await publishCommitted(deps, changes, request.log);
      }
      return read(member.id);
    },
  );

  const relation = (table: 'user_blocks' | 'user_mutes', map: 'blocked' | 'muted', verb: string) => {
    const [actorColumn, otherColumn] =
      table === 'user_blocks' ? ['blocker_id', 'blocked_id'] : ['muter_id', 'muted_id'];
    const params = z.strictObject({ userId: z.uuid() });
    r.put(
      `/api/me/${map === 'blocked' ? 'blocks' : 'mutes'}/:userId`,
      {
        schema: {
          tags: ['settings'],
          summary: `${verb[0]!.toUpperCase()}${verb.slice(1)} a member`,
          params,
          response: { 204: z.null(), 400: errorBodySchema, 404: errorBodySchema },
        },
      },
      async (request, reply) => {
        const member = memberOf(request);
        const other = request.params.userId;
        if (other === member.id) throw badRequest(`You can't ${verb} yourself.`, 'self_target');
        const exists = await db.query('SELECT 1 FROM users WHERE id = $1', [other]);
        if (exists.rows.length === 0) throw notFound('That member does not exist.');
        await db.query(`INSERT INTO ${table} (${actorColumn}, ${otherColumn}) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
          member.id,
          other,
        ]);
        await sync.deliverInboxEntry({ userId: member.id, map, key: other, value: true });
        return reply.code(204).send(null);
      },
    );
    r.delete(
      `/api/me/${map === 'blocked' ? 'blocks' : 'mutes'}/:userId`,
      { schema: { tags: ['settings'], summary: `Un${verb} a member`, params, response: { 204: z.null() } } },
      async (request, reply) => {
        const member = memberOf(request);
        await db.query(`DELETE FROM ${table} WHERE ${actorColumn} = $1 AND ${otherColumn} = $2`, [
          member.id,
          request.params.userId,
        ]);
        await sync.deliverInboxEntry({ userId: member.id, map, key: request.params.userId, value: null });
        return reply.code(204).send(null);
      },
    );
  };
  relation('user_blocks', 'blocked', 'block');
  relation('user_mutes', 'muted', 'mute');
}
