import { queryOptions } from '@tanstack/react-query';
import type { CreateDebateInput, DebateSummary } from '@/lib/schemas/debate';

/** The error body every API route returns (server/http/errors.ts). */
export class ApiClientError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: { field: string; message: string }[] = [],
  ) {
    super(message);
  }
}

export async function apiFetch<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...init?.headers } });
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const err = (body as { error?: { message?: string; fields?: { field: string; message: string }[] } } | null)?.error;
    throw new ApiClientError(res.status, err?.message ?? `request failed (${res.status})`, err?.fields ?? []);
  }
  return body as T;
}

export const debatesQuery = () =>
  queryOptions({
    queryKey: ['debates'],
    queryFn: () => apiFetch<{ items: DebateSummary[]; nextCursor: string | null }>('/api/debates?limit=100'),
  });

export const createDebate = (input: CreateDebateInput) =>
  apiFetch<DebateSummary>('/api/debates', { method: 'POST', body: JSON.stringify(input) });
