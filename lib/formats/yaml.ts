/**
 * The little YAML that Argdown documents use: a front-matter block mapping (`title: ...`,
 * folded `description: >` scalars, nested settings we skip) and inline `{key: value}` data on
 * statements. A full YAML parser would be a dependency for two features; this covers what the
 * Argdown docs show and reports anything else as an error with the offending line.
 */
export type YamlValue = string | YamlValue[] | { [key: string]: YamlValue };

export class YamlError extends Error {
  constructor(
    message: string,
    /** 0-based line within the parsed block. */
    readonly lineIndex: number,
  ) {
    super(message);
  }
}

function unquoteDouble(s: string): string {
  try {
    return JSON.parse(s) as string;
  } catch {
    // YAML allows escapes JSON does not (\x41, \e); keep the text rather than fail.
    return s.slice(1, -1).replace(/\\(.)/g, '$1');
  }
}

function scalar(raw: string): string {
  const s = raw.trim();
  if (s.startsWith('"') && s.endsWith('"') && s.length >= 2) return unquoteDouble(s);
  if (s.startsWith("'") && s.endsWith("'") && s.length >= 2) return s.slice(1, -1).replace(/''/g, "'");
  // A plain scalar ends at a ` #` comment.
  const hash = s.search(/\s#/);
  return (hash >= 0 ? s.slice(0, hash) : s).trim();
}

/** Parses a flow value such as `{kind: thesis, sources: ["a", b]}`. */
export function parseFlow(input: string): YamlValue {
  let i = 0;
  const s = input;
  const ws = (): void => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const fail = (msg: string): never => {
    throw new YamlError(`${msg} at column ${i + 1}`, 0);
  };
  const quoted = (): string => {
    const q = s[i]!;
    const start = i;
    i++;
    while (i < s.length) {
      if (q === '"' && s[i] === '\\') i += 2;
      else if (s[i] === q) {
        if (q === "'" && s[i + 1] === "'") i += 2;
        else break;
      } else i++;
    }
    if (i >= s.length) fail('unclosed quote');
    i++;
    return scalar(s.slice(start, i));
  };
  const plain = (stops: string): string => {
    const start = i;
    while (i < s.length && !stops.includes(s[i]!)) i++;
    return s.slice(start, i).trim();
  };
  const value = (): YamlValue => {
    ws();
    const c = s[i];
    if (c === '{') {
      i++;
      const out: Record<string, YamlValue> = {};
      ws();
      if (s[i] === '}') {
        i++;
        return out;
      }
      for (;;) {
        ws();
        const key = s[i] === '"' || s[i] === "'" ? quoted() : plain(':,}');
        ws();
        if (s[i] !== ':') fail(`expected ":" after key "${key}"`);
        i++;
        out[key] = value();
        ws();
        if (s[i] === ',') {
          i++;
          continue;
        }
        if (s[i] === '}') {
          i++;
          return out;
        }
        fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const out: YamlValue[] = [];
      ws();
      if (s[i] === ']') {
        i++;
        return out;
      }
      for (;;) {
        out.push(value());
        ws();
        if (s[i] === ',') {
          i++;
          continue;
        }
        if (s[i] === ']') {
          i++;
          return out;
        }
        fail('expected "," or "]"');
      }
    }
    if (c === '"' || c === "'") return quoted();
    if (c === undefined) fail('value expected');
    return scalar(plain(',}]'));
  };
  const v = value();
  ws();
  if (i < s.length) fail('unexpected text after value');
  return v;
}

const indentOf = (line: string): number => line.length - line.trimStart().length;

/** Parses a block mapping (front matter, or `{` + newline data blocks). */
export function parseBlock(lines: readonly string[]): Record<string, YamlValue> {
  const out: Record<string, YamlValue> = {};
  const base = Math.min(...lines.filter((l) => l.trim() !== '' && !l.trim().startsWith('#')).map(indentOf), Infinity);
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const t = line.trim();
    if (t === '' || t.startsWith('#')) {
      i++;
      continue;
    }
    if (indentOf(line) !== base) throw new YamlError('unexpected indentation', i);
    const m = /^("[^"]*"|'[^']*'|[^:]+?)\s*:(?:\s+(.*))?$/.exec(t);
    if (!m) throw new YamlError(`expected "key: value", got "${t.slice(0, 40)}"`, i);
    const key = scalar(m[1]!);
    const rest = (m[2] ?? '').trim();
    // Lines indented deeper than the key belong to it.
    let j = i + 1;
    while (j < lines.length && (lines[j]!.trim() === '' || indentOf(lines[j]!) > base)) j++;
    const nested = lines.slice(i + 1, j);
    while (nested.length > 0 && nested[nested.length - 1]!.trim() === '') nested.pop();
    if (/^[|>][+-]?$/.test(rest)) {
      const inner = Math.min(...nested.filter((l) => l.trim() !== '').map(indentOf), Infinity);
      const body = nested.map((l) => (l.trim() === '' ? '' : l.slice(inner)));
      out[key] = rest.startsWith('|')
        ? body.join('\n')
        : body
            .join('\n')
            .replace(/([^\n])\n(?=[^\n])/g, '$1 ')
            .replace(/\n\n/g, '\n');
    } else if (rest === '') {
      const first = nested.find((l) => l.trim() !== '');
      if (first === undefined) out[key] = '';
      else if (first.trim().startsWith('- ') || first.trim() === '-')
        out[key] = nested.filter((l) => l.trim() !== '').map((l) => scalar(l.trim().replace(/^-\s*/, '')));
      else {
        try {
          out[key] = parseBlock(nested);
        } catch (e) {
          if (e instanceof YamlError) throw new YamlError(e.message, i + 1 + e.lineIndex);
          throw e;
        }
      }
    } else if (rest.startsWith('{') || rest.startsWith('[')) {
      try {
        out[key] = parseFlow([rest, ...nested].join('\n'));
      } catch (e) {
        if (e instanceof YamlError) throw new YamlError(e.message, i);
        throw e;
      }
    } else {
      // A plain scalar may continue on deeper-indented lines.
      out[key] = scalar([rest, ...nested.map((l) => l.trim())].join(' '));
    }
    i = j;
  }
  return out;
}

/** Formats a string as a YAML double-quoted scalar (JSON string syntax is valid YAML). */
export function yamlString(s: string): string {
  return JSON.stringify(s);
}
