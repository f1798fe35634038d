import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { detectEncoding } from '../../ingest/encoding.ts';
import { descMatch, encodingMatch } from './declared.ts';

const counties = ['臺北市', '新北市', '桃園市', '臺中市', '臺南市', '高雄市', '基隆市', '新竹市', '嘉義市', '宜蘭縣', '花蓮縣', '臺東縣'];
const text = `縣市,人口,說明\n${counties.map((c, i) => `${c},${1000 + i},民國113年底戶籍登記人口`).join('\n')}\n`;
const guess = (bytes: Buffer) => detectEncoding(bytes, { complete: true });

describe('encoding_match', () => {
  it('a Big5 file declared UTF-8 fails, naming the detected encoding and what to do', () => {
    const r = encodingMatch('UTF-8', guess(iconv.encode(text, 'big5')), { text: true });
    expect(r.result).toBe('fail');
    expect(r.en).toMatch(/declared encoding is UTF-8, but the file is (Big5|CP950)/);
    expect(r.zh).toMatch(/宣告的編碼格式為 UTF-8，但檔案實際為 (Big5|CP950)/);
    expect(r.data?.detected).toMatch(/Big5|CP950/);
  });
  it('matches: Big5 declared BIG5 or CP950, UTF-8 with a BOM declared UTF-8, UTF-16 either order, plain ASCII declared UTF-8', () => {
    expect(encodingMatch('BIG5', guess(iconv.encode(text, 'big5')), { text: true }).result).toBe('pass');
    expect(encodingMatch('CP950', guess(iconv.encode(text, 'big5')), { text: true }).result).toBe('pass');
    expect(encodingMatch('UTF-8', guess(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])), { text: true }).result).toBe('pass');
    expect(encodingMatch('UTF-16', guess(Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(text, 'utf16be')])), { text: true }).result).toBe('pass');
    expect(encodingMatch('UTF-8', guess(Buffer.from('a,b\n1,2\n')), { text: true }).result).toBe('pass');
  });
  it('a Latin-1 file is not called Big5: declared BIG5, it fails naming ISO-8859-1 / windows-1252', () => {
    const latin = iconv.encode('Gemeinde;Einwohner\nMünchen;1500000\nKöln;1080000\nDüsseldorf;620000\nNürnberg;520000\n', 'latin1');
    const r = encodingMatch('BIG5', guess(latin), { text: true });
    expect(r.result).toBe('fail');
    expect(String(r.data?.detected)).toMatch(/ISO-8859-1|windows-1252/);
  });
  it('not declared → na (not earned for a badge), not a text file → na (not applicable), an unknown name → fail', () => {
    expect(encodingMatch('', guess(Buffer.from(text)), { text: true })).toMatchObject({ result: 'na', data: { notDeclared: true } });
    expect(encodingMatch('UTF-8', undefined, { text: false })).toMatchObject({ result: 'na', data: { notApplicable: true } });
    expect(encodingMatch('其他', guess(Buffer.from(text)), { text: true }).result).toBe('fail');
  });
});

describe('desc_match', () => {
  const fields = [{ name: '年月' }, { name: 'CPI', title: '消費者物價指數' }, { name: '年增率' }];
  it('the same fields pass, by name or by the declared title, spacing and width ignored', () => {
    expect(descMatch(fields, ['年月', 'CPI', '年增率']).result).toBe('pass');
    expect(descMatch(fields, ['年　月', '消費者物價指數', '年增率']).result).toBe('pass');
    expect(descMatch([{ name: 'Year' }], ['ＹＥＡＲ']).result).toBe('pass');
  });
  it('missing, extra, renamed and reordered are reported separately', () => {
    const missing = descMatch(fields, ['年月', 'CPI']);
    expect(missing).toMatchObject({ result: 'fail', data: { missing: ['年增率'], extra: [], renamed: [] } });
    const extra = descMatch(fields, ['年月', 'CPI', '年增率', '備註']);
    expect(extra).toMatchObject({ result: 'fail', data: { missing: [], extra: ['備註'] } });
    expect(extra.en).toContain('not declared 備註');
    const renamed = descMatch(fields, ['統計期', 'CPI', '年增率']);
    expect(renamed).toMatchObject({ result: 'fail', data: { missing: [], extra: [], renamed: [{ position: 1, declared: '年月', found: '統計期' }] } });
    expect(renamed.zh).toContain('名稱不同 年月→統計期');
    const reordered = descMatch(fields, ['CPI', '年月', '年增率']);
    expect(reordered).toMatchObject({ result: 'warn', data: { reordered: true } });
  });
  it('nothing declared → na, marked not declared', () => {
    expect(descMatch([], ['a'])).toMatchObject({ result: 'na', data: { notDeclared: true } });
  });
});
