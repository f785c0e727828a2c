import type { ArgumentGraph } from '@/lib/model/graph';
import { pngScale, renderSvg } from '@/lib/formats/svg';
import type { ImportFormat } from '@/lib/formats/detect';
import type { ExportFormat, ImportPreviewDto, ImportResultDto } from '@/lib/schemas/formats';
import { ApiClientError } from './api';

/** Client side of import and export: uploads with progress, downloads, and the SVG/PNG pictures. */

export interface ImportInput {
  /** A chosen file (sent as multipart), or pasted text (sent as JSON). */
  file?: File;
  text?: string;
  format: ImportFormat | 'auto';
  title?: string;
  teamId?: string;
}

export interface UploadProgress {
  phase: 'uploading' | 'processing';
  /** Bytes sent and total, while uploading. */
  loaded: number;
  total: number;
}

/**
 * POST /api/import through XMLHttpRequest: fetch() reports no upload progress, and a 50 MB
 * backup takes long enough on a slow link that people need to see it move.
 */
function postImport<T>(input: ImportInput, dryRun: boolean, onProgress?: (p: UploadProgress) => void, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/import${dryRun ? '?dryRun=1' : ''}`);
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => onProgress?.({ phase: 'uploading', loaded: e.loaded, total: e.lengthComputable ? e.total : 0 });
    // Sent, now parsed and written on the server: the bar switches to an indeterminate phase.
    xhr.upload.onload = () => onProgress?.({ phase: 'processing', loaded: 0, total: 0 });
    xhr.onerror = () => reject(new ApiClientError(0, 'network error: the upload did not reach the server'));
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'));
    xhr.onload = () => {
      const body = xhr.response as unknown;
      if (xhr.status >= 200 && xhr.status < 300) return resolve(body as T);
      const err = (body as { error?: { message?: string; fields?: { field: string; message: string }[] } } | null)?.error;
      reject(new ApiClientError(xhr.status, err?.message ?? `import failed (${xhr.status})`, err?.fields ?? []));
    };
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    const fields: Record<string, string | undefined> = {
      format: input.format,
      title: input.title || undefined,
      teamId: input.teamId || undefined,
    };
    if (input.file) {
      const form = new FormData();
      form.set('file', input.file, input.file.name);
      for (const [k, v] of Object.entries(fields)) if (v !== undefined) form.set(k, v);
      xhr.send(form);
    } else {
      xhr.setRequestHeader('content-type', 'application/json');
      xhr.send(JSON.stringify({ ...fields, text: input.text ?? '' }));
    }
  });
}

export const previewImport = (input: ImportInput, onProgress?: (p: UploadProgress) => void, signal?: AbortSignal) =>
  postImport<ImportPreviewDto>(input, true, onProgress, signal);

export const runImport = (input: ImportInput, onProgress?: (p: UploadProgress) => void) =>
  postImport<ImportResultDto>(input, false, onProgress);

/** Saves a blob under a file name through a temporary link (the browser's download). */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The download has started by now; a later revoke would keep the blob alive for nothing.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The file name from a Content-Disposition header (RFC 6266 filename* first). */
function fileNameOf(header: string | null, fallback: string): string {
  if (!header) return fallback;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1]!);
    } catch {
      // fall through to the plain name
    }
  }
  return /filename="([^"]+)"/i.exec(header)?.[1] ?? fallback;
}

/** GET /api/debates/[id]/export as a download; errors (403 for a backup) are thrown with the server's message. */
export async function downloadExport(debateId: string, format: ExportFormat): Promise<void> {
  const res = await fetch(`/api/debates/${encodeURIComponent(debateId)}/export?format=${format}`);
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new ApiClientError(res.status, body?.error?.message ?? `export failed (${res.status})`);
  }
  downloadBlob(await res.blob(), fileNameOf(res.headers.get('content-disposition'), `debate.${format}`));
}

export const pictureName = (title: string, ext: 'svg' | 'png'): string =>
  `${
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 48) || 'debate'
  }.${ext}`;

export function mapSvg(graph: ArgumentGraph, scores: Record<string, number> | undefined, title: string) {
  return renderSvg(graph, { ...(scores ? { scores } : {}), title });
}

/** Draws the SVG into a canvas through an <img> from a blob URL, and encodes the canvas as PNG. */
export async function svgToPng(svg: string, width: number, height: number): Promise<Blob> {
  const scale = pngScale(width, height);
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.decoding = 'async';
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the browser could not draw the map picture'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('this browser cannot draw into a canvas');
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the map is too large for a PNG in this browser'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}
