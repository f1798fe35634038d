import type { CubeInfo } from '../ingest/table.ts';

/**
 * JSON-stat 2.0 (https://json-stat.org/format/) for statistical cubes (issue 4): the format
 * statistical offices (Statistics Norway, INE, Eurostat's JSON API) publish cubes in, which keeps
 * the dimensions, their codes and labels, and the missing-value symbols that a flat table loses.
 */

export interface JsonStatCategory {
  index: Record<string, number>;
  label: Record<string, string>;
  unit?: Record<string, { label: string }>;
}

export interface JsonStatDataset {
  version: '2.0';
  class: 'dataset';
  href?: string;
  label?: string;
  source?: string;
  updated?: string;
  note?: string[];
  id: string[];
  size: number[];
  role?: { time?: string[]; geo?: string[]; metric?: string[] };
  dimension: Record<string, { label: string; category: JsonStatCategory }>;
  value: (number | null)[];
  status?: Record<string, string>;
  extension?: Record<string, unknown>;
}

/** JSON-stat wants `updated` in ISO 8601; anything else is left out rather than mislabelled. */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Makes keys unique in order: a repeated "其他" becomes "其他_2" (JSON-stat ids must be unique). */
function uniqueKeys(keys: readonly string[]): string[] {
  const seen = new Set<string>();
  return keys.map((k) => {
    let key = k;
    for (let n = 2; seen.has(key); n++) key = `${k}_${n}`;
    seen.add(key);
    return key;
  });
}

/**
 * The cube as a JSON-stat 2.0 dataset: dimensions in the cube's order with their category codes
 * (index) and labels, roles (time, geo, metric), values row-major with null for missing, and the
 * source's missing-value symbols as `status`. The unit goes on the metric dimension when there is
 * one, else into `extension.unit` (JSON-stat has no dataset-level unit).
 */
export function toJsonStat(cube: CubeInfo, opts: { href?: string; label?: string } = {}): JsonStatDataset {
  const size = cube.dimensions.map((d) => d.codes.length);
  const cells = size.reduce((n, s) => n * s, 1);
  if (cube.values.length !== cells) throw new Error(`toJsonStat: ${cube.values.length} values for ${cells} cells`);

  const ids = uniqueKeys(cube.dimensions.map((d) => d.id));
  const role: NonNullable<JsonStatDataset['role']> = {};
  const dimension: JsonStatDataset['dimension'] = {};
  cube.dimensions.forEach((d, k) => {
    const id = ids[k];
    const codes = uniqueKeys(d.codes);
    const category: JsonStatCategory = { index: {}, label: {} };
    codes.forEach((code, i) => {
      category.index[code] = i;
      category.label[code] = d.labels[i] ?? code;
    });
    if (d.role === 'metric' && cube.unit) {
      const unit = cube.unit;
      category.unit = Object.fromEntries(codes.map((code) => [code, { label: unit }]));
    }
    dimension[id] = { label: d.label || id, category };
    if (d.role) (role[d.role] ??= []).push(id);
  });

  const label = opts.label ?? cube.title;
  const hasMetric = cube.dimensions.some((d) => d.role === 'metric');
  // Key order follows the specification's examples, so the file reads well to a person too.
  return {
    version: '2.0',
    class: 'dataset',
    ...(opts.href ? { href: opts.href } : {}),
    ...(label ? { label } : {}),
    ...(cube.source ? { source: cube.source } : {}),
    ...(cube.updated && ISO_8601.test(cube.updated) ? { updated: cube.updated } : {}),
    ...(cube.notes?.length ? { note: cube.notes } : {}),
    id: ids,
    size,
    ...(Object.keys(role).length ? { role } : {}),
    dimension,
    value: cube.values.map((v) => (v === null || Number.isFinite(v) ? v : null)),
    ...(cube.status?.size ? { status: Object.fromEntries([...cube.status].sort((a, b) => a[0] - b[0]).map(([i, s]) => [String(i), s])) } : {}),
    ...(cube.unit && !hasMetric ? { extension: { unit: cube.unit } } : {}),
  };
}
