import { execFileSync } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as XLSX from '@e965/xlsx';
import { afterAll, describe, expect, it } from 'vitest';
import { testdata } from '../../../test/helpers/env.ts';
import { writeZip } from '../export/xlsx.ts';
import { readWorkbook, type Workbook } from './spreadsheet.ts';
import { ReadError, type RawCell, type RawTable } from './table.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kaifang-sheets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function allRows(t: RawTable): Promise<RawCell[][]> {
  const out: RawCell[][] = [];
  for await (const r of t.rows()) out.push(r);
  return out;
}

function sheet(wb: Workbook, name: string): RawTable {
  const s = wb.sheets.find((x) => x.name === name);
  if (!s) throw new Error(`no sheet ${name} in ${wb.sheets.map((x) => x.name).join(', ')}`);
  return s.table;
}

const issueText = (t: RawTable): string => t.issues.map((i) => `${i.line ?? ''} ${i.en}`).join('\n');

/** Writes a workbook made with SheetJS to a temp file, as Excel or LibreOffice would save it. */
function saved(name: string, wb: XLSX.WorkBook, bookType: XLSX.BookType): string {
  const p = path.join(dir, name);
  writeFileSync(p, XLSX.write(wb, { type: 'buffer', bookType }) as Buffer);
  return p;
}

describe('readWorkbook on made-up workbooks', () => {
  // A DGBAS-style sheet: two title rows, a header whose 金額 spans two columns, a date, a
  // formula with its cached value, a blank row, and a note under the data.
  const ws = XLSX.utils.aoa_to_sheet([
    ['各縣市歲入預算'],
    ['單位：新臺幣千元'],
    ['縣市', '日期', '金額', null, '比率'],
    ['臺北市', new Date(Date.UTC(2024, 0, 5)), 100, 200, 0.5],
    [],
    ['新北市', new Date(Date.UTC(2024, 1, 29)), 300, 400, 0.75],
    ['註：本表不含特別預算。'],
  ], { cellDates: true });
  ws['!merges'] = [{ s: { r: 2, c: 2 }, e: { r: 2, c: 3 } }, { s: { r: 3, c: 0 }, e: { r: 4, c: 0 } }];
  ws.F4 = { t: 'n', v: 300, f: 'C4+D4' };
  ws['!ref'] = 'A1:F7';
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, ws, '歲入');
  XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([]), '空白');

  for (const bookType of ['xlsx', 'xls', 'ods'] as const) {
    it(`${bookType}: finds the header under the titles, names merged header columns, types cells`, async () => {
      const book = await readWorkbook(saved(`made.${bookType}`, wb, bookType === 'xls' ? 'biff8' : bookType));
      expect(book.format).toBe(bookType);
      expect(book.sheets.map((s) => s.name)).toEqual(['歲入', '空白']);
      const t = sheet(book, '歲入');
      expect(t.columns).toEqual(['縣市', '日期', '金額', '金額_2', '比率', '欄位6']);
      expect(await allRows(t)).toEqual([
        ['臺北市', '2024-01-05', 100, 200, 0.5, 300],
        ['新北市', '2024-02-29', 300, 400, 0.75, null],
      ]);
      const issues = issueText(t);
      expect(issues).toContain('1 row 1 is a title, not data: 各縣市歲入預算');
      expect(issues).toContain('3 header "金額" is a cell merged across columns (C3:D3)');
      expect(issues).toContain('4 merged cells A4:A5');
      expect(issues).toContain('1 blank rows skipped (rows 5)');
      expect(issues).toContain('7 row 7 is a note, not data: 註：本表不含特別預算。');
      expect(t.issues.every((i) => i.sheet === '歲入')).toBe(true);
      expect(sheet(book, '空白').columns).toEqual([]);
      expect(issueText(sheet(book, '空白'))).toContain('sheet "空白" is empty');
    });
  }

  it('reports error cells and hidden sheets', async () => {
    const w = XLSX.utils.aoa_to_sheet([['a', 'b'], [1, 2], [3, 4]]);
    w.B3 = { t: 'e', v: 0x07, w: '#DIV/0!' };
    const b = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(b, w, 'S');
    b.Workbook = { Sheets: [{ name: 'S', Hidden: 1 }] };
    const book = await readWorkbook(saved('errors.xlsx', b, 'xlsx'));
    const t = sheet(book, 'S');
    expect(await allRows(t)).toEqual([[1, 2], [3, null]]);
    expect(issueText(t)).toContain('3 cell B3 holds the error #DIV/0!');
    expect(issueText(t)).toContain('sheet "S" is hidden');
  });
});

/** An XLSX package written by hand, to show what other producers write (no addresses, prefixes, rich text). */
async function handMadeXlsx(name: string, sheetXml: string, extra: { sharedStrings?: string; styles?: string; workbookPr?: string } = {}): Promise<string> {
  const p = path.join(dir, name);
  const ns = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
  const rels = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  await writeZip([
    { name: '[Content_Types].xml', content: '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>' },
    { name: '_rels/.rels', content: `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${rels}/officeDocument" Target="/xl/workbook.xml"/></Relationships>` },
    {
      name: 'xl/workbook.xml',
      content: `<?xml version="1.0"?><x:workbook xmlns:x="${ns}" xmlns:r="${rels}">${extra.workbookPr ?? ''}<x:sheets><x:sheet name="資料" sheetId="1" r:id="rId7"/><x:sheet name="隱藏" sheetId="2" state="hidden" r:id="rId8"/></x:sheets></x:workbook>`,
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      content: `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId7" Type="${rels}/worksheet" Target="worksheets/data.xml"/><Relationship Id="rId8" Type="${rels}/worksheet" Target="worksheets/hidden.xml"/><Relationship Id="rId2" Type="${rels}/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="${rels}/styles" Target="styles.xml"/></Relationships>`,
    },
    { name: 'xl/worksheets/data.xml', content: `<?xml version="1.0"?><x:worksheet xmlns:x="${ns}"><x:sheetData>${sheetXml}</x:sheetData><x:mergeCells count="1"><x:mergeCell ref="B1:C1"/></x:mergeCells></x:worksheet>` },
    { name: 'xl/worksheets/hidden.xml', content: `<?xml version="1.0"?><worksheet xmlns="${ns}"><sheetData><row><c t="inlineStr"><is><t>x</t></is></c><c t="inlineStr"><is><t>y</t></is></c></row></sheetData></worksheet>` },
    { name: 'xl/sharedStrings.xml', content: `<?xml version="1.0"?><sst xmlns="${ns}">${extra.sharedStrings ?? ''}</sst>` },
    { name: 'xl/styles.xml', content: `<?xml version="1.0"?><styleSheet xmlns="${ns}">${extra.styles ?? ''}</styleSheet>` },
  ], createWriteStream(p));
  return p;
}

describe('readWorkbook streams XLSX as other producers write it', () => {
  it('reads prefixed elements, cells and rows without addresses, rich text without its phonetic guide, styled dates', async () => {
    const p = await handMadeXlsx('hand.xlsx', [
      '<x:row><x:c t="s"><x:v>0</x:v></x:c><x:c t="s"><x:v>1</x:v></x:c><x:c/><x:c t="s"><x:v>2</x:v></x:c></x:row>',
      // Row 2 has no address; its cells follow on from A.
      '<x:row><x:c t="inlineStr"><x:is><x:t>臺北市</x:t></x:is></x:c><x:c s="1"><x:v>45296</x:v></x:c><x:c><x:v>1.5</x:v></x:c><x:c t="b"><x:v>1</x:v></x:c></x:row>',
      // Row 4 jumps: row 3 is blank. A formula with its cached result; an error cell; an ISO date cell.
      '<x:row r="4"><x:c r="A4" t="str"><x:f>A2&amp;"區"</x:f><x:v>臺北市區</x:v></x:c><x:c r="B4" s="2"><x:v>45296.5</x:v></x:c><x:c r="C4" t="e"><x:v>#DIV/0!</x:v></x:c><x:c r="D4" t="d"><x:v>2024-01-05T00:00:00Z</x:v></x:c></x:row>',
    ].join(''), {
      sharedStrings: '<si><t>縣市</t></si><si><r><t>日</t></r><r><t>期</t></r><rPh sb="0" eb="2"><t>ㄖˋ ㄑㄧˊ</t></rPh></si><si><t xml:space="preserve"> 有效 </t></si>',
      styles: '<numFmts count="1"><numFmt numFmtId="176" formatCode="yyyy/mm/dd hh:mm"/></numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="176"/></cellXfs>',
    });
    const book = await readWorkbook(p);
    expect(book.format).toBe('xlsx');
    expect(book.sheets.map((s) => s.name)).toEqual(['資料', '隱藏']);
    const t = sheet(book, '資料');
    expect(t.columns).toEqual(['縣市', '日期', '日期_2', '有效']);
    expect(await allRows(t)).toEqual([
      ['臺北市', '2024-01-05', 1.5, true],
      ['臺北市區', '2024-01-05T12:00:00', null, '2024-01-05'],
    ]);
    const text = issueText(t);
    expect(text).toContain('header "日期" is a cell merged across columns (B1:C1)');
    expect(text).toContain('1 blank rows skipped (rows 3)');
    expect(text).toContain('4 cell C4 holds the error #DIV/0!');
    expect(issueText(sheet(book, '隱藏'))).toContain('sheet "隱藏" is hidden');
  });

  it('honours the 1904 date system (2024-01-05 is 45296 from 1900, 43834 from 1904)', async () => {
    const p = await handMadeXlsx('1904.xlsx', '<row r="1"><c t="inlineStr"><is><t>日期</t></is></c><c t="inlineStr"><is><t>值</t></is></c></row><row r="2"><c s="1"><v>43834</v></c><c><v>1</v></c></row>', {
      styles: '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs>',
      workbookPr: '<x:workbookPr date1904="1"/>',
    });
    expect(await allRows(sheet(await readWorkbook(p), '資料'))).toEqual([['2024-01-05', 1]]);
  });

  it('a cell of a million characters → ReadError, not a memory blow-up', async () => {
    const p = await handMadeXlsx('huge-cell.xlsx', `<row r="1"><c t="inlineStr"><is><t>a</t></is></c><c t="inlineStr"><is><t>b</t></is></c></row><row r="2"><c t="inlineStr"><is><t>${'長'.repeat(1_100_000)}</t></is></c></row>`);
    await expect(readWorkbook(p)).rejects.toThrow(/over 1000000 characters/);
  });

  it('an entity-expansion ("billion laughs") sheet → ReadError, nothing expanded', async () => {
    const p = path.join(dir, 'laughs.xlsx');
    const ns = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
    const rels = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
    const dtd = '<!DOCTYPE worksheet [<!ENTITY a "哈哈哈哈哈哈哈哈哈哈"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>';
    await writeZip([
      { name: '[Content_Types].xml', content: '<Types/>' },
      { name: 'xl/workbook.xml', content: `<workbook xmlns="${ns}" xmlns:r="${rels}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>` },
      { name: 'xl/_rels/workbook.xml.rels', content: `<Relationships><Relationship Id="rId1" Type="${rels}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>` },
      { name: 'xl/worksheets/sheet1.xml', content: `<?xml version="1.0"?>${dtd}<worksheet xmlns="${ns}"><sheetData><row r="1"><c t="inlineStr"><is><t>&d;&d;&d;</t></is></c></row></sheetData></worksheet>` },
    ], createWriteStream(p));
    await expect(readWorkbook(p)).rejects.toBeInstanceOf(ReadError);
  });

  it('a sheet with broken XML → ReadError naming the sheet', async () => {
    const p = await handMadeXlsx('broken-xml.xlsx', '<row r="1"><c t="inlineStr"><is><t>a</t></is></c><c><v>1</v></row>');
    const err = await readWorkbook(p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReadError);
    expect((err as ReadError).en).toMatch(/damaged or incomplete/);
  });

  it('reads 200,000 rows with flat memory', async () => {
    const rows = (async function* () {
      for (let i = 0; i < 200_000; i++) yield `<row r="${i + 2}"><c r="A${i + 2}"><v>${i}</v></c><c r="B${i + 2}" t="inlineStr"><is><t>第 ${i} 列</t></is></c></row>`;
    })();
    const p = path.join(dir, 'big-read.xlsx');
    const ns = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
    const rels = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
    await writeZip([
      { name: '[Content_Types].xml', content: '<Types/>' },
      { name: 'xl/workbook.xml', content: `<workbook xmlns="${ns}" xmlns:r="${rels}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>` },
      { name: 'xl/_rels/workbook.xml.rels', content: `<Relationships><Relationship Id="rId1" Type="${rels}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>` },
      {
        name: 'xl/worksheets/sheet1.xml',
        content: (async function* () {
          yield `<worksheet xmlns="${ns}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>序號</t></is></c><c r="B1" t="inlineStr"><is><t>說明</t></is></c></row>`;
          yield* rows;
          yield '</sheetData></worksheet>';
        })(),
      },
    ], createWriteStream(p));
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const t = sheet(await readWorkbook(p), 'S');
    let n = 0;
    let last: RawCell[] = [];
    for await (const r of t.rows()) {
      n++;
      last = r;
    }
    clearInterval(timer);
    expect(n).toBe(200_000);
    expect(last).toEqual([199_999, '第 199999 列']);
    expect(Math.max(peak, process.memoryUsage().rss) - before).toBeLessThan(60 * 1024 * 1024);
  });
});

describe('readWorkbook streams ODS as LibreOffice writes it', () => {
  it('keeps spaces LibreOffice keeps, prefers string-value, skips comments, expands repeats, reports spans', async () => {
    const p = path.join(dir, 'hand.ods');
    const cell = (attrs: string, body = ''): string => `<table:table-cell ${attrs}>${body}</table:table-cell>`;
    const content = '<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"><office:body><office:spreadsheet>' +
      '<table:table table:name="第一表">' +
      '<table:table-row>' + cell('office:value-type="string"', '<text:p>各縣市統計</text:p>') + cell('table:number-columns-repeated="16383"') + '</table:table-row>' +
      '<table:table-row>' + cell('office:value-type="string"', '<text:p>項目</text:p>') + cell('office:value-type="string" table:number-columns-spanned="2"', '<text:p>金額</text:p>') + '<table:covered-table-cell/>' + cell('office:value-type="string"', '<text:p>時間</text:p>') + '</table:table-row>' +
      '<table:table-row>' + cell('office:value-type="string"', '<text:p>　<text:span>(一)</text:span>歲入<office:annotation><text:p>備忘</text:p></office:annotation></text:p>') +
        cell('office:value-type="float" office:value="945950894"', '<text:p> 945,950,894 </text:p>') + cell('office:value-type="percentage" office:value="0.125"', '<text:p>12.5%</text:p>') + cell('office:value-type="time" office:time-value="PT13H05M09S"', '<text:p>下午 01:05:09</text:p>') + '</table:table-row>' +
      '<table:table-row table:number-rows-repeated="2">' + cell('office:value-type="string" office:string-value="同列"', '<text:p> 同列 </text:p>') + cell('office:value-type="date" office:date-value="2024-01-05"', '<text:p>113/01/05</text:p>') + cell('office:value-type="string" calcext:value-type="error"', '<text:p>#DIV/0!</text:p>') + cell('office:value-type="boolean" office:boolean-value="false"', '<text:p>FALSE</text:p>') + '</table:table-row>' +
      '<table:table-row>' + cell('office:value-type="string"', '<text:p><text:s text:c="3"/>三個空白<text:tab/>後</text:p><text:p>第二段</text:p>') + '</table:table-row>' +
      '<table:table-row table:number-rows-repeated="1048570">' + cell('table:number-columns-repeated="16384"') + '</table:table-row>' +
      '</table:table><table:table table:name="第二表"><table:table-row>' + cell('office:value-type="string"', '<text:p>甲</text:p>') + cell('office:value-type="string"', '<text:p>乙</text:p>') + '</table:table-row></table:table>' +
      '</office:spreadsheet></office:body></office:document-content>';
    await writeZip([
      { name: 'mimetype', content: 'application/vnd.oasis.opendocument.spreadsheet', store: true },
      { name: 'content.xml', content },
    ], createWriteStream(p));
    const book = await readWorkbook(p);
    expect(book.format).toBe('ods');
    expect(book.sheets.map((s) => s.name)).toEqual(['第一表', '第二表']);
    const t = sheet(book, '第一表');
    expect(t.columns).toEqual(['項目', '金額', '金額_2', '時間']);
    expect(await allRows(t)).toEqual([
      ['　(一)歲入', 945950894, 0.125, '13:05:09'],
      ['同列', '2024-01-05', null, false],
      ['同列', '2024-01-05', null, false],
      ['   三個空白\t後\n第二段', null, null, null],
    ]);
    const text = issueText(t);
    expect(text).toContain('1 row 1 is a title, not data: 各縣市統計');
    expect(text).toContain('2 header "金額" is a cell merged across columns (B2:C2)');
    expect(text).toContain('4 cell C4 holds the error #DIV/0!');
    expect(sheet(book, '第二表').columns).toEqual(['甲', '乙']);
  });
});

describe('readWorkbook refuses what is not a readable workbook', () => {
  const cases: [string, Buffer | string, RegExp][] = [
    ['not-a-zip.xlsx', 'id,name\n1,臺北\n', /neither a zip nor an OLE2/],
    ['empty.xlsx', Buffer.alloc(0), /the file is empty/],
    ['page.xls', '<html><body><table><tr><td>1</td></tr></table></body></html>', /web page \(HTML\)/],
    ['garbage.xls', Buffer.concat([Buffer.from('D0CF11E0A1B11AE1', 'hex'), Buffer.alloc(600, 0x41)]), /cannot read the XLS workbook/],
    ['zip-garbage.xlsx', Buffer.concat([Buffer.from('504B0304', 'hex'), Buffer.alloc(300, 7)]), /damaged or incomplete/],
  ];
  for (const [name, content, en] of cases) {
    it(`${name} → ReadError`, async () => {
      const p = path.join(dir, name);
      writeFileSync(p, content);
      const err = await readWorkbook(p).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ReadError);
      expect((err as ReadError).en).toMatch(en);
      expect((err as ReadError).zh).toMatch(/[\u4e00-\u9fff]/);
    });
  }

  it('a truncated XLSX and a truncated XLS → ReadError, never a crash', async () => {
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(Array.from({ length: 300 }, (_, i) => [i, `第 ${i} 列`])), 'S');
    for (const bookType of ['xlsx', 'biff8', 'ods'] as const) {
      const whole = XLSX.write(wb, { type: 'buffer', bookType }) as Buffer;
      for (const keep of [0.3, 0.6, 0.95]) {
        const p = path.join(dir, `cut-${bookType}-${keep}`);
        writeFileSync(p, whole.subarray(0, Math.floor(whole.length * keep)));
        const err = await readWorkbook(p).then(() => 'read', (e: unknown) => e);
        expect(err, `${bookType} cut at ${keep}`).toBeInstanceOf(ReadError);
      }
    }
  });

  it('garbled bytes inside a workbook: read, or refused with ReadError, never another error', async () => {
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(Array.from({ length: 500 }, (_, i) => [i, `第 ${i} 列`, i * 0.5])), 'S');
    for (const bookType of ['xlsx', 'biff8', 'ods'] as const) {
      const whole = XLSX.write(wb, { type: 'buffer', bookType, compression: true }) as Buffer;
      for (const at of [0.1, 0.3, 0.5, 0.7, 0.9]) {
        const bytes = Buffer.from(whole);
        bytes.fill(0xaa, Math.floor(bytes.length * at), Math.floor(bytes.length * at) + 64);
        const p = path.join(dir, `garbled-${bookType}-${at}`);
        writeFileSync(p, bytes);
        const outcome = await readWorkbook(p).then(
          async (book) => {
            for (const s of book.sheets) await allRows(s.table);
            return 'read';
          },
          (e: unknown) => e,
        );
        if (outcome !== 'read') expect(outcome, `${bookType} garbled at ${at}`).toBeInstanceOf(ReadError);
      }
    }
  });

  it('refuses XLS files over the size limit, and XLSX shared strings that unpack to too much, before parsing', async () => {
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(Array.from({ length: 2000 }, (_, i) => [`${i} ${'x'.repeat(500)}`])), 'S');
    const xls = saved('big.xls', wb, 'biff8');
    await expect(readWorkbook(xls, { maxBytes: 1000 })).rejects.toThrow(/too large/);
    const xlsx = path.join(dir, 'bomb.xlsx');
    writeFileSync(xlsx, XLSX.write(wb, { type: 'buffer', bookType: 'xlsx', bookSST: true }) as Buffer);
    await expect(readWorkbook(xlsx, { maxUncompressedBytes: 100_000 })).rejects.toThrow(/unpacks to more than/);
    // XLSX and ODS stream, so their size is no reason to refuse them.
    expect((await readWorkbook(xlsx, { maxBytes: 1000 })).sheets[0].table.columns).toEqual([`0 ${'x'.repeat(500)}`]);
    expect((await readWorkbook(saved('big.ods', wb, 'ods'), { maxBytes: 1000 })).sheets).toHaveLength(1);
  });
});

/**
 * Real files, with what a careful person sees on opening them. DGBAS's 總預算彙編 workbooks are
 * BIFF8 with code page 950 (Big5): three title rows (彙編 name, table name, 中華民國N年度 and
 * 單位：新臺幣千元) above a header on row 4.
 */
describe('readWorkbook on real files', () => {
  const CITY = 'dgbas-city-budget/src-xls/';

  it('103年度 收支簡明比較分析表: two sheets; the summary and the stacked per-city tables', async (ctx) => {
    const p = testdata(`${CITY}103年度直轄市及縣市總預算彙編_收支簡明比較分析表.xls`);
    if (!p) return ctx.skip();
    const book = await readWorkbook(p);
    expect(book.format).toBe('xls');
    expect(book.sheets.map((s) => s.name)).toEqual(['融資總', '融資-縣市(明細）']);

    const total = sheet(book, '融資總');
    // Spaced-out and wrapped headings read as people mean them.
    expect(total.columns).toEqual(['項目', '本年度預算數', '上年度預算數', '前年度決算數', '本年度與上年度比較']);
    const rows = await allRows(total);
    expect(rows[0]).toEqual(['一、收入合計', 1274053610, 1251029933, 1146873588, 23023677]);
    expect(rows[1]).toEqual(['　(一)歲入', 945950894, 952788142, 934503481, -6837248]);
    expect(rows).toHaveLength(8);
    expect(issueText(total)).toContain('row 2 is a title, not data: 收 支 簡 明 比 較 分 析 表');
    expect(issueText(total)).toContain('row 3 is a title, not data: 中 華 民 國 103 年 度 單位：新臺幣千元');

    const cities = sheet(book, '融資-縣市(明細）');
    expect(cities.columns.slice(0, 3)).toEqual(['本年度預算數', '收入合計 (1)=(2+3+4)', '歲入 (2)']);
    const cr = await allRows(cities);
    expect(cr[0]).toEqual(['合　計', 1274053610, 945950894, 320335908, 7766808, 1274053610, 1037805490, 236248120]);
    expect(cr[2]).toEqual(['臺北市', 177831396, 160846951, 10000000, 6984445, 177831396, 171231396, 6600000]);
    expect(cr.at(-1)).toEqual(['連江縣', 3072073, 3068971, 0, 3102, 3072073, 3072073, 0]);
    // The sheet stacks three tables (本年度預算數, 上年度預算數, 前年度決算數) under one header.
    const text = issueText(cities);
    expect(text).toContain('31 row 31 repeats the header; another table or page may start there: 上年度預算數');
    expect(text).toContain('58 row 58 repeats the header; another table or page may start there: 前年度決算數');
    expect(text).toContain('merged cells A31:A32');
    expect(text).toContain('blank rows skipped (rows 5, 32, 59)');
  });

  it('103年度 歲入來源別預算總表: one wide sheet printed as seven pages side by side — refused with what to do', async (ctx) => {
    const p = testdata(`${CITY}103年度直轄市及縣市總預算彙編_歲入來源別預算總表.xls`);
    if (!p) return ctx.skip();
    const book = await readWorkbook(p);
    expect(book.sheets.map((s) => s.name)).toEqual(['來源別']);
    // Each printed page repeats the 科目 column with the same 款/項 values: not a table as it is.
    const refused = book.sheets[0].refusal;
    expect(refused?.en).toMatch(/printed in blocks side by side \(continued tables\): column \d+ repeats the heading and values of column 1 \("科目"\)\. Join the blocks/);
    expect(refused?.zh).toMatch(/分段並排的報表（續表）/);
    expect(book.sheets[0].table.columns).toEqual([]);
  });

  it('103年度 歲出政事別預算總表: 政事別 by city, printed in side-by-side blocks — refused', async (ctx) => {
    const p = testdata(`${CITY}103年度直轄市及縣市總預算彙編_歲出政事別預算總表.xls`);
    if (!p) return ctx.skip();
    const book = await readWorkbook(p);
    const refused = book.sheets.find((s) => s.name === '政事別-經資')?.refusal;
    expect(refused?.en).toMatch(/side by side/);
  });

  it('90年度 融資調度比較分析表: "-" stays text, 民國 year in the title', async (ctx) => {
    const p = testdata(`${CITY}90年度縣市總預算彙編_融資調度比較分析表.xls`);
    if (!p) return ctx.skip();
    const t = sheet(await readWorkbook(p), '融資總表-印');
    expect(t.columns).toEqual(['項目', '本年度預算數', '上年度預算數', '前年度決算數', '本年度與上年度比較']);
    expect(await allRows(t)).toEqual([
      ['歲入歲出差短', 23642510, 44151891, 0, -20509381],
      ['債務還本', 16744762, 17082159, 0, -337397],
      ['尚須融資調度數', 40387272, 61234050, 0, -20846778],
      ['　1.公債收入', '-', '-', 0, '-'],
      ['　2.賒借收入', 31056318, 44897787, 0, -13841469],
      ['　3.移用以前年度歲計賸餘', 9330954, 16335263, 0, -7004309],
    ]);
    expect(issueText(t)).toContain('row 3 is a title, not data: 中華民國九十年度');
  });

  it('97年度 收支簡明比較分析表: one sheet, header on row 4', async (ctx) => {
    const p = testdata(`${CITY}97年度縣市總預算彙編_收支簡明比較分析表.xls`);
    if (!p) return ctx.skip();
    const book = await readWorkbook(p);
    expect(book.sheets.map((s) => s.name)).toEqual(['融資總']);
    const rows = await allRows(sheet(book, '融資總'));
    expect(rows[0]).toEqual(['一、收入合計', 582453731, 564039494, 500599611, 18414237]);
    expect(rows.map((r) => r[0])).toContain('二、支出合計');
  });

  it('桃園市政府開放資料供應清單.xls: a 29-column catalogue of 1,429 datasets, header on row 1', async (ctx) => {
    const p = testdata('datagovtw-catalogue/city-portals/桃園市政府開放資料供應清單.xls');
    if (!p) return ctx.skip();
    const book = await readWorkbook(p);
    expect(book.sheets.map((s) => s.name)).toEqual(['桃園市政府開放資料供應清單']);
    const t = book.sheets[0].table;
    expect(t.columns).toHaveLength(29);
    expect(t.columns.slice(0, 5)).toEqual(['編號', '資料名稱', '資料來源', '更新頻率', '檔案格式']);
    expect(t.columns).toContain('資料集提供機關聯絡人電子郵件');
    const rows = await allRows(t);
    expect(rows).toHaveLength(1429);
    expect(rows[0].slice(0, 5)).toEqual([1, '桃園市臨時暨短期照顧服務之委託單位', '380120000J 【社會局】', '不定期', 'CSV']);
    expect(rows[0][12]).toBe('2017-08-18 15:37:43');
    expect(rows.at(-1)?.slice(0, 2)).toEqual([1429, '桃園市其他天然災害出動救災人次']);
    expect(t.issues.filter((i) => i.level === 'error')).toEqual([]);
  });

  it('the Taoyuan catalogue saved as XLSX reads the same as the XLS (streamed XLSX vs SheetJS), CRs in cells included', async (ctx) => {
    const p = testdata('datagovtw-catalogue/city-portals/桃園市政府開放資料供應清單.xls');
    if (!p) return ctx.skip();
    const original = XLSX.read(readFileSync(p), { type: 'buffer', cellNF: true, cellDates: false });
    const fromXls = (await readWorkbook(p)).sheets[0].table;
    const xlsRows = await allRows(fromXls);
    // Row 6's 主要欄位 ends in CR LF, which XLSX stores as _x000D_ and a line feed.
    expect(xlsRows[5][5]).toBe('year(年度)、breau(地區)、type(案件種類)、h_count(發生數)、a_count(破獲數)\r\n');
    const copy = saved('taoyuan.xlsx', original, 'xlsx');
    const t = (await readWorkbook(copy)).sheets[0].table;
    expect(t.columns).toEqual(fromXls.columns);
    expect(await allRows(t)).toEqual(xlsRows);
  });

  it('messytables blank_line.ods: Name/Age/When with real dates and a blank row', async (ctx) => {
    const p = testdata('messy-messytables/blank_line.ods');
    if (!p) return ctx.skip();
    const book = await readWorkbook(p);
    expect(book.format).toBe('ods');
    const t = sheet(book, 'Sheet1');
    expect(t.columns).toEqual(['Name', 'Age', 'When']);
    expect(await allRows(t)).toEqual([['Bob', 20, '2010-10-10'], ['Jane', 23, '2012-01-01'], ['Ian', 34, '2015-11-11']]);
    expect(issueText(t)).toContain('4 1 blank rows skipped (rows 4)');
  });

  it('messytables multilineods.ods: one cell of four lines on Sheet1, two empty sheets', async (ctx) => {
    const p = testdata('messy-messytables/multilineods.ods');
    if (!p) return ctx.skip();
    const book = await readWorkbook(p);
    expect(book.sheets.map((s) => s.name)).toEqual(['Sheet1', 'Sheet2', 'Sheet3']);
    // A lone cell of four lines is not a number: it is read as a header with no data under it
    // (its line breaks become spaces in the column name).
    expect(sheet(book, 'Sheet1').columns).toEqual(['1 2 3 4']);
    expect(await allRows(sheet(book, 'Sheet1'))).toEqual([]);
    expect(issueText(sheet(book, 'Sheet2'))).toContain('is empty');
  });

  it('a CSV in the corpus is refused as a workbook', async (ctx) => {
    const p = testdata('messy-messytables/simple.ssv');
    if (!p) return ctx.skip();
    expect(readFileSync(p).length).toBeGreaterThan(0);
    await expect(readWorkbook(p)).rejects.toBeInstanceOf(ReadError);
  });
});

/**
 * Where LibreOffice is installed (`apt-get install libreoffice-calc-nogui`), it re-saves DGBAS's
 * workbooks as XLSX and ODS the way agencies' clerks would; our streaming XLSX and ODS readers
 * must then see exactly what the XLS reader sees (cells, header, issues).
 */
describe('DGBAS workbooks re-saved by LibreOffice read the same', () => {
  const SOFFICE = '/usr/bin/soffice';
  const files = ['103年度直轄市及縣市總預算彙編_收支簡明比較分析表.xls', '90年度縣市總預算彙編_融資調度比較分析表.xls', '103年度直轄市及縣市總預算彙編_歲入來源別預算總表.xls'];
  it.skipIf(!existsSync(SOFFICE))('as XLSX and as ODS', async (ctx) => {
    const sources = files.map((f) => testdata(`dgbas-city-budget/src-xls/${f}`));
    if (sources.some((p) => !p)) return ctx.skip();
    const work = mkdtempSync(path.join(dir, 'lo-'));
    const local = sources.map((p, i) => {
      const to = path.join(work, `t${i}.xls`);
      copyFileSync(p ?? '', to);
      return to;
    });
    for (const format of ['xlsx', 'ods']) {
      execFileSync(SOFFICE, [`-env:UserInstallation=file://${work}/profile`, '--headless', '--convert-to', format, '--outdir', work, ...local], { timeout: 180_000, stdio: 'ignore' });
    }
    const summary = async (p: string) => {
      const book = await readWorkbook(p);
      return Promise.all(book.sheets.map(async (s) => ({ name: s.name, columns: s.table.columns, rows: await allRows(s.table), issues: s.table.issues.map((i) => i.en) })));
    };
    for (const xls of local) {
      const expected = await summary(xls);
      expect(await summary(xls.replace(/xls$/, 'xlsx')), `${xls} as XLSX`).toEqual(expected);
      expect(await summary(xls.replace(/xls$/, 'ods')), `${xls} as ODS`).toEqual(expected);
    }
  });
});
