import { z } from 'zod';

/** Claim kinds. A thesis is a root the debate argues about; a question invites claims. */
export const CLAIM_KINDS = ['thesis', 'claim', 'question'] as const;
export type ClaimKind = (typeof CLAIM_KINDS)[number];

export const MAX_CLAIM_TEXT = 2000;
export const MAX_CLAIMS = 20_000;
export const MAX_TAGS = 20;
export const MAX_TAG_LENGTH = 40;

export interface Claim {
  id: string;
  text: string;
  kind: ClaimKind;
  x: number;
  y: number;
  /** Display name or account id of whoever created the claim. */
  author: string;
  tags: string[];
  /** Milliseconds since the epoch. */
  createdAt: number;
  updatedAt: number;
}

export const claimIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'id must be [A-Za-z0-9_-]');

export const claimSchema = z.object({
  id: claimIdSchema,
  text: z.string().max(MAX_CLAIM_TEXT),
  kind: z.enum(CLAIM_KINDS),
  x: z.number().finite(),
  y: z.number().finite(),
  author: z.string().max(200),
  tags: z.array(z.string().min(1).max(MAX_TAG_LENGTH)).max(MAX_TAGS),
  createdAt: z.number().finite(),
  updatedAt: z.number().finite(),
});
