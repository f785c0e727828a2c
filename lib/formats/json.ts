import { FormatError, type FormatName } from './types';

/**
 * Finds where JSON text first goes wrong. Node 20's JSON.parse often says only "Unexpected
 * token" without a position, and a user fixing a hand-edited file needs the line. This runs only
 * after JSON.parse has already failed.
 */
export function locateJsonError(text: string): { offset: number; message: string } {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  class Stop extends Error {
    constructor(readonly msg: string) {
      super(msg);
    }
  }
  const stop = (msg: string): never => {
    throw new Stop(msg);
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else stop(`unexpected "${text[i] ?? 'end of input'}"`);
  };
  const string = (): void => {
    i++;
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) stop('control character in string');
      if (text[i] === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) stop('bad \\u escape');
          i += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) stop('bad escape in string');
        i += 2;
        continue;
      }
      i++;
    }
    if (i >= text.length) stop('unterminated string');
    i++;
  };
  const number = (): void => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) stop(`unexpected "${text[i]}"`);
    i += m![0].length;
  };
  // An explicit stack instead of recursion: deeply nested input must not overflow.
  const stack: ('{' | '[')[] = [];
  const key = (): void => {
    ws();
    if (text[i] !== '"') stop('expected a property name in double quotes');
    string();
    ws();
    if (text[i] !== ':') stop('expected ":" after property name');
    i++;
  };
  try {
    let expectValue = true;
    for (;;) {
      if (expectValue) {
        ws();
        const c = text[i];
        expectValue = false;
        if (c === '{' || c === '[') {
          stack.push(c);
          i++;
          ws();
          if (text[i] === (c === '{' ? '}' : ']')) {
            stack.pop();
            i++;
            continue;
          }
          if (c === '{') key();
          expectValue = true;
        } else if (c === '"') string();
        else if (c === 't') literal('true');
        else if (c === 'f') literal('false');
        else if (c === 'n') literal('null');
        else if (c === undefined) stop('unexpected end of input');
        else number();
        continue;
      }
      const top = stack[stack.length - 1];
      if (top === undefined) break;
      ws();
      const close = top === '{' ? '}' : ']';
      if (text[i] === close) {
        stack.pop();
        i++;
        continue;
      }
      if (text[i] !== ',') stop(`expected "," or "${close}"`);
      i++;
      if (top === '{') key();
      expectValue = true;
    }
    ws();
    if (i < text.length) stop('unexpected text after the JSON value');
    return { offset: i, message: 'invalid JSON' };
  } catch (e) {
    if (e instanceof Stop) return { offset: Math.min(i, text.length), message: e.msg };
    throw e;
  }
}

/** JSON.parse with a FormatError that names the line of the first syntax error. */
export function parseJson(format: FormatName, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const { offset, message } = locateJsonError(text);
    let line = 1;
    for (let k = 0; k < offset; k++) if (text.charCodeAt(k) === 10) line++;
    throw new FormatError(format, `invalid JSON: ${message}`, { line });
  }
}
