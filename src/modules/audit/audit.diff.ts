/** One changed field between two versions of a record. */
export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** Bookkeeping fields that change on every save and say nothing to a reader of the history (at any depth, e.g. in resources). */
const IGNORED = new Set(['updatedAt', 'createdAt', 'publishedAt']);

function withoutBookkeeping(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutBookkeeping);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([k]) => !IGNORED.has(k)).map(([k, v]) => [k, withoutBookkeeping(v)]));
  }
  return value;
}

/** Field-level diff of two JSON objects (top-level keys; nested values compared whole, bookkeeping left out). */
export function diffFields(before: Record<string, unknown> | null, after: Record<string, unknown>): FieldChange[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after)]);
  const changes: FieldChange[] = [];
  for (const field of keys) {
    if (IGNORED.has(field)) continue;
    const b = withoutBookkeeping(before ? (before[field] ?? null) : null);
    const a = withoutBookkeeping(after[field] ?? null);
    if (JSON.stringify(b) !== JSON.stringify(a)) changes.push({ field, before: b, after: a });
  }
  return changes;
}
