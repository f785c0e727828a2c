'use client';

import { useEffect, useState } from 'react';
import type * as Y from 'yjs';
import { commentsMap, countOpenByClaim, readComments, type CommentThread } from '@/lib/model/comment';

/** Calls `read` now and after every change to the comments root, at most once per frame. */
function useCommentsValue<T>(doc: Y.Doc | null, read: (doc: Y.Doc) => T, empty: T, deps: unknown[]): T {
  const [value, setValue] = useState<T>(empty);
  useEffect(() => {
    if (!doc) {
      setValue(empty);
      return;
    }
    let frame = 0;
    const refresh = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        setValue(read(doc));
      });
    };
    setValue(read(doc));
    const root = commentsMap(doc);
    root.observeDeep(refresh);
    return () => {
      cancelAnimationFrame(frame);
      root.unobserveDeep(refresh);
    };
    // `read` and `empty` are fixed per call site; `deps` names what `read` closes over.
  }, [doc, ...deps]);
  return value;
}

const NO_THREADS: CommentThread[] = [];
const NO_COUNTS: ReadonlyMap<string, number> = new Map();

/** The threads on one claim, live. */
export function useComments(doc: Y.Doc | null, claimId: string | null): CommentThread[] {
  return useCommentsValue(doc, (d) => (claimId ? readComments(d, claimId) : NO_THREADS), NO_THREADS, [claimId]);
}

/** Open threads per claim, live: for a badge on each claim. */
export function useOpenCommentCounts(doc: Y.Doc | null): ReadonlyMap<string, number> {
  return useCommentsValue(doc, countOpenByClaim, NO_COUNTS, []);
}
