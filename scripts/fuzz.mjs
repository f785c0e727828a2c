// The long fuzz run of [harden] 3: tests/integration/fuzz.test.ts at full size — 10,000 malformed
// sync frames and 1,000 malformed bodies per mutating API route (CI runs 2,000 and 50).
//   node scripts/fuzz.mjs [--frames N] [--per-route N] [--seed N]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : def;
};
const res = spawnSync(
  process.execPath,
  [path.join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'tests/integration/fuzz.test.ts'],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      FUZZ_FRAMES: opt('frames', '10000'),
      FUZZ_PER_ROUTE: opt('per-route', '1000'),
      FUZZ_SEED: opt('seed', '20260'),
    },
  },
);
process.exit(res.status ?? 1);
