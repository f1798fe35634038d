import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { testdata } from '../../../test/helpers/env.ts';
import { readSdmxJson } from '../ingest/sdmx.ts';
import type { RawCell } from '../ingest/table.ts';
import { escapeXml, writeCsv, writeJson, writeXml, xmlElementNames } from './text-formats.ts';

/** A Writable that keeps what it is given (for small outputs). */
function collector() {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  return { out, bytes: () => Buffer.concat(chunks), text: () => Buffer.concat(chunks).toString('utf8') };
}

async function* from(rows: RawCell[][]): AsyncGenerator<RawCell[]> {
  for (const r of rows) yield r;
}

const COLUMNS = ['年', '機關名稱', '金額(元)', '說明', '公開'];
const ROWS: RawCell[][] = [
  ['113年', '行政院主計總處', 1234567, '含「引號」與 "double quotes", 逗號', true],
  ['112年', '臺北市政府', -5, '第一行\n第二行\r\n第三行', false],
  ['111年', '=HYPERLINK("http://evil.example","按我")', 3.14, '+886-2-2380-3500', null],
  ['110年', '@SUM(A1:A2)', 0, '-負號開頭的文字', null],
  [null, '', 1e21, '\t=tab 開頭', true],
];

describe('writeCsv', () => {
  it('writes RFC 4180 CSV that reads back; formula text neutralised, numbers and null as they are', async () => {
    const c = collector();
    expect(await writeCsv(COLUMNS, from(ROWS), c.out)).toBe(5);
    const text = c.text();
    expect(text.startsWith('年,機關名稱,金額(元),說明,公開\r\n113年,行政院主計總處,1234567,"含「引號」與 ""double quotes"", 逗號",true\r\n')).toBe(true);
    const back: string[][] = parse(text);
    expect(back).toEqual([
      COLUMNS,
      ['113年', '行政院主計總處', '1234567', '含「引號」與 "double quotes", 逗號', 'true'],
      ['112年', '臺北市政府', '-5', '第一行\n第二行\r\n第三行', 'false'],
      ['111年', `'=HYPERLINK("http://evil.example","按我")`, '3.14', `'+886-2-2380-3500`, ''],
      ['110年', `'@SUM(A1:A2)`, '0', `'-負號開頭的文字`, ''],
      ['', '', '1e+21', `'\t=tab 開頭`, 'true'],
    ]);
  });

  it('starts with a UTF-8 BOM when asked (Excel users), and only then', async () => {
    const withBom = collector();
    await writeCsv(['名稱'], from([['主計總處']]), withBom.out, { bom: true });
    expect([...withBom.bytes().subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(withBom.text()).toBe('\uFEFF名稱\r\n主計總處\r\n');
    const plain = collector();
    await writeCsv(['名稱'], from([['主計總處']]), plain.out);
    expect(plain.text()).toBe('名稱\r\n主計總處\r\n');
  });

  it('neutralises a header that looks like a formula; pads short rows and cuts long ones to the header', async () => {
    const c = collector();
    await writeCsv(['=cmd', 'b'], from([['x'], ['1', '2', '3']]), c.out);
    expect(c.text()).toBe(`'=cmd,b\r\nx,\r\n1,2\r\n`);
  });

  it('quotes a field holding a lone LF or CR, so it reads back as one field', async () => {
    const c = collector();
    await writeCsv(['a', 'b'], from([['x\ny', 'p\rq']]), c.out);
    expect(c.text()).toBe('a,b\r\n"x\ny","p\rq"\r\n');
  });

  it('writes just the header for a table without rows', async () => {
    const c = collector();
    expect(await writeCsv(['a', 'b'], from([]), c.out)).toBe(0);
    expect(c.text()).toBe('a,b\r\n');
  });
});

describe('writeJson', () => {
  it('writes an array of objects keyed by column, values typed, nothing neutralised', async () => {
    const c = collector();
    expect(await writeJson(COLUMNS, from(ROWS), c.out)).toBe(5);
    const back = JSON.parse(c.text()) as Record<string, RawCell>[];
    expect(back).toHaveLength(5);
    expect(back[0]).toEqual({ 年: '113年', 機關名稱: '行政院主計總處', '金額(元)': 1234567, 說明: '含「引號」與 "double quotes", 逗號', 公開: true });
    expect(back[1].說明).toBe('第一行\n第二行\r\n第三行');
    expect(back[2]).toEqual({ 年: '111年', 機關名稱: '=HYPERLINK("http://evil.example","按我")', '金額(元)': 3.14, 說明: '+886-2-2380-3500', 公開: null });
    expect(back[4]).toMatchObject({ 年: null, 機關名稱: '', '金額(元)': 1e21 });
    // One row per line, so the file can be read (and diffed) line by line.
    expect(c.text().split('\n')).toHaveLength(5 + 3);
  });

  it('writes [] for a table without rows', async () => {
    const c = collector();
    expect(await writeJson(['a'], from([]), c.out)).toBe(0);
    expect(JSON.parse(c.text())).toEqual([]);
  });
});

/** Parses XML with saxes (as strict as the XML 1.0 spec) into rows of { element: [text, nameAttribute] }. */
function parseXml(xml: string): { root: string; rows: Record<string, [string, string | undefined]>[] } {
  const parser = new SaxesParser();
  const rows: Record<string, [string, string | undefined]>[] = [];
  let root = '';
  let depth = 0;
  let current: { name: string; attr?: string; text: string } | null = null;
  parser.on('opentag', (tag) => {
    depth++;
    if (depth === 1) root = tag.name;
    else if (depth === 2) rows.push({});
    else current = { name: tag.name, attr: typeof tag.attributes.name === 'string' ? tag.attributes.name : undefined, text: '' };
  });
  parser.on('text', (t) => {
    if (current) current.text += t;
  });
  parser.on('closetag', () => {
    if (depth === 3 && current) {
      const row = rows.at(-1);
      if (row) row[current.name] = [current.text, current.attr];
      current = null;
    }
    depth--;
  });
  parser.write(xml).close();
  return { root, rows };
}

describe('writeXml', () => {
  it('writes well-formed XML: <dataset><row><年>…</年>…</row>, text escaped, nothing neutralised', async () => {
    const c = collector();
    expect(await writeXml(COLUMNS, from(ROWS), c.out)).toBe(5);
    const xml = c.text();
    expect(xml.split('\n').slice(0, 3)).toEqual([
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<dataset>',
      '<row><年>113年</年><機關名稱>行政院主計總處</機關名稱><金額_元_ name="金額(元)">1234567</金額_元_><說明>含「引號」與 "double quotes", 逗號</說明><公開>true</公開></row>',
    ]);
    const { root, rows } = parseXml(xml);
    expect(root).toBe('dataset');
    expect(rows).toHaveLength(5);
    expect(rows[1].說明[0]).toBe('第一行\n第二行\r\n第三行');
    expect(rows[2].機關名稱[0]).toBe('=HYPERLINK("http://evil.example","按我")');
    expect(rows[2]['金額_元_']).toEqual(['3.14', '金額(元)']);
    expect(rows[2].公開[0]).toBe('');
    expect(xml).toContain('<公開/>');
  });

  it('makes headers valid element names and keeps the original in name="…"', async () => {
    expect(xmlElementNames(['2024年', '金額 (元)', 'xml版本', '', 'a b', 'a_b', '項目：一', 'é', '𠀋字'])).toEqual(['_2024年', '金額__元_', '_xml版本', '_', 'a_b', 'a_b_2', '項目：一', 'é', '𠀋字']);
    const c = collector();
    await writeXml(['2024年', 'a<b>"c"'], from([[1, 2]]), c.out);
    const { rows } = parseXml(c.text());
    expect(rows[0]).toEqual({ _2024年: ['1', '2024年'], a_b__c_: ['2', 'a<b>"c"'] });
  });

  it('replaces characters XML cannot carry (controls, lone surrogates) with U+FFFD instead of writing a broken file', async () => {
    expect(escapeXml('a\u0001b\u0000c\uD800d & <e>')).toBe('a\uFFFDb\uFFFDc\uFFFDd &amp; &lt;e&gt;');
    expect(escapeXml('𠀋')).toBe('𠀋');
    const c = collector();
    await writeXml(['x'], from([['bell\u0007'], ['cr\rlf']]), c.out);
    const { rows } = parseXml(c.text());
    expect(rows.map((r) => r.x[0])).toEqual(['bell\uFFFD', 'cr\rlf']);
  });

  it('writes an empty <dataset> for a table without rows', async () => {
    const c = collector();
    expect(await writeXml(['a'], from([]), c.out)).toBe(0);
    expect(parseXml(c.text())).toEqual({ root: 'dataset', rows: [] });
  });
});

describe('a real cube through the writers', () => {
  it('DGBAS 五等分位所得分配 (SDMX-JSON A020004010) as CSV, JSON and XML', async (ctx) => {
    const p = testdata('dgbas-nstatdb/A020004010.json');
    if (!p) return ctx.skip();
    const t = readSdmxJson(readFileSync(p));
    const csv = collector();
    expect(await writeCsv(t.columns, t.rows(), csv.out, { bom: true })).toBe(7 * 42);
    const lines = csv.text().split('\r\n');
    expect(lines[0]).toBe('\uFEFF可支配所得-戶數五等分位組-所得分配比,統計期,數值');
    expect(lines).toContain('吉尼係數,106年,0.337');
    const json = collector();
    await writeJson(t.columns, t.rows(), json.out);
    expect((JSON.parse(json.text()) as unknown[]).at(-1)).toEqual({ '可支配所得-戶數五等分位組-所得分配比': '吉尼係數', 統計期: '106年', 數值: 0.337 });
    const xml = collector();
    await writeXml(t.columns, t.rows(), xml.out);
    expect(xml.text()).toContain('<row><可支配所得-戶數五等分位組-所得分配比>吉尼係數</可支配所得-戶數五等分位組-所得分配比><統計期>106年</統計期><數值>0.337</數值></row>');
  });
});

describe('streaming 200,000 rows', () => {
  const N = 200_000;
  type Writer = (columns: readonly string[], rows: AsyncIterable<RawCell[]>, out: Writable) => Promise<number>;

  /**
   * Generates the rows while a deliberately slow sink counts the lines it receives: the writer
   * must not read far ahead of what the sink has taken (backpressure), and memory must not grow
   * with the table.
   */
  async function stream(write: Writer) {
    let produced = 0;
    let lines = 0;
    let bytes = 0;
    let maxLead = 0;
    let calls = 0;
    const sink = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        for (const b of chunk) if (b === 0x0a) lines++;
        // Every so often the sink is slow.
        if (++calls % 8 === 0) setTimeout(cb, 0);
        else cb();
      },
    });
    async function* rows(): AsyncGenerator<RawCell[]> {
      for (let i = 0; i < N; i++) {
        produced++;
        maxLead = Math.max(maxLead, produced - lines);
        yield [i, `臺北市第${i}號`, i * 1.5, i % 3 === 0 ? null : `=備註${i}`, `${100 + (i % 12)}年${(i % 12) + 1}月`];
      }
    }
    const rssBefore = process.memoryUsage().rss;
    const written = await write(['序號', '名稱', '數值', '備註', '期間'], rows(), sink);
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    return { written, lines, bytes, maxLead, rssGrowth };
  }

  it.each([
    ['CSV', writeCsv],
    ['JSON', writeJson],
    ['XML', writeXml],
  ] as [string, Writer][])('%s: every row written, the writer stays close behind the sink, memory flat', async (_name, write) => {
    const r = await stream(write);
    expect(r.written).toBe(N);
    expect(r.lines).toBeGreaterThanOrEqual(N);
    // About 10 MB of output …
    expect(r.bytes).toBeGreaterThan(8_000_000);
    // … yet the rows were pulled only a few thousand ahead of what the sink had taken.
    expect(r.maxLead).toBeLessThan(5_000);
    expect(r.rssGrowth).toBeLessThan(64 * 1024 * 1024);
  }, 60_000);
});
