import { z } from 'zod';

export const DEBATE_TITLE_MAX = 200;
export const DEBATE_DESCRIPTION_MAX = 2000;

/** POST /api/debates */
export const createDebateSchema = z.object({
  title: z.string().trim().min(1, 'title is required').max(DEBATE_TITLE_MAX, `title must be at most ${DEBATE_TITLE_MAX} characters`),
  description: z
    .string()
    .trim()
    .max(DEBATE_DESCRIPTION_MAX, `description must be at most ${DEBATE_DESCRIPTION_MAX} characters`)
    .default(''),
});
export type CreateDebateInput = z.input<typeof createDebateSchema>;

/** What the API returns for a debate. */
export interface DebateSummary {
  id: string;
  title: string;
  description: string;
  createdAt: string;
  updatedAt: string;
}

export const listDebatesQuerySchema = z.object({
  cursor: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
