import path from 'node:path';
import { z } from 'zod';

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgres:// or postgresql://')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  CRUX_DATA_DIR: z.string().default('./.data'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  CRUX_SEED: z.enum(['auto', 'off']).default('auto'),
  CRUX_PUBLIC_URL: z.string().url().optional(),
  CRUX_AUTH_SECRET: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.string().min(32, 'CRUX_AUTH_SECRET must be at least 32 characters').optional(),
  ),
  CRUX_TRUST_PROXY: z.enum(['0', '1']).default('0'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'REDIS_URL must start with redis:// or rediss://')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  CRUX_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_:.-]{1,64}$/, 'CRUX_REDIS_PREFIX: letters, digits and _:.- only')
    .default('crux:'),
  CRUX_INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'CRUX_INSTANCE_ID: letters, digits and _.- only')
    .optional(),
});

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  /** PGlite lives in `${dataDir}/pglite`. */
  dataDir: string;
  dev: boolean;
  seed: boolean;
  /** Where the app lives: the project root (Next's dir). */
  rootDir: string;
  publicUrl: string | undefined;
  /** Signs session cookies; unset: generated once and kept in the database (AppSecret). */
  authSecret?: string;
  /** Take the client address from X-Forwarded-For (behind one trusted reverse proxy). */
  trustProxy?: boolean;
  /**
   * Several instances share one Postgres and relay live document traffic through this Redis
   * (server/scale). Requires databaseUrl: PGlite belongs to one process.
   */
  redisUrl?: string;
  /** Prefix of the Redis channel names (several deployments on one Redis). */
  redisPrefix?: string;
  /** This instance's name in logs and on the wire; random when unset. */
  instanceId?: string;
}

export function loadConfig(env: NodeJS.ProcessEnv, rootDir: string): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${msg}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(rootDir, e.CRUX_DATA_DIR),
    dev: e.NODE_ENV === 'development',
    seed: e.CRUX_SEED === 'auto',
    rootDir,
    publicUrl: e.CRUX_PUBLIC_URL,
    authSecret: e.CRUX_AUTH_SECRET,
    trustProxy: e.CRUX_TRUST_PROXY === '1',
    redisUrl: e.REDIS_URL,
    redisPrefix: e.CRUX_REDIS_PREFIX,
    instanceId: e.CRUX_INSTANCE_ID,
  };
}
