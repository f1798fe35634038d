import { readTableOf, runCheck } from '../../../../test/helpers/quality.ts';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { testdata } from '../../../../test/helpers/env.ts';
import type { RawCell } from '../../ingest/table.ts';
import type { IndicatorResult, TableCheck } from '../indicators.ts';
import {
  findEmail,
  GIVE_UP_AFTER,
  headerKind,
  isEmail,
  isMobileNumber,
  isResidentNumber,
  isTaiwanId,
  looksLikePersonalName,
  maskEmail,
  maskIdentifier,
  maskMobile,
  maskName,
  mobileForm,
  personalDataCheck,
} from './personal-data.ts';

// ─── The rule, written again here so that test numbers are computed, not copied ───────────

/** datagovtw.md §9: the letter's two-digit value. */
const LETTERS: Record<string, number> = {
  A: 10, B: 11, C: 12, D: 13, E: 14, F: 15, G: 16, H: 17, I: 34, J: 18, K: 19, L: 20, M: 21,
  N: 22, O: 35, P: 23, Q: 24, R: 25, S: 26, T: 27, U: 28, V: 29, W: 32, X: 30, Y: 31, Z: 33,
};
/** The check digit that completes letter + second character + 7 digits (old resident form: second letter's value mod 10 as n1). */
function checkDigit(first9: string): number {
  const v = LETTERS[first9[0]];
  const second = /\d/.test(first9[1]) ? Number(first9[1]) : LETTERS[first9[1]] % 10;
  const n = [second, ...first9.slice(2).split('').map(Number)];
  const weights = [8, 7, 6, 5, 4, 3, 2, 1];
  const sum = Math.floor(v / 10) * 1 + (v % 10) * 9 + n.reduce((s, d, i) => s + d * weights[i], 0);
  return (10 - (sum % 10)) % 10;
}
const complete = (first9: string): string => `${first9}${checkDigit(first9)}`;
/** The same number with each of the nine wrong check digits. */
const wrongDigits = (valid: string): string[] => Array.from({ length: 10 }, (_, d) => `${valid.slice(0, 9)}${d}`).filter((s) => s !== valid);

/** A pseudo-random but repeatable sequence of digits. */
function digits(seed: number, n: number): string {
  let x = seed * 2654435761;
  let out = '';
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out += String(x % 10);
  }
  return out;
}

/** Runs a check over a table held in memory, in batches of `batch` rows. */
function run(check: TableCheck, columns: string[], rows: RawCell[][], batch = 100): IndicatorResult {
  check.begin(columns);
  for (let i = 0; i < rows.length; i += batch) check.rows(rows.slice(i, i + batch), i + 1);
  return check.end();
}
const personal = (columns: string[], rows: RawCell[][], batch?: number) => run(personalDataCheck(), columns, rows, batch);

// ─── Detectors ─────────────────────────────────────────────────────────────────────────────

describe('national ID numbers (國民身分證統一編號)', () => {
  it('accepts every letter with 1 or 2 and the check digit the rule gives, and refuses the nine other digits', () => {
    for (const [i, letter] of Object.keys(LETTERS).entries()) {
      for (const sex of ['1', '2']) {
        const id = complete(`${letter}${sex}${digits(i + Number(sex), 7)}`);
        expect(isTaiwanId(id), id).toBe(true);
        expect(isResidentNumber(id), id).toBe(false);
        for (const wrong of wrongDigits(id)) expect(isTaiwanId(wrong), wrong).toBe(false);
      }
    }
  });

  it('normalises what people type: lower case, surrounding spaces, full-width letters and digits', () => {
    const id = complete('F2' + digits(42, 7));
    const fullWidth = id.replace(/[A-Z0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
    for (const typed of [id.toLowerCase(), ` ${id}  `, `\u3000${id}`, fullWidth]) expect(isTaiwanId(typed), typed).toBe(true);
  });

  it('refuses other shapes: sex digit 3, nine or eleven characters, a digit first', () => {
    const id = complete('A1' + digits(7, 7));
    for (const bad of [`A3${id.slice(2)}`, id.slice(0, 9), `${id}0`, `1${id.slice(1)}`, 'A12345678X', '']) expect(isTaiwanId(bad), bad).toBe(false);
  });
});

describe('resident certificate numbers (統一證號)', () => {
  it('new form: letter + 8|9 + 8 digits, same check rule', () => {
    for (const [i, letter] of ['A', 'E', 'I', 'O', 'W', 'Z'].entries()) {
      for (const second of ['8', '9']) {
        const n = complete(`${letter}${second}${digits(100 + i, 7)}`);
        expect(isResidentNumber(n), n).toBe(true);
        expect(isTaiwanId(n), n).toBe(false);
        for (const wrong of wrongDigits(n)) expect(isResidentNumber(wrong), wrong).toBe(false);
      }
    }
  });

  it('old form: two letters, the second A–D standing for its value mod 10 in the sex digit’s place', () => {
    for (const [i, letter] of ['A', 'F', 'Y'].entries()) {
      for (const second of ['A', 'B', 'C', 'D']) {
        const n = complete(`${letter}${second}${digits(200 + i, 7)}`);
        expect(isResidentNumber(n), n).toBe(true);
        expect(isResidentNumber(n.toLowerCase()), n).toBe(true);
        for (const wrong of wrongDigits(n)) expect(isResidentNumber(wrong), wrong).toBe(false);
      }
    }
    // The second letter must be A–D (sex codes of the old form), whatever the digits.
    for (const d of '0123456789') expect(isResidentNumber(`AE0000000${d}`)).toBe(false);
  });
});

describe('mobile numbers', () => {
  it('the ways they are written', () => {
    for (const s of ['0912-345-678', '0912345678', '0912 345 678', '(0912)345-678', '+886-912-345-678', '+886 912 345 678', '+886912345678', '886912345678', '+886-0912-345-678', '０９１２－３４５－６７８', ' 0912.345.678 ']) {
      expect(isMobileNumber(s), s).toBe(true);
    }
    expect(mobileForm('0912345678')).toBe('bare');
    expect(mobileForm('0912-345-678')).toBe('formatted');
  });

  it('not landlines, other countries, amounts or numbers of other lengths', () => {
    for (const s of ['02-2345-6789', '(02)23456789', '(089)325301', '089-325301', '0223456789', '886-6-7930937', '+81-90-1234-5678', '1234567890', '9123456789', '091234567', '09123456789', '0912-345-678#12', '0912-345-67八', '2024-01-05', '12,345,678']) {
      expect(isMobileNumber(s), s).toBe(false);
    }
  });
});

describe('e-mail addresses', () => {
  it('a sane pattern, also inside a text', () => {
    for (const s of ['a.lin@example.com', 'ming_wang+news@mail.example.org.tw', 'Ａ@example.com', ' x1@ex-ample.tw ']) expect(isEmail(s), s).toBe(true);
    for (const s of ['a@b', '@example.com', 'a@.com', 'a@example.c0m', 'a b@example.com', '民眾@example.com', 'a@@example.com']) expect(isEmail(s), s).toBe(false);
    expect(findEmail('洽詢請寄 mailto:a.lin@example.com 或來電')).toBe('a.lin@example.com');
    expect(findEmail('價格 100@ 每份')).toBeUndefined();
  });
});

describe('personal names', () => {
  it('2–4 CJK characters starting with a common surname; not places, organisations or categories', () => {
    for (const s of ['王小明', '陳怡', '歐陽娜娜', '張簡一郎', '林宜珍', 'MR DAVID SHEARER', 'Mrs. Jane Doe']) expect(looksLikePersonalName(s), s).toBe(true);
    for (const s of ['高雄市', '臺東市', '林口區', '金門縣', '連江縣', '總計', '合計', '男性', '國小', '王小明先生你好', 'David', '12', '陳']) expect(looksLikePersonalName(s), s).toBe(false);
  });
});

describe('masking', () => {
  it('a report shows only enough to find the value again', () => {
    const id = complete('A1' + digits(3, 7));
    expect(maskIdentifier(id)).toBe(`${id.slice(0, 3)}****${id.slice(7)}`);
    expect(maskIdentifier(id.toLowerCase())).toBe(maskIdentifier(id));
    expect(maskMobile('0912-345-678')).toBe('09xx-xxx-678');
    expect(maskMobile('+886 912 345 678')).toBe('09xx-xxx-678');
    expect(maskEmail('ming.wang@example.com')).toBe('m***@example.com');
    expect(maskName('王小明')).toBe('王*明');
    expect(maskName('歐陽娜娜')).toBe('歐**娜');
    expect(maskName('林一')).toBe('林*');
    expect(maskName('MR DAVID SHEARER')).toBe('M***');
  });
});

describe('headers', () => {
  it('identifier headers win over name headers; figures about people are not people', () => {
    expect(headerKind('身分證字號')).toBe('national_id');
    expect(headerKind('聯絡人電話')).toBe('phone');
    expect(headerKind('聯絡人')).toBe('role_name');
    expect(headerKind('負責人姓名')).toBe('role_name');
    expect(headerKind('姓名')).toBe('person_name');
    expect(headerKind('Full Name')).toBe('person_name');
    expect(headerKind('E-mail')).toBe('email');
    expect(headerKind('出生日期')).toBe('birth');
    expect(headerKind('戶籍地址')).toBe('address');
    for (const h of ['申請人數', '出生數', '出生率', 'id', 'item_name', 'State Name', '年度']) expect(headerKind(h), h).toBeUndefined();
    expect(headerKind('主管機關')).toBe('organisation');
  });
});

// ─── The check ─────────────────────────────────────────────────────────────────────────────

const ids = (n: number, seed = 1): string[] => Array.from({ length: n }, (_, i) => complete(`${'ABCDEFGHJKLMNPQRSTUVXYWZIO'[i % 26]}${(i % 2) + 1}${digits(seed + i, 7)}`));

describe('personalDataCheck', () => {
  it('fails on valid ID numbers, with count, first rows and masked samples — never the numbers themselves', () => {
    const found = ids(30);
    const rows: RawCell[][] = found.map((id, i) => [`${i + 1}`, i % 3 === 0 ? id.toLowerCase() : id, '臺北市']);
    const r = personal(['序號', '證號', '縣市'], rows);
    expect(r.result).toBe('fail');
    expect(r.evidence[0]).toMatchObject({ column: '證號', row: 1, count: 30 });
    expect(r.evidence[0].sample).toMatch(/^[A-Z]\d\d\*{4}\d{3}/);
    expect(r.zh).toContain('國民身分證統一編號');
    expect(r.en).toContain('30 national ID numbers');
    const text = JSON.stringify(r);
    for (const id of found) {
      expect(text).not.toContain(id);
      expect(text).not.toContain(id.toLowerCase());
    }
  });

  it('resident numbers, mobiles and e-mails fail too, each with its own evidence', () => {
    const resident = complete('A8' + digits(9, 7));
    const oldResident = complete('FB' + digits(10, 7));
    const r = personal(
      ['編號', '居留證', '手機', '信箱'],
      [
        ['1', resident, '0912-345-678', 'ming.wang@example.com'],
        ['2', oldResident, '+886 933 222 111', '聯絡: mei@example.org'],
      ],
    );
    expect(r.result).toBe('fail');
    expect(r.evidence.map((e) => [e.column, e.count])).toEqual([
      ['居留證', 2],
      ['手機', 2],
      ['信箱', 2],
    ]);
    expect(r.evidence[1].sample).toBe('09xx-xxx-678 09xx-xxx-111');
    expect(r.evidence[2].sample).toBe('m***@example.com m***@example.org');
    expect(r.data).toMatchObject({ found: { resident_number: 2, mobile: 2, email: 2, national_id: 0 } });
  });

  it('passes public figures and codes that only look like identifiers', () => {
    // Years, company 統一編號 (8 digits), amounts of ten digits, postcodes, landlines, ID-shaped
    // codes with wrong check digits, numbers from a spreadsheet (no leading zero), 10-digit ids.
    const rows: RawCell[][] = [];
    for (let i = 0; i < 300; i++) {
      const id = ids(1, 500 + i)[0];
      rows.push([
        String(1990 + (i % 35)),
        digits(i, 8),
        String(1_000_000_000 + i * 7_919_113),
        ['100', '10048', '100048', '950'][i % 4],
        ['02-2345-6789', '(089)325301', '07-123-4567', '049 2345678'][i % 4],
        wrongDigits(id)[i % 9],
        912345678 + i,
        `${1 + (i % 9)}${digits(i + 9, 9)}`,
      ]);
    }
    const r = personal(['年度', '統一編號', '金額', '郵遞區號', '電話', '代碼', '數量', '案號'], rows);
    expect(r.result, r.en).toBe('pass');
    expect(r.zh).toContain('未發現');
    expect(r.data).toMatchObject({ rows: 300 });
  });

  it('a column of codes of the ID shape (DGBAS table ids like A130215010) is not IDs, though one in ten fits the check digit by chance', () => {
    const codes = Array.from({ length: 250 }, (_, i) => `A${(i % 2) + 1}${String(30215010 + i * 37).padStart(8, '0')}`);
    const fitting = codes.filter(isTaiwanId).length;
    expect(fitting).toBeGreaterThan(5); // the coincidences are there…
    expect(personal(['功能代碼'], codes.map((c) => [c])).result).toBe('pass'); // …and are not findings
    // A real ID next to a typo is still an ID; under an ID header, any fitting value is one.
    const id = ids(1, 4)[0];
    expect(personal(['證號'], [[id], [wrongDigits(id)[0]]]).result).toBe('fail');
    expect(personal(['身分證字號'], [[id], ...codes.slice(0, 30).map((c) => [c])]).result).toBe('fail');
  });

  it('ten-digit strings starting 09 are codes in a code column or among other long numbers, phones elsewhere', () => {
    const bare = Array.from({ length: 20 }, (_, i) => `09${digits(i, 8)}`);
    expect(personal(['帳號'], bare.map((b) => [b])).result).toBe('pass');
    const mixed = bare.flatMap((b, i) => [[b], [`${1 + (i % 9)}${digits(i + 50, 9)}`], [`${2 + (i % 7)}${digits(i + 90, 9)}`]]);
    expect(personal(['數值'], mixed).result).toBe('pass');
    expect(personal(['電話'], bare.map((b) => [b])).result).toBe('fail');
    // Under a phone header the other long numbers are landlines, not a sign of codes.
    const withLandlines = personal(['電話'], [...Array.from({ length: 30 }, (_, i): RawCell[] => [`02${digits(i, 8)}`]), [bare[0]]]);
    expect(withLandlines.result).toBe('fail');
    expect(withLandlines.evidence[0]).toMatchObject({ row: 31, count: 1 });
  });

  it('a spreadsheet’s mobile numbers that lost their leading zero count under a phone header, and only there', () => {
    const r = personal(['手機', '金額'], [[912345678, 912345678], ['933222111', 933222111]]);
    expect(r.result).toBe('fail');
    expect(r.evidence).toHaveLength(1);
    expect(r.evidence[0]).toMatchObject({ column: '手機', count: 2, sample: '09xx-xxx-678 09xx-xxx-111' });
  });

  it('names next to identifiers fail; a name column alone warns and says officials’ names may be public', () => {
    const names = ['王小明', '陳怡君', '林志豪', '黃淑芬', '張家豪', '李雅婷'];
    const withPhone = personal(['姓名', '電話'], names.map((n, i) => [n, `02-2${digits(i, 3)}-${digits(i + 1, 4)}`]));
    expect(withPhone.result).toBe('fail');
    expect(withPhone.evidence[0]).toMatchObject({ column: '姓名', count: 6, row: 1 });
    expect(withPhone.evidence[0].sample).toBe('王*明 陳*君 林*豪');
    const withAddress = personal(['申請人', '地址'], names.map((n) => [n, '臺北市中正區重慶南路一段2號']));
    expect(withAddress.result).toBe('fail');
    const alone = personal(['姓名', '得分'], names.map((n, i) => [n, String(60 + i)]));
    expect(alone.result).toBe('warn');
    expect(alone.zh).toContain('負責人');
    expect(alone.en).toContain('officials');
    // An identifier column without a single value identifies nobody.
    expect(personal(['name', 'email'], [['Asia New Zealand Foundation', null], ['Ministry of Health', null], ['Te Puni Kōkiri', null]]).result).toBe('pass');
  });

  it('role holders (負責人, 聯絡人) next to phones or addresses warn; next to an ID or birth-date column they fail', () => {
    const rows: RawCell[][] = [
      ['甲公司', '王小明', '臺北市信義區市府路1號', '02-2720-8889'],
      ['乙公司', '陳怡君', '高雄市苓雅區四維三路2號', '07-336-8333'],
    ];
    const register = personal(['公司名稱', '負責人姓名', '公司地址', '電話'], rows);
    expect(register.result).toBe('warn');
    expect(register.zh).toContain('可能依法公開');
    const withBirth = personal(['公司名稱', '負責人姓名', '出生日期'], rows.map((r) => [r[0], r[1], '1970-01-01']));
    expect(withBirth.result).toBe('fail');
  });

  it('personal names without a name header warn only when most values look like names', () => {
    const names = ['王小明', '陳怡君', '林志豪', '黃淑芬', '張家豪', '李雅婷', '歐陽娜娜', '吳宗憲'];
    const r = personal(['欄位1', '金額'], names.map((n, i) => [n, String(100 * i)]));
    expect(r.result).toBe('warn');
    expect(r.evidence[0]).toMatchObject({ column: '欄位1', count: 8 });
    const places = ['臺北市', '高雄市', '林口區', '金門縣', '連江縣', '王功漁港', '陳', '總計'];
    expect(personal(['地名', '金額'], places.map((p, i) => [p, String(i)])).result).toBe('pass');
    const someNames = ['王小明', '陳怡君', '臺北市', '高雄市', '總計', '合計', '其他', '臺中市'];
    expect(personal(['項目', '金額'], someNames.map((p, i) => [p, String(i)])).result).toBe('pass');
  });

  it('duty contacts: mobiles and e-mails in the contact column of a list of facilities warn; of persons they fail', () => {
    const facilities: RawCell[][] = [
      ['文化里活動中心', '里長曾○○', '0937-600-483', 'li@example.com'],
      ['富岡里活動中心', '社會課', '(089)325301', 'office@example.com'],
    ];
    const shelter = personal(['收容所名稱', '管理人', '連絡電話', '電子郵件'], facilities);
    expect(shelter.result).toBe('warn');
    expect(shelter.zh).toContain('公務用途');
    const people = personal(['姓名', '連絡電話'], [['王小明', '0937-600-483']]);
    expect(people.result).toBe('fail');
    const noContext = personal(['備註'], [['0937-600-483']]);
    expect(noContext.result).toBe('fail');
    // A government address is a work address wherever it is; a private one is not.
    expect(personal(['說明'], [['請洽 service@mail.example.gov.tw']]).result).toBe('warn');
    expect(personal(['說明'], [['請洽 someone@gmail.com']]).result).toBe('fail');
  });

  it('small cells: counts of 1–2 in rows of fine combined categories warn; totals and coarse tables pass', () => {
    const rows: RawCell[][] = [];
    for (const village of ['文化里', '富岡里', '豐里里']) {
      for (const sex of ['男', '女']) rows.push(['110', village, sex, village === '富岡里' ? '2' : '35']);
      rows.push(['110', village, '合計', '70']);
    }
    rows.push(['110', '總計', '合計', '1']);
    const r = personal(['年', '村里', '性別', '人數'], rows);
    expect(r.result).toBe('warn');
    expect(r.evidence[0]).toMatchObject({ column: '人數', count: 2, row: 4, sample: '2' });
    expect(r.zh).toContain('細格');
    // Wide form: 男性人數 / 女性人數 columns by 村里 carry the sex in their headers.
    expect(personal(['村里', '男性人數', '女性人數'], [['文化里', 1, 30], ['富岡里', 40, 41]]).result).toBe('warn');
    // Years and counties are not enough to single anyone out; a rate column is not a count.
    expect(personal(['年', '縣市', '人數'], [['110', '連江縣', '1']]).result).toBe('pass');
    expect(personal(['村里', '性別', '數值'], [['文化里', '男', '2'], ['文化里', '女', '0.5']]).result).toBe('pass');
  });

  it('gives the same verdict and rows whatever the batches (rows split across batch boundaries)', () => {
    const found = ids(12, 77);
    const rows: RawCell[][] = Array.from({ length: 95 }, (_, i) => [String(i), i % 8 === 3 ? found[i % 12] : `x${i}`, i % 31 === 0 ? '0912-000-111' : '02-1234-5678']);
    const whole = personal(['n', 'id', 'tel'], rows, 1000);
    for (const b of [1, 2, 7, 31]) expect(personal(['n', 'id', 'tel'], rows, b)).toEqual(whole);
    expect(whole.evidence[0].row).toBe(4);
    expect(whole.evidence[0].note).toContain('rows 4, 12, 20, 28, 36, …');
  });

  it(`stops testing a column for a detector after ${GIVE_UP_AFTER} ID-shaped values without a match; other text does not count`, () => {
    const id = ids(1, 9)[0];
    const afterText = [...Array.from({ length: 3000 }, (_, i): RawCell[] => [`說明文字 ${i}`]), [id]];
    expect(personal(['備註'], afterText).result).toBe('fail');
    const afterCodes = [...Array.from({ length: GIVE_UP_AFTER }, (_, i): RawCell[] => [`Q0${digits(i, 8)}`]), [id]];
    const r = personal(['代碼'], afterCodes);
    expect(r.result).toBe('pass');
    expect(r.en).toContain(`${GIVE_UP_AFTER + 1} text values checked`);
  });

  it('memory does not grow with rows: 500,000 generated rows through rows() in batches', () => {
    setFlagsFromString('--expose_gc');
    const gc = runInNewContext('gc') as () => void;
    const check = personalDataCheck();
    check.begin(['序號', '身分證字號', '姓名', '手機', '村里', '性別', '人數', '說明']);
    const found = ids(50, 3);
    const batchOf = (start: number): RawCell[][] =>
      Array.from({ length: 1000 }, (_, k) => {
        const i = start + k;
        return [String(i), found[i % 50], ['王小明', '陳怡君', '林志豪'][i % 3], `09${digits(i, 2)}-${digits(i + 1, 3)}-${digits(i + 2, 3)}`, '文化里', i % 2 ? '男' : '女', String(1 + (i % 3)), `第 ${i} 筆 a${i}@example.com`];
      });
    const heapAfter = (upTo: number, from: number): number => {
      for (let start = from; start < upTo; start += 1000) check.rows(batchOf(start), start + 1);
      gc();
      return process.memoryUsage().heapUsed;
    };
    const early = heapAfter(50_000, 0);
    const late = heapAfter(500_000, 50_000);
    expect(late - early).toBeLessThan(8 * 1024 * 1024);
    const r = check.end();
    expect(r.result).toBe('fail');
    expect(r.evidence.find((e) => e.column === '身分證字號')?.count).toBe(500_000);
    expect(r.evidence.length).toBeLessThanOrEqual(20);
  });
});

// ─── The real corpus: public data must not fail ─────────────────────────────────────────────



const walk = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(path.join(dir, f)).isDirectory() ? walk(path.join(dir, f)) : [path.join(dir, f)]));

/**
 * What a careful reader finds in the corpus. Every file not named here passes. None fails: they
 * are public data. Where something is found it is a warning, and these are honest ones:
 */
const EXPECTED_WARN: Record<string, string> = {
  // A dataset description gives a contact address at kcg.gov.tw: a government work address.
  'datagovtw-catalogue/city-portals/kaohisung.2018.03.20.OD.csv': '提供電動機車充電站名稱及充電站地址',
  // Each dataset's contact person (林宜珍 …) next to the agency's switchboard (03)925-1000: officials' names.
  'datagovtw-catalogue/city-portals/yilan.2018.03.20.OpenData.csv': '聯絡人',
  // Contacts (陳小姐 …) with their @mail.tycg.gov.tw addresses, some typed into the phone column.
  'datagovtw-catalogue/city-portals/桃園市政府開放資料供應清單.xls': '資料集提供機關聯絡人電子郵件',
  // The Taitung shelters list: most numbers are landlines ((089)325301), but 5 are mobiles of
  // named village chiefs and association heads (里長曾○○ 0937…) — duty contacts published for
  // emergencies; a person should confirm they may be, so warn, not fail and not pass.
  'tw-gov-misc/636485953864564217.csv': '連絡電話',
  // The Tourism Bureau list: one attraction's service phone is a mobile (landlines 886-6-… are not).
  'messy-messytables/characters.csv': '景點服務電話',
  // Fixtures with a "name" column of first names (John, Julie; Bob, Jane): names alone warn.
  'messy-ckan-xloader/umlaut_and_extra_comma.csv': 'name',
  'messy-messytables/blank_line.ods': 'Name',
  'messy-frictionless/blank-cells.csv': 'name',
  'messy-frictionless/blank-rows-multiple.csv': 'name',
  'messy-frictionless/blank-rows-no-fields.csv': 'name',
  'messy-frictionless/blank-rows.csv': 'name',
  'messy-frictionless/defective-rows.csv': 'name',
  'messy-frictionless/duplicate-headers.csv': 'name',
  'messy-frictionless/duplicate-rows.csv': 'name',
  'messy-frictionless/schema-errors.csv': 'name',
  'messy-frictionless/structure-errors.csv': 'name',
  'messy-frictionless/table-infer-iso-8859-7.csv': 'name',
  // "name" over words (english, 中国人; ©) and capitals (London, Berlin): a header "name" is
  // taken at its word — a false alarm, but only a warning, and a person sees at once why.
  'messy-frictionless/bom.csv': 'name',
  'messy-frictionless/latin1.csv': 'name',
  'messy-frictionless/skip-rows-before-headers.csv': 'name',
  'messy-frictionless/skip-rows.csv': 'name',
  'messy-frictionless/capital-invalid.csv': 'name',
};

describe('the real corpus (../shared/testdata)', () => {
  const root = testdata('.');
  it.skipIf(!root)('no public file fails personal_data; the files where something is found warn, as listed', async () => {
    const seen: Record<string, string> = {};
    let tables = 0;
    for (const file of walk(root ?? '')) {
      const table = await readTableOf(file);
      if (!table) continue;
      tables++;
      const rel = path.relative(root ?? '', file).split(path.sep).join('/');
      const r = await runCheck(personalDataCheck(), table);
      expect(r.result, `${rel}: ${r.en}`).not.toBe('fail');
      if (r.result === 'warn') seen[rel] = r.evidence.map((e) => e.column).join(' ');
      // Masked: no whole mobile number, no e-mail's local part, no ID number in the report.
      expect(JSON.stringify(r)).not.toMatch(/09\d{2}-?\d{3}-?\d{3}|[A-Za-z0-9._%+-]{2}@|[A-Z][12]\d{8}/);
    }
    expect(tables).toBeGreaterThan(100);
    expect(Object.keys(seen).sort()).toEqual(Object.keys(EXPECTED_WARN).sort());
    for (const [file, column] of Object.entries(EXPECTED_WARN)) expect(seen[file].split(' '), file).toContain(column);
  });
});
