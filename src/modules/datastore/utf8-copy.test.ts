import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, makeEnv, type TestEnv } from '../../../test/helpers/env.ts';
import { publishUtf8Copy } from './utf8-copy.ts';

/** The UTF-8 copy published beside a text original in another encoding (issue 4). */
describe.each(engines)('UTF-8 copies on %s', (engine) => {
  let t: TestEnv;
  beforeAll(async () => {
    t = await makeEnv(engine);
  });
  afterAll(async () => t.cleanup());

  const add = (bytes: Buffer, format = 'CSV', encodingDeclared: string | null = null) =>
    t.services.datastore.addVersion({ resourceId: `r-${format}-${bytes.length}`, source: Readable.from([bytes]), fileName: 'x.csv', format, encodingDeclared, uploadedBy: 'test' });
  const read = async (sha: string) => {
    const chunks: Buffer[] = [];
    for await (const c of t.services.files.open(sha)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };
  const counties = ['臺北市', '新北市', '桃園市', '臺中市', '臺南市', '高雄市', '基隆市', '新竹市', '嘉義市', '宜蘭縣', '花蓮縣', '臺東縣', '澎湖縣', '金門縣', '連江縣'];
  const text = `縣市,人口,說明\n${counties.map((c, i) => `${c},${1000 + i},民國113年底戶籍登記人口`).join('\n')}\n`;

  it('Big5, CP950 (ETEN F9xx), UTF-16 and Latin-1 originals get a UTF-8 copy; the original is kept byte for byte', async () => {
    for (const [enc, src] of [['big5', text], ['cp950', `${text}碁,1\n`], ['utf16le', text], ['latin1', 'Gemeinde,Einwohner\nMünchen,1500000\nKöln,1080000\n']] as const) {
      const bytes = enc === 'utf16le' ? Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(src, 'utf16le')]) : iconv.encode(src, enc);
      const v = await add(bytes);
      const sha = await publishUtf8Copy(t.services.db, t.services.files, v);
      expect(sha, enc).toBeTruthy();
      expect((await read(sha ?? '')).toString('utf8'), enc).toBe(src);
      expect((await read(v.sha256)).equals(bytes), enc).toBe(true);
      expect((await t.services.datastore.version(v.id)).utf8_sha256).toBe(sha);
      // Made once: asked again, the same copy.
      expect(await publishUtf8Copy(t.services.db, t.services.files, await t.services.datastore.version(v.id))).toBe(sha);
    }
  });

  it('no copy for UTF-8 (with or without BOM), binary content, or formats that are not delimited text', async () => {
    expect(await publishUtf8Copy(t.services.db, t.services.files, await add(Buffer.from(text)))).toBeNull();
    expect(await publishUtf8Copy(t.services.db, t.services.files, await add(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])))).toBeNull();
    expect(await publishUtf8Copy(t.services.db, t.services.files, await add(Buffer.from([0x50, 0x4b, 3, 4, 0, 0, 0x14, 0, 0xff, 0xfe, 0x80])))).toBeNull();
    expect(await publishUtf8Copy(t.services.db, t.services.files, await add(iconv.encode(text, 'big5'), 'XLS'))).toBeNull();
  });
});
