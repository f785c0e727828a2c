#!/bin/sh
# Crux never uses Prisma's schema engine: migrations are hand-written SQL applied by
# server/db/migrate.ts, and the engine binary cannot be downloaded offline.
echo "crux: Prisma's schema engine is not used here (see server/db/migrate.ts); refusing $*" >&2
exit 1
