// `npm start`: generate the Prisma client if missing or older than the schema, build if
// needed, then run the server
// (which migrates, seeds and prints the URL). Signals are passed on so shutdown stays graceful.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIfNeeded } from './build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const generated = path.join(root, 'server', 'db', 'generated', 'client.ts');
const schemaDir = path.join(root, 'prisma', 'schema');
// A checkout whose schema changed after its last `npm install` (a pull, a generator option)
// would otherwise run a client generated from the old one.
const stale = () =>
  readdirSync(schemaDir).some((f) => f.endsWith('.prisma') && statSync(path.join(schemaDir, f)).mtimeMs > statSync(generated).mtimeMs);
if (!existsSync(generated) || stale()) {
  const res = spawnSync(process.execPath, [path.join(root, 'scripts', 'prisma-generate.mjs')], { stdio: 'inherit' });
  if (res.status !== 0) process.exit(res.status ?? 1);
}
buildIfNeeded();

const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server', 'main.ts')], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
