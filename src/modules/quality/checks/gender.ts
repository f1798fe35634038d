import { normaliseCell } from '../../ingest/values.ts';
import { indicator, type Evidence, type TableCheck } from '../indicators.ts';

/*
 * Indicator 13, `gender_statistics` (issue 5): a table broken down by sex should carry the
 * national 性別統計 mark so that it is found among the gender statistics. The check only
 * suggests: `warn` when a sex breakdown is found (someone should set the mark), `na` when none
 * is (the mark does not apply — not a quality "pass", so it never counts towards a badge).
 */

/** Headers that name sex: 性別, 性, 男女別, sex, gender (and sexo, sexe, Geschlecht of foreign statistics). */
const SEX_HEADER = /性別|^性$|男女|性比例|^(sex|gender|sexo|sexe|geschlecht)/;
/** Values that are a sex, as written in Taiwanese and English tables. */
const SEX_VALUES = new Set(['男', '女', '男性', '女性', '男生', '女生', 'male', 'female', 'males', 'females', 'men', 'women']);
/** Labels for all sexes together, which a sex column also holds (合計, Total, Both sexes). */
const ALL_SEXES = /^(合計|總計|計|小計|全體|全部|不詳|未詳|其他|total|all|both|ambos|unknown)/i;
/** Values looked at per column before deciding whether it is a sex column. */
const SAMPLE = 1_000;
const SHARE = 0.8;

const compact = (h: string): string => normaliseCell(h).toLowerCase().replace(/[\s_\-–—.()（）]+/g, '');
const MALE_HEADER = /男|(^|[^a-z])(male|males|men)([^a-z]|$)/;
const FEMALE_HEADER = /女|female|(^|[^a-z])women([^a-z]|$)/;

/** Whether a header names sex ("性別", "Sex", "gender_code"). */
export const isSexHeader = (header: string): boolean => SEX_HEADER.test(compact(header));

/** Whether a value is a sex ("男", "女性", "Female"); 1/2 and M/F count only under a sex header. */
export const isSexValue = (value: string): boolean => SEX_VALUES.has(normaliseCell(value).toLowerCase());

interface ColumnState {
  name: string;
  sampled: number;
  sexValues: number;
  firstRow: number;
  seen: Set<string>;
}

/**
 * `gender_statistics`: a column named for sex (性別, sex, gender), a column whose values are
 * sexes (男/女, 男性/女性, Male/Female; totals such as 合計 aside), or headers that pair men and
 * women (男性人數 and 女性人數) → `warn` with the suggestion to mark the dataset as gender
 * statistics; nothing of the kind → `na`. Only the first SAMPLE values of a column are looked at.
 */
export function genderCheck(): TableCheck {
  let headerHits: string[] = [];
  let pair: { male: string; female: string } | undefined;
  let columns: (ColumnState | undefined)[] = [];
  let watching: number[] = [];

  return {
    id: 'gender_statistics',
    begin(names) {
      headerHits = names.filter(isSexHeader);
      const male = names.find((n) => !isSexHeader(n) && MALE_HEADER.test(compact(n)) && !FEMALE_HEADER.test(compact(n)));
      const female = names.find((n) => !isSexHeader(n) && FEMALE_HEADER.test(compact(n)) && !MALE_HEADER.test(compact(n)));
      pair = male && female ? { male, female } : undefined;
      columns = names.map((name) => (isSexHeader(name) ? undefined : { name, sampled: 0, sexValues: 0, firstRow: 0, seen: new Set<string>() }));
      watching = columns.flatMap((c, i) => (c ? [i] : []));
    },

    rows(batch, firstRow) {
      if (watching.length === 0) return;
      for (let r = 0; r < batch.length; r++) {
        const row = batch[r];
        for (const i of watching) {
          const cell = row[i];
          const c = columns[i];
          if (typeof cell !== 'string' || !c || c.sampled >= SAMPLE) continue;
          // Sex values are short; a long cell settles that this value is not one without normalising it.
          const v = cell.length <= 10 ? normaliseCell(cell).toLowerCase() : '';
          if (v === '' && cell.length <= 10) continue;
          if (ALL_SEXES.test(v)) continue;
          c.sampled++;
          if (SEX_VALUES.has(v)) {
            if (c.sexValues === 0) c.firstRow = firstRow + r;
            c.sexValues++;
            if (c.seen.size < 4) c.seen.add(normaliseCell(cell));
          }
        }
      }
      watching = watching.filter((i) => (columns[i]?.sampled ?? SAMPLE) < SAMPLE);
    },

    end() {
      const evidence: Evidence[] = [];
      for (const h of headerHits) evidence.push({ column: h, note: '欄名表示性別 / the header names sex' });
      for (const c of columns) {
        if (c && c.sexValues > 0 && c.sexValues >= SHARE * c.sampled) {
          evidence.push({ column: c.name, row: c.firstRow, count: c.sexValues, sample: [...c.seen].join('、'), note: '欄位的值是性別 / the values are sexes' });
        }
      }
      if (pair) evidence.push({ column: `${pair.male}／${pair.female}`, note: '欄名成對區分男女 / headers pair men and women' });
      if (evidence.length === 0) {
        return indicator('gender_statistics', 'na', '未發現性別欄位或男女分列的數字，不適用性別統計標示', 'No sex column or figures by sex found: the gender-statistics mark does not apply');
      }
      const cols = [...new Set(evidence.map((e) => e.column ?? ''))];
      return indicator(
        'gender_statistics',
        'warn',
        `資料按性別區分（${cols.map((c) => `「${c}」`).join('、')}）：建議將資料集標示為性別統計（性別統計）`,
        `The data is broken down by sex (${cols.map((c) => `"${c}"`).join(', ')}): mark the dataset as gender statistics (性別統計)`,
        evidence,
        { columns: cols },
      );
    },
  };
}
