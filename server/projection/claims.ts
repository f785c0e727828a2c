import type { Database } from '../db/client';
import type { RoomHooks } from '../rooms/room';

/** Keeps SQL in step with the documents ([evidence] fills this in). */
export interface Projection {
  hooks: RoomHooks;
  /** Writes everything still pending (shutdown, tests). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function createProjection(_db: Database): Projection {
  return { hooks: {}, flush: async () => undefined, close: async () => undefined };
}
