import type { DatasetInput } from '../../src/modules/catalogue/catalogue.schemas.ts';

let n = 0;

/** A valid dataset input with realistic national metadata; override what the test cares about. */
export function datasetInput(over: Partial<DatasetInput> = {}): DatasetInput {
  n++;
  return {
    unit: 'statistics',
    categoryCode: '800',
    title: `測試資料集 ${n}`,
    description: '供測試使用的資料集描述。',
    fields: [
      { name: 'year', title: '年度', description: '西元年' },
      { name: 'value', title: '數值', type: 'decimal' },
    ],
    updateFrequency: '每1月',
    publisherContactName: '王小明 先生',
    publisherContactPhone: '02-23803542',
    publisherContactEmail: 'open@dgbas.gov.tw',
    keywords: ['測試'],
    resources: [{ description: '測試資料 CSV', format: 'CSV', encoding: 'UTF-8', downloadUrl: 'https://example.gov.tw/data.csv' }],
    ...over,
  };
}
