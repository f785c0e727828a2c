'use client';

import { useEffect, useMemo, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import * as Y from 'yjs';
import { claimsMap, relationsMap } from '@/lib/model/doc';
import type { Semantics } from '@/lib/scoring/types';
import type { Crux } from '@/lib/scoring/crux';
import type { MyVoteDto, StrengthDto, VoteTallyDto, VoteTarget } from '@/lib/schemas/votes';
import { canViewPerspective } from '@/lib/permissions';
import { debateMembersQuery, teamsQuery } from '@/app/_lib/account';
import type { DebateAccessState } from '@/app/_lib/access';
import { strengthQuery, talliesQuery, voteKeys } from '@/app/_lib/votes';

/**
 * The scores the canvas, the outline and the panels show, fetched once per canvas: tallies,
 * strength in the chosen perspective and semantics, and a second perspective to compare with.
 * Votes arrive through the live channel (useLiveEvents invalidates the queries); map edits
 * arrive through the Yjs document, so a structural change there refetches the scores too.
 */

export interface PerspectiveOption {
  value: string;
  label: string;
}

export interface NodeStrength {
  score: number | undefined;
  agreeCount: number;
  agreeMean: number;
  /** Score in the comparison perspective minus score in the main one; undefined without compare. */
  delta: number | undefined;
  /** 1-based rank among the cruxes, or undefined. */
  cruxRank: number | undefined;
}

export interface StrengthView {
  debateId: string;
  semantics: Semantics;
  setSemantics: (s: Semantics) => void;
  perspective: string;
  setPerspective: (p: string) => void;
  /** The perspective to compare with, or null when not comparing. */
  compareWith: string | null;
  setCompareWith: (p: string | null) => void;
  perspectives: PerspectiveOption[];
  labelOf: (perspective: string) => string;
  strength: StrengthDto | undefined;
  compare: StrengthDto | undefined;
  error: Error | null;
  tally: (kind: VoteTarget, id: string) => VoteTallyDto | undefined;
  mine: (kind: VoteTarget, id: string) => MyVoteDto | undefined;
  cruxes: Crux[];
  node: (claimId: string) => NodeStrength;
}

const key = (kind: VoteTarget, id: string) => `${kind}:${id}`;

/** Map edits that can change a score: claims added, removed or re-kinded, and any relation change. */
const SCORING_KEYS = new Set(['kind', 'from', 'to', 'group']);

/** Waits for a burst of edits (a paste, an undo of many) to end before refetching the scores. */
const DOC_REFRESH_MS = 250;

export function useStrengthView(debateId: string, doc: Y.Doc | null, access: DebateAccessState): StrengthView {
  const qc = useQueryClient();
  const [semantics, setSemantics] = useState<Semantics>('dfquad');
  const [perspective, setPerspective] = useState('everyone');
  const [compareWith, setCompareWith] = useState<string | null>(null);

  const userId = access.access?.principal.userId ?? null;
  const owner = access.access?.owner;
  const teams = useQuery({ ...teamsQuery(), enabled: userId !== null });
  const a = access.access;
  // One other person's votes: moderators (and everyone once closed, lib/permissions); only
  // moderators can list the members to pick from.
  const othersVisible = !!a && canViewPerspective(a.principal, a.role, a.access.phase, { kind: 'user', self: false });
  const anyTeamVisible = !!a && canViewPerspective(a.principal, a.role, a.access.phase, { kind: 'team', member: false });
  const members = useQuery({ ...debateMembersQuery(debateId), enabled: othersVisible && access.allows('invite.manage') });

  const perspectives = useMemo(() => {
    const out: PerspectiveOption[] = [{ value: 'everyone', label: 'Everyone' }];
    if (userId) out.push({ value: `user:${userId}`, label: 'Only my votes' });
    const seen = new Set<string>();
    const addTeam = (id: string, name: string) => {
      if (seen.has(id)) return;
      seen.add(id);
      out.push({ value: `team:${id}`, label: `Team ${name}` });
    };
    if (owner?.kind === 'team' && anyTeamVisible) addTeam(owner.id, owner.name);
    for (const t of teams.data?.items ?? []) addTeam(t.id, t.name);
    for (const m of members.data?.items ?? []) if (m.userId !== userId) out.push({ value: `user:${m.userId}`, label: m.name });
    return out;
  }, [userId, owner, anyTeamVisible, teams.data, members.data]);
  const labelOf = useMemo(() => {
    const m = new Map(perspectives.map((p) => [p.value, p.label]));
    return (p: string) => m.get(p) ?? p;
  }, [perspectives]);

  // A perspective that is no longer offered (signed out, left the team) falls back to everyone.
  const offered = (p: string | null) => p === null || perspectives.some((o) => o.value === p);
  const mainPerspective = offered(perspective) ? perspective : 'everyone';
  const comparePerspective = offered(compareWith) && compareWith !== mainPerspective ? compareWith : null;

  const tallies = useQuery(talliesQuery(debateId));
  const main = useQuery(strengthQuery(debateId, { semantics, perspective: mainPerspective }));
  const other = useQuery({
    ...strengthQuery(debateId, { semantics, perspective: comparePerspective ?? 'everyone' }),
    enabled: comparePerspective !== null,
  });

  useEffect(() => {
    if (!doc) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        // Tallies of a deleted claim vanish from the server's answer too, so refetch the lot.
        void qc.invalidateQueries({ queryKey: voteKeys.all(debateId) });
      }, DOC_REFRESH_MS);
    };
    const claims = claimsMap(doc);
    const relations = relationsMap(doc);
    const onClaims = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
      for (const e of events) {
        if (e.target === claims) return refresh();
        if (e instanceof Y.YMapEvent) for (const k of e.keysChanged) if (SCORING_KEYS.has(k)) return refresh();
      }
    };
    const onRelations = () => refresh();
    claims.observeDeep(onClaims);
    relations.observeDeep(onRelations);
    return () => {
      clearTimeout(timer);
      claims.unobserveDeep(onClaims);
      relations.unobserveDeep(onRelations);
    };
  }, [doc, debateId, qc]);

  const tallyMap = useMemo(() => new Map((tallies.data?.tallies ?? []).map((t) => [key(t.targetKind, t.targetId), t])), [tallies.data]);
  const mineMap = useMemo(() => new Map((tallies.data?.mine ?? []).map((v) => [key(v.targetKind, v.targetId), v])), [tallies.data]);
  const strength = main.data;
  const compare = comparePerspective ? other.data : undefined;
  const cruxes = useMemo(() => strength?.cruxes ?? [], [strength]);
  const cruxRank = useMemo(() => new Map(cruxes.map((c, i) => [c.claimId, i + 1])), [cruxes]);

  const node = useMemo(
    () =>
      (claimId: string): NodeStrength => {
        const score = strength?.scores[claimId];
        const t = tallyMap.get(key('claim', claimId));
        const b = compare?.scores[claimId];
        return {
          score,
          agreeCount: t?.count ?? 0,
          agreeMean: t?.mean ?? 0,
          delta: score !== undefined && b !== undefined ? b - score : undefined,
          cruxRank: cruxRank.get(claimId),
        };
      },
    [strength, compare, tallyMap, cruxRank],
  );
  const tally = useMemo(() => (kind: VoteTarget, id: string) => tallyMap.get(key(kind, id)), [tallyMap]);
  const mine = useMemo(() => (kind: VoteTarget, id: string) => mineMap.get(key(kind, id)), [mineMap]);

  return {
    debateId,
    semantics,
    setSemantics,
    perspective: mainPerspective,
    setPerspective,
    compareWith: comparePerspective,
    setCompareWith,
    perspectives,
    labelOf,
    strength,
    compare,
    error: main.error ?? other.error ?? tallies.error,
    tally,
    mine,
    cruxes,
    node,
  };
}

/** A claim node's strength fields (ClaimNodeData), as primitives so the memoised node can skip re-rendering. */
export function nodeStrengthData(n: NodeStrength) {
  return {
    strength: n.score,
    agreeCount: n.agreeCount,
    agreeMean: n.agreeMean,
    strengthDelta: n.delta,
    cruxRank: n.cruxRank,
  };
}
