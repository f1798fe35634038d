import { describe, expect, it } from 'vitest';
import { ITEM_FIELDS, parseItem, parseItems } from './inventory.validation.ts';

const open = { name: '消費者物價指數', source: '調查', classification: '開放資料', sensitivity: '低', plannedDate: '2026-06-30' };
const withheld = { name: '公務人員個人資料', source: '資訊系統', classification: '不予提供', sensitivity: '高', legalBasis: '個人資料保護法', reason: '個人資料' };
const problemsOf = (raw: Record<string, unknown>, row = 2) => parseItem(raw, row).problems.map((p) => [p.row, p.field, p.column]);

describe('ITEM_FIELDS', () => {
  it('has one field per item property, with unique headings and aliases', () => {
    const ids = ITEM_FIELDS.map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    const names = ITEM_FIELDS.flatMap((f) => [f.heading, ...(f.aliases ?? [])]);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('parseItem', () => {
  it('reads a complete open item: labels to codes, defaults for what is blank', () => {
    expect(parseItem({ ...open, itemKey: ' CPI-01 ', updateFrequency: '每1月' }, 2)).toEqual({
      item: {
        itemKey: 'CPI-01', name: '消費者物價指數', source: 'survey', systemName: null, description: null, ownerUnit: null,
        classification: 'open', legalBasis: null, reason: null, sensitivity: 'low', genderFlag: false, priority: 0,
        plannedDate: '2026-06-30', updateFrequency: '每1月', datasetRef: null, notes: null,
      },
      problems: [],
    });
  });

  it('takes codes, English labels and the short wordings units use', () => {
    expect(parseItem({ ...open, source: 'website', classification: 'Open Data', sensitivity: 'HIGH' }, 2).item).toMatchObject({ source: 'website', classification: 'open', sensitivity: 'high' });
    expect(parseItem({ ...withheld, classification: '依申請', source: '系統' }, 2).item).toMatchObject({ classification: 'application', source: 'system' });
    expect(parseItem({ ...withheld, classification: '不開放' }, 2).item?.classification).toBe('withheld');
  });

  it.each([
    ['2026-06-30', '2026-06-30'],
    ['2026/6/30', '2026-06-30'],
    ['115/06/30', '2026-06-30'],
    ['115年6月30日', '2026-06-30'],
    ['２０２６－０６－３０', '2026-06-30'],
    ['2026-06-30T00:00:00', '2026-06-30'],
  ])('reads the planned date %s', (written, iso) => {
    expect(parseItem({ ...open, plannedDate: written }, 2).item?.plannedDate).toBe(iso);
  });

  it.each(['2026-02-30', '2026-02-31T00:00:00', '2026', '下個月', '115/13/01'])('refuses the planned date %s, naming row and column', (written) => {
    const r = parseItem({ ...open, plannedDate: written }, 7);
    expect(r.item).toBeNull();
    expect(r.problems).toEqual([{ row: 7, field: 'plannedDate', column: '預定開放日期', zh: `第 7 列「預定開放日期」：「${written}」不是日期，請寫成 2026-06-30 或 115/06/30`, en: `row 7, "預定開放日期" (Planned opening date): "${written}" is not a date: write 2026-06-30 or 115/06/30 (ROC)` }]);
  });

  it('names every missing required field at once', () => {
    expect(problemsOf({})).toEqual([
      [2, 'name', '資料名稱'],
      [2, 'source', '資料來源'],
      [2, 'classification', '資料分級'],
      [2, 'sensitivity', '敏感程度'],
    ]);
    expect(parseItem({}, 2).problems[1].zh).toBe('第 2 列「資料來源」：必填，請填 網站、資訊系統、資料庫、調查、其他 之一');
  });

  it('an item not open needs its legal basis and reason; an open one its planned date', () => {
    expect(problemsOf({ ...withheld, legalBasis: '', reason: '　' })).toEqual([[2, 'legalBasis', '法律依據'], [2, 'reason', '不開放理由']]);
    expect(problemsOf({ ...open, plannedDate: null })).toEqual([[2, 'plannedDate', '預定開放日期']]);
    expect(parseItem({ ...withheld }, 2).item?.plannedDate).toBeNull();
  });

  it('reads 是/否 and refuses anything else', () => {
    expect(parseItem({ ...open, genderFlag: '是' }, 2).item?.genderFlag).toBe(true);
    expect(parseItem({ ...open, genderFlag: '否' }, 2).item?.genderFlag).toBe(false);
    expect(parseItem({ ...open, genderFlag: true }, 2).item?.genderFlag).toBe(true);
    expect(parseItem({ ...open, genderFlag: '' }, 2).item?.genderFlag).toBe(false);
    expect(problemsOf({ ...open, genderFlag: '也許' })).toEqual([[2, 'genderFlag', '性別統計']]);
  });

  it.each([['3', 3], [3, 3], ['３', 3], ['999', 999]])('reads the priority %s', (written, n) => {
    expect(parseItem({ ...open, priority: written }, 2).item?.priority).toBe(n);
  });
  it.each(['-1', '1000', '2.5', '1e2', '0x10', '高'])('refuses the priority %s', (written) => {
    expect(problemsOf({ ...open, priority: written })).toEqual([[2, 'priority', '優先順序']]);
  });

  it('checks the update frequency and the item key', () => {
    expect(parseItem({ ...open, updateFrequency: '每１月' }, 2).item?.updateFrequency).toBe('每1月');
    expect(problemsOf({ ...open, updateFrequency: '偶爾' })).toEqual([[2, 'updateFrequency', '更新頻率']]);
    expect(problemsOf({ ...open, itemKey: '代碼 一' })).toEqual([[2, 'itemKey', '項目代碼']]);
    expect(problemsOf({ ...open, itemKey: 'x'.repeat(65) })).toEqual([[2, 'itemKey', '項目代碼']]);
  });

  it('keeps free text as written: full-width punctuation, line breaks; trims ideographic spaces', () => {
    const item = parseItem({ ...open, name: '　物價指數（月）　', description: '按月，含基期；\n另附說明', notes: '備註：１２３' }, 2).item;
    expect(item).toMatchObject({ name: '物價指數（月）', description: '按月，含基期；\n另附說明', notes: '備註：１２３' });
  });

  it('refuses text over 2000 characters', () => {
    expect(problemsOf({ ...open, description: '字'.repeat(2001) })).toEqual([[2, 'description', '資料說明']]);
  });
});

describe('parseItems', () => {
  it('returns every item when every row is good', () => {
    const r = parseItems([{ raw: open, row: 2 }, { raw: withheld, row: 3 }]);
    expect(r.problems).toEqual([]);
    expect(r.items.map((i) => i.name)).toEqual(['消費者物價指數', '公務人員個人資料']);
  });

  it('all or nothing: one bad row gives no items and every problem of every row', () => {
    const r = parseItems([{ raw: open, row: 2 }, { raw: { ...open, name: '乙', sensitivity: '?' }, row: 3 }, { raw: { ...withheld, reason: null }, row: 5 }]);
    expect(r.items).toEqual([]);
    expect(r.problems.map((p) => [p.row, p.field])).toEqual([[3, 'sensitivity'], [5, 'reason']]);
  });

  it('names repeated names and item keys with the row they repeat', () => {
    const r = parseItems([{ raw: { ...open, itemKey: 'A' }, row: 2 }, { raw: { ...open, itemKey: 'B' }, row: 3 }, { raw: { ...withheld, itemKey: 'A' }, row: 4 }]);
    expect(r.items).toEqual([]);
    expect(r.problems.map((p) => [p.row, p.field])).toEqual([[3, 'name'], [4, 'itemKey']]);
    expect(r.problems[0].zh).toBe('第 3 列「資料名稱」：與第 2 列重複「消費者物價指數」');
    expect(r.problems[1].en).toBe('row 4, "項目代碼" (Item key): the same key as row 2 ("A")');
  });
});
