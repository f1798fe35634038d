/** A DGBAS-style table as agencies send it: Big5, a title row and a unit row, 民國 months, thousands separators, notes below. */
export const DGBAS_CSV = [
  '表1　家庭收支重要指標,,,',
  '單位：元；％,,,',
  '年月,可支配所得,消費支出,儲蓄率',
  '113年1月,"1,234,567",987654,19.99%',
  '113年2月,"1,245,000","990,100",20.47%',
  '113年3月,-,"1,001,234",…',
  '註：「-」表示無資料。,,,',
  '資料來源：行政院主計總處。,,,',
].join('\r\n');
