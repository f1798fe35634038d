/**
 * Makes the rows of a demo table from its definition: the product of its dimensions over its
 * released periods, with series that drift and wobble like real statistics. Seeded by the
 * dataset's slug, so the same definition always gives the same numbers, and a period's
 * figures do not change when later periods are added.
 */
import type { CalcContext, DemoDataset, DemoField, DimValue, Gen, ListingEntry, Row } from './demo.catalogue.ts';
import { PER_YEAR, periodInYear, periodLabel, periodYear } from './demo.periods.ts';

/** 32-bit FNV-1a: a stable seed from a string. */
export function hashOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a small, fast, seedable generator (quality is ample for made-up figures). */
export function seededRandom(seed: string): () => number {
  let a = hashOf(seed);
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

export function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/** Decimal places a column is written with (so 103.50 stays 103.50 in CSV and XML). */
export function decimalsOf(f: DemoField): number | undefined {
  const g = f.gen;
  if (!g) return f.decimals;
  switch (g.kind) {
    case 'walk':
    case 'level':
    case 'change':
    case 'lagged':
    case 'calc':
      return g.decimals;
    case 'period':
    case 'dim':
    case 'label':
      return undefined;
  }
}

type SeriesGen = Extract<Gen, { kind: 'walk' | 'level' }>;

function product(dims: DimValue[][]): DimValue[][] {
  return dims.reduce<DimValue[][]>((acc, values) => acc.flatMap((combo) => values.map((v) => [...combo, v])), [[]]);
}

export interface TableInput {
  periods: number[];
  listing: ListingEntry[];
}

/** The table's rows, in period order, then in the order of the dimension values. */
export function buildRows(def: DemoDataset, input: TableInput): Row[] {
  const s = def.schedule;
  if (def.rows) {
    return def.rows({
      periods: input.periods,
      label: (idx) => periodLabel(s, idx),
      random: seededRandom(`${def.slug}|rows`),
      listing: input.listing,
    });
  }
  const dimFields = def.fields.filter((f): f is DemoField & { gen: Extract<Gen, { kind: 'dim' }> } => f.gen?.kind === 'dim');
  const combos = product(dimFields.map((f) => f.gen.values));
  const step = s.granularity === 'year' && s.everyYears ? s.everyYears : 1;
  /** Years one step (one row of the series) covers. */
  const yearsPerStep = step / PER_YEAR[s.granularity];
  const lagSteps = (lag: 'year' | 'period') => (lag === 'period' ? 1 : Math.max(1, Math.round(PER_YEAR[s.granularity] / step)));
  const preroll = Math.max(0, ...def.fields.map((f) => (f.gen?.kind === 'change' || f.gen?.kind === 'lagged' ? lagSteps(f.gen.lag) : 0)));
  // Positions count from the table's first period, so earlier figures never depend on how many periods are out.
  const total = preroll + input.periods.length;
  const firstIdx = input.periods[0] ?? 0;
  /** Series positions of a calendar year's periods (consecutive periods only; censuses are never rebased). */
  const positionsOfYear = (year: number): number[] => {
    const per = PER_YEAR[s.granularity];
    return Array.from({ length: per }, (_, k) => preroll + year * per + k - firstIdx);
  };

  const rows: Row[] = [];
  const perCombo = combos.map((combo) => {
    const key = combo.map((v) => v.code).join('.');
    const weight = combo.reduce((w, v) => w * (v.w ?? 1), 1);
    const extraDrift = combo.reduce((d, v) => d + (v.drift ?? 0), 0);
    const series = new Map<string, number[]>();
    for (const f of def.fields) {
      const g = f.gen;
      if (g?.kind !== 'walk' && g?.kind !== 'level') continue;
      const values = makeSeries(g, total, { weight, extraDrift, yearsPerStep, random: seededRandom(`${def.slug}|${key}|${f.name}`) });
      if (g.kind === 'walk' && g.rebaseYear !== undefined) rebase(values, positionsOfYear(g.rebaseYear));
      series.set(f.name, values);
    }
    const calcRandom = new Map(def.fields.filter((f) => f.gen?.kind === 'calc').map((f) => [f.name, seededRandom(`${def.slug}|${key}|${f.name}|calc`)]));
    return { combo, series, calcRandom };
  });

  input.periods.forEach((idx, i) => {
    const pos = preroll + i;
    for (const { combo, series, calcRandom } of perCombo) {
      const row: Row = {};
      for (const f of def.fields) {
        const g = f.gen;
        if (!g) {
          row[f.name] = null;
          continue;
        }
        switch (g.kind) {
          case 'period':
            row[f.name] = periodLabel(s, idx);
            break;
          case 'dim': {
            const v = combo[dimFields.indexOf(f as (typeof dimFields)[number])];
            row[f.name] = g.show === 'code' ? v.code : v.label;
            break;
          }
          case 'label': {
            const at = dimFields.findIndex((d) => d.name === g.of);
            row[f.name] = at >= 0 ? combo[at].label : null;
            break;
          }
          case 'walk':
          case 'level':
            row[f.name] = roundTo(series.get(f.name)?.[pos] ?? 0, g.decimals);
            break;
          case 'change': {
            const v = series.get(g.of) ?? [];
            const then = v[pos - lagSteps(g.lag)];
            row[f.name] = then ? roundTo((v[pos] / then - 1) * 100, g.decimals) : null;
            break;
          }
          case 'lagged':
            row[f.name] = roundTo(series.get(g.of)?.[pos - lagSteps(g.lag)] ?? 0, g.decimals);
            break;
          case 'calc': {
            const at: CalcContext = {
              year: periodYear(s.granularity, idx),
              inYear: periodInYear(s.granularity, idx),
              random: calcRandom.get(f.name) ?? (() => 0.5),
            };
            row[f.name] = roundTo(g.fn(row, at), g.decimals);
            break;
          }
        }
      }
      rows.push(row);
    }
  });
  return rows;
}

/** Scales a series so that the mean over `positions` is 100 (an index's base year). */
function rebase(values: number[], positions: number[]): void {
  const inBase = positions.filter((p) => p >= 0 && p < values.length).map((p) => values[p]);
  if (inBase.length === 0) return;
  const factor = 100 / (inBase.reduce((a, b) => a + b, 0) / inBase.length);
  for (let i = 0; i < values.length; i++) values[i] *= factor;
}

function makeSeries(g: SeriesGen, length: number, o: { weight: number; extraDrift: number; yearsPerStep: number; random: () => number }): number[] {
  const out: number[] = [];
  if (g.kind === 'walk') {
    let v = g.base * o.weight * (1 + (g.vol / 100) * gaussian(o.random));
    for (let i = 0; i < length; i++) {
      out.push(v);
      v *= 1 + ((g.drift + o.extraDrift) / 100) * o.yearsPerStep + (g.vol / 100) * gaussian(o.random);
    }
    return out;
  }
  // A rate wanders around its (trending) mean and is pulled back towards it.
  let wobble = g.vol * gaussian(o.random);
  for (let i = 0; i < length; i++) {
    out.push(Math.max(0, g.base * (g.weighted === false ? 1 : o.weight) + (g.trend ?? 0) * i * o.yearsPerStep + wobble));
    wobble = 0.7 * wobble + g.vol * gaussian(o.random);
  }
  return out;
}
