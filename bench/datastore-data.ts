import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const COUNTIES = ['臺北市', '新北市', '桃園市', '臺中市', '臺南市', '高雄市', '基隆市', '新竹市', '嘉義市', '新竹縣', '苗栗縣', '彰化縣', '南投縣', '雲林縣', '嘉義縣', '屏東縣', '宜蘭縣', '花蓮縣', '臺東縣', '澎湖縣', '金門縣', '連江縣'];
const ITEMS = ['食物類', '衣著類', '居住類', '交通及通訊類', '醫藥保健類', '教養娛樂類', '雜項類'];

/**
 * The benchmark's table: `rows` rows × 10 columns of what agency tables hold — Chinese text,
 * integers, decimals, ROC months, Gregorian dates, codes — about 100 bytes a row.
 */
export async function writeBenchCsv(file: string, rows: number): Promise<number> {
  const out = createWriteStream(file);
  let bytes = 0;
  const header = '序號,縣市,項目,年月,日期,人數,金額,指數,代碼,備註\n';
  out.write(header);
  bytes += Buffer.byteLength(header);
  let seed = 42;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  for (let i = 1; i <= rows; i++) {
    const month = (i % 12) + 1;
    const year = 100 + (i % 14);
    const line = `${i},${COUNTIES[i % COUNTIES.length]},${ITEMS[i % ITEMS.length]},${year}年${month}月,${1911 + year}-${String(month).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')},${Math.floor(rnd() * 100000)},${(rnd() * 1e6).toFixed(2)},${(90 + rnd() * 20).toFixed(3)},C${String(i % 5000).padStart(5, '0')},第${i % 100}批資料\n`;
    bytes += Buffer.byteLength(line);
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}
