import { z } from 'zod';
import { claimIdSchema } from './claim';

/**
 * Relation kinds. `supports` and `attacks` point from a claim (the argument) to the claim it
 * argues about; `undercuts` points from a claim to a *relation*, attacking the inference itself.
 */
export const RELATION_KINDS = ['supports', 'attacks', 'undercuts'] as const;
export type RelationKind = (typeof RELATION_KINDS)[number];

export interface Relation {
  id: string;
  /** The claim making the argument. */
  from: string;
  /** The claim argued about, or for `undercuts` the relation whose inference is attacked. */
  to: string;
  kind: RelationKind;
  /**
   * Co-premise group: relations to the same target that share a group id are one linked
   * argument (the premises support the conclusion only together). Empty when independent.
   */
  group: string;
  author: string;
  createdAt: number;
}

export const relationSchema = z.object({
  id: claimIdSchema,
  from: claimIdSchema,
  to: claimIdSchema,
  kind: z.enum(RELATION_KINDS),
  group: z.string().max(64),
  author: z.string().max(200),
  createdAt: z.number().finite(),
});
