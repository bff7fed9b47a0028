import { z } from 'zod';

export const apiUserSchema = z.object({
  id: z.uuid(),
  handle: z.string(),
  displayName: z.string(),
  avatarUrl: z.string().nullable(),
  isGlobalAdmin: z.boolean(),
});
