import type { Config } from '../config.ts';
import type { Dataset } from '../modules/catalogue/catalogue.schemas.ts';
import { licenceById } from '../modules/catalogue/national.ts';
import { categoryLabel } from './format.ts';

/** A stored `YYYY-MM-DD hh:mm:ss` (Taiwan time) as ISO 8601 with its offset, for schema.org. */
function isoDate(value: string | null): string | undefined {
  if (!value) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2})(?::(\d{2}))?)?/.exec(value);
  if (!m) return undefined;
  if (value.includes('T')) return value; // already ISO (our own timestamps)
  return m[2] ? `${m[1]}T${m[2]}:${m[3] ?? '00'}+08:00` : m[1];
}

const MIME: Record<string, string> = {
  CSV: 'text/csv',
  JSON: 'application/json',
  XML: 'application/xml',
  ODS: 'application/vnd.oasis.opendocument.spreadsheet',
  XLSX: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  XLS: 'application/vnd.ms-excel',
  TXT: 'text/plain',
  PDF: 'application/pdf',
  ZIP: 'application/zip',
  GEOJSON: 'application/geo+json',
  RDF: 'application/rdf+xml',
  KML: 'application/vnd.google-earth.kml+xml',
};

/** schema.org `Dataset` for search engines (Google Dataset Search reads it). */
export function datasetJsonLd(d: Dataset, config: Config): Record<string, unknown> {
  const pageUrl = `${config.baseUrl}/datasets/${encodeURIComponent(d.name)}`;
  const licence = licenceById(d.licenseId);
  const drop = <T extends Record<string, unknown>>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null && v !== '')) as T;
  return drop({
    '@context': 'https://schema.org',
    '@type': 'Dataset',
    '@id': pageUrl,
    url: pageUrl,
    name: d.title,
    alternateName: d.titleEn ?? undefined,
    description: d.description,
    identifier: d.identifier,
    keywords: d.keywords.length > 0 ? d.keywords : undefined,
    about: categoryLabel(d.categoryCode, 'zh-TW'),
    license: d.licenseUrl || licence?.url,
    isAccessibleForFree: d.cost !== '付費',
    inLanguage: d.language ? d.language.split(/[,;、\s]+/).filter(Boolean) : 'zh-TW',
    creator: drop({ '@type': 'GovernmentOrganization', name: d.publisherName }),
    publisher: drop({
      '@type': 'GovernmentOrganization',
      name: d.publisherName,
      department: drop({ '@type': 'Organization', name: d.unit.title, alternateName: d.unit.titleEn }),
      contactPoint: d.publisherContactEmail || d.publisherContactPhone
        ? drop({ '@type': 'ContactPoint', name: d.publisherContactName ?? undefined, telephone: d.publisherContactPhone ?? undefined, email: d.publisherContactEmail ?? undefined })
        : undefined,
    }),
    datePublished: isoDate(d.issued) ?? isoDate(d.publishedAt),
    dateModified: isoDate(d.modified) ?? isoDate(d.updatedAt),
    temporalCoverage: d.temporalFrom ? `${d.temporalFrom}/${d.temporalTo ?? '..'}` : undefined,
    spatialCoverage: d.spatial ?? undefined,
    distribution: d.resources.map((r) =>
      drop({
        '@type': 'DataDownload',
        name: r.name,
        description: r.description,
        encodingFormat: MIME[r.format] ?? r.format,
        contentUrl: r.url,
        dateModified: isoDate(r.modified),
      }),
    ),
  });
}

/**
 * JSON for inside a <script> element: `<`, `>`, `&` and the JS line separators are escaped
 * as \u sequences so no value can close the element or start a comment.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
