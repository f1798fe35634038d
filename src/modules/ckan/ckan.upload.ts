/** The file a multipart `upload` field brought (stored by the multipart hook), if any. */
export function uploadedFile(v: unknown): { sha256: string; size: number; filename: string; mimetype: string } | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  return typeof o.sha256 === 'string' && typeof o.size === 'number' ? { sha256: o.sha256, size: o.size, filename: typeof o.filename === 'string' ? o.filename : 'upload', mimetype: typeof o.mimetype === 'string' ? o.mimetype : 'application/octet-stream' } : undefined;
}
