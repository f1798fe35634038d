import { cubeSize, cubeToTable, MAX_CUBE_CELLS } from './cube-table.ts';
import { decode, detectEncoding } from './encoding.ts';
import { ReadError, type CubeDimension, type CubeInfo, type RawTable, type ReadIssue } from './table.ts';

/**
 * SDMX-JSON data messages (issue 4), as DGBAS's 總體統計資料庫 (nstatdb.dgbas.gov.tw, `?sdmx/<code>/`)
 * answers them: `data.structure.dimensions.{dataSet,series,observation}` with coded values and
 * Chinese names, and `data.dataSets[0].series["0:3"].observations["12"] = [value, …attributes]`.
 * The time dimension has SDMX period ids ("1981-M1") with 民國 labels ("70年1月"). Also read: the
 * flat form (observations keyed by every dimension), localised `names`, the draft layout without
 * the `data` wrapper and the SDMX-JSON 2.0 `structures` array.
 *
 * The message is a single JSON document whose values become one array anyway (the cube), so it is
 * parsed whole; the table's rows are still streamed from that array.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const asArray = (v: Json | undefined): Json[] => (Array.isArray(v) ? v : []);
const asString = (v: Json | undefined): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

/** A name in the preferred language: SDMX-JSON writes `name` or localised `names` ({ "zh-TW": … }). */
function localName(o: JsonObject): string | undefined {
  const plain = asString(o.name);
  if (plain !== undefined) return plain;
  const names = isObject(o.names) ? o.names : isObject(o.name) ? o.name : undefined;
  if (!names) return undefined;
  for (const lang of ['zh-TW', 'zh-Hant', 'zh', 'en']) {
    const v = asString(names[lang]);
    if (v !== undefined) return v;
  }
  return Object.values(names).map(asString).find((v) => v !== undefined);
}

function invalid(zhWhat: string, enWhat: string): ReadError {
  return new ReadError(`不是可讀的 SDMX-JSON 資料訊息：${zhWhat}`, `not a readable SDMX-JSON data message: ${enWhat}`);
}

/** "…in JSON at position 1234" → line and column, when V8 says where. */
function whereInJson(text: string, message: string): { line?: number; column?: string } {
  const m = /at position (\d+)/.exec(message);
  if (!m) return {};
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  return { line, column: String(pos - before.lastIndexOf('\n')) };
}

interface Dim {
  id: string;
  label: string;
  codes: string[];
  labels: string[];
  role?: CubeDimension['role'];
}

function readDimension(raw: Json, level: string, position: number): Dim {
  if (!isObject(raw)) throw invalid(`${level} 第 ${position + 1} 個維度不是物件`, `${level} dimension ${position + 1} is not an object`);
  const id = asString(raw.id) ?? `${level}${position + 1}`;
  const values = asArray(raw.values);
  const codes: string[] = [];
  const labels: string[] = [];
  values.forEach((v, i) => {
    const o = isObject(v) ? v : {};
    const code = asString(o.id) ?? asString(v) ?? String(i);
    codes.push(code);
    labels.push(localName(o) ?? code);
  });
  const roles = [asString(raw.role), ...asArray(raw.roles).map(asString)].filter((r): r is string => r !== undefined).map((r) => r.toUpperCase());
  const upperId = id.toUpperCase();
  const role: Dim['role'] =
    roles.includes('TIME_PERIOD') || roles.includes('TIME') || upperId === 'TIME_PERIOD'
      ? 'time'
      : roles.includes('REF_AREA') || roles.includes('GEO') || upperId === 'REF_AREA'
        ? 'geo'
        : undefined;
  return { id, label: localName(raw) ?? id, codes, labels, ...(role ? { role } : {}) };
}

/** "2022-09-10 08:36:01 7374" (DGBAS) or ISO 8601 → ISO 8601, or null. */
function isoTime(raw: string | undefined): string | null {
  if (!raw) return null;
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?))?/.exec(raw.trim());
  if (!m) return null;
  return m[2] ? `${m[1]}T${m[2]}` : m[1];
}

/** Observation value → number, or null with the text kept as a status symbol. */
function obsValue(v: Json | undefined): { value: number | null; symbol?: string } {
  if (typeof v === 'number') return Number.isFinite(v) ? { value: v } : { value: null };
  if (typeof v === 'string') {
    const s = v.trim();
    if (s !== '' && Number.isFinite(Number(s))) return { value: Number(s) };
    return { value: null, symbol: s || undefined };
  }
  return { value: null };
}

/**
 * Reads an SDMX-JSON data message into a cube and its long table (one column per dimension, then
 * 「數值」). Throws ReadError (zh-TW + English) when the text is not JSON or not a data message.
 */
export function readSdmxJson(input: Uint8Array | string, opts: { name?: string } = {}): RawTable {
  const issues: ReadIssue[] = [];
  let text: string;
  if (typeof input === 'string') text = input.replace(/^\uFEFF/, '');
  else {
    const guess = detectEncoding(input.subarray(0, 1 << 20), { complete: input.length <= 1 << 20 });
    // JSON is UTF-8 (RFC 8259); anything else is a file re-saved by hand, read but reported.
    if (guess.encoding !== 'UTF-8') {
      issues.push({ level: 'warning', zh: `JSON 應為 UTF-8，本檔為 ${guess.encoding}（${guess.evidence}）`, en: `JSON should be UTF-8; this file is ${guess.encoding} (${guess.evidence})` });
    }
    text = decode(input, guess.encoding);
  }

  let root: Json;
  try {
    root = JSON.parse(text) as Json;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new ReadError(`不是有效的 JSON（${message}）`, `not valid JSON (${message})`, whereInJson(text, message));
  }
  if (!isObject(root)) throw invalid('最外層不是物件', 'the top level is not an object');
  const message = isObject(root.data) ? root.data : root;
  const structure = isObject(message.structure) ? message.structure : asArray(message.structures).find(isObject) ?? (isObject(root.structure) ? root.structure : undefined);
  if (!structure || !isObject(structure.dimensions)) throw invalid('缺少 structure.dimensions', 'structure.dimensions is missing');
  const dataSets = asArray(message.dataSets ?? root.dataSets);
  const dataSet = dataSets[0];
  if (!isObject(dataSet)) throw invalid('缺少 dataSets', 'dataSets is missing');
  if (dataSets.length > 1) {
    issues.push({ level: 'warning', zh: `訊息有 ${dataSets.length} 個資料集，只讀取第 1 個`, en: `the message has ${dataSets.length} data sets; only the first is read` });
  }

  const levels = structure.dimensions;
  const setDims = asArray(levels.dataSet).map((d, i) => readDimension(d, 'dataSet', i));
  const seriesDims = asArray(levels.series).map((d, i) => readDimension(d, 'series', i));
  const obsDims = asArray(levels.observation).map((d, i) => readDimension(d, 'observation', i));
  const dims = [...setDims, ...seriesDims, ...obsDims];
  if (dims.length === 0) throw invalid('沒有任何維度', 'it has no dimensions');
  const size = cubeSize(dims);
  if (size > MAX_CUBE_CELLS) {
    throw new ReadError(`維度組合共 ${size} 格，超過上限 ${MAX_CUBE_CELLS}`, `the dimensions span ${size} cells, more than the limit of ${MAX_CUBE_CELLS}`);
  }

  // Strides: row-major, the last dimension varies fastest.
  const strides = dims.map((_, k) => dims.slice(k + 1).reduce((n, d) => n * d.codes.length, 1));
  const values: (number | null)[] = new Array<number | null>(size).fill(null);
  const status = new Map<number, string>();
  // OBS_STATUS (SDMX's "A" normal, "P" provisional, "M" missing, …) becomes the cell's status symbol.
  const obsAttributes = asArray(isObject(structure.attributes) ? structure.attributes.observation : undefined);
  const statusAttr = obsAttributes.findIndex((a) => isObject(a) && /^OBS_STATUS$/i.test(asString(a.id) ?? ''));
  const statusCodes = statusAttr >= 0 ? readDimension(obsAttributes[statusAttr], 'attribute', statusAttr).codes : [];

  const offsetOf = (key: string, keyDims: Dim[], first: number, what: { zh: string; en: string }): number => {
    const parts = key === '' ? [] : key.split(':');
    const shown = key.slice(0, 40);
    if (parts.length !== keyDims.length) {
      throw invalid(`${what.zh}鍵「${shown}」應有 ${keyDims.length} 個位置`, `${what.en} key "${shown}" should have ${keyDims.length} positions`);
    }
    let offset = 0;
    parts.forEach((p, i) => {
      const n = Number(p);
      const dim = keyDims[i];
      if (!/^\d+$/.test(p) || n >= dim.codes.length) {
        throw invalid(`${what.zh}鍵「${shown}」的第 ${i + 1} 個位置超出維度「${dim.label}」的 ${dim.codes.length} 個值`, `${what.en} key "${shown}": position ${i + 1} is outside dimension "${dim.label}" (${dim.codes.length} values)`);
      }
      offset += n * strides[first + i];
    });
    return offset;
  };
  const SERIES = { zh: '序列', en: 'series' };
  const OBSERVATION = { zh: '觀測值', en: 'observation' };

  const put = (offset: number, obs: Json) => {
    const arr = Array.isArray(obs) ? obs : [obs];
    const { value, symbol } = obsValue(arr[0]);
    values[offset] = value;
    const attr = statusAttr >= 0 ? arr[1 + statusAttr] : undefined;
    const code = typeof attr === 'number' ? statusCodes[attr] : undefined;
    if (code !== undefined) status.set(offset, code);
    else if (symbol !== undefined) status.set(offset, symbol);
  };

  const readObservations = (observations: Json | undefined, base: number) => {
    if (!isObject(observations)) return;
    for (const [key, obs] of Object.entries(observations)) put(base + offsetOf(key, obsDims, setDims.length + seriesDims.length, OBSERVATION), obs);
  };

  if (isObject(dataSet.series)) {
    for (const [key, series] of Object.entries(dataSet.series)) {
      if (!isObject(series)) continue;
      readObservations(series.observations, offsetOf(key, seriesDims, setDims.length, SERIES));
    }
  } else {
    readObservations(dataSet.observations, 0);
  }

  const cube: CubeInfo = {
    title: localName(structure) ?? null,
    dimensions: dims,
    values,
    status,
    source: (isObject(root.meta) && isObject(root.meta.sender) ? localName(root.meta.sender) : undefined) ?? null,
    // The time the answer was prepared: the data are at least this fresh.
    updated: isoTime(isObject(root.meta) ? asString(root.meta.prepared) : undefined),
    unit: null,
    notes: [],
  };
  issues.push(...mixedFrequencies(cube), ...zeroRuns(cube));
  return cubeToTable(cube, { name: opts.name, issues });
}

/** SDMX period ids: 1981, 1981-M1, 1981-Q1, 1981-S1, 1981-W1, 1981-01, 1981-01-05. */
function frequency(code: string): string | undefined {
  if (/^\d{4}(-A1)?$/.test(code)) return 'year';
  if (/^\d{4}-?M\d{1,2}$/.test(code) || /^\d{4}-\d{2}$/.test(code)) return 'month';
  if (/^\d{4}-?Q[1-4]$/.test(code)) return 'quarter';
  if (/^\d{4}-?S[12]$/.test(code)) return 'half-year';
  if (/^\d{4}-?W\d{1,2}$/.test(code)) return 'week';
  if (/^\d{4}-\d{2}-\d{2}$/.test(code)) return 'day';
  return undefined;
}

const FREQ_ZH: Record<string, string> = { year: '年', 'half-year': '半年', quarter: '季', month: '月', week: '週', day: '日' };

/**
 * DGBAS puts the yearly figures among the months (70年, 70年1月, …, 70年12月, 71年, …): one table
 * then holds two frequencies, which a chart or a sum must not mix.
 */
function mixedFrequencies(cube: CubeInfo): ReadIssue[] {
  const time = cube.dimensions.find((d) => d.role === 'time');
  if (!time) return [];
  const counts = new Map<string, number>();
  for (const c of time.codes) {
    const f = frequency(c);
    if (f) counts.set(f, (counts.get(f) ?? 0) + 1);
  }
  if (counts.size < 2) return [];
  const list = [...counts];
  return [{
    level: 'warning',
    column: time.label,
    zh: `時間維度「${time.label}」混有不同頻率：${list.map(([f, n]) => `${n} 個${FREQ_ZH[f] ?? f}`).join('、')}；作圖或加總前請先篩選`,
    en: `time dimension "${time.label}" mixes frequencies: ${list.map(([f, n]) => `${n} ${f}`).join(', ')}; filter before charting or summing`,
  }];
}

/** Shortest run of leading zeros worth a warning (one or two zeros are plausible figures). */
const ZERO_RUN = 3;

/**
 * The statistical database writes 0 where it has no figure (所得層級別 CPI before 民國97年, life
 * expectancy before 民國70年, deflators of items that have none). A reader cannot tell that 0 from
 * a real one, so the values are kept, and series that start with a run of zeros (or are all zero)
 * are reported for the contact to check.
 */
function zeroRuns(cube: CubeInfo): ReadIssue[] {
  const dims = cube.dimensions;
  const last = dims.at(-1);
  if (!last || last.role !== 'time') return [];
  const t = last.codes.length;
  const spans = new Map<string, { from: string; to: string; all: boolean; series: string[] }>();
  for (let start = 0; start + t <= cube.values.length; start += t) {
    let run = 0;
    while (run < t && cube.values[start + run] === 0) run++;
    if (run < ZERO_RUN) continue;
    const from = last.labels[0];
    const to = last.labels[run - 1];
    const key = `${from}\u0000${to}`;
    const entry = spans.get(key) ?? { from, to, all: run === t, series: [] };
    // The series' name: its category in each dimension before time.
    let rest = start / t;
    const names: string[] = [];
    for (let k = dims.length - 2; k >= 0; k--) {
      const n = dims[k].codes.length;
      names.unshift(dims[k].labels[rest % n]);
      rest = Math.floor(rest / n);
    }
    entry.series.push(names.join(' / '));
    spans.set(key, entry);
  }
  return [...spans.values()].map(({ from, to, all, series }) => {
    const shown = series.slice(0, 3).join('；') + (series.length > 3 ? ` 等 ${series.length} 個` : '');
    const shownEn = series.slice(0, 3).join('; ') + (series.length > 3 ? ` and ${series.length - 3} more` : '');
    return {
      level: 'warning' as const,
      zh: `${series.length} 個序列${all ? '全部為 0' : `自 ${from} 至 ${to} 皆為 0`}（${shown}）：資料庫常以 0 表示「無資料」，發布前請確認`,
      en: `${series.length} series ${all ? 'are 0 throughout' : `are 0 from ${from} to ${to}`} (${shownEn}): the database often writes 0 for "no figure"; check before publishing`,
    };
  });
}
