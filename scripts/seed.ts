// `npm run seed`: migrate, then create the demo debate if it is missing (`--reset` replaces it).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../server/config';
import { openDatabase } from '../server/db/client';
import { loadMigrations, migrate } from '../server/db/migrate';
import { seedAgiDebate } from '../server/services/seed';
import { AGI_DEBATE } from '../lib/seed/agi';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function main(): Promise<void> {
  const config = loadConfig(process.env, root);
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: path.join(config.dataDir, 'pglite') });
  try {
    await migrate(db.sql, await loadMigrations(path.join(root, 'prisma', 'migrations')));
    if (process.argv.includes('--reset')) await db.prisma.debate.deleteMany({ where: { id: AGI_DEBATE.id } });
    const res = await seedAgiDebate(db.prisma, { onlyIfEmpty: false });
    console.log(
      res.created ? `created "${AGI_DEBATE.title}" (${res.debateId})` : `"${AGI_DEBATE.title}" already exists; use --reset to replace it`,
    );
  } finally {
    await db.close();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
