import type { RawCell } from '../../ingest/table.ts';
import { normaliseCell } from '../../ingest/values.ts';
import { indicator, MAX_EVIDENCE, type Evidence, type IndicatorResult, type TableCheck } from '../indicators.ts';

/*
 * Indicator 9, `personal_data` (issue 5; datagovtw.md §9): the plan publishes only anonymised
 * data. The detectors below are pure and exported for reuse (forms, the review screen); the
 * check streams a table through them with bounded memory and reports only masked samples.
 */

// ─── Identifiers: 國民身分證統一編號 and 統一證號 ────────────────────────────────────────────

/** A–Z → the two-digit values of the national ID's letter (datagovtw.md §9). */
const LETTER_VALUE = [10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21, 22, 35, 23, 24, 25, 26, 27, 28, 29, 32, 30, 31, 33];

/** An identifier as typed, in the form the rules are written for: trimmed, full-width → ASCII, upper case. */
export function normaliseIdentifier(s: string): string {
  return normaliseCell(s).toUpperCase();
}

/**
 * The check-digit rule shared by IDs and resident numbers, on a normalised 10-character string
 * whose characters 3–10 are to be digits: with the letter's digits d1 d2 and n1…n9 (n1 given by
 * the caller, as it stands for the second character), d1×1 + d2×9 + n1×8 + n2×7 + … + n8×1 + n9×1
 * ≡ 0 (mod 10). Written with char codes: this runs on every ID-shaped cell of a file.
 */
function checkDigitFits(t: string, n1: number): boolean {
  const v = LETTER_VALUE[t.charCodeAt(0) - 65];
  let sum = Math.floor(v / 10) + (v % 10) * 9 + n1 * 8;
  for (let i = 2; i < 10; i++) {
    const d = t.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    sum += d * (i === 9 ? 1 : 9 - i);
  }
  return sum % 10 === 0;
}

export type IdentifierKind = 'national_id' | 'resident_number';

/** Letter + 1|2|8|9|A–D + 8 digits: the shape of an ID or resident number, check digit aside. */
export const ID_SHAPE = /^[A-Z][12389A-D]\d{8}$/;

/**
 * What a normalised cell is: a national ID (letter + 1|2 + 8 digits), a new-style 統一證號
 * (letter + 8|9 + 8 digits, from 2021) or an old-style one (two letters, the second A–D, + 8
 * digits) — each only with a fitting check digit; a code of the same shape that fails it is not
 * an identifier. Old form: the second letter's value (A=10 … D=13) mod 10 takes the place of the
 * sex digit in the same rule — as implemented by the maintained validators
 * github.com/enylin/taiwan-id-validator (src/nin-arc/index.ts, "舊版居留證編號") and
 * github.com/guanting112/taiwan-id-validator ("AC01234567" valid), checked against both.
 */
export function identifierKind(normalised: string): IdentifierKind | undefined {
  const t = normalised;
  if (t.length !== 10) return undefined;
  const c0 = t.charCodeAt(0);
  if (c0 < 65 || c0 > 90) return undefined;
  const c1 = t.charCodeAt(1);
  if (c1 === 49 || c1 === 50) return checkDigitFits(t, c1 - 48) ? 'national_id' : undefined;
  if (c1 === 56 || c1 === 57) return checkDigitFits(t, c1 - 48) ? 'resident_number' : undefined;
  if (c1 >= 65 && c1 <= 68) return checkDigitFits(t, LETTER_VALUE[c1 - 65] % 10) ? 'resident_number' : undefined;
  return undefined;
}

/** 國民身分證統一編號 with a valid check digit ("a123456789", "Ａ１２３４５６７８９" and " A123456789 " count). */
export const isTaiwanId = (s: string): boolean => identifierKind(normaliseIdentifier(s)) === 'national_id';

/** 統一證號 (resident certificate number), new or old form, with a valid check digit. */
export const isResidentNumber = (s: string): boolean => identifierKind(normaliseIdentifier(s)) === 'resident_number';

// ─── Mobile numbers and e-mail addresses ────────────────────────────────────────────────────

/** Characters a phone number is written with; anything else (letters, #ext, 元) is not one. */
const PHONE_CHARS = /^[0-9+()\s.-]+$/;
const PHONE_SEPARATORS = /[\s().-]/g;

/**
 * A Taiwanese mobile number as written: 0912-345-678, 0912345678, 0912 345 678, (0912)345-678,
 * +886-912-345-678, +886 912 345 678, 886912345678, +886-0912… . 'bare' when written as ten
 * digits without separators (the form a code or an account number also takes), 'formatted'
 * otherwise. Landlines (02-2345-6789, (089)325301) start 0[2-8] and are not mobile numbers.
 */
export function mobileForm(s: string): 'bare' | 'formatted' | undefined {
  const t = normaliseCell(s);
  if (t.length < 10 || t.length > 24 || !PHONE_CHARS.test(t)) return undefined;
  let d = t.replace(PHONE_SEPARATORS, '');
  if (d.startsWith('+886')) d = d.slice(4);
  else if (d.startsWith('886') && d.length === 12) d = d.slice(3);
  else if (d.charCodeAt(0) === 43) return undefined; // another country's number
  else if (d.length !== 10) return undefined;
  if (d.length === 9) d = `0${d}`;
  if (d.length !== 10 || d.charCodeAt(0) !== 48 || d.charCodeAt(1) !== 57) return undefined;
  for (let i = 2; i < 10; i++) {
    const c = d.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return d === t ? 'bare' : 'formatted';
}

export const isMobileNumber = (s: string): boolean => mobileForm(s) !== undefined;

/** A sane e-mail address (not RFC 5322 complete): local@label.label.tld, TLD of letters. */
const EMAIL = /^[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}$/;
const EMAIL_IN_TEXT = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9.-]*@)/;

export const isEmail = (s: string): boolean => EMAIL.test(normaliseCell(s));

/** The first e-mail address inside a text ("請寄 mailto:a.lin@example.com 洽詢"), or undefined. */
export function findEmail(text: string): string | undefined {
  const t = text.includes('＠') ? normaliseCell(text) : text;
  return EMAIL_IN_TEXT.exec(t)?.[0];
}

// ─── Personal names ─────────────────────────────────────────────────────────────────────────

/** The commonest Taiwanese surnames (about 98% of the population), single and compound. */
const SURNAMES = new Set(
  Array.from(
    '陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高簡朱鍾施游詹沈彭胡余盧潘顏梁趙柯翁魏方孫戴范宋鄧杜侯傅曹薛丁卓阮馬董溫温唐藍石蔣古紀姚連馮歐程湯田康姜白汪鄒尤巫鐘涂凃龔嚴韓袁金童陸柳夏邵錢伍倪于譚駱熊任甘秦顧毛章史官萬俞雷粘饒樊林易齊殷武葛黎孔崔鄺伊邢尹利包左岳',
  ),
);
const COMPOUND_SURNAMES = new Set(['歐陽', '司馬', '諸葛', '上官', '張簡', '范姜', '司徒', '端木', '皇甫', '長孫']);
/** Last characters of names of places and organisations (臺東市, 林口區, 高雄站, 王功漁港): not people. */
const THING_SUFFIX = new Set(Array.from('縣市區鄉鎮村里鄰路街巷段號樓局處署會所院校部科組室館站場港園廠店社隊團區府庭堂宮寺廟山湖溪橋島灣'));
const isCjk = (c: number): boolean => c >= 0x3400 && c <= 0x9fff;
/** A Latin name with a title, as registers write them: "MR DAVID SHEARER", "Mrs. Jane Doe". */
const TITLED_NAME = /^(?:mr|mrs|ms|miss|mx|dr)\.?\s+[a-z]/i;

/** 2–4 CJK characters starting with a common surname (王小明, 歐陽娜娜), not ending like a place (高雄市), or a titled Latin name. */
export function looksLikePersonalName(s: string): boolean {
  const t = s.trim();
  const n = t.length;
  if (n >= 2 && n <= 4) {
    for (let i = 0; i < n; i++) if (!isCjk(t.charCodeAt(i))) return false;
    if (THING_SUFFIX.has(t[n - 1])) return false;
    return SURNAMES.has(t[0]) || (n >= 3 && COMPOUND_SURNAMES.has(t.slice(0, 2)));
  }
  return n > 4 && TITLED_NAME.test(t);
}

// ─── Masking: a report never republishes what it found ──────────────────────────────────────

export const maskIdentifier = (s: string): string => {
  const t = normaliseIdentifier(s);
  return `${t.slice(0, 3)}****${t.slice(-3)}`;
};
export const maskMobile = (s: string): string => `09xx-xxx-${normaliseCell(s).replace(/\D/g, '').slice(-3)}`;
export const maskEmail = (s: string): string => {
  const at = s.indexOf('@');
  return `${s.slice(0, 1)}***${s.slice(at)}`;
};
/** 王小明 → 王*明, 林一 → 林*, MR DAVID SHEARER → M***. */
export const maskName = (s: string): string => {
  const t = s.trim();
  if (t.length > 0 && isCjk(t.charCodeAt(0))) return t.length <= 2 ? `${t[0]}*` : `${t[0]}${'*'.repeat(t.length - 2)}${t[t.length - 1]}`;
  return `${t.slice(0, 1)}***`;
};

// ─── What headers say ───────────────────────────────────────────────────────────────────────

/**
 * What a column holds, by its header. Identifier headers win over name headers
 * (聯絡人電話 is a phone column, 聯絡人 a name column). `role_name`: names of people in a role —
 * 負責人, 聯絡人, 管理人, 里長 — often published on purpose (company registers, contact lists);
 * `person_name`: names of private persons or just "姓名"/"name".
 */
export type HeaderKind = 'national_id' | 'phone' | 'email' | 'address' | 'birth' | 'role_name' | 'person_name' | 'organisation';

const COUNT_HEADER = /數$|人數|件數|戶數|人次|次數|個數|家數|數量|人口|筆數|^數值$|count|number|^n$|cases|persons|people|frequency|^value$|^total/;
const RATE_HEADER = /率|比|%|rate|ratio|percent/;
const HEADER_RULES: [HeaderKind, RegExp][] = [
  ['national_id', /身[分份]證|統一證號|居留證|護照|passport|^(national)?id(no|number|card)$|identity(card|number|no)|socialsecurity|^ssn$/],
  ['email', /email|電子郵件|電子信箱|^信箱$|郵箱|電郵|^mail$/],
  ['phone', /電話|手機|phone|mobile|^tel$|telephone|^cell$/],
  ['address', /地址|住址|戶籍地|居住地|通訊處|address|^addr$/],
  ['birth', /出生|生日|birth|^dob$/],
  ['role_name', /負責人|代表人|聯絡人|連絡人|管理人|承辦人|里長|村長|鄰長|理事長|董事長|校長|院長|所長|局長|處長|contactperson|contactname|representative|manager|officer|chairman|principal|mayor/],
  ['person_name', /姓名|名字|^姓$|^名$|申請人|申請者|當事人|受款人|受領人|受益人|受助人|受刑人|病患|病人|患者|個案|得獎人|獲獎人|^name$|fullname|firstname|lastname|surname|givenname|familyname|personname|applicant|patient/],
  ['organisation', /名稱|機關|單位|機構|公司|學校|醫院|廠商|場所|設施|收容所|organi[sz]ation|agency|company|facility|institution|station|school|hospital|department/],
];

/** A header in one comparable form: NFKC, lower case, without spaces, underscores and hyphens. */
export const compactHeader = (h: string): string => normaliseCell(h).toLowerCase().replace(/[\s_\-–—.()（）]+/g, '');

export function headerKind(header: string): HeaderKind | undefined {
  const h = compactHeader(header);
  const counted = COUNT_HEADER.test(h) || RATE_HEADER.test(h);
  for (const [kind, re] of HEADER_RULES) {
    // 申請人數, 出生數, 出生率 are figures about people, not people.
    if (counted && kind !== 'organisation') continue;
    if (re.test(h)) return kind;
  }
  return undefined;
}

/**
 * Quasi-identifiers for small cells: categories that, combined, can single a person out. Time
 * and industry are not among them; fine geography (村里, 鄰) weighs most.
 */
export type QuasiKind = 'fine_geo' | 'coarse_geo' | 'age' | 'sex' | 'other';
const QUASI_RULES: [QuasiKind, RegExp][] = [
  ['fine_geo', /村里|^[村里鄰]$|[村里鄰]別$|村里$|village|neighbou?rhood|censusblock/],
  ['sex', /性別|^性$|男女|^sex|gender|sexo|sexe|geschlecht/],
  ['age', /年齡|歲|^age|agegroup|edad/],
  ['coarse_geo', /縣市|鄉鎮|行政區|區別|地區|區域|^區$|county|district|town|municipality|^city|region/],
  ['other', /國籍|族別|族群|原住民|身分別|職業|學歷|教育程度|婚姻|宗教|疾病|死因|病名|診斷|障礙|nationality|ethnic|occupation|education|marital|religion|cause|diagnos|disabilit/],
];
export function quasiKind(header: string): QuasiKind | undefined {
  const h = compactHeader(header);
  if (COUNT_HEADER.test(h)) return undefined;
  for (const [kind, re] of QUASI_RULES) if (re.test(h)) return kind;
  return undefined;
}
/** Count columns whose header itself carries sex or age (男性人數, 女, 65歲以上人口). */
const SEX_OR_AGE_IN_COUNT = /男|女|male|歲|age/;
const COUNT_CANDIDATE = /人數|件數|戶數|人次|次數|個數|數量|人口|^數值$|count|^n$|cases|persons|people|frequency|^value$|^(男|女|男性|女性|male|female)$/;
/** Cells that stand for every category (總計, 合計, Total, Ambos sexos): a row of totals singles nobody out. */
const TOTAL_LABEL = /^(總計|合計|小計|總數|總|計|全體|全部|全國|全縣|全市|不詳|all|total|both|ambos|todas|todos|sum)/i;

// ─── The check ──────────────────────────────────────────────────────────────────────────────

type Finding = 'national_id' | 'resident_number' | 'mobile' | 'email';
const FINDING_TEXT: Record<Finding, { zh: string; en: string; one: string }> = {
  national_id: { zh: '國民身分證統一編號', en: 'national ID numbers', one: 'national ID number' },
  resident_number: { zh: '統一證號（居留證號）', en: 'resident certificate numbers', one: 'resident certificate number' },
  mobile: { zh: '行動電話號碼', en: 'mobile phone numbers', one: 'mobile phone number' },
  email: { zh: '電子郵件地址', en: 'e-mail addresses', one: 'e-mail address' },
};
/** A detector gives up on a column after this many candidate values that did not match, none having matched. */
export const GIVE_UP_AFTER = 1_000;
/** Values per column looked at to tell a name column from one of place or organisation names. */
const NAME_SAMPLE = 1_000;
const FIRST_ROWS = 5;
/** Government domains: …gov.tw, …gov, …gov.uk, and a few other countries' forms (fed.us, mil, gouv.fr, gc.ca, europa.eu, admin.ch, bund.de). */
const GOV_DOMAIN = /[@.](gov(\.[a-z]{2})?|fed\.us|mil|gouv\.[a-z]{2}|gc\.ca|europa\.eu|admin\.ch|bund\.de)$/i;
const ALL_DIGITS = /^\d+$/;
const SAMPLES = 3;

interface Hits {
  count: number;
  rows: number[];
  samples: string[];
  /** Mobiles written as bare ten digits (a code column looks the same). */
  bare: number;
}
const newHits = (): Hits => ({ count: 0, rows: [], samples: [], bare: 0 });
function hit(h: Hits, row: number, masked: string): void {
  h.count++;
  if (h.rows.length < FIRST_ROWS) h.rows.push(row);
  if (h.samples.length < SAMPLES && !h.samples.includes(masked)) h.samples.push(masked);
}

interface Column {
  name: string;
  header: HeaderKind | undefined;
  strings: number;
  hits: Record<Finding, Hits>;
  /** Candidates tested without a match, per detector (id covers both identifier kinds). */
  misses: { id: number; mobile: number; email: number };
  /** ID-shaped values whose check digit failed (codes like DGBAS table ids A130215010 fit 1 in 10 by chance). */
  idShapedMisses: number;
  /** E-mail addresses at government domains (…gov.tw, …gov): an agency's or its staff's work address. */
  govEmails: number;
  /** Some cell had a value (an empty 'email' column is not an identifier column). */
  filled: boolean;
  active: { id: boolean; mobile: boolean; email: boolean; names: boolean };
  /** Long digit strings (8–12 digits) that were not mobile numbers: codes, accounts, amounts. */
  otherDigits: number;
  /** Name sampling: values looked at, that looked like a personal name, like a place or organisation. */
  sampled: number;
  nameLike: number;
  thingLike: number;
  names: Hits;
}

interface CountColumn {
  index: number;
  name: string;
  /** The header itself names sex or age (男性人數): one more category. */
  extraQuasi: number;
  whole: boolean;
  small: Hits;
}

const sentence = (items: string[], lang: 'zh' | 'en'): string => (lang === 'zh' ? items.join('、') : items.join(', '));
const rowsText = (rows: number[], count: number, lang: 'zh' | 'en'): string =>
  lang === 'zh' ? `第 ${rows.join('、')} 列${count > rows.length ? '等' : ''}` : `rows ${rows.join(', ')}${count > rows.length ? ', …' : ''}`;

/** Whether a cell's text shows a digit or a Latin organisation word: a name of a thing, not of a person. */
const THING_WORD =
  /\d|\b(county|city|state|province|district|inc|ltd|llc|plc|corp|corporation|company|co|group|department|ministry|office|bureau|service|services|commission|committee|board|trust|fund|institute|school|university|college|foundation|council|agency|authority|association|society|centre|center|hospital|clinic|station|park|street|road|of|and|the)\b/i;
function thingLike(s: string): boolean {
  const t = s.trim();
  if (THING_WORD.test(t)) return true;
  const last = t.charCodeAt(t.length - 1);
  return isCjk(last) && THING_SUFFIX.has(t[t.length - 1]);
}

/**
 * `personal_data`: ID and resident numbers (check digit checked), mobile numbers and e-mail
 * addresses in the cells fail; names next to identifiers fail; a name column alone, and small
 * cells in aggregated statistics, warn. Rules and their reasons are documented at each step.
 *
 * Cost: each cell is tested only by the detectors its shape allows (a letter first → ID; 0, +
 * or ( first → phone; an @ → e-mail); a detector stops on a column after GIVE_UP_AFTER
 * candidates without a match; a column no detector needs any more is not visited again. Memory:
 * counts and the first rows and samples per column, whatever the number of rows.
 */
export function personalDataCheck(): TableCheck {
  let columns: Column[] = [];
  let active: number[] = [];
  let quasi: { index: number; kind: QuasiKind }[] = [];
  let counts: CountColumn[] = [];
  let rowsSeen = 0;

  const retire = (c: Column): boolean => !c.active.id && !c.active.mobile && !c.active.email && !c.active.names;

  function testString(c: Column, raw: string, row: number): void {
    c.strings++;
    let s = raw;
    let c0 = s.charCodeAt(0);
    // Spaces and full-width forms (Ａ１２…, ０９１２…, ＋８８６) first become ASCII; CJK text does not need it.
    if (c0 <= 0x20 || c0 === 0x3000 || (c0 >= 0xff01 && c0 <= 0xff5e)) {
      s = normaliseCell(s);
      if (s.length === 0) return;
      c0 = s.charCodeAt(0);
    }
    const len = s.length;
    const upper = c0 & ~0x20;
    if (c.active.id && upper >= 65 && upper <= 90 && len >= 10 && len <= 12) {
      const t = normaliseIdentifier(s);
      const kind = identifierKind(t);
      if (kind) hit(c.hits[kind], row, maskIdentifier(t));
      else if (t.length === 10) {
        if (ID_SHAPE.test(t)) c.idShapedMisses++;
        if (++c.misses.id >= GIVE_UP_AFTER && c.hits.national_id.count + c.hits.resident_number.count === 0) c.active.id = false;
      }
    } else if (c0 >= 48 && c0 <= 57 && len >= 8) {
      let mobile = false;
      if (c.active.mobile && (c0 === 48 || (c0 === 56 && s.startsWith('886'))) && len >= 10 && len <= 24) {
        const form = mobileForm(s);
        if (form) {
          mobile = true;
          hit(c.hits.mobile, row, maskMobile(s));
          if (form === 'bare') c.hits.mobile.bare++;
        } else if (++c.misses.mobile >= GIVE_UP_AFTER && c.hits.mobile.count === 0) c.active.mobile = false;
      }
      if (!mobile && len <= 12 && ALL_DIGITS.test(s)) {
        if (len === 9 && c0 === 57 && c.header === 'phone' && c.active.mobile) hit(c.hits.mobile, row, maskMobile(s)); // 912345678: the same, exported to text
        else c.otherDigits++;
      }
    } else if (c.active.mobile && (c0 === 43 || c0 === 40) && len >= 10 && len <= 24) {
      const form = mobileForm(s);
      if (form) hit(c.hits.mobile, row, maskMobile(s));
      else if (++c.misses.mobile >= GIVE_UP_AFTER && c.hits.mobile.count === 0) c.active.mobile = false;
    }
    if (c.active.email && len >= 6 && (s.includes('@') || s.includes('＠'))) {
      const found = findEmail(s);
      if (found) {
        hit(c.hits.email, row, maskEmail(found));
        if (GOV_DOMAIN.test(found)) c.govEmails++;
      }
      else if (++c.misses.email >= GIVE_UP_AFTER && c.hits.email.count === 0) c.active.email = false;
    }
    if (c.active.names) {
      c.sampled++;
      if (looksLikePersonalName(s)) {
        c.nameLike++;
        hit(c.names, row, maskName(s));
      } else if (thingLike(s)) c.thingLike++;
      else if (c.header === 'person_name' || c.header === 'role_name') hit(c.names, row, maskName(s));
      if (c.sampled >= NAME_SAMPLE) c.active.names = false;
    }
  }

  /**
   * A spreadsheet stores 0912345678 as the number 912345678 when nobody formatted the cell as
   * text. Under a phone header a whole number 9xxxxxxxx is such a mobile number; elsewhere
   * numbers are amounts and are not tested.
   */
  function testPhoneNumber(c: Column, n: number, row: number): void {
    if (c.active.mobile && Number.isInteger(n) && n >= 900_000_000 && n <= 999_999_999) hit(c.hits.mobile, row, maskMobile(String(n)));
  }

  function testCount(cc: CountColumn, cell: RawCell, row: readonly RawCell[], at: number): void {
    let small = false;
    if (typeof cell === 'number') {
      if (!Number.isInteger(cell) || cell < 0) cc.whole = false;
      else small = cell === 1 || cell === 2;
    } else if (typeof cell === 'string') {
      const s = cell.length <= 3 ? cell.trim() : cell;
      if (s === '1' || s === '2') small = true;
      else if (s.includes('.') && s.length > 1) cc.whole = false;
      else if (s.charCodeAt(0) === 45 && s.length > 1) cc.whole = false;
    }
    if (!small || !cc.whole) return;
    // Small cell: 1–2 people in a row that names ≥ 2 specific categories, one of them fine
    // geography (村里 + 性別), or ≥ 3 (縣市 + 年齡 + 性別 + 死因). Rows of totals do not count.
    let specific = cc.extraQuasi;
    let fine = false;
    for (const q of quasi) {
      const v = row[q.index];
      if (v === null || v === undefined) continue;
      const t = String(v).trim();
      if (t === '' || TOTAL_LABEL.test(t)) continue;
      specific++;
      if (q.kind === 'fine_geo') fine = true;
    }
    if (specific >= 3 || (fine && specific >= 2)) hit(cc.small, at, String(cell).trim());
  }

  return {
    id: 'personal_data',
    begin(names) {
      rowsSeen = 0;
      columns = names.map((name) => {
        const header = headerKind(name);
        return {
          name,
          header,
          strings: 0,
          hits: { national_id: newHits(), resident_number: newHits(), mobile: newHits(), email: newHits() },
          misses: { id: 0, mobile: 0, email: 0 },
          idShapedMisses: 0,
          govEmails: 0,
          filled: false,
          // Name sampling looks at name-headed columns (person or place names?) and at columns
          // without an identifying header (names without a 姓名 header).
          active: { id: true, mobile: true, email: true, names: header === undefined || header === 'person_name' || header === 'role_name' },
          otherDigits: 0,
          sampled: 0,
          nameLike: 0,
          thingLike: 0,
          names: newHits(),
        };
      });
      active = columns.map((_, i) => i);
      quasi = names.flatMap((name, index) => {
        const kind = quasiKind(name);
        return kind ? [{ index, kind }] : [];
      });
      counts = names.flatMap((name, index) => {
        const h = compactHeader(name);
        if (!COUNT_CANDIDATE.test(h) || RATE_HEADER.test(h)) return [];
        return [{ index, name, extraQuasi: SEX_OR_AGE_IN_COUNT.test(h) ? 1 : 0, whole: true, small: newHits() }];
      });
      // Small cells need at least two categories to combine; otherwise the count columns are not watched.
      if (quasi.length + (counts.some((c) => c.extraQuasi) ? 1 : 0) < 2) counts = [];
    },

    rows(batch, firstRow) {
      for (let r = 0; r < batch.length; r++) {
        const row = batch[r];
        const at = firstRow + r;
        for (let k = 0; k < active.length; k++) {
          const i = active[k];
          const cell = row[i];
          if (cell === null || cell === '') continue;
          const c = columns[i];
          c.filled = true;
          if (typeof cell === 'string') testString(c, cell, at);
          else if (c.header === 'phone' && typeof cell === 'number') testPhoneNumber(c, cell, at);
        }
        for (const cc of counts) {
          const cell = row[cc.index];
          if (cell !== null && cell !== undefined) testCount(cc, cell, row, at);
        }
      }
      rowsSeen += batch.length;
      // Columns no detector needs any more are not visited again.
      if (active.some((i) => retire(columns[i]))) active = active.filter((i) => !retire(columns[i]));
    },

    end() {
      return verdict(columns, counts, rowsSeen);
    },
  };
}

/** Evidence for one kind of finding in one column. */
function evidenceOf(column: string, h: Hits, zh: string, en: string): Evidence {
  return { column, row: h.rows[0], count: h.count, sample: h.samples.join(' '), note: `${zh}（${rowsText(h.rows, h.count, 'zh')}） / ${en} (${rowsText(h.rows, h.count, 'en')})` };
}

function verdict(columns: Column[], counts: CountColumn[], rows: number): IndicatorResult {
  const checked = columns.reduce((n, c) => n + c.strings, 0);
  const fails: Evidence[] = [];
  const warns: Evidence[] = [];
  const failZh: string[] = [];
  const failEn: string[] = [];
  const warnZh: string[] = [];
  const warnEn: string[] = [];
  const found: Record<Finding, number> = { national_id: 0, resident_number: 0, mobile: 0, email: 0 };

  // Name columns: by header (unless most values are names of places or organisations: "name"
  // over county names), or by values when most look like personal names.
  const nameColumns = columns.filter((c) => {
    if (c.sampled === 0) return false;
    if (c.header === 'person_name' || c.header === 'role_name') return c.thingLike * 2 < c.sampled;
    return c.header === undefined && c.sampled >= 5 && c.nameLike >= 0.8 * c.sampled;
  });
  const privateNames = nameColumns.filter((c) => c.header !== 'role_name');
  const roleNames = nameColumns.filter((c) => c.header === 'role_name');
  const organisations = columns.some((c) => c.header === 'organisation');

  // Mobile numbers written as bare ten digits in a column that is mostly other long digit
  // strings, or under a code header, are codes (account or serial numbers), not phones — but
  // not under a phone header, where the other long numbers are landlines (0223456789).
  const isCodeColumn = (c: Column): boolean => {
    const m = c.hits.mobile;
    if (m.count === 0 || m.bare < m.count || c.header === 'phone') return false;
    return c.otherDigits >= m.count || /編號|代碼|代號|序號|帳號|code|^id$|serial|account/.test(compactHeader(c.name));
  };
  // Real ID numbers all fit the check digit (but for a typo); codes of the same shape fit one
  // time in ten by chance (nine misses a fit). A column with three or more misses a fit holds
  // codes and its fitting ones are coincidences — unless its header says it holds IDs.
  const idsAreCodes = (c: Column): boolean => c.header !== 'national_id' && c.idShapedMisses >= 3 * (c.hits.national_id.count + c.hits.resident_number.count);
  const isFinding = (c: Column, f: Finding): boolean => {
    if (c.hits[f].count === 0) return false;
    if (f === 'mobile') return !isCodeColumn(c);
    if (f === 'national_id' || f === 'resident_number') return !idsAreCodes(c);
    return true;
  };
  const valueHits = columns.flatMap((c) => (['national_id', 'resident_number', 'mobile', 'email'] as const).filter((f) => isFinding(c, f)).map((f) => ({ c, f })));
  const idFound = valueHits.some((v) => v.f === 'national_id' || v.f === 'resident_number');

  // Duty contacts: phones and e-mails in a phone/e-mail column of a table whose rows are
  // organisations or role holders (a shelter list with its manager's number, a catalogue with
  // its contact's address), with no private person's name and no ID in it. Such contacts are
  // published on purpose; a person must still confirm none is private, so they warn, not fail.
  // So do e-mail addresses at government domains wherever they are (a description's "contact
  // xxx@kcg.gov.tw"): work addresses of an agency or its staff.
  const dutyContext = !idFound && privateNames.length === 0 && (roleNames.length > 0 || organisations);
  for (const { c, f } of valueHits) {
    found[f] += c.hits[f].count;
    const t = FINDING_TEXT[f];
    const n = c.hits[f].count;
    const enCount = `${n} ${n === 1 ? t.one : t.en}`;
    const duty =
      (dutyContext && (f === 'mobile' || f === 'email') && (c.header === 'phone' || c.header === 'email')) ||
      (!idFound && privateNames.length === 0 && f === 'email' && c.govEmails === c.hits.email.count);
    if (duty) {
      warns.push(evidenceOf(c.name, c.hits[f], `${t.zh}，看來是機關或職務聯絡方式`, `${t.en}, apparently official or duty contacts`));
      warnZh.push(`「${c.name}」欄有 ${c.hits[f].count} 個${t.zh}，看來是機關或職務人員的聯絡方式：請確認皆為公務用途並經同意公開，私人號碼或信箱應刪除`);
      warnEn.push(`column "${c.name}" holds ${enCount} that look${n === 1 ? 's' : ''} like official or duty contacts: confirm each is for official use and may be published; remove private ones`);
    } else {
      fails.push(evidenceOf(c.name, c.hits[f], t.zh, t.en));
      failZh.push(`「${c.name}」欄有 ${c.hits[f].count} 個${t.zh}`);
      failEn.push(`column "${c.name}" holds ${enCount}`);
    }
  }

  // Names next to identifiers. An identifier column is one named so (ID, phone, e-mail,
  // address, birth date) or one where identifiers were found.
  const identifierColumns = columns.filter((c) => (c.filled && c.header !== undefined && c.header !== 'person_name' && c.header !== 'role_name' && c.header !== 'organisation') || valueHits.some((v) => v.c === c));
  const idNames = sentence(
    identifierColumns.map((c) => c.name),
    'zh',
  );
  const idNamesEn = identifierColumns.map((c) => `"${c.name}"`).join(', ');
  // Role holders' names (負責人, 聯絡人) next to an ID-number or birth-date column, or next to
  // identifiers that fail on their own, fail like any name; next to phone, e-mail or address
  // columns they only warn: a company register's 負責人 and address, a catalogue's contact and
  // office phone are published on purpose.
  const strongIdentifier = columns.some((c) => c.filled && (c.header === 'national_id' || c.header === 'birth')) || fails.length > 0;
  for (const c of nameColumns) {
    const role = c.header === 'role_name';
    const unlabelled = c.header === undefined;
    const capped = c.sampled >= NAME_SAMPLE;
    const what = `${unlabelled ? '看似人名的值' : '姓名欄'}${capped ? `，檢視前 ${NAME_SAMPLE} 個值` : ''}`;
    const whatEn = `${unlabelled ? 'values that look like personal names' : 'a name column'}${capped ? `, in the first ${NAME_SAMPLE} values` : ''}`;
    const ev = evidenceOf(c.name, c.names, what, whatEn);
    if (identifierColumns.length > 0 && !unlabelled && (!role || strongIdentifier)) {
      fails.push(ev);
      failZh.push(`「${c.name}」欄的姓名與可識別個人的欄位（${idNames}）並列`);
      failEn.push(`names in column "${c.name}" stand next to identifying columns (${idNamesEn})`);
    } else if (identifierColumns.length > 0 && role) {
      warns.push(ev);
      warnZh.push(`「${c.name}」欄有職務人員（如負責人、聯絡人）的姓名，與 ${idNames} 並列：負責人等公務上的姓名與聯絡方式可能依法公開，請確認；否則應刪除或去識別化`);
      warnEn.push(`column "${c.name}" names role holders (e.g. responsible persons, contacts) next to ${idNamesEn}: officials' names and duty contacts may be public by law — confirm, or remove or de-identify them`);
    } else {
      warns.push(ev);
      warnZh.push(
        unlabelled
          ? `「${c.name}」欄的值多數看似人名（${c.nameLike}/${c.sampled}）：若是個人姓名，請刪除或去識別化`
          : `「${c.name}」欄是姓名欄：若是機關首長、公司負責人等依法公開的姓名可保留，否則請刪除或去識別化`,
      );
      warnEn.push(
        unlabelled
          ? `most values of column "${c.name}" look like personal names (${c.nameLike}/${c.sampled}): if they are, remove or de-identify them`
          : `column "${c.name}" holds names: names of officials (heads of agencies, responsible persons of companies) may be public; otherwise remove or de-identify them`,
      );
    }
  }

  // Small cells in aggregated statistics.
  for (const cc of counts) {
    if (!cc.whole || cc.small.count === 0) continue;
    warns.push(evidenceOf(cc.name, cc.small, '細格人數 1–2', 'small cells of 1–2'));
    warnZh.push(`「${cc.name}」欄有 ${cc.small.count} 個 1–2 的細格，所在列的分類（如村里、年齡、性別）組合很細，可能識別出個人：請合併分類或以「<3」等方式遮蔽`);
    warnEn.push(`column "${cc.name}" has ${cc.small.count} cells of 1–2 in rows described by fine combined categories (e.g. village, age, sex) that may single a person out: merge categories or suppress them (e.g. "<3")`);
  }

  const data = { rows, checkedValues: checked, found };
  const scope = { zh: `共檢查 ${rows} 列、${checked} 個文字值`, en: `${rows} rows, ${checked} text values checked` };
  if (fails.length > 0) {
    return indicator(
      'personal_data',
      'fail',
      `含有個人資料，公開前須刪除或去識別化：${failZh.join('；')}${warnZh.length ? `。另請檢視：${warnZh.join('；')}` : ''}（${scope.zh}）`,
      `Personal data found; remove or de-identify it before publishing: ${failEn.join('; ')}${warnEn.length ? `. Also review: ${warnEn.join('; ')}` : ''} (${scope.en})`,
      [...fails, ...warns].slice(0, MAX_EVIDENCE),
      data,
    );
  }
  if (warns.length > 0) {
    return indicator('personal_data', 'warn', `請檢視：${warnZh.join('；')}（${scope.zh}）`, `Please review: ${warnEn.join('; ')} (${scope.en})`, warns, data);
  }
  return indicator(
    'personal_data',
    'pass',
    `未發現身分證號、統一證號、行動電話、電子郵件或姓名等個人資料（${scope.zh}）`,
    `No ID or resident numbers, mobile numbers, e-mail addresses or names found (${scope.en})`,
    [],
    data,
  );
}
