'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { ApiClientError, createDebate, debatesQuery } from '../_lib/api';

export function DebateList() {
  const qc = useQueryClient();
  const router = useRouter();
  const debates = useQuery(debatesQuery());
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const create = useMutation({
    mutationFn: createDebate,
    onSuccess: async (d) => {
      await qc.invalidateQueries({ queryKey: debatesQuery().queryKey });
      router.push(`/debates/${d.id}`);
    },
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ title, description });
  };
  const fieldError = (name: string) =>
    create.error instanceof ApiClientError ? create.error.fields.find((f) => f.field === name)?.message : undefined;

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
              </Link>
            </li>
          ))}
        </ul>
        {debates.data?.items.length === 0 && <p>No debates yet: start one.</p>}
      </section>
      <section aria-labelledby="new-h" className="panel">
        <h2 id="new-h">Start a debate</h2>
        <form onSubmit={onSubmit} className="form">
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
          <button type="submit" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create debate'}
          </button>
          {create.isError && !(create.error instanceof ApiClientError && create.error.fields.length > 0) && (
            <p role="alert">{create.error.message}</p>
          )}
        </form>
      </section>
    </div>
  );
}
