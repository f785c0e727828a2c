/*
 * Summarises a V8 .cpuprofile (from `node bench/run.mjs --cpu-prof`, written to bench/out/prof/):
 * self time by function and by package/file, heaviest first.
 *
 *   node bench/prof-top.mjs bench/out/prof/crux-pg-….cpuprofile [rows]
 */
import { readFileSync } from 'node:fs';

const [file, rowsArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/prof-top.mjs <file.cpuprofile> [rows]');
  process.exit(1);
}
const rows = Number(rowsArg ?? 30);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = prof.timeDeltas;
for (let i = 0; i < prof.samples.length; i++) {
  const id = prof.samples[i];
  self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const where = (url) => {
  if (!url) return '(native)';
  const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (m) return m[1];
  const w = url.match(/\/work\/main\/(.*)$/) ?? url.match(/file:\/\/(.*)$/);
  return w ? w[1] : url;
};
const fn = new Map();
const pkg = new Map();
for (const [id, us] of self) {
  const n = byId.get(id);
  const cf = n.callFrame;
  const w = where(cf.url);
  const key = `${cf.functionName || '(anonymous)'}  ${w}:${cf.lineNumber + 1}`;
  fn.set(key, (fn.get(key) ?? 0) + us);
  pkg.set(w, (pkg.get(w) ?? 0) + us);
}
const pct = (us) => ((100 * us) / total).toFixed(1).padStart(5) + '%';
console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled`);
console.log('\nby package / file:');
for (const [k, v] of [...pkg].sort((a, b) => b[1] - a[1]).slice(0, rows)) console.log(`${pct(v)}  ${k}`);
console.log('\nby function (self time):');
for (const [k, v] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, rows)) console.log(`${pct(v)}  ${k}`);

// The longest stretches without an idle sample: where the event loop stalled, and on what.
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const isIdle = (id) => ['(idle)', '(program)'].includes(byId.get(id).callFrame.functionName);
const stretches = [];
let cur;
for (let i = 0; i < prof.samples.length; i++) {
  const id = prof.samples[i];
  if (isIdle(id)) {
    if (cur) stretches.push(cur);
    cur = undefined;
    continue;
  }
  cur ??= { start: i, us: 0, ids: [] };
  cur.us += dt[i + 1] ?? 0;
  cur.ids.push(id);
}
if (cur) stretches.push(cur);
const stack = (id) => {
  const out = [];
  for (let x = id; x !== undefined; x = parent.get(x)) {
    const cf = byId.get(x).callFrame;
    if (cf.functionName === '(root)') break;
    out.push(`${cf.functionName || '(anonymous)'} ${where(cf.url)}:${cf.lineNumber + 1}`);
  }
  return out;
};
console.log('\nlongest busy stretches (ms) and the frames most present in them:');
for (const s of stretches.sort((a, b) => b.us - a.us).slice(0, 5)) {
  const count = new Map();
  for (const id of s.ids) for (const f of new Set(stack(id))) count.set(f, (count.get(f) ?? 0) + 1);
  const top = [...count]
    .filter(([f]) => !/^\(anonymous\) \(native\)|processTicksAndRejections|runMicrotasks/.test(f))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([f, c]) => `${Math.round((100 * c) / s.ids.length)}% ${f}`);
  console.log(`${(s.us / 1000).toFixed(1).padStart(7)}  ${top.join(' | ')}`);
}
