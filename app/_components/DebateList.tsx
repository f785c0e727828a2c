'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import type { Visibility } from '@/lib/permissions';
import { ApiClientError } from '../_lib/api';
import { createOwnedDebate, meQuery, myDebatesQuery, teamsQuery } from '../_lib/account';
import { ImportDialog } from './formats/ImportDialog';

const VISIBILITY_LABEL: Record<Visibility, string> = { private: 'private', team: 'team', link: 'link', public: 'public' };

export function DebateList() {
  const qc = useQueryClient();
  const router = useRouter();
  const me = useQuery(meQuery());
  const user = me.data?.user ?? null;
  const debates = useQuery(myDebatesQuery());
  const teams = useQuery({ ...teamsQuery(), enabled: !!user && !user.isGuest });
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [teamId, setTeamId] = useState('');
  const [visibility, setVisibility] = useState<Visibility | ''>('');
  const create = useMutation({
    mutationFn: createOwnedDebate,
    onSuccess: async (d) => {
      await qc.invalidateQueries({ queryKey: myDebatesQuery().queryKey });
      router.push(`/debates/${d.id}`);
    },
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ title, description, ...(teamId ? { teamId } : {}), ...(visibility ? { visibility } : {}) });
  };
  const fieldError = (name: string) =>
    create.error instanceof ApiClientError ? create.error.fields.find((f) => f.field === name)?.message : undefined;
  // Teams the caller may start debates in (participant or above).
  const startable = (teams.data?.items ?? []).filter((t) => t.role !== 'viewer');

  return (
    <div className="home-grid">
      <section aria-labelledby="debates-h">
        <h2 id="debates-h">Debates</h2>
        {debates.isPending && <p>Loading…</p>}
        {debates.isError && <p role="alert">Could not load debates: {debates.error.message}</p>}
        <ul className="debate-list">
          {debates.data?.items.map((d) => (
            <li key={d.id}>
              <Link href={`/debates/${d.id}`} className="debate-card" data-testid="debate-link">
                <strong>{d.title}</strong>
                {d.description && <span>{d.description}</span>}
                <span data-testid="debate-visibility">{VISIBILITY_LABEL[d.visibility]}</span>
              </Link>
            </li>
          ))}
        </ul>
        {debates.data?.items.length === 0 && <p>No debates yet: start one.</p>}
      </section>
      <section aria-labelledby="new-h" className="panel">
        <h2 id="new-h">Start a debate</h2>
        {!user || user.isGuest ? (
          <p>
            {user ? (
              <>
                Guests join debates by invite. <Link href="/account">Keep your account</Link> to start one.
              </>
            ) : (
              <>
                <Link href="/sign-in">Sign in</Link> or <Link href="/sign-up">create an account</Link> to start a debate. The demo debate is
                open to everyone.
              </>
            )}
          </p>
        ) : (
          <form onSubmit={onSubmit} className="form" data-testid="new-debate-form">
            <label>
              Title
              <input value={title} onChange={(e) => setTitle(e.target.value)} maxLength={200} required name="title" />
            </label>
            {fieldError('title') && <p className="field-error">{fieldError('title')}</p>}
            <label>
              Description
              <textarea value={description} onChange={(e) => setDescription(e.target.value)} maxLength={2000} rows={3} name="description" />
            </label>
            {fieldError('description') && <p className="field-error">{fieldError('description')}</p>}
            <label>
              Belongs to
              <select value={teamId} onChange={(e) => setTeamId(e.target.value)} name="teamId">
                <option value="">me</option>
                {startable.map((t) => (
                  <option key={t.id} value={t.id}>
                    team {t.name}
                  </option>
                ))}
              </select>
            </label>
            {fieldError('teamId') && <p className="field-error">{fieldError('teamId')}</p>}
            <label>
              Who can see it
              <select value={visibility} onChange={(e) => setVisibility(e.target.value as Visibility | '')} name="visibility">
                <option value="">{teamId ? 'the team (default)' : 'only me and people I invite (default)'}</option>
                <option value="private">only people I invite</option>
                {teamId && <option value="team">the team</option>}
                <option value="link">anyone with an invite link</option>
                <option value="public">everyone</option>
              </select>
            </label>
            {fieldError('visibility') && <p className="field-error">{fieldError('visibility')}</p>}
            <button type="submit" disabled={create.isPending}>
              {create.isPending ? 'Creating…' : 'Create debate'}
            </button>
            {create.isError && !(create.error instanceof ApiClientError && create.error.fields.length > 0) && (
              <p role="alert">{create.error.message}</p>
            )}
          </form>
        )}
        {user && !user.isGuest && (
          <div style={{ marginTop: '1rem' }}>
            Or start from a file: <ImportDialog />
          </div>
        )}
      </section>
    </div>
  );
}
