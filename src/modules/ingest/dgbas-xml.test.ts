import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { readDgbasXml } from './dgbas-xml.ts';
import { ReadError, type RawCell, type RawTable } from './table.ts';

/**
 * Written here in the shape of ws.dgbas.gov.tw's 就業率 answers (data.gov.tw dataset 177490 and
 * its siblings): an SDMX-like envelope and one attribute-only <Obs> per figure. The numbers are
 * made up; no real DGBAS XML file is in the test corpus.
 */
const XML = `<?xml version="1.0" encoding="utf-8"?>
<GenericData xmlns="http://www.SDMX.org/resources/SDMXML/schemas/v2_0/message" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <Header>
    <ID>MP0101A07</ID>
    <Test>false</Test>
    <Name xml:lang="zh-TW">就業率-按年齡別</Name>
    <Prepared>2024-05-22T16:00:00</Prepared>
    <Sender id="DGBAS"><Name xml:lang="zh-TW">行政院主計總處</Name></Sender>
  </Header>
  <DataSet>
    <Obs Item="就業率" TYPE="總計" TIME_PERIOD="2023" Item_VALUE="58.64" />
    <Obs Item="就業率" TYPE="15-24歲" TIME_PERIOD="2023" Item_VALUE="32.10" />
    <Obs Item="就業率" TYPE="25-44歲" TIME_PERIOD="2023" Item_VALUE="86.07" UNIT="%" />
    <Obs ITEM="就業率" type="45-64歲" time_period="2023" ITEM_VALUE="65.23" />
    <Obs Item="就業率" TYPE="65歲以上" TIME_PERIOD="2023" Item_VALUE="&#46;&#46;&#46;" />
    <Obs Item="就業率&amp;勞參率" TYPE="總計" TIME_PERIOD="2024-M01" />
  </DataSet>
</GenericData>
`;

const EXPECTED_COLUMNS = ['Item', 'TYPE', 'TIME_PERIOD', 'Item_VALUE', 'UNIT'];
const EXPECTED_ROWS: RawCell[][] = [
  ['就業率', '總計', '2023', '58.64', null],
  ['就業率', '15-24歲', '2023', '32.10', null],
  ['就業率', '25-44歲', '2023', '86.07', '%'],
  ['就業率', '45-64歲', '2023', '65.23', null],
  ['就業率', '65歲以上', '2023', '...', null],
  ['就業率&勞參率', '總計', '2024-M01', null, null],
];

async function collect(t: RawTable): Promise<RawCell[][]> {
  const out: RawCell[][] = [];
  for await (const r of t.rows()) out.push(r);
  return out;
}

/** A source that hands the bytes over in pieces of `size` (splitting multi-byte characters). */
const pieces = (bytes: Uint8Array, size: number) => async function* (): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
};
const whole = (text: string) => pieces(Buffer.from(text), 1 << 20);

async function readError(p: Promise<unknown>): Promise<ReadError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ReadError) return e;
    throw e;
  }
  throw new Error('no error');
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'kaifang-xml-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readDgbasXml', () => {
  it('one row per <Obs>, columns from the attributes as first seen (case ignored), text values, null where absent', async () => {
    const t = await readDgbasXml(whole(XML));
    expect(t.columns).toEqual(EXPECTED_COLUMNS);
    expect(await collect(t)).toEqual(EXPECTED_ROWS);
    expect(t.issues).toEqual([]);
  });

  it('reads a file from disk, and the same when the bytes arrive in 7-byte pieces (characters split across them)', async () => {
    const file = path.join(dir, 'mp0101a07.xml');
    writeFileSync(file, XML);
    expect(await collect(await readDgbasXml(file))).toEqual(EXPECTED_ROWS);
    const t = await readDgbasXml(pieces(Buffer.from(XML), 7));
    expect(t.columns).toEqual(EXPECTED_COLUMNS);
    expect(await collect(t)).toEqual(EXPECTED_ROWS);
  });

  it('honours a BOM and the declared encoding (Big5, UTF-16)', async () => {
    const big5 = iconv.encode(XML.replace('encoding="utf-8"', 'encoding="Big5"'), 'big5');
    expect(await collect(await readDgbasXml(pieces(big5, 5)))).toEqual(EXPECTED_ROWS);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(XML.replace('encoding="utf-8"', 'encoding="UTF-16"'), 'utf16le')]);
    expect(await collect(await readDgbasXml(pieces(utf16, 3)))).toEqual(EXPECTED_ROWS);
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(XML)]);
    expect(await collect(await readDgbasXml(pieces(bom, 64)))).toEqual(EXPECTED_ROWS);
  });

  it('takes <Series> attributes as columns too (SDMX compact files)', async () => {
    const xml = `<?xml version="1.0"?><CompactData><DataSet>
<Series FREQ="A" Item="失業率"><Obs TIME_PERIOD="2022" OBS_VALUE="3.67"/><Obs TIME_PERIOD="2023" OBS_VALUE="3.48"/></Series>
<Series FREQ="A" Item="勞動力參與率"><Obs TIME_PERIOD="2023" OBS_VALUE="59.22"/></Series>
</DataSet></CompactData>`;
    const t = await readDgbasXml(whole(xml));
    expect(t.columns).toEqual(['FREQ', 'Item', 'TIME_PERIOD', 'OBS_VALUE']);
    expect(await collect(t)).toEqual([
      ['A', '失業率', '2022', '3.67'],
      ['A', '失業率', '2023', '3.48'],
      ['A', '勞動力參與率', '2023', '59.22'],
    ]);
  });

  it('reports an attribute that first appears after the first look, naming its line', async () => {
    const t = await readDgbasXml(whole(XML), { peekObs: 2 });
    expect(t.columns).toEqual(['Item', 'TYPE', 'TIME_PERIOD', 'Item_VALUE']);
    const rows = await collect(t);
    expect(rows[2]).toEqual(['就業率', '25-44歲', '2023', '86.07']);
    expect(t.issues).toEqual([expect.objectContaining({ level: 'warning', line: 13, column: 'UNIT', en: 'attribute "UNIT" first appears at line 13, after the first 2 observations that set the columns; left out' })]);
  });

  it('refuses malformed XML with the line and a reason, in zh-TW and English', async () => {
    const unclosed = await readError(readDgbasXml(whole(XML.replace('<Obs Item="就業率" TYPE="總計" TIME_PERIOD="2023" Item_VALUE="58.64" />', '<Obs Item="就業率" TYPE="總計" TIME_PERIOD="2023" Item_VALUE="58.64" >'))));
    expect(unclosed.where.line).toBeGreaterThanOrEqual(11);
    expect(unclosed.en).toMatch(/^malformed XML: /);
    expect(unclosed.zh).toMatch(/^XML 格式錯誤：/);
    expect(unclosed.zh).not.toMatch(/[a-z]{4}/);

    const badAttr = await readError(readDgbasXml(whole(XML.replace('TYPE="15-24歲"', 'TYPE=15-24歲'))));
    expect(badAttr.where.line).toBe(12);

    const truncated = await readError(readDgbasXml(whole(XML.slice(0, XML.indexOf('</DataSet>')))));
    expect(truncated.en).toMatch(/^malformed XML: /);

    const entity = await readError(readDgbasXml(whole(XML.replace('TYPE="總計" TIME_PERIOD="2023"', 'TYPE="&nbsp;總計" TIME_PERIOD="2023"'))));
    expect(entity.where.line).toBe(11);
    expect(entity.en).toBe('malformed XML: undefined entity.');
  });

  it('an error after the first look surfaces while the rows are read, still with its line', async () => {
    const obs = Array.from({ length: 5000 }, (_, i) => `<Obs Item="x" TIME_PERIOD="${2000 + i}" Item_VALUE="${i}"/>`);
    obs[4000] = '<Obs Item="x" TIME_PERIOD="6000" Item_VALUE="4000"></Ob>';
    // The first look reads only the start of the file (its first pieces), long before the damage.
    const t = await readDgbasXml(pieces(Buffer.from(`<root>\n${obs.join('\n')}\n</root>`), 4096), { peekObs: 10 });
    expect(t.columns).toEqual(['Item', 'TIME_PERIOD', 'Item_VALUE']);
    const e = await readError(collect(t));
    expect(e.where.line).toBe(4002);
    expect(e.en).toBe('malformed XML: unexpected close tag.');
    expect(e.zh).toBe('XML 格式錯誤：結束標籤沒有對應的開始標籤');
  });

  it('never crashes on what is not DGBAS XML: empty, garbage, an HTML error page, JSON, entity bombs', async () => {
    expect((await readError(readDgbasXml(whole('')))).en).toBe('the file is empty');
    // A missing file is an I/O failure, not "malformed XML".
    await expect(readDgbasXml(path.join(dir, 'no-such.xml'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readError(readDgbasXml(pieces(new Uint8Array([0x00, 0xff, 0x13, 0x37, 0x3c]), 2)))).toBeInstanceOf(ReadError);
    expect((await readError(readDgbasXml(whole('<html><body><p>系統維護中</p></body></html>')))).en).toBe('no <Obs> elements: this is not DGBAS XML data');
    expect((await readError(readDgbasXml(whole('{"Obs": []}')))).en).toMatch(/^malformed XML/);
    expect((await readError(readDgbasXml(whole('<r><Obs/><Obs/></r>')))).en).toBe('the <Obs> elements have no attributes to make columns of');
    const bomb = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><r><Obs v="&c;"/></r>`;
    expect(await readError(readDgbasXml(whole(bomb)))).toBeInstanceOf(ReadError);
  });

  it('streams 200,000 observations without holding them', async () => {
    const n = 200_000;
    const source = async function* (): AsyncGenerator<Uint8Array> {
      yield Buffer.from('<?xml version="1.0" encoding="utf-8"?>\n<GenericData><DataSet>\n');
      for (let i = 0; i < n; i += 1000) {
        let s = '';
        for (let k = i; k < i + 1000; k++) s += `<Obs Item="受僱員工人數" TYPE="行業${k % 19}" TIME_PERIOD="${1990 + (k % 35)}-M${(k % 12) + 1}" Item_VALUE="${k}"/>\n`;
        yield Buffer.from(s);
      }
      yield Buffer.from('</DataSet></GenericData>\n');
    };
    const t = await readDgbasXml(source);
    expect(t.columns).toEqual(['Item', 'TYPE', 'TIME_PERIOD', 'Item_VALUE']);
    const before = process.memoryUsage().heapUsed;
    let count = 0;
    let last: RawCell[] = [];
    for await (const r of t.rows()) {
      count++;
      last = r;
    }
    expect(count).toBe(n);
    expect(last).toEqual(['受僱員工人數', `行業${(n - 1) % 19}`, `${1990 + ((n - 1) % 35)}-M${((n - 1) % 12) + 1}`, String(n - 1)]);
    // 200,000 rows kept would be well over 50 MB of strings and arrays.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(40 * 1024 * 1024);
  }, 60_000);
});
