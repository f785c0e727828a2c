import { randomBytes } from 'node:crypto';
import { betterAuth } from 'better-auth';
import { prismaAdapter } from 'better-auth/adapters/prisma';
import { anonymous } from 'better-auth/plugins';
import type { BetterAuthPlugin } from 'better-auth';
import { APIError, createAuthMiddleware } from 'better-auth/api';
import { PASSWORD_MAX, PASSWORD_MIN, displayNameSchema, signUpSchema } from '../../lib/schemas/access';
import type { Database } from '../db/client';
import type { Config } from '../config';
import { getRuntime, type Runtime } from '../runtime';
import { CLIENT_IP_HEADER } from '../access/clientIp';
import { expectedOrigin } from '../access/origin';
import { SIGN_IN_FAILURE_BUCKET, SharedLimiter } from '../access/rateLimit';
import { liveAccess } from '../access/live';
import { grantsChanged } from '../access/grants';
import type { LiveBus } from '../live/bus';
import { sessionsChanged } from './sessionCache';
import { mergeGuestInto } from '../services/accounts';

/** Session lifetime; a session used within the last day before expiry is extended by the client's get-session call. */
export const SESSION_TTL_SECONDS = 7 * 24 * 60 * 60;
/** Guests get a placeholder address in this reserved (RFC 6761) domain until they claim the account. */
export const GUEST_EMAIL_DOMAIN = 'guest.crux.invalid';

/**
 * better-auth endpoints Crux does not use: no social login, email sending, account deletion or
 * email change yet. Disabled paths answer 404, so they cannot be probed or misused.
 */
const DISABLED_PATHS = [
  '/sign-in/social',
  '/callback/:id',
  '/link-social',
  '/unlink-account',
  '/get-access-token',
  '/refresh-token',
  '/account-info',
  '/delete-user',
  '/delete-user/callback',
  '/change-email',
  '/request-password-reset',
  '/reset-password',
  '/reset-password/:token',
  '/send-verification-email',
  '/verify-email',
  '/delete-anonymous-user',
];

const SESSION_ENDING = new Set(['/sign-out', '/revoke-session', '/revoke-sessions', '/revoke-other-sessions']);

const fieldMessage = (issues: { path: PropertyKey[]; message: string }[]): string =>
  issues.map((i) => `${i.path.map(String).join('.') || '(body)'} — ${i.message}`).join('; ');

/** Reads or creates the session-signing secret: CRUX_AUTH_SECRET, else one generated once and kept in the database. */
export async function authSecret(db: Database, config: Pick<Config, 'authSecret'>): Promise<string> {
  if (config.authSecret) return config.authSecret;
  // Instances starting together race to insert; all of them read back the winner's value.
  await db.sql.query(`INSERT INTO "AppSecret" ("name", "value") VALUES ('auth', $1) ON CONFLICT ("name") DO NOTHING`, [
    randomBytes(48).toString('base64url'),
  ]);
  const rows = await db.sql.query<{ value: string }>(`SELECT "value" FROM "AppSecret" WHERE "name" = 'auth'`);
  return rows[0]!.value;
}

const SIGN_IN_PATHS = new Set(['/sign-in/email', '/sign-up/email', '/sign-in/anonymous']);

/**
 * Rotation: signing in always issues a new token, and the session the browser held before (a
 * guest's, or an earlier one) ends, so a planted or stolen token dies here. A guest's
 * memberships move to the account they signed into.
 */
function sessionRotation(db: Database, live: LiveBus) {
  return {
    id: 'crux-session-rotation',
    hooks: {
      after: [
        {
          matcher: (ctx: { path?: string }) => SIGN_IN_PATHS.has(ctx.path ?? ''),
          handler: createAuthMiddleware(async (ctx) => {
            const fresh = ctx.context.newSession;
            if (!fresh) return;
            const previous = await ctx.getSignedCookie(ctx.context.authCookies.sessionToken.name, ctx.context.secret);
            if (!previous || previous === fresh.session.token) return;
            const old = await ctx.context.internalAdapter.findSession(previous);
            const oldIsGuest = (old?.user as { isAnonymous?: boolean } | undefined)?.isAnonymous === true;
            const freshIsGuest = (fresh.user as { isAnonymous?: boolean }).isAnonymous === true;
            if (old && oldIsGuest && !freshIsGuest && old.user.id !== fresh.user.id) {
              await mergeGuestInto(db, old.user.id, fresh.user.id);
              await grantsChanged(live, { userId: fresh.user.id });
              await grantsChanged(live, { userId: old.user.id });
            }
            await ctx.context.internalAdapter.deleteSession(previous);
          }),
        },
      ],
    },
  } satisfies BetterAuthPlugin;
}

function buildAuth(db: Database, config: Config, secret: string, live: LiveBus) {
  const secure = config.publicUrl?.startsWith('https://') ?? false;
  // Failed sign-ins per account, counted in the database so that every instance sees them all.
  const signInFailures = new SharedLimiter(db, 'sign-in-failures', SIGN_IN_FAILURE_BUCKET);
  const emailOf = (body: unknown): string => {
    const e = (body as { email?: unknown } | undefined)?.email;
    return typeof e === 'string' ? e.trim().toLowerCase() : '';
  };

  return betterAuth({
    appName: 'Crux',
    secret,
    // Without CRUX_PUBLIC_URL the site is whatever host the browser addressed (see expectedOrigin).
    ...(config.publicUrl
      ? { baseURL: config.publicUrl, trustedOrigins: [new URL(config.publicUrl).origin] }
      : { trustedOrigins: (request?: Request) => (request ? [expectedOrigin(request, undefined)] : []) }),
    basePath: '/api/auth',
    database: prismaAdapter(db.prisma, { provider: 'postgresql' }),
    telemetry: { enabled: false },
    logger: { level: 'error' },
    disabledPaths: DISABLED_PATHS,
    emailAndPassword: {
      enabled: true,
      autoSignIn: true,
      requireEmailVerification: false,
      minPasswordLength: PASSWORD_MIN,
      maxPasswordLength: PASSWORD_MAX,
    },
    session: {
      expiresIn: SESSION_TTL_SECONDS,
      updateAge: 24 * 60 * 60,
      // Every request reads the session row, so revoking it (sign-out everywhere) takes effect at once.
      cookieCache: { enabled: false },
    },
    advanced: {
      cookiePrefix: 'crux',
      useSecureCookies: secure,
      defaultCookieAttributes: { httpOnly: true, sameSite: 'lax', secure },
      // Crux checks Origin itself on every mutating route; better-auth checks it again.
      disableOriginCheck: false,
      disableCSRFCheck: false,
      // The HTTP server puts the socket's address here (X-Forwarded-For only with CRUX_TRUST_PROXY=1).
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
    },
    rateLimit: {
      enabled: true,
      // In the database (table "RateLimit"): shared by every instance, unlike 'memory'.
      storage: 'database',
      window: 60,
      max: 120,
      customRules: {
        '/sign-in/email': { window: 60, max: 10 },
        '/sign-up/email': { window: 60, max: 5 },
        '/sign-in/anonymous': { window: 60, max: 10 },
        '/change-password': { window: 60, max: 5 },
      },
    },
    plugins: [
      anonymous({
        emailDomainName: GUEST_EMAIL_DOMAIN,
        // Signing into an account from a guest session keeps the guest row: its contributions are
        // attributed to it. Its memberships move to the account (sessionRotation).
        disableDeleteAnonymousUser: true,
        generateName: (ctx) => {
          const parsed = displayNameSchema.safeParse((ctx.body as { name?: unknown } | undefined)?.name);
          if (!parsed.success)
            throw new APIError('BAD_REQUEST', { message: `name — ${parsed.error.issues[0]?.message ?? 'invalid'}`, code: 'INVALID_NAME' });
          return parsed.data;
        },
      }),
      // After anonymous(): its hook must still find the previous session this one ends.
      sessionRotation(db, live),
    ],
    // Cached sessions (server/auth/sessionCache.ts) end with their row, on every instance, whichever
    // path deletes it (sign-out, revocation, rotation, expiry); a changed or deleted user's too.
    databaseHooks: {
      session: { delete: { after: async (session) => sessionsChanged(live, [session.userId]) } },
      user: {
        update: { after: async (user) => sessionsChanged(live, [user.id]) },
        delete: {
          after: async (user) => {
            await sessionsChanged(live, [user.id]);
            await grantsChanged(live, { userId: user.id });
          },
        },
      },
    },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        if (ctx.path === '/sign-up/email') {
          // The same rules (and messages) as the form: names are bounded and free of control characters.
          const parsed = signUpSchema.safeParse(ctx.body);
          if (!parsed.success) throw new APIError('BAD_REQUEST', { message: fieldMessage(parsed.error.issues), code: 'VALIDATION_ERROR' });
        }
        // Crux shows no avatars: an image URL would only be a way to make browsers fetch from elsewhere.
        if (ctx.path === '/update-user' && (ctx.body as { image?: unknown } | undefined)?.image !== undefined)
          throw new APIError('BAD_REQUEST', { message: 'image — not supported', code: 'VALIDATION_ERROR' });
        if (ctx.path === '/update-user' && (ctx.body as { name?: unknown } | undefined)?.name !== undefined) {
          const parsed = displayNameSchema.safeParse((ctx.body as { name?: unknown }).name);
          if (!parsed.success)
            throw new APIError('BAD_REQUEST', {
              message: `name — ${parsed.error.issues[0]?.message ?? 'invalid'}`,
              code: 'VALIDATION_ERROR',
            });
        }
        if (ctx.path === '/sign-in/email') {
          const wait = await signInFailures.wait(emailOf(ctx.body));
          if (wait > 0)
            throw new APIError(
              'TOO_MANY_REQUESTS',
              { message: 'too many failed sign-ins for this account: try again later', code: 'TOO_MANY_ATTEMPTS' },
              { 'Retry-After': String(wait) },
            );
        }
      }),
      after: createAuthMiddleware(async (ctx) => {
        if (ctx.path === '/sign-in/email') {
          const returned = ctx.context.returned as { statusCode?: number } | undefined;
          if (returned instanceof Error && returned.statusCode === 401) await signInFailures.take(emailOf(ctx.body));
          else if (ctx.context.newSession) await signInFailures.reset(emailOf(ctx.body));
        }
        if (SESSION_ENDING.has(ctx.path)) {
          // Sockets opened with an ended session lose what that session allowed, now.
          const token = await ctx.getSignedCookie(ctx.context.authCookies.sessionToken.name, ctx.context.secret);
          const userId = ctx.context.session?.user.id;
          await liveAccess().refreshWhere((w) => (userId !== undefined && w.userId === userId) || (!!token && w.sessionToken === token));
        }
      }),
    },
  });
}

export type CruxAuth = ReturnType<typeof buildAuth>;

/**
 * The better-auth instance of the running server, made on first use. Next bundles route code
 * separately from the custom server, so the instance hangs off a process-wide symbol keyed by
 * the runtime both copies share (server/runtime.ts): one instance, one rate-limit memory.
 */
const KEY = Symbol.for('crux.auth');
type Holder = { [KEY]?: WeakMap<Runtime, Promise<CruxAuth>> };

export function getAuth(rt: Runtime = getRuntime()): Promise<CruxAuth> {
  const holder = globalThis as Holder;
  const map = (holder[KEY] ??= new WeakMap());
  let auth = map.get(rt);
  if (!auth) {
    auth = authSecret(rt.db, rt.config).then((secret) => buildAuth(rt.db, rt.config, secret, rt.live));
    auth.catch(() => map.delete(rt));
    map.set(rt, auth);
  }
  return auth;
}
