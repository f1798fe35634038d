import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.ts';
import { renderDemoFile } from '../demo/demo.files.ts';
import { planDemo } from '../demo/demo.plan.ts';
import { jsonSizeLimit, readJsonRecords, readXmlRecords } from './records.ts';
import { openTableFile } from './registry.ts';
import { batchesOf, ReadError, type RawCell, type RawTable } from './table.ts';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// A garbage collection on demand, for the memory test (vitest runs without --expose-gc).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const dir = mkdtempSync(path.join(os.tmpdir(), 'kaifang-records-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let seq = 0;
const file = (name: string, content: string | Buffer): string => {
  const p = path.join(dir, `${seq++}-${name}`);
  writeFileSync(p, content);
  return p;
};
const json = (value: unknown): string => file('f.json', JSON.stringify(value));

async function all(t: RawTable): Promise<RawCell[][]> {
  const rows: RawCell[][] = [];
  for await (const r of t.rows()) rows.push(r);
  return rows;
}

/** The ReadError a promise rejects with (fails the test when it resolves or throws something else). */
async function refusal(p: Promise<unknown>): Promise<ReadError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(ReadError);
  return e as ReadError;
}

describe('JSON records', () => {
  it('a top-level array of objects: keys in first-seen order, typed cells, null and missing keys empty', async () => {
    const t = await readJsonRecords(
      json([
        { 縣市: '臺北市', 年: 2024, 人口: 2_494_813, 直轄市: true, 備註: null },
        { 縣市: '新北市', 年: 2024, 人口: 4_047_001, 直轄市: true, 面積: 2052.57 },
        { 縣市: '宜蘭縣', 人口: 449_848, 直轄市: false, 備註: '' },
      ]),
    );
    expect(t.columns).toEqual(['縣市', '年', '人口', '直轄市', '備註', '面積']);
    expect(await all(t)).toEqual([
      ['臺北市', 2024, 2_494_813, true, null, null],
      ['新北市', 2024, 4_047_001, true, null, 2052.57],
      ['宜蘭縣', null, 449_848, false, null, null],
    ]);
    expect(t.issues).toEqual([]);
  });

  it('a list wrapped in an object: CKAN datastore_search answers read their records, not their fields, and say where', async () => {
    const t = await readJsonRecords(
      json({
        help: 'https://data.example.tw/api/3/action/help_show?name=datastore_search',
        success: true,
        result: { resource_id: 'r1', fields: [{ id: '_id', type: 'int' }, { id: '站名', type: 'text' }, { id: 'PM25', type: 'numeric' }], records: [{ _id: 1, 站名: '松山', PM25: 12 }, { _id: 2, 站名: '萬華', PM25: 15 }], total: 2 },
      }),
    );
    expect(t.columns).toEqual(['_id', '站名', 'PM25']);
    expect(await all(t)).toEqual([[1, '松山', 12], [2, '萬華', 15]]);
    expect(t.issues.map((i) => i.en)).toEqual(['read the 2 records at "result.records" in the JSON']);
    expect(t.issues[0].zh).toContain('result.records');

    const data = await readJsonRecords(json({ meta: { updated: '2024-05-01' }, data: [{ a: 1 }, { a: 2 }, { a: 3 }] }));
    expect(await all(data)).toEqual([[1], [2], [3]]);
    // No known name: the longest list.
    const longest = await readJsonRecords(json({ x: { y: { short: [{ a: 1 }], long: [{ b: 1 }, { b: 2 }] } } }));
    expect(longest.columns).toEqual(['b']);
  });

  it('nested objects and lists are kept as their JSON text, with one warning per column', async () => {
    const rows = Array.from({ length: 5 }, (_, i) => ({ 名稱: `站${i}`, 座標: { lat: 25 + i / 10, lng: 121.5 }, 標籤: ['空氣', '測站'] }));
    const t = await readJsonRecords(json(rows));
    const got = await all(t);
    expect(got[0]).toEqual(['站0', '{"lat":25,"lng":121.5}', '["空氣","測站"]']);
    const nested = t.issues.filter((i) => /nested values are not tidy/.test(i.en));
    expect(nested.map((i) => i.column)).toEqual(['座標', '標籤']);
    expect(nested[0].zh).toContain('巢狀');
  });

  it('a key first seen after the first 1,000 records is reported and left out; non-objects and empty objects are skipped with a warning', async () => {
    const list: unknown[] = Array.from({ length: 1500 }, (_, i) => ({ id: i }));
    list[1200] = { id: 1200, late: 'x' };
    list[3] = 'not a record';
    list[7] = {};
    const t = await readJsonRecords(json(list));
    expect(t.columns).toEqual(['id']);
    const rows = await all(t);
    expect(rows).toHaveLength(1498);
    expect(rows[1198]).toEqual([1200]);
    const en = t.issues.map((i) => i.en).join('\n');
    expect(en).toContain('key "late" first appears in record 1201, after the first 1000 records');
    expect(en).toContain('1 elements of the list are not objects (the first is element 4)');
    expect(en).toContain('1 records are empty objects {} (the first is record 8)');
  });

  it('a key first seen within the first 1,000 records becomes a column', async () => {
    const list = Array.from({ length: 1000 }, (_, i) => (i === 999 ? { id: i, late: 'y' } : { id: i }));
    const t = await readJsonRecords(json(list));
    expect(t.columns).toEqual(['id', 'late']);
    expect((await all(t))[999]).toEqual([999, 'y']);
  });

  it('keys like years ("108", "2024") keep the place the file gives them, which JavaScript objects do not', async () => {
    const text = '[{"項目":"總計","108":1,"109":2,"單位":"人"},\n {"項目":"男","108":3,"109":4,"單位":"人","110":5}]';
    const t = await readJsonRecords(file('years.json', text));
    expect(t.columns).toEqual(['項目', '108', '109', '單位', '110']);
    expect(await all(t)).toEqual([['總計', 1, 2, '人', null], ['男', 3, 4, '人', 5]]);
    const wrapped = await readJsonRecords(
      file('wrapped.json', '{"meta":{"note":"a \\"quoted\\" {[text"},"list":[1,{"x":[2]}],"data":[{"區\\u57df":"北區","2023":[1,{"b":"]"}],"2024":null,"n":true}]}'),
    );
    expect(wrapped.columns).toEqual(['區域', '2023', '2024', 'n']);
    expect(await all(wrapped)).toEqual([['北區', '[1,{"b":"]"}]', null, true]]);
  });

  it('empty and odd keys become named, unique columns (and say so)', async () => {
    const t = await readJsonRecords(json([{ '': 1, ' a': 2, a: 3 }]));
    expect(t.columns).toEqual(['欄位1', 'a', 'a_2']);
    expect(await all(t)).toEqual([[1, 2, 3]]);
    expect(t.issues.map((i) => i.en)).toEqual(expect.arrayContaining([expect.stringMatching(/column 1 has no header/), expect.stringMatching(/header "a" repeats/)]));
  });

  it('refuses, in both languages, JSON with no list of records', async () => {
    for (const doc of [{ a: 1 }, [1, 2, 3], 'text', 42, [[1, 2], [3, 4]], { a: { b: { c: { d: [{ deep: 1 }] } } } }]) {
      const e = await refusal(readJsonRecords(json(doc)));
      expect(e.en, JSON.stringify(doc)).toMatch(/^no list of records found/);
      expect(e.zh).toMatch(/^找不到紀錄清單/);
    }
    expect((await refusal(readJsonRecords(json([])))).en).toBe('no list of records found: the list at the top level is empty');
    expect((await refusal(readJsonRecords(json({ result: { records: [] } })))).en).toBe('no list of records found: the list at "result.records" is empty');
    expect((await refusal(readJsonRecords(json([{}, {}])))).en).toMatch(/the records have no fields/);
  });

  it('reads UTF-8 with a BOM and UTF-16; refuses Big5 JSON, saying to save it as UTF-8', async () => {
    const text = JSON.stringify([{ 縣市: '臺北市', 值: 1 }]);
    const bom = await readJsonRecords(file('bom.json', `\uFEFF${text}`));
    expect(await all(bom)).toEqual([['臺北市', 1]]);
    const u16 = await readJsonRecords(file('u16.json', Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf16le')])));
    expect(u16.columns).toEqual(['縣市', '值']);
    expect(await all(u16)).toEqual([['臺北市', 1]]);
    const big5Text = JSON.stringify(Array.from({ length: 20 }, (_, i) => ({ 縣市: '臺北市', 說明: '資料來源為本府主計處統計資料庫', 值: i })));
    const e = await refusal(readJsonRecords(file('big5.json', iconv.encode(big5Text, 'big5'))));
    expect(e.en).toMatch(/^JSON must be encoded in UTF-8 \(or UTF-16\); this file looks like (Big5|CP950)/);
    expect(e.zh).toContain('UTF-8');
  });

  it('hostile, garbage and truncated input is refused with a ReadError, never a crash', async () => {
    const truncated = JSON.stringify([{ a: 1, b: 'x' }, { a: 2, b: 'y' }]).slice(0, 25);
    const e = await refusal(readJsonRecords(file('cut.json', truncated)));
    expect(e.en).toMatch(/^not valid JSON/);
    const bad = await refusal(readJsonRecords(file('bad.json', '[{"a": 1},\n {"a": 2,,}]')));
    expect(bad.en).toMatch(/^not valid JSON/);
    expect(bad.where.line).toBe(2);
    for (const garbage of [Buffer.from([0, 1, 2, 255, 254, 0, 7]), Buffer.from('<html><body>Not found</body></html>'), Buffer.from('   \n')]) {
      expect((await refusal(readJsonRecords(file('garbage.json', garbage)))).en).toBeTruthy();
    }
    expect((await refusal(readJsonRecords(file('empty.json', '')))).en).toBe('the file is empty');
    // Deeply nested arrays are not records (and do not blow the stack looking for them).
    expect((await refusal(readJsonRecords(file('deep.json', `${'['.repeat(5000)}${']'.repeat(5000)}`)))).en).toMatch(/no list of records/);
    const big = await refusal(readJsonRecords(json(Array.from({ length: 400 }, (_, i) => ({ a: i }))), { maxBytes: 2048 }));
    expect(big.en).toMatch(/^the JSON file is 4 KB, more than the 2 KB that can be read whole; split it/);
    expect(jsonSizeLimit()).toBeGreaterThan(16 * 1024 * 1024);
  });

  it('streams 200,000 records in batches', async () => {
    const p = file('big.json', JSON.stringify(Array.from({ length: 200_000 }, (_, i) => ({ 序號: i, 縣市: '新北市', 金額: i * 1.5 }))));
    const t = await readJsonRecords(p);
    let n = 0;
    let batches = 0;
    let last: RawCell[] = [];
    for await (const b of batchesOf(t)) {
      n += b.length;
      batches++;
      last = b[b.length - 1];
    }
    expect(n).toBe(200_000);
    expect(batches).toBe(200);
    expect(last).toEqual([199_999, '新北市', 199_999 * 1.5]);
  }, 60_000);
});

describe('XML records', () => {
  it('repeated record elements: attributes then leaf children, in first-seen order; empty elements are empty', async () => {
    const t = await readXmlRecords(
      file(
        'r.xml',
        `<?xml version="1.0" encoding="UTF-8"?>
<!-- 範例 -->
<dataset identifier="A1" title="空氣品質">
  <record id="1"><站名>松山</站名><PM25>12</PM25><備註/></record>
  <record id="2"><站名>萬華</站名><PM25>15</PM25><狀態><![CDATA[良好 & 穩定]]></狀態></record>
  <record><站名>士林 &amp; 北投</站名></record>
</dataset>`,
      ),
    );
    expect(t.columns).toEqual(['id', '站名', 'PM25', '備註', '狀態']);
    expect(await all(t)).toEqual([
      ['1', '松山', '12', null, null],
      ['2', '萬華', '15', null, '良好 & 穩定'],
      [null, '士林 & 北投', null, null, null],
    ]);
    expect(t.issues).toEqual([]);
  });

  it('the record element is the shallowest repeated one: a list inside the first record does not pass for the records', async () => {
    const t = await readXmlRecords(
      file(
        'rows.xml',
        `<Data><Meta><Title>t</Title></Meta><Row><名稱>甲</名稱><Tags><Tag>a</Tag><Tag>b</Tag></Tags></Row><Row><名稱>乙</名稱><Tags><Tag>c</Tag></Tags></Row><Row><名稱>丙</名稱></Row></Data>`,
      ),
    );
    expect(t.columns).toEqual(['名稱', 'Tags']);
    expect(await all(t)).toEqual([['甲', 'a b'], ['乙', 'c'], ['丙', null]]);
    const en = t.issues.map((i) => i.en);
    expect(en).toContain('column "Tags": its elements hold elements of their own, kept as their text: nested values are not tidy');
    expect(en).toContain('besides the <Row> records, <Data> holds other elements (<Meta> ×1), not read as rows');
  });

  it('records of text only, children repeated within a record, and records deeper in the document', async () => {
    const titles = await readXmlRecords(file('titles.xml', '<titles><title>蒙藏補助</title><title>空氣品質</title></titles>'));
    expect(titles.columns).toEqual(['title']);
    expect(await all(titles)).toEqual([['蒙藏補助'], ['空氣品質']]);
    const rss = await readXmlRecords(
      file('rss.xml', '<rss version="2.0"><channel><title>公告</title><item><title>一</title><category>a</category><category>b</category></item><item><title>二</title></item></channel></rss>'),
    );
    expect(rss.columns).toEqual(['title', 'category']);
    expect(await all(rss)).toEqual([['一', 'a; b'], ['二', null]]);
    expect(rss.issues.map((i) => i.en)).toEqual(expect.arrayContaining(['column "category" occurs more than once in a record; its values are joined with "; "', 'besides the <item> records, <channel> holds other elements (<title> ×1), not read as rows']));
  });

  it('reads the encoding the declaration names (Big5) and a UTF-16 BOM', async () => {
    const body = '<資料><筆><縣市>臺北市</縣市></筆><筆><縣市>高雄市</縣市></筆></資料>';
    const big5 = await readXmlRecords(file('b5.xml', iconv.encode(`<?xml version="1.0" encoding="Big5"?>\n${body}`, 'big5')));
    expect(await all(big5)).toEqual([['臺北市'], ['高雄市']]);
    const u16 = await readXmlRecords(file('u16.xml', Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(`<?xml version="1.0" encoding="UTF-16"?>\n${body}`, 'utf16le')])));
    expect(await all(u16)).toEqual([['臺北市'], ['高雄市']]);
  });

  it('a field first seen after the first 1,000 records is reported and left out', async () => {
    let s = '<list>';
    for (let i = 0; i < 1200; i++) s += i === 1100 ? `<r><a>${i}</a><z>late</z></r>` : `<r><a>${i}</a></r>`;
    const t = await readXmlRecords(file('late.xml', `${s}</list>`));
    expect(t.columns).toEqual(['a']);
    expect(await all(t)).toHaveLength(1200);
    expect(t.issues.map((i) => i.en).join('\n')).toMatch(/field "z" first appears at line 1, after the first 1000 records/);
  });

  it('hostile, garbage and truncated input is refused with a ReadError (line and column for malformed XML), never a crash', async () => {
    const cut = await refusal(readXmlRecords(file('cut.xml', '<dataset>\n<record><a>1</a></record>\n<record><a>2</a')));
    expect(cut.en).toMatch(/^malformed XML/);
    expect(cut.where.line).toBeGreaterThan(0);
    expect((await refusal(readXmlRecords(file('one.xml', '<dataset><record><a>1</a></record></dataset>')))).en).toMatch(/^no repeated record elements/);
    expect((await refusal(readXmlRecords(file('empty.xml', '')))).en).toBe('the file is empty');
    expect((await refusal(readXmlRecords(file('bare.xml', '<list><r/><r/></list>')))).en).toBe('the <r> elements have no attributes, child elements or text to make columns of');
    for (const garbage of [Buffer.from([0, 1, 2, 255, 254, 0, 7]), Buffer.from('{"a": 1}'), Buffer.from('<a><b></a>'), Buffer.from('<a>&nbsp;</a>'), Buffer.from('<!DOCTYPE x [<!ENTITY e "x">]><a>&e;&e;</a>')]) {
      const e = await refusal(readXmlRecords(file('garbage.xml', garbage)));
      expect(e.zh && e.en).toBeTruthy();
    }
  });

  it('streams 200,000 records without holding them', async () => {
    const n = 200_000;
    const source = async function* (): AsyncGenerator<Uint8Array> {
      yield Buffer.from('<?xml version="1.0" encoding="utf-8"?>\n<dataset>\n');
      for (let i = 0; i < n; i += 1000) {
        let s = '';
        for (let k = i; k < i + 1000; k++) s += `<record no="${k}"><縣市>新北市</縣市><金額>${k * 1.5}</金額></record>\n`;
        yield Buffer.from(s);
      }
      yield Buffer.from('</dataset>\n');
    };
    const t = await readXmlRecords(source);
    expect(t.columns).toEqual(['no', '縣市', '金額']);
    // What the reader holds, not garbage not yet collected (which made this flaky under load): collect, then measure.
    const retained = () => {
      gc();
      return process.memoryUsage().heapUsed;
    };
    const before = retained();
    let count = 0;
    let last: RawCell[] = [];
    let held = 0;
    for await (const b of batchesOf(t)) {
      count += b.length;
      last = b[b.length - 1];
      // Nine tenths through: 180,000 rows kept measure some 30 MB (tried); streamed, a few MB.
      if (held === 0 && count >= n * 0.9) held = retained() - before;
    }
    expect(count).toBe(n);
    expect(last).toEqual([String(n - 1), '新北市', String((n - 1) * 1.5)]);
    expect(held).toBeLessThan(20 * 1024 * 1024);
  }, 60_000);
});

describe('the registry: JSON and XML by what they hold', () => {
  it('JSON that is an SDMX-JSON message goes to the SDMX reader (its messages kept); other JSON is records', async () => {
    const sdmx = {
      data: {
        structure: { name: '測試', dimensions: { observation: [{ id: 'TIME_PERIOD', name: '統計期', values: [{ id: '2023', name: '112年' }, { id: '2024', name: '113年' }] }] } },
        dataSets: [{ observations: { '0': [1.5], '1': [2.5] } }],
      },
    };
    const cube = await openTableFile(json(sdmx), 'JSON');
    expect(cube.columns).toEqual(['統計期', '數值']);
    expect(cube.cube).toBeDefined();
    const broken = await refusal(openTableFile(json({ data: { dataSets: [] } }), 'JSON'));
    expect(broken.en).toMatch(/^not a readable SDMX-JSON data message/);
    const records = await openTableFile(json([{ a: 1 }]), 'json');
    expect(records.cube).toBeUndefined();
    expect(await all(records)).toEqual([[1]]);
    expect((await refusal(openTableFile(json({ a: 1 }), 'JSON'))).en).toMatch(/^no list of records found/);
    // Declared SDMX-JSON is still read as SDMX-JSON only.
    expect((await refusal(openTableFile(json([{ a: 1 }]), 'SDMX-JSON'))).en).toMatch(/the top level is not an object/);
  });

  it('XML with <Obs> elements goes to the DGBAS reader; other XML is records', async () => {
    const obs = await openTableFile(file('obs.xml', '<GenericData><DataSet><Obs Item="就業率" TIME_PERIOD="2023" Item_VALUE="58.64"/></DataSet></GenericData>'), 'XML');
    expect(obs.columns).toEqual(['Item', 'TIME_PERIOD', 'Item_VALUE']);
    const records = await openTableFile(file('r.xml', '<Data><Row><a>1</a></Row><Row><a>2</a></Row></Data>'), 'XML');
    expect(await all(records)).toEqual([['1'], ['2']]);
  });

  it("reads the demo's own JSON and XML files (what the portal serves) as the tables they were made from", async () => {
    const plan = planDemo(loadConfig({ KAIFANG_DATA_DIR: path.join(dir, 'data'), KAIFANG_BASE_URL: 'http://portal.test' }), '2025-06-15');
    let checked = 0;
    for (const d of plan.datasets) {
      const names = d.def.fields.map((f) => f.name);
      const csv = d.files.find((f) => f.format === 'CSV');
      const expected = csv ? await all(await openTableFile(file('demo.csv', renderDemoFile(plan, csv.fileName)?.body ?? ''), 'CSV')) : undefined;
      for (const f of d.files.filter((x) => x.format !== 'CSV')) {
        const body = renderDemoFile(plan, f.fileName)?.body;
        if (!body) throw new Error(`no demo file ${f.fileName}`);
        const t = await openTableFile(file(f.fileName, body), f.format);
        expect(t.columns, f.fileName).toEqual(names);
        expect(t.issues, f.fileName).toEqual([]);
        const rows = await all(t);
        expect(rows, f.fileName).toHaveLength(plan.rows(d).length);
        // The same table as the CSV, up to types: JSON keeps numbers as numbers (103.5 for "103.50"), XML and CSV are text.
        if (expected) {
          const same = (a: RawCell, b: RawCell) => a === b || (typeof a === 'number' && Number(b) === a);
          const differs = rows.findIndex((r, i) => r.some((c, k) => !same(c, expected[i]?.[k] ?? null)));
          expect(differs, `${f.fileName} row ${differs + 1}: ${JSON.stringify(rows[differs])} vs ${JSON.stringify(expected[differs])}`).toBe(-1);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5);
  });
});
