'use client';

import { useId, useState, type FormEvent, type KeyboardEvent } from 'react';
import type * as Y from 'yjs';
import {
  CommentError,
  MAX_COMMENT_TEXT,
  addComment,
  deleteComment,
  reopenThread,
  resolveThread,
  type Comment,
  type CommentThread,
} from '@/lib/model/comment';
import { useComments } from './hooks/useComments';
import { LOCAL_ORIGIN } from './hooks/useUndo';

/**
 * The discussion on one claim: its threads, oldest first, open ones expanded and resolved ones
 * folded; a reply box under each open thread and a box for a new thread. Comment text is shown
 * as text (never as HTML). Edits carry LOCAL_ORIGIN, so the canvas's undo covers them.
 */
export interface CommentsPanelProps {
  doc: Y.Doc | null;
  claimId: string;
  /** The claim's text, for the heading. */
  claimText: string;
  /** Name stored with new comments; a user may delete their own. */
  author: string;
  readOnly?: boolean;
  onClose: () => void;
  origin?: unknown;
}

export function CommentsPanel({ doc, claimId, claimText, author, readOnly = false, onClose, origin = LOCAL_ORIGIN }: CommentsPanelProps) {
  const threads = useComments(doc, claimId);
  const headingId = useId();
  const [error, setError] = useState<string | null>(null);
  const open = threads.filter((t) => !t.resolved);
  const resolved = threads.filter((t) => t.resolved);

  const post = (text: string, parentId?: string): boolean => {
    if (!doc || readOnly) return false;
    try {
      addComment(doc, { claimId, parentId, author, text }, origin);
      setError(null);
      return true;
    } catch (e) {
      setError(e instanceof CommentError ? messageFor(e) : 'The comment could not be added.');
      return false;
    }
  };

  return (
    <aside
      aria-labelledby={headingId}
      data-testid="comments-panel"
      data-claim-id={claimId}
      onKeyDown={(e: KeyboardEvent) => {
        if (e.key === 'Escape' && !(e.target instanceof HTMLTextAreaElement && e.target.value)) {
          e.stopPropagation();
          onClose();
        }
      }}
      style={{
        width: 340,
        maxWidth: '100%',
        height: '100%',
        overflow: 'auto',
        background: 'var(--panel, #fff)',
        borderLeft: '1px solid var(--line, #dcdcd6)',
        padding: '0.75rem 0.9rem',
        display: 'flex',
        flexDirection: 'column',
        gap: '0.75rem',
      }}
    >
      <div style={{ display: 'flex', alignItems: 'flex-start', justifyContent: 'space-between', gap: '0.5rem' }}>
        <h2 id={headingId} style={{ margin: 0, fontSize: '1rem' }}>
          Comments <span style={{ color: 'var(--muted, #6b6b70)', fontWeight: 400 }}>({open.length} open)</span>
        </h2>
        <button type="button" onClick={onClose} aria-label="Close comments">
          Close
        </button>
      </div>
      <p style={{ margin: 0, color: 'var(--muted, #6b6b70)', fontSize: '0.85rem', whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
        On: {claimText || 'an empty claim'}
      </p>
      {error && (
        <p role="alert" style={{ margin: 0, color: 'var(--danger, #d55e00)', fontSize: '0.85rem' }}>
          {error}
        </p>
      )}
      {threads.length === 0 && <p style={{ margin: 0, color: 'var(--muted, #6b6b70)' }}>No comments yet.</p>}
      {open.map((t) => (
        <Thread
          key={t.root.id}
          thread={t}
          doc={doc}
          author={author}
          readOnly={readOnly}
          origin={origin}
          onReply={(text) => post(text, t.root.id)}
        />
      ))}
      {resolved.length > 0 && (
        <details>
          <summary style={{ cursor: 'pointer', fontSize: '0.9rem' }}>{resolved.length} resolved</summary>
          {resolved.map((t) => (
            <Thread
              key={t.root.id}
              thread={t}
              doc={doc}
              author={author}
              readOnly={readOnly}
              origin={origin}
              onReply={(text) => post(text, t.root.id)}
            />
          ))}
        </details>
      )}
      {!readOnly && <Composer label="New comment" submitLabel="Comment" onSubmit={(text) => post(text)} />}
    </aside>
  );
}

function Thread(props: {
  thread: CommentThread;
  doc: Y.Doc | null;
  author: string;
  readOnly: boolean;
  origin: unknown;
  onReply: (text: string) => boolean;
}) {
  const { thread, doc, author, readOnly, origin } = props;
  const [replying, setReplying] = useState(false);
  return (
    <article
      data-testid="comment-thread"
      data-resolved={thread.resolved ? 'yes' : 'no'}
      aria-label={`Thread by ${thread.root.author || 'someone'}${thread.resolved ? ', resolved' : ''}`}
      style={{
        border: '1px solid var(--line, #dcdcd6)',
        borderRadius: 8,
        padding: '0.5rem 0.6rem',
        marginTop: '0.4rem',
        opacity: thread.resolved ? 0.8 : 1,
      }}
    >
      <CommentView
        comment={thread.root}
        canDelete={!readOnly && thread.root.author === author}
        onDelete={() => doc && deleteComment(doc, thread.root.id, origin)}
      />
      {thread.replies.length > 0 && (
        <ul style={{ listStyle: 'none', margin: '0.4rem 0 0', padding: '0 0 0 0.8rem', borderLeft: '2px solid var(--line, #dcdcd6)' }}>
          {thread.replies.map((r) => (
            <li key={r.id}>
              <CommentView
                comment={r}
                canDelete={!readOnly && r.author === author}
                onDelete={() => doc && deleteComment(doc, r.id, origin)}
              />
            </li>
          ))}
        </ul>
      )}
      {!readOnly && (
        <div style={{ display: 'flex', gap: '0.4rem', marginTop: '0.4rem', flexWrap: 'wrap' }}>
          {!thread.resolved && !replying && (
            <button type="button" onClick={() => setReplying(true)} style={{ fontSize: '0.8rem', padding: '0.15rem 0.5rem' }}>
              Reply
            </button>
          )}
          <button
            type="button"
            onClick={() =>
              doc && (thread.resolved ? reopenThread(doc, thread.root.id, origin) : resolveThread(doc, thread.root.id, origin))
            }
            style={{ fontSize: '0.8rem', padding: '0.15rem 0.5rem' }}
          >
            {thread.resolved ? 'Reopen' : 'Resolve'}
          </button>
        </div>
      )}
      {replying && !thread.resolved && (
        <Composer
          label="Reply"
          submitLabel="Reply"
          autoFocus
          onCancel={() => setReplying(false)}
          onSubmit={(text) => {
            const ok = props.onReply(text);
            if (ok) setReplying(false);
            return ok;
          }}
        />
      )}
    </article>
  );
}

function CommentView({ comment, canDelete, onDelete }: { comment: Comment; canDelete: boolean; onDelete: () => void }) {
  return (
    <div data-testid="comment" data-comment-id={comment.id} style={{ fontSize: '0.88rem', marginTop: '0.25rem' }}>
      <div style={{ display: 'flex', gap: '0.4rem', alignItems: 'baseline', color: 'var(--muted, #6b6b70)', fontSize: '0.78rem' }}>
        <strong style={{ color: 'var(--fg, #1c1c1e)' }}>{comment.author || 'Someone'}</strong>
        <time dateTime={isoTime(comment.createdAt)}>{formatTime(comment.createdAt)}</time>
        {canDelete && (
          <button
            type="button"
            onClick={onDelete}
            aria-label="Delete comment"
            style={{
              marginLeft: 'auto',
              fontSize: '0.75rem',
              padding: '0 0.35rem',
              border: 'none',
              background: 'transparent',
              color: 'var(--danger, #d55e00)',
            }}
          >
            Delete
          </button>
        )}
      </div>
      <p style={{ margin: '0.1rem 0 0', whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{comment.text}</p>
    </div>
  );
}

function Composer(props: {
  label: string;
  submitLabel: string;
  onSubmit: (text: string) => boolean;
  onCancel?: () => void;
  autoFocus?: boolean;
}) {
  const [text, setText] = useState('');
  const id = useId();
  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (text.trim() && props.onSubmit(text)) setText('');
  };
  return (
    <form onSubmit={submit} style={{ display: 'grid', gap: '0.3rem', marginTop: '0.4rem' }}>
      <label htmlFor={id} style={{ fontSize: '0.8rem', color: 'var(--muted, #6b6b70)' }}>
        {props.label}
      </label>
      <textarea
        id={id}
        value={text}
        maxLength={MAX_COMMENT_TEXT}
        rows={3}
        autoFocus={props.autoFocus}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit();
          else if (e.key === 'Escape' && props.onCancel) props.onCancel();
        }}
      />
      <div style={{ display: 'flex', gap: '0.4rem', justifyContent: 'flex-end', alignItems: 'center' }}>
        <span style={{ marginRight: 'auto', fontSize: '0.75rem', color: 'var(--muted, #6b6b70)' }}>
          {text.length > MAX_COMMENT_TEXT - 200 ? `${MAX_COMMENT_TEXT - text.length} characters left` : 'Ctrl+Enter to send'}
        </span>
        {props.onCancel && (
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" disabled={!text.trim()}>
          {props.submitLabel}
        </button>
      </div>
    </form>
  );
}

function messageFor(e: CommentError): string {
  switch (e.reason) {
    case 'empty-text':
      return 'Write something first.';
    case 'text-too-long':
      return `Comments are limited to ${MAX_COMMENT_TEXT} characters.`;
    case 'unknown-claim':
      return 'This claim has been deleted.';
    case 'unknown-parent':
      return 'That thread has been deleted.';
    case 'author-too-long':
      return 'Your display name is too long.';
  }
}

/** Any peer can write createdAt, and an invalid Date throws in toISOString: show nothing then. */
const validTime = (ms: number): boolean => Number.isFinite(ms) && ms > 0 && ms < 8.64e15;

function formatTime(ms: number): string {
  return validTime(ms) ? new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '';
}

const isoTime = (ms: number): string | undefined => (validTime(ms) ? new Date(ms).toISOString() : undefined);
