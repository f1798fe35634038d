import type { PxCube } from './pcaxis.ts';
import { ReadError, uniqueColumns, type CubeDimension, type CubeInfo, type RawCell, type RawTable, type ReadIssue } from './table.ts';

/**
 * Statistical cubes (PC-Axis, SDMX-JSON) as tables (issue 4): one row per cell of the cube, one
 * column per dimension holding the category's label (what a person reads: 「70年1月」, 「食物類」),
 * then the value. The cube itself rides along on the table so that exports can still write it as
 * JSON-stat.
 */

/** Header of the value column of a cube's table. */
export const VALUE_COLUMN = '數值';

/** Cells a cube may have before we refuse it (the values array alone is 8 bytes a cell): beyond this a hostile header would exhaust memory. */
export const MAX_CUBE_CELLS = 10_000_000;

/** Number of cells the dimensions span (1 for a cube without dimensions). */
export function cubeSize(dimensions: readonly Pick<CubeDimension, 'codes'>[]): number {
  return dimensions.reduce((n, d) => n * d.codes.length, 1);
}

/**
 * The cube's cells as rows, in the cube's order (last dimension fastest). A generator: rows are
 * made one at a time from the values, never collected.
 */
export function* cubeRows(cube: CubeInfo): Generator<RawCell[]> {
  const dims = cube.dimensions;
  const sizes = dims.map((d) => d.codes.length);
  const index = sizes.map(() => 0);
  for (let cell = 0; cell < cube.values.length; cell++) {
    const row: RawCell[] = new Array<RawCell>(dims.length + 1);
    for (let k = 0; k < dims.length; k++) row[k] = dims[k].labels[index[k]] ?? dims[k].codes[index[k]];
    row[dims.length] = cube.values[cell];
    yield row;
    for (let k = sizes.length - 1; k >= 0; k--) {
      index[k]++;
      if (index[k] < sizes[k]) break;
      index[k] = 0;
    }
  }
}

/**
 * The cube as a long table. Columns are the dimensions' labels (made unique) and 「數值」; rows
 * are streamed from the values. Throws ReadError when the values do not fill the dimensions.
 */
export function cubeToTable(cube: CubeInfo, opts: { name?: string; issues?: ReadIssue[] } = {}): RawTable {
  const expected = cubeSize(cube.dimensions);
  if (cube.values.length !== expected) {
    const shape = cube.dimensions.map((d) => `${d.label} ${d.codes.length}`).join(' × ');
    throw new ReadError(`資料有 ${cube.values.length} 個值，但維度（${shape}）需要 ${expected} 個`, `the cube has ${cube.values.length} values but its dimensions (${shape}) need ${expected}`);
  }
  const issues = opts.issues ?? [];
  const columns = uniqueColumns([...cube.dimensions.map((d) => d.label || d.id), VALUE_COLUMN], issues);
  return {
    name: opts.name,
    columns,
    issues,
    cube,
    async *rows() {
      yield* cubeRows(cube);
    },
  };
}

/** Names of dimensions that are places (PC-Axis has MAP for this, which few Taiwanese files use). */
const GEO_NAME = /^(縣市|縣市別|地區|地區別|區域|區域別|鄉鎮|鄉鎮市區|行政區|行政區域|county|region|area|geo)/i;

/**
 * PC-Axis dates: LAST-UPDATED is "CCYYMMDD hh:mm" by the specification; CREATION-DATE is written
 * as "2016/5/6 18:06" by DGBAS's tools. ISO 8601 (JSON-stat's `updated`) or null when unreadable.
 */
export function pxDateToIso(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const s = raw.trim();
  const pad = (n: string) => n.padStart(2, '0');
  const time = (h?: string, mi?: string) => (h && mi ? `T${pad(h)}:${mi}:00` : '');
  let m = /^(\d{4})(\d{2})(\d{2})(?:\s+(\d{1,2}):(\d{2}))?$/.exec(s);
  if (!m) m = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?$/.exec(s);
  if (!m) return null;
  const [, y, mo, d, h, mi] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  return `${y}-${pad(mo)}-${pad(d)}${time(h, mi)}`;
}

/** A PC-Axis cube (src/modules/ingest/pcaxis.ts) as a CubeInfo, for tables and JSON-stat. */
export function pxToCube(px: PxCube): CubeInfo {
  const contVariable = px.keywords.get('CONTVARIABLE')?.join('').trim();
  const dimensions: CubeDimension[] = px.dimensions.map((d) => {
    const name = d.name.trim();
    const role: CubeDimension['role'] = d.time
      ? 'time'
      : name === contVariable
        ? 'metric'
        : px.keywords.has(`MAP(${d.name})`) || GEO_NAME.test(name)
          ? 'geo'
          : undefined;
    return {
      id: name,
      label: name,
      codes: d.codes && d.codes.length === d.values.length ? d.codes : d.values,
      labels: d.values,
      ...(role ? { role } : {}),
    };
  });
  return {
    title: px.title ?? px.contents,
    dimensions,
    values: px.data,
    status: px.missing,
    source: px.source,
    updated: pxDateToIso(px.lastUpdated) ?? pxDateToIso(px.keywords.get('CREATION-DATE')?.join('')),
    unit: px.units,
    notes: px.notes,
  };
}
