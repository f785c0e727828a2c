/**
 * A small reader for prisma/schema.prisma: enough to list each model's table, columns (database
 * type and nullability) and unique indexes, so a test can hold the SQL migrations to it without
 * Prisma's schema engine (which cannot be downloaded here).
 */
export interface SchemaColumn {
  name: string;
  type: string;
  nullable: boolean;
}
export interface SchemaTable {
  name: string;
  columns: SchemaColumn[];
  /** Each unique index (including the primary key) as its column list. */
  uniques: string[][];
  indexes: string[][];
}

const SCALAR: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Boolean: 'boolean',
  Float: 'double precision',
  Decimal: 'numeric',
  DateTime: 'timestamp(3) without time zone',
  Json: 'jsonb',
  Bytes: 'bytea',
};

const NATIVE: Record<string, (arg: string | undefined) => string> = {
  Timestamptz: (a) => `timestamp(${a ?? 6}) with time zone`,
  Timestamp: (a) => `timestamp(${a ?? 6}) without time zone`,
  VarChar: (a) => (a ? `character varying(${a})` : 'character varying'),
  Text: () => 'text',
  SmallInt: () => 'smallint',
  Real: () => 'real',
  Uuid: () => 'uuid',
  Date: () => 'date',
  Citext: () => 'citext',
};

const fieldList = (s: string) =>
  s
    .replace(/[[\]]/g, '')
    .split(',')
    .map((x) => x.trim().replace(/\(.*\)$/, ''))
    .filter(Boolean);

export function parsePrismaSchema(text: string): SchemaTable[] {
  const src = text.replace(/\/\/.*$/gm, '');
  const enums = new Set([...src.matchAll(/^enum\s+(\w+)\s*\{/gm)].map((m) => m[1]!));
  const models = new Set([...src.matchAll(/^model\s+(\w+)\s*\{/gm)].map((m) => m[1]!));
  const out: SchemaTable[] = [];
  for (const m of src.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    const [, modelName, body] = m as unknown as [string, string, string];
    let table = modelName;
    const columns: SchemaColumn[] = [];
    const uniques: string[][] = [];
    const indexes: string[][] = [];
    const fieldToColumn = new Map<string, string>();
    const pending: { kind: 'unique' | 'index' | 'id'; fields: string[] }[] = [];
    for (const raw of body.split('\n')) {
      const line = raw.trim();
      if (!line) continue;
      if (line.startsWith('@@')) {
        const map = line.match(/^@@map\("([^"]+)"\)/);
        if (map) table = map[1]!;
        const blk = line.match(/^@@(unique|index|id)\(\s*(?:fields:\s*)?(\[[^\]]*\])/);
        if (blk) pending.push({ kind: blk[1] as 'unique' | 'index' | 'id', fields: fieldList(blk[2]!) });
        continue;
      }
      const f = line.match(/^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/);
      if (!f) continue;
      const [, name, type, list, optional, attrs] = f as unknown as [
        string,
        string,
        string,
        string | undefined,
        string | undefined,
        string,
      ];
      if (models.has(type)) continue; // relation field: no column
      const col = attrs.match(/@map\("([^"]+)"\)/)?.[1] ?? name;
      fieldToColumn.set(name, col);
      const native = attrs.match(/@db\.(\w+)(?:\((\d+)\))?/);
      let dbType = native ? NATIVE[native[1]!]?.(native[2]) : enums.has(type) ? 'USER-DEFINED' : SCALAR[type];
      if (!dbType) throw new Error(`schema reader does not know type ${type}${native ? ` @db.${native[1]}` : ''}`);
      if (list) dbType = 'ARRAY';
      columns.push({ name: col, type: dbType, nullable: optional === '?' });
      if (/@id\b/.test(attrs)) uniques.push([col]);
      if (/@unique\b/.test(attrs)) uniques.push([col]);
    }
    for (const p of pending) {
      const cols = p.fields.map((x) => fieldToColumn.get(x) ?? x);
      if (p.kind === 'index') indexes.push(cols);
      else uniques.push(cols);
    }
    out.push({ name: table, columns, uniques, indexes });
  }
  return out;
}
