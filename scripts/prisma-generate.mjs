// Runs `prisma generate` without letting the CLI fetch its schema-engine binary: this
// project applies its own SQL migrations, and these machines have no route to the download.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: path.join(root, 'scripts', 'no-schema-engine.sh'),
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
};
const res = spawnSync(
  process.execPath,
  [path.join(root, 'node_modules', 'prisma', 'build', 'index.js'), 'generate', '--schema', 'prisma/schema'],
  {
    cwd: root,
    env,
    stdio: 'inherit',
  },
);
process.exit(res.status ?? 1);
