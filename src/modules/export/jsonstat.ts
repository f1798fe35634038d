import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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

/** Everything of the dataset but `value` and `status` (which grow with the cube). */
type JsonStatHead = Omit<JsonStatDataset, 'value' | 'status' | 'extension'>;

export interface JsonStatOptions {
  /** The dataset's own address (JSON-stat `href`). */
  href?: string;
  /** Overrides the cube's title. */
  label?: string;
}

function head(cube: CubeInfo, opts: JsonStatOptions): JsonStatHead {
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
  };
}

const jsonValue = (v: number | null): number | null => (v === null || Number.isFinite(v) ? v : null);
const sortedStatus = (cube: CubeInfo): [number, string][] => [...(cube.status ?? [])].sort((a, b) => a[0] - b[0]);
/** JSON-stat has no dataset-level unit: it goes on the metric dimension when there is one, else here. */
const extensionOf = (cube: CubeInfo): Record<string, unknown> | undefined => (cube.unit && !cube.dimensions.some((d) => d.role === 'metric') ? { unit: cube.unit } : undefined);

/**
 * The cube as a JSON-stat 2.0 dataset: dimensions in the cube's order with their category codes
 * (index) and labels, roles (time, geo, metric), values row-major with null for missing, and the
 * source's missing-value symbols as `status`. The unit goes on the metric dimension when there is
 * one, else into `extension.unit`. For a download, writeJsonStat streams the same document.
 */
export function toJsonStat(cube: CubeInfo, opts: JsonStatOptions = {}): JsonStatDataset {
  const status = sortedStatus(cube);
  const extension = extensionOf(cube);
  return {
    ...head(cube, opts),
    value: cube.values.map(jsonValue),
    ...(status.length ? { status: Object.fromEntries(status.map(([i, s]) => [String(i), s])) } : {}),
    ...(extension ? { extension } : {}),
  };
}

/** Values and status entries per piece of text handed to the stream. */
const VALUES_PER_CHUNK = 8192;

/**
 * Writes the same document as JSON.stringify(toJsonStat(cube)), streamed: the values (and status
 * symbols) go out in pieces as `out` takes them, so a cube of millions of cells never becomes one
 * string. Ends `out` unless `end: false`.
 */
export async function writeJsonStat(cube: CubeInfo, out: Writable, opts: JsonStatOptions & { end?: boolean } = {}): Promise<void> {
  const start = JSON.stringify(head(cube, opts));
  const status = sortedStatus(cube);
  const extension = extensionOf(cube);
  function* pieces(): Generator<string> {
    yield `${start.slice(0, -1)},"value":[`;
    for (let i = 0; i < cube.values.length; i += VALUES_PER_CHUNK) {
      const part = cube.values.slice(i, i + VALUES_PER_CHUNK).map(jsonValue);
      yield (i ? ',' : '') + JSON.stringify(part).slice(1, -1);
    }
    yield ']';
    if (status.length) {
      yield ',"status":{';
      for (let i = 0; i < status.length; i += VALUES_PER_CHUNK) {
        yield (i ? ',' : '') + status.slice(i, i + VALUES_PER_CHUNK).map(([k, s]) => `"${k}":${JSON.stringify(s)}`).join(',');
      }
      yield '}';
    }
    if (extension) yield `,"extension":${JSON.stringify(extension)}`;
    yield '}';
  }
  await pipeline(Readable.from(pieces(), { objectMode: true, highWaterMark: 2 }), out, { end: opts.end ?? true });
}
