import { CloseCode, CloseReason } from '../../lib/protocol';
import type { Phase, Role } from '../../lib/permissions';
import { statusFrame, type Peer } from '../rooms/room';

/** What a socket may do right now, as last evaluated. */
export interface Verdict {
  /** false: the debate is gone. */
  exists: boolean;
  /** false: the session behind the socket ended (sign-out, expiry, revocation). */
  signedIn: boolean;
  /** Did the socket present a session when it opened? */
  hadSession: boolean;
  role: Role | null;
  canWrite: boolean;
  locked: boolean;
  phase: Phase;
}

/** One admitted sync socket whose access is kept current. */
export interface Watched {
  debateId: string;
  userId: string | null;
  /** The session token in its cookie, to find the sockets of a session that signs out. */
  sessionToken: string | null;
  verdict: Verdict;
  checkedAt: number;
  /** Re-reads session and roles (closes over the database of the server that admitted it). */
  evaluate(): Promise<Verdict>;
  peer?: Peer;
  refreshing?: Promise<void>;
}

/**
 * Verdicts older than this are re-evaluated on the next write: a change made through another
 * instance reaches this one's sockets within this time even if its notification is lost.
 */
export const VERDICT_TTL_MS = 5_000;

/**
 * The sockets of this process and what each may do. canWrite() answers from the last verdict
 * (the room asks synchronously, per frame); changes made through Crux re-evaluate the affected
 * sockets at once (accessChanged), and a stale verdict is refreshed in the background.
 * Losing write access is announced with a 'rejected' status frame (Crux clients); losing read
 * access closes the socket with 4403 (4401 when the session ended, 4404 when the debate did).
 */
export class LiveAccess {
  private readonly byDebate = new Map<string, Set<Watched>>();

  attach(w: Watched, peer: Peer): () => void {
    w.peer = peer;
    let set = this.byDebate.get(w.debateId);
    if (!set) this.byDebate.set(w.debateId, (set = new Set()));
    set.add(w);
    return () => {
      set.delete(w);
      if (set.size === 0 && this.byDebate.get(w.debateId) === set) this.byDebate.delete(w.debateId);
      w.peer = undefined;
    };
  }

  canWrite(w: Watched): boolean {
    if (Date.now() - w.checkedAt > VERDICT_TTL_MS && !w.refreshing) void this.refresh(w);
    return w.verdict.canWrite;
  }

  /** Re-evaluates one socket and tells (or closes) its peer when its access shrank. */
  refresh(w: Watched): Promise<void> {
    // A refresh already running may have read the state from before the change: chain, don't share.
    const run = (w.refreshing ?? Promise.resolve()).then(async () => {
      let next: Verdict;
      try {
        next = await w.evaluate();
      } catch (e) {
        // Keep the last verdict; the next write retries.
        console.error('[access] could not re-check a socket:', e instanceof Error ? e.message : e);
        return;
      }
      const before = w.verdict;
      w.verdict = next;
      w.checkedAt = Date.now();
      const peer = w.peer;
      if (!peer) return;
      if (!next.exists) return peer.close(CloseCode.DebateNotFound, CloseReason[CloseCode.DebateNotFound]);
      if (next.role === null) {
        const code = before.hadSession && !next.signedIn ? CloseCode.Unauthorized : CloseCode.Forbidden;
        return peer.close(code, CloseReason[code]);
      }
      if (before.canWrite && !next.canWrite && peer.wantsStatus) {
        const detail =
          next.phase === 'closed'
            ? 'a moderator closed the debate'
            : next.phase === 'voting'
              ? 'the debate is in its voting phase: the map is frozen'
              : next.locked
                ? 'a moderator locked the debate'
                : `your role is now ${next.role}`;
        peer.send(statusFrame({ kind: 'rejected', reason: 'read-only', detail }));
      }
    });
    const settled = run.finally(() => {
      if (w.refreshing === settled) w.refreshing = undefined;
    });
    w.refreshing = settled;
    return settled;
  }

  /** Re-evaluates every socket matching `pred` (in the given debates, if any), and waits for it. */
  async refreshWhere(pred: (w: Watched) => boolean, debateIds?: readonly string[]): Promise<void> {
    const sets = debateIds ? debateIds.map((id) => this.byDebate.get(id)).filter((s) => s !== undefined) : [...this.byDebate.values()];
    const targets = sets.flatMap((s) => [...s]).filter(pred);
    await Promise.all(targets.map((w) => this.refresh(w)));
  }

  count(debateId: string): number {
    return this.byDebate.get(debateId)?.size ?? 0;
  }
}

const KEY = Symbol.for('crux.liveAccess');
type Holder = { [KEY]?: LiveAccess };

/** One registry per process: the sync server (which admits) and route code (which changes access) share it. */
export function liveAccess(): LiveAccess {
  return ((globalThis as Holder)[KEY] ??= new LiveAccess());
}
