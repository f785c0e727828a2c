// Builds the Next.js app when its inputs changed since the last build, and records a stamp of
// those inputs. `npm start` calls it, so a fresh clone builds once and later starts are instant.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// prisma/schema stands for the generated client (skipped below): the schema decides it.
const INPUTS = ['app', 'lib', 'server', 'public', 'prisma/schema', 'next.config.js', 'package-lock.json', 'tsconfig.json'];
const SKIP = new Set(['node_modules', '.next', 'generated']);
const stampFile = path.join(root, '.next', 'crux-build-stamp');

function* walk(p) {
  if (!existsSync(p)) return;
  const st = statSync(p);
  if (st.isFile()) {
    yield p;
    return;
  }
  for (const e of readdirSync(p).sort()) if (!SKIP.has(e)) yield* walk(path.join(p, e));
}

export function inputStamp() {
  const h = createHash('sha256');
  for (const i of INPUTS)
    for (const f of walk(path.join(root, i))) {
      h.update(path.relative(root, f));
      h.update(readFileSync(f));
    }
  return h.digest('hex');
}

export function buildIfNeeded({ force = false } = {}) {
  const stamp = inputStamp();
  const built = existsSync(path.join(root, '.next', 'BUILD_ID')) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp;
  if (built && !force) return false;
  console.log('[crux] building the app (first start or sources changed)…');
  const t0 = Date.now();
  const res = spawnSync(process.execPath, [path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
  });
  if (res.status !== 0) {
    console.error('[crux] build failed');
    process.exit(res.status ?? 1);
  }
  // Stamp after building: `next build` may itself touch tsconfig.json.
  writeFileSync(stampFile, inputStamp());
  console.log(`[crux] built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  buildIfNeeded({ force: process.argv.includes('--force') });
