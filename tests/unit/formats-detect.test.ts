import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../lib/formats/detect';
import { fixture } from '../fixtures/formats/helpers';

describe('format detection', () => {
  it.each([
    ['remote-work.argdown', 'argdown'],
    ['remote-work.aifdb.json', 'aif'],
    ['remote-work.ova3.json', 'aif'],
    ['remote-work.kialo.txt', 'kialo'],
    ['backup-v1.json', 'backup'],
    ['backup-v2.json', 'backup'],
    ['backup-v3.json', 'backup'],
  ])('%s is %s', (file, format) => expect(detectFormat(fixture(file))).toBe(format));

  it.each([
    ['1. Thesis\n1.1. Pro: reason', undefined, 'kialo'],
    ['\uFEFF\n\nDiscussion Title: X\n\n1. Thesis', undefined, 'kialo'],
    ['[A]: a claim\n  + b', undefined, 'argdown'],
    ['1.5 is not a Kialo number', undefined, 'argdown'],
    ['  {"nodes": []}', undefined, 'aif'],
    ['{"format": "crux-backup", "version": 3}', undefined, 'backup'],
    ['1. looks like Kialo', 'map.argdown', 'argdown'],
    ['not json at all', 'export.json', 'aif'],
    ['', undefined, 'argdown'],
  ] as const)('%j (file %s) is %s', (text, name, format) => expect(detectFormat(text, name)).toBe(format));
});
