import { stringify } from 'csv-stringify/sync';
import { LIST_COLUMNS, type ListColumn } from '../../src/modules/datagovtw/list-format.ts';

export type ListRowValues = Record<ListColumn, string>;

let n = 0;

/** A valid row of the national list for the agency itself; override the columns the test cares about. */
export function listRow(over: Partial<ListRowValues> = {}): ListRowValues {
  n++;
  const serial = String(800000 + n).padStart(6, '0');
  return {
    資料集識別碼: `A41000000G-${serial}`,
    資料集名稱: `清單匯入測試 ${n}`,
    資料提供屬性: '檔案資料',
    服務分類: '公共資訊',
    品質檢測: '金',
    檔案格式: 'CSV',
    資料下載網址: `https://www.dgbas.gov.tw/data/${serial}.csv`,
    編碼格式: 'UTF-8',
    資資料集上架方式: '系統介接程式',
    資料集描述: '清單匯入測試用的資料集描述。',
    主要欄位說明: 'year(年度，西元年)、value(數值)',
    提供機關: '行政院主計總處',
    更新頻率: '每1月',
    授權方式: '政府資料開放授權條款-第1版',
    相關網址: 'https://www.dgbas.gov.tw/',
    計費方式: '免費',
    提供機關聯絡人姓名: '王小明 先生',
    提供機關聯絡人電話: '02-23803542',
    上架日期: '2015-03-02',
    詮釋資料更新時間: '2024-01-31 10:20:30',
    備註: '',
    資料量: '120',
    ...over,
  };
}

export const cells = (row: ListRowValues): string[] => LIST_COLUMNS.map((c) => row[c]);

export interface ListFile {
  /** The file's text, starting with a BOM. */
  text: string;
  /** Physical line (1-based) on which each record given to listFile starts, in order. */
  lines: number[];
}

/**
 * Writes records (arrays of cells, or whole rows) as a national list with BOM, header and CRLF,
 * the way the national portal does. `raw` strings are inserted verbatim as their own lines.
 */
export function listFile(records: (string[] | ListRowValues | { raw: string })[], opts: { header?: string[] } = {}): ListFile {
  let text = stringify([opts.header ?? [...LIST_COLUMNS]], { record_delimiter: 'windows' });
  const lines: number[] = [];
  for (const r of records) {
    lines.push((text.match(/\r\n|\r|\n/g)?.length ?? 0) + 1);
    if ('raw' in r && typeof r.raw === 'string') text += r.raw;
    else text += stringify([Array.isArray(r) ? r : cells(r as ListRowValues)], { record_delimiter: 'windows' });
  }
  return { text: `\uFEFF${text}`, lines };
}
