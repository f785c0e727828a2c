import type * as Y from 'yjs';
import type { Claim, ClaimKind } from '../model/claim';
import type { Relation, RelationKind } from '../model/relation';
import type { ArgumentGraph } from '../model/graph';
import { writeGraph } from '../model/doc';

/**
 * The launch debate, "Will AGI happen?", built from Tim Dettmers's post "Why AGI Will Not Happen"
 * (S1), Dan Fu's reply (S2) and a Chinese news article that summarises both (S3). Claim texts
 * paraphrase the arguments; figures are quoted as the sources give them.
 *
 * Shape: a question at the top that both theses answer (Dettmers's A0 attacks it, Fu's B0
 * supports it), so the map has one root and reads "yes / no" at a glance. B0 also attacks A0
 * directly, because Fu's post is a rebuttal of Dettmers's.
 *
 * Every side claim supports its thesis, except those that argue for another claim of the same
 * side (from the brief: A1 → A2/A4, A3 → A6/A10, A7 → A11, B7 → B6; from the posts' own
 * structure: A8 → A7, both threats to the value of big infrastructure, and B2 → B1, MoE as the
 * cause of the low MFU). They reach the thesis through that claim; a second, direct edge would
 * count the same reason twice in DF-QuAD scoring and clutter the map.
 */

export interface SeedSource {
  id: string;
  url: string | null;
  title: string;
  authors: string[];
  publisher: string;
  /** YYYY-MM-DD, or null when only the month is known. */
  publishedAt: string | null;
  kind: 'paper' | 'blog' | 'news' | 'dataset' | 'talk' | 'book' | 'other';
  notes: string;
}

export interface SeedEvidence {
  id: string;
  claimId: string;
  sourceId: string;
  stance: 'supports' | 'contradicts' | 'context';
  /** A short passage from the source; see `note` when it is a translation. */
  quote: string;
  /** Where in the source the passage is. */
  locator: string;
  note: string;
}

export interface SeedDebate {
  id: string;
  title: string;
  description: string;
  graph: ArgumentGraph;
  sources: SeedSource[];
  evidence: SeedEvidence[];
}

const DETTMERS = 'Tim Dettmers (S1)';
const FU = 'Dan Fu (S2)';
const EDITORS = 'Crux editors';

/** Fixed so that the seed is byte-for-byte the same on every run: 2025-12-15T09:00:00Z. */
const SEEDED_AT = Date.UTC(2025, 11, 15, 9, 0, 0);

/**
 * Layout, for claim cards 260 px wide and, with these texts, 215–291 px tall (measured in
 * Chromium; top-left corners below). Almost every claim is a
 * direct reason for its thesis and many of Fu's claims also attack one of Dettmers's, so a plain
 * layered layout makes Fu's support edges run behind Dettmers's claims. Instead the map is a V:
 * - the question on top, Dettmers's thesis top-left, Fu's top-right;
 * - the contested claims zig-zag down a central gutter, Dettmers's attacked claims in one column
 *   (x 1620) and Fu's attackers in the next (x 2080), each attacker beside what it attacks, so
 *   every attack is a short arrow across the 200 px gutter;
 * - each column's support edges fan out to its thesis; the theses sit far enough out (1300 and
 *   1400 px) and the column rows far enough apart (~320–350 px) that no two cards touch and
 *   every straight edge clears every other card (tests/unit/seed.test.ts, at 260 px tall;
 *   tests/e2e/canvas.test.ts checks the cards as Chromium draws them);
 * - the remaining claims (premises, uncontested reasons) sit below the fans, near what they
 *   support.
 */
interface ClaimSpec {
  id: string;
  kind: ClaimKind;
  author: string;
  text: string;
  tags: string[];
  x: number;
  y: number;
}

const CLAIMS: ClaimSpec[] = [
  {
    id: 'q0',
    kind: 'question',
    author: EDITORS,
    text: 'Will AGI happen?',
    tags: ['agi'],
    x: 1850,
    y: 0,
  },
  // Side A: Dettmers, "AGI will not happen".
  {
    id: 'a0',
    kind: 'thesis',
    author: DETTMERS,
    text: 'No. Physics rules it out: AGI will not be built, and a superintelligence worth the name is a fantasy.',
    tags: ['dettmers', 'thesis', 'physics'],
    x: 320,
    y: 304,
  },
  {
    id: 'a1',
    kind: 'claim',
    author: DETTMERS,
    text: 'Computation is physical. Bringing distant data to where it is processed costs roughly quadratically more with distance, bigger caches are slower, and smaller transistors make arithmetic cheap while memory grows relatively dear.',
    tags: ['dettmers', 'physics', 'memory', 'hardware'],
    x: 1260,
    y: 2112,
  },
  {
    id: 'a2',
    kind: 'claim',
    author: DETTMERS,
    text: 'The Transformer already pairs local processing (MLP layers) with long-range gathering of information (attention) in close to the most physically efficient way, so architecture has little headroom left.',
    tags: ['dettmers', 'architecture', 'transformer', 'physics'],
    x: 1620,
    y: 2288,
  },
  {
    id: 'a3',
    kind: 'claim',
    author: DETTMERS,
    text: 'Each linear step of progress costs exponentially more resources, both in the physical world and among ideas, where ideas that build on related ideas give shrinking returns.',
    tags: ['dettmers', 'scaling', 'diminishing-returns'],
    x: 620,
    y: 1440,
  },
  {
    id: 'a4',
    kind: 'claim',
    author: DETTMERS,
    text: 'GPUs have stopped getting meaningfully better. Value per dollar topped out around 2018, and the one-off boosts (16-bit, Tensor Cores, HBM, TMA, then 8- and 4-bit formats) are all spent; what remains is trading one cost for another.',
    tags: ['dettmers', 'hardware', 'gpu'],
    x: 1620,
    y: 1906,
  },
  {
    id: 'a5',
    kind: 'claim',
    author: DETTMERS,
    text: 'Rack-level engineering, such as moving the KV cache efficiently, still pays, but it has essentially one best design and its gains will be used up by about 2026–2027.',
    tags: ['dettmers', 'hardware', 'infrastructure', 'inference'],
    x: 1620,
    y: 1584,
  },
  {
    id: 'a6',
    kind: 'claim',
    author: DETTMERS,
    text: 'Scaling has one, at most two, years of runway left. Exponentially better GPUs used to offset the exponential cost of scaling; with that offset gone, further gains soon become physically unaffordable.',
    tags: ['dettmers', 'scaling', 'hardware'],
    x: 1620,
    y: 1232,
  },
  {
    id: 'a7',
    kind: 'claim',
    author: DETTMERS,
    text: 'Smaller labs such as MoonshotAI and Z.ai reach frontier-level models without vast compute, so a huge hardware build-out can turn from an asset into a liability.',
    tags: ['dettmers', 'economics', 'infrastructure'],
    x: 0,
    y: 912,
  },
  {
    id: 'a8',
    kind: 'claim',
    author: DETTMERS,
    text: 'vLLM and SGLang shine only at huge scale. A leaner inference stack that beat them would let anyone run a ~300B-parameter model nearly as efficiently as a frontier lab, wiping out the labs’ infrastructure edge.',
    tags: ['dettmers', 'inference', 'open-weights', 'economics'],
    x: 0,
    y: 1216,
  },
  {
    id: 'a9',
    kind: 'claim',
    author: DETTMERS,
    text: 'A true AGI would have to do physical work through robots, but robots learn under much the same scaling laws, and gathering data in the real world is costly.',
    tags: ['dettmers', 'definition', 'robotics', 'scaling'],
    x: 1620,
    y: 880,
  },
  {
    id: 'a10',
    kind: 'claim',
    author: DETTMERS,
    text: 'Self-improvement cannot run away: making any system better costs resources and is bound by the same scaling laws, so a superintelligence would plug gaps in what we can do, not extend it.',
    tags: ['dettmers', 'superintelligence', 'scaling'],
    x: 320,
    y: 704,
  },
  {
    id: 'a11',
    kind: 'claim',
    author: DETTMERS,
    text: 'The US race to be first to superintelligence, winner takes all, is short-sighted; China’s focus on useful applications at a sensible cost is the more pragmatic bet.',
    tags: ['dettmers', 'economics', 'policy'],
    x: 0,
    y: 608,
  },
  // Side B: Fu, "AI systems are far from hardware limits".
  {
    id: 'b0',
    kind: 'thesis',
    author: FU,
    text: 'Yes, it can. Today’s AI systems leave most of their hardware unused, there are concrete routes to ten times the effective compute or more, and current models are already very useful.',
    tags: ['fu', 'thesis', 'efficiency'],
    x: 3480,
    y: 304,
  },
  {
    id: 'b1',
    kind: 'claim',
    author: FU,
    text: 'Training is far from its efficiency ceiling: DeepSeek-V3 and Llama-4 used only about 20% of peak FP8 FLOPs (MFU), whereas BLOOM managed about 50% MFU back in 2022.',
    tags: ['fu', 'training', 'mfu', 'efficiency'],
    x: 2080,
    y: 2082,
  },
  {
    id: 'b2',
    kind: 'claim',
    author: FU,
    text: 'Mixture-of-experts layers do less arithmetic per byte moved than dense matrix multiplies (more weight traffic, smaller matmuls), so today’s model designs are not built to keep GPUs busy.',
    tags: ['fu', 'training', 'moe', 'architecture'],
    x: 2460,
    y: 2288,
  },
  {
    id: 'b3',
    kind: 'claim',
    author: FU,
    text: 'Blackwell brings 2.2x Hopper’s FP8 throughput plus native FP4 Tensor Cores; FP4 training that is both efficient and high-utilisation could yield as much as 9x more usable FLOPs.',
    tags: ['fu', 'hardware', 'fp4', 'blackwell'],
    x: 2080,
    y: 1760,
  },
  {
    id: 'b4',
    kind: 'claim',
    author: FU,
    text: 'Inference wastes even more: the best megakernels reach about 70% of memory bandwidth (MBU), yet use under 5% of the available FLOPs.',
    tags: ['fu', 'inference', 'mfu', 'efficiency'],
    x: 2080,
    y: 2464,
  },
  {
    id: 'b5',
    kind: 'claim',
    author: FU,
    text: 'Models trail the hardware. DeepSeek-V3 was pretrained on just 2,048 H800 GPUs in late 2024; the clusters going up now hold 40k to 100k+ GPUs, up to 50x more compute.',
    tags: ['fu', 'scaling', 'clusters', 'lagging-indicator'],
    x: 2080,
    y: 1056,
  },
  {
    id: 'b6',
    kind: 'claim',
    author: FU,
    text: 'Newer hardware features are still largely untapped: a GB200 NVL72 rack links 72 GPUs over NVLink into one domain, and GPT-5.2 is one of the first models trained on GB200.',
    tags: ['fu', 'hardware', 'nvlink', 'lagging-indicator'],
    x: 2080,
    y: 1408,
  },
  {
    id: 'b7',
    kind: 'claim',
    author: FU,
    text: 'On B200, attention is held back by the units that compute exponentials, not by Tensor Cores; B300 doubles those units. Easy hardware wins like this are still ahead.',
    tags: ['fu', 'hardware', 'attention', 'blackwell'],
    x: 2780,
    y: 2080,
  },
  {
    id: 'b8',
    kind: 'claim',
    author: FU,
    text: 'Concrete routes exist: co-designing architectures with the hardware in mind (Simran Arora, Songlin Yang), good FP4 training (Albert Tseng, NVIDIA), models built for efficient inference such as diffusion LMs, and the idle compute in phones and laptops.',
    tags: ['fu', 'research', 'co-design', 'fp4'],
    x: 3480,
    y: 704,
  },
  {
    id: 'b9',
    kind: 'claim',
    author: FU,
    text: 'Even if systems stopped improving today, current models are already very useful: coding tools like Claude Code and Cursor Composer now produce most of Fu’s code, and with guidance models write good GPU kernels.',
    tags: ['fu', 'usefulness', 'coding'],
    x: 1770,
    y: 480,
  },
  {
    id: 'b10',
    kind: 'claim',
    author: FU,
    text: 'A workable definition of AGI is a general set of tools that beats most people at some tasks and has a large economic impact, and by that measure we may not be far off.',
    tags: ['fu', 'definition', 'usefulness'],
    x: 2080,
    y: 704,
  },
];

/** [from, kind, to]; the relation's author is whoever wrote the `from` claim. */
const RELATIONS: Array<[string, RelationKind, string]> = [
  // The two answers to the question, and the direct clash.
  ['a0', 'attacks', 'q0'],
  ['b0', 'supports', 'q0'],
  ['b0', 'attacks', 'a0'],
  // Dettmers's reasons.
  ['a2', 'supports', 'a0'],
  ['a4', 'supports', 'a0'],
  ['a5', 'supports', 'a0'],
  ['a6', 'supports', 'a0'],
  ['a9', 'supports', 'a0'],
  ['a10', 'supports', 'a0'],
  ['a11', 'supports', 'a0'],
  ['a1', 'supports', 'a2'],
  ['a1', 'supports', 'a4'],
  ['a3', 'supports', 'a6'],
  ['a3', 'supports', 'a10'],
  ['a7', 'supports', 'a11'],
  ['a8', 'supports', 'a7'],
  // Fu's reasons.
  ['b1', 'supports', 'b0'],
  ['b3', 'supports', 'b0'],
  ['b4', 'supports', 'b0'],
  ['b5', 'supports', 'b0'],
  ['b6', 'supports', 'b0'],
  ['b8', 'supports', 'b0'],
  ['b9', 'supports', 'b0'],
  ['b10', 'supports', 'b0'],
  ['b2', 'supports', 'b1'],
  ['b7', 'supports', 'b6'],
  // Fu against Dettmers.
  ['b1', 'attacks', 'a2'],
  ['b1', 'attacks', 'a4'],
  ['b3', 'attacks', 'a4'],
  ['b4', 'attacks', 'a2'],
  ['b5', 'attacks', 'a6'],
  ['b6', 'attacks', 'a5'],
  ['b6', 'attacks', 'a6'],
  ['b9', 'attacks', 'a0'],
  ['b10', 'attacks', 'a9'],
];

function buildGraph(): ArgumentGraph {
  const claims: Claim[] = CLAIMS.map((c, i) => ({
    id: c.id,
    text: c.text,
    kind: c.kind,
    x: c.x,
    y: c.y,
    author: c.author,
    tags: c.tags,
    createdAt: SEEDED_AT + i * 60_000,
    updatedAt: SEEDED_AT + i * 60_000,
  }));
  const authorOf = new Map(claims.map((c) => [c.id, c.author]));
  const relationsStart = SEEDED_AT + claims.length * 60_000;
  const relations: Relation[] = RELATIONS.map(([from, kind, to], i) => ({
    id: `r-${from}-${to}`,
    from,
    to,
    kind,
    group: '',
    author: authorOf.get(from) ?? EDITORS,
    createdAt: relationsStart + i * 1_000,
  }));
  return { claims, relations };
}

const S3_TRANSLATED = 'Translated from the Chinese article (S3)';

const SOURCES: SeedSource[] = [
  {
    id: 's1',
    url: 'https://timdettmers.com/2025/12/10/why-agi-will-not-happen/',
    title: 'Why AGI Will Not Happen',
    authors: ['Tim Dettmers'],
    publisher: 'timdettmers.com',
    publishedAt: '2025-12-10',
    kind: 'blog',
    notes:
      'Dettmers (Carnegie Mellon University; Ai2) argues from the physics of computation that AGI and meaningful superintelligence will not happen. Side A of the debate.',
  },
  {
    id: 's2',
    url: 'https://danfu.org/notes/agi/',
    title: 'Notes on AGI',
    authors: ['Dan Fu'],
    publisher: 'danfu.org',
    publishedAt: null,
    kind: 'blog',
    notes:
      'Fu (UC San Diego) replies to S1: today’s systems are far from hardware limits and already useful. Published December 2025 (exact day not recorded). The S3 article heads its summary "Yes, AGI can happen". Side B of the debate.',
  },
  {
    id: 's3',
    url: null,
    title: 'Chinese news article summarising Dettmers (S1) and Fu (S2)',
    authors: ['Leng Mao (editor)'],
    publisher: 'Chinese technology news outlet (article credits editor Leng Mao, 冷猫)',
    publishedAt: null,
    kind: 'news',
    notes:
      'Chinese-language summary of both posts, December 2025; no public URL recorded. It leans to Fu’s side. Passages quoted from it in this debate are English translations, and where it relays S1 or S2 they are its rendering, not the original authors’ wording.',
  },
];

/** Where in S3 a passage is: the section heading, in English with the Chinese original. */
const S3 = {
  physical: 'S3, Dettmers part, section "Computation is physical" (计算是物理的)',
  exponential: 'S3, Dettmers part, section "Linear progress needs exponential resources" (线性进步需要指数级资源)',
  gpus: 'S3, Dettmers part, section "GPUs no longer improve" (GPU 不再进步了)',
  scaling: 'S3, Dettmers part, section "Why scaling is not enough" (为什么「规模化」并不足够)',
  frontier: 'S3, Dettmers part, section "Frontier AI paths and philosophies" (前沿 AI 路径与理念)',
  fantasy: 'S3, Dettmers part, section "AGI will not happen, superintelligence is a fantasy" (AGI 不会发生,超级智能是一种幻想)',
  fallacy: 'S3, Dettmers part, section "The fundamental fallacy of superintelligence" (超级智能的根本谬误)',
  yes: 'S3, section "Yes, AGI can absolutely happen" (是的,AGI 完全能够发生)',
  training: 'S3, Fu part, section "Training: efficiency is far from its ceiling" (训练:当前的训练效率远未达到上限)',
  inference: 'S3, Fu part, section "Inference: the efficiency problem is even worse" (推理:效率问题甚至更严重)',
  paths: 'S3, Fu part, section "The way forward: plenty of room left" (前进方向:还有大量可挖掘的空间)',
  lagging: 'S3, Fu part, section "Models are a lagging indicator of hardware" (模型是硬件的滞后指标)',
  clusters: 'S3, Fu part, section "Models are a lagging indicator of hardware", subsection "Cluster size" (集群规模)',
  features: 'S3, Fu part, section "Models are a lagging indicator of hardware", subsection "New hardware features" (新的硬件特性)',
  useful: 'S3, Fu part, section "How far are we from useful AGI?" (距离有用的 AGI 到底还有多远?)',
  conclusion: 'S3, Fu part, section "Conclusion: many roads to AGI" (结论:通往 AGI 的多条道路)',
} as const;

const relays = (who: 'S1' | 'S2'): string =>
  `${S3_TRANSLATED}, relaying ${who === 'S1' ? 'Dettmers (S1)' : 'Fu (S2)'}; not the original English wording.`;

const EVIDENCE: SeedEvidence[] = [
  {
    id: 'e-a1-s3',
    claimId: 'a1',
    sourceId: 's3',
    stance: 'supports',
    quote:
      'First, the larger the cache, the slower it is. Second, as transistors keep shrinking, computation gets cheaper and cheaper while memory, relatively speaking, gets more and more expensive.',
    locator: S3.physical,
    note: relays('S1'),
  },
  {
    id: 'e-a2-s3',
    claimId: 'a2',
    sourceId: 's3',
    stance: 'supports',
    quote:
      'The Transformer architecture combines local computation with global information pooling in the simplest way, and is already very close to physically optimal.',
    locator: S3.physical,
    note: relays('S1'),
  },
  {
    id: 'e-a3-s3',
    claimId: 'a3',
    sourceId: 's3',
    stance: 'supports',
    quote: 'If you want linear improvement, you have to pay with exponential resources.',
    locator: S3.exponential,
    note: relays('S1'),
  },
  {
    id: 'e-a4-s3',
    claimId: 'a4',
    sourceId: 's3',
    stance: 'supports',
    quote: 'GPUs peaked in performance per cost around 2018; what has been added since are one-off features that are quickly exhausted.',
    locator: S3.gpus,
    note: relays('S1'),
  },
  {
    id: 'e-a5-s3',
    claimId: 'a5',
    sourceId: 's3',
    stance: 'supports',
    quote:
      'The only possible edge lies in being slightly better at rack-level or data-centre-level hardware optimisation, but these dividends will also run out quickly: perhaps in 2026, perhaps in 2027.',
    locator: S3.gpus,
    note: relays('S1'),
  },
  {
    id: 'e-a6-s3',
    claimId: 'a6',
    sourceId: 's3',
    stance: 'supports',
    quote:
      'We may have only one year, at most two, of scaling left, because beyond that further improvement becomes physically infeasible.',
    locator: S3.scaling,
    note: relays('S1'),
  },
  {
    id: 'e-a6-s3-context',
    claimId: 'a6',
    sourceId: 's3',
    stance: 'context',
    quote: 'I believe in scaling laws, and I believe scaling does improve performance; models like Gemini are clearly excellent models.',
    locator: S3.scaling,
    note: `${relays('S1')} Dettmers's objection is to the cost of further scaling, not to scaling laws.`,
  },
  {
    id: 'e-a7-s3',
    claimId: 'a7',
    sourceId: 's3',
    stance: 'supports',
    quote:
      'Small and mid-sized players like MoonshotAI and Z.ai have already shown that they do not need massive resources to reach frontier performance.',
    locator: S3.scaling,
    note: relays('S1'),
  },
  {
    id: 'e-a8-s3',
    claimId: 'a8',
    sourceId: 's3',
    stance: 'supports',
    quote:
      'With an inference stack that goes beyond vLLM / SGLang, people could deploy a model of about 300 billion parameters with almost the same efficiency as OpenAI or Anthropic deploy frontier models.',
    locator: S3.scaling,
    note: `${relays('S1')} "About 300 billion" is the ~300B-parameter figure.`,
  },
  {
    id: 'e-a9-s3',
    claimId: 'a9',
    sourceId: 's3',
    stance: 'supports',
    quote:
      'The fundamental problem of robotics is that learning follows scaling laws similar to those of language models, while collecting data in the physical world is extremely expensive.',
    locator: S3.fantasy,
    note: relays('S1'),
  },
  {
    id: 'e-a10-s3',
    claimId: 'a10',
    sourceId: 's3',
    stance: 'supports',
    quote:
      'Superintelligence is more like filling gaps in capability than pushing the capability frontier outward; filling gaps is useful, but it brings incremental improvement, not runaway growth.',
    locator: S3.fallacy,
    note: relays('S1'),
  },
  {
    id: 'e-a11-s3',
    claimId: 'a11',
    sourceId: 's3',
    stance: 'supports',
    quote:
      'I think the American philosophy is short-sighted and deeply problematic, especially as model capability growth slows; China’s approach is more long-term and more pragmatic.',
    locator: S3.frontier,
    note: relays('S1'),
  },
  {
    id: 'e-a0-s3-editor',
    claimId: 'a0',
    sourceId: 's3',
    stance: 'contradicts',
    quote:
      'Still, I feel this view is somewhat extreme and pessimistic. Perhaps AGI is not the same thing as exponentially more compute, and hardware and software may still have room to develop.',
    locator: S3.yes,
    note: `${S3_TRANSLATED}; the editor's own view, not Fu's.`,
  },
  {
    id: 'e-b0-s3-conclusion',
    claimId: 'b0',
    sourceId: 's3',
    stance: 'supports',
    quote: 'Look closely and you will find concrete paths and research agendas towards at least an order of magnitude (10x) more compute.',
    locator: S3.conclusion,
    note: relays('S2'),
  },
  {
    id: 'e-b1-s3',
    claimId: 'b1',
    sourceId: 's3',
    stance: 'supports',
    quote:
      'DeepSeek-V3 and Llama-4 reached only about 20% MFU training in FP8 precision, whereas open training efforts like BLOOM already achieved 50% MFU back in 2022.',
    locator: S3.training,
    note: relays('S2'),
  },
  {
    id: 'e-a2-s3-limits',
    claimId: 'a2',
    sourceId: 's3',
    stance: 'contradicts',
    quote:
      'This is not a fundamental physical or hardware limit. That autoregressive architectures were the first we scaled, and so hit these limits, does not mean they are the only viable architecture for general AI.',
    locator: S3.inference,
    note: `${relays('S2')} Said of the low FLOP utilisation at inference; it counts against the claim that today's architecture is near the physical optimum.`,
  },
  {
    id: 'e-b2-s3',
    claimId: 'b2',
    sourceId: 's3',
    stance: 'supports',
    quote:
      'MoE layers have lower arithmetic intensity than dense GEMMs: they need more I/O for weight loading and smaller matrix multiplies, so high FLOP utilisation is harder to reach.',
    locator: S3.training,
    note: relays('S2'),
  },
  {
    id: 'e-b3-s3',
    claimId: 'b3',
    sourceId: 's3',
    stance: 'supports',
    quote:
      'Blackwell chips have 2.2x the FP8 throughput of Hopper and also support native FP4 Tensor Cores. … If we can achieve efficient, high-quality FP4 training with high MFU, the usable FLOPs could in theory rise by up to 9x.',
    locator: S3.training,
    note: relays('S2'),
  },
  {
    id: 'e-a4-s3-blackwell',
    claimId: 'a4',
    sourceId: 's3',
    stance: 'contradicts',
    quote:
      'Moreover, these runs were trained on the previous generation of hardware. Blackwell chips have 2.2x the FP8 throughput of Hopper and also support native FP4 Tensor Cores.',
    locator: S3.training,
    note: `${relays('S2')} A generational gain that the claim says is no longer coming.`,
  },
  {
    id: 'e-b3-s3-tradeoffs',
    claimId: 'b3',
    sourceId: 's3',
    stance: 'contradicts',
    quote:
      'Any further improvement is no longer a pure gain but a trade-off: either lower compute efficiency for a better memory footprint, or a larger memory footprint for higher compute throughput.',
    locator: S3.gpus,
    note: `${relays('S1')} Dettmers counts the move to 4-bit among the one-off gains already used up.`,
  },
  {
    id: 'e-b4-s3',
    claimId: 'b4',
    sourceId: 's3',
    stance: 'supports',
    quote:
      'The best implementations hide the weight-loading latency as far as possible and currently reach about ~70% MBU. Switch back to MFU, though, and FLOP utilisation is often single-digit (<5%).',
    locator: S3.inference,
    note: relays('S2'),
  },
  {
    id: 'e-b5-s3',
    claimId: 'b5',
    sourceId: 's3',
    stance: 'supports',
    quote:
      'DeepSeek-V3 was pretrained in late 2024 using only 2,048 H800 GPUs. … The clusters being built today are far larger: from 40k-GPU clusters at start-ups to 100k+ GPU clusters at frontier labs. Cluster size alone means up to 50x more compute is being built out.',
    locator: S3.clusters,
    note: `${relays('S2')} The Chinese text says 4万卡 and 10万卡以上 (40k and 100k+ cards).`,
  },
  {
    id: 'e-a6-s3-lagging',
    claimId: 'a6',
    sourceId: 's3',
    stance: 'contradicts',
    quote:
      'The release and capability of models are essentially a lagging reflection of hardware build-outs already under way and of new hardware features.',
    locator: S3.lagging,
    note: relays('S2'),
  },
  {
    id: 'e-b6-s3',
    claimId: 'b6',
    sourceId: 's3',
    stance: 'supports',
    quote:
      'GB200’s rack-scale communication domain (NVL72 connects 72 GPUs over high-speed NVLink) is another very clear breakthrough point. … The recently released GPT-5.2 is among the first models trained on GB200.',
    locator: S3.features,
    note: relays('S2'),
  },
  {
    id: 'e-b7-s3',
    claimId: 'b7',
    sourceId: 's3',
    stance: 'supports',
    quote:
      'On B200, attention is limited not by the Tensor Cores but by exponentials: Tensor Cores got 2.2x faster in the generational step, but the transcendental units did not keep pace. … B300 doubles the number of transcendental units.',
    locator: S3.features,
    note: relays('S2'),
  },
  {
    id: 'e-b8-s3',
    claimId: 'b8',
    sourceId: 's3',
    stance: 'supports',
    quote:
      'If we can train in FP4, we get 2x the usable FLOPs; papers are already exploring this, including excellent work by Albert Tseng and NVIDIA.',
    locator: S3.paths,
    note: `${relays('S2')} The article gives 2x for FP4 training here and up to 9x usable FLOPs in its training section (see B3).`,
  },
  {
    id: 'e-b9-s3',
    claimId: 'b9',
    sourceId: 's3',
    stance: 'supports',
    quote: 'Tools like Claude Code and Cursor Composer have crossed a key threshold: most of the code I write is now generated by models.',
    locator: S3.useful,
    note: relays('S2'),
  },
  {
    id: 'e-b10-s3',
    claimId: 'b10',
    sourceId: 's3',
    stance: 'supports',
    quote:
      'With a more practical definition, a general toolset that does better than most people at some tasks and has a huge economic impact, we may not be as far away as we think.',
    locator: S3.useful,
    note: relays('S2'),
  },
  {
    id: 'e-q0-s3',
    claimId: 'q0',
    sourceId: 's3',
    stance: 'context',
    quote:
      'Dettmers argues that for physical reasons we cannot achieve AGI, nor any meaningful superintelligence; the article poured cold water on enthusiasm for AGI and caused a wide stir.',
    locator: 'S3, introduction',
    note: `${S3_TRANSLATED}; how the article frames the debate.`,
  },
];

export const AGI_DEBATE: SeedDebate = {
  id: 'agi',
  title: 'Will AGI happen?',
  description:
    'Tim Dettmers argues that the physics of computation caps progress: GPUs have stopped improving, scaling is about to become unaffordable, and AGI will not arrive. Dan Fu replies that today’s systems use only a fraction of their hardware and that clear paths lead to ten times more effective compute. Weigh the figures each side cites and decide which argument holds.',
  graph: buildGraph(),
  sources: SOURCES,
  evidence: EVIDENCE,
};

/** Writes the launch debate's argument map into an empty document. */
export function buildAgiDoc(doc: Y.Doc): void {
  writeGraph(doc, AGI_DEBATE.graph);
}
