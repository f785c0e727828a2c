import type { Database } from './db/client';
import type { RoomManager } from './rooms/manager';
import type { GroupCommitWriter } from './persistence/writer';
import type { Config } from './config';
import type { LiveBus } from './live/bus';

/**
 * What route handlers need from the running server. Next bundles app/ code separately from the
 * custom server, so a plain module-level singleton would exist twice; the runtime is therefore
 * handed over through a process-wide symbol that both copies read.
 */
export interface Runtime {
  config: Config;
  db: Database;
  rooms: RoomManager;
  writer: GroupCommitWriter;
  live: LiveBus;
}

const KEY = Symbol.for('crux.runtime');
type Holder = { [KEY]?: Runtime };

export function setRuntime(rt: Runtime | undefined): void {
  (globalThis as Holder)[KEY] = rt;
}

export function getRuntime(): Runtime {
  const rt = (globalThis as Holder)[KEY];
  if (!rt) throw new Error('Crux runtime is not initialised: the app must be started through server/main.ts');
  return rt;
}
