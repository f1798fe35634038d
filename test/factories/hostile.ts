import type { DatasetInput } from '../../src/modules/catalogue/catalogue.schemas.ts';
import { datasetInput } from './dataset.ts';

/** Strings that would run script or break out of their context if a page did not escape them. */
export const HOSTILE = [
  '<script>alert(1)</script>',
  '</script><script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' onmouseover='alert(1)",
  'javascript:alert(1)',
  '<!--',
  ']]>',
  '{{7*7}}',
  '\u2028\u2029',
  '&lt;script&gt;',
] as const;
/**
 * All of them in one value (fits the 255-character title limit). Values are stored trimmed, and
 * JavaScript's trim() counts U+2028/U+2029 as white space, so the tests put text after them (止).
 */
export const ALL = HOSTILE.join(' ');
/** Passes the e-mail format check (no spaces, an @ and a dot) yet is markup. */
export const HOSTILE_EMAIL = '"><svg/onload=alert(1)><script>alert(1)</script>@x.tw';

/** A dataset with `v` in every free-text field the national specification has. */
export function hostileInput(v: string, over: Partial<DatasetInput> = {}): DatasetInput {
  return datasetInput({
    title: `標題 ${v} 止`,
    titleEn: `Title ${v} 止`,
    description: `描述 ${v} 止`,
    fields: [{ name: `f ${v} 止`, title: `名稱 ${v} 止`, description: `說明 ${v} 止`, type: `型別 ${v} 止`, codes: [{ code: `c ${v} 止`, meaning: `意義 ${v} 止` }] }],
    fieldDescription: `欄位 ${v} 止`,
    keywords: [`kw ${v} 止`, v],
    cost: '付費',
    costUrl: 'https://example.gov.tw/fee',
    costLaw: `法令 ${v} 止`,
    organizationName: `上級 ${v} 止`,
    organizationContactName: `上級聯絡 ${v} 止`,
    organizationContactPhone: `02 ${v} 止`,
    publisherName: `機關 ${v} 止`,
    publisherContactName: `聯絡 ${v} 止`,
    publisherContactPhone: `電話 ${v} 止`,
    // The e-mail check only asks for x@y.z without spaces, so markup without spaces gets through.
    publisherContactEmail: HOSTILE_EMAIL,
    organizationContactEmail: HOSTILE_EMAIL,
    spatial: `範圍 ${v} 止`,
    notes: `備註 ${v} 止`,
    dataAttribute: `屬性 ${v} 止`,
    listingMethod: `上架 ${v} 止`,
    qualityBadge: `品質 ${v} 止`,
    resources: [
      { name: `資源 ${v} 止`, description: `資源描述 ${v} 止`, format: `csv ${v} 止`, encoding: `utf-8 ${v} 止`, downloadUrl: `https://example.gov.tw/d.csv?x=${encodeURIComponent(v)}` },
      { description: `存取 ${v} 止`, format: 'XML', encoding: 'UTF-8', accessUrl: `/files/${encodeURIComponent(v)}` },
    ],
    ...over,
  });
}

