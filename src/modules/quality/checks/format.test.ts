import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import * as XLSX from '@e965/xlsx';
import yazl from 'yazl';
import { describe, expect, it } from 'vitest';
import { testdata } from '../../../../test/helpers/env.ts';
import { FORMATS, SNIFF_BYTES, formatMatch, normaliseDeclaredFormat, sniffFormat, structured, type Format } from './format.ts';

/**
 * What every real file in ../shared/testdata is, as a careful person would say after opening it,
 * folder by folder. Notes on the less obvious ones:
 * - catalogue-datajson: Project Open Data data.json files carry "@context", so they are JSON-LD.
 * - dgbas-city-budget/*.csv: kiang's conversions, full of control bytes and broken quoting; still
 *   delimited text (CSV), not binary.
 * - single-column files (leading-zeros.csv, long.csv, date_like_number.csv) cannot be told from
 *   plain text; TXT, which format_match accepts for a declared CSV.
 * - datagovtw-catalogue/…供應清單.xls: its OLE2 directory lies past the first 64 KB; the BIFF
 *   record of the Workbook stream is found at a sector boundary.
 */
const CORPUS: Record<string, Record<string, Format>> = {
  'catalogue-datajson': {
    'gsa-ckanext-datajson/arm.data.json': 'JSONLD',
    'gsa-ckanext-datajson/collection-2-parent-4-children.data.json': 'JSONLD',
    'gsa-ckanext-datajson/large-spatial.data.json': 'JSONLD',
    'gsa-ckanext-datajson/missing-catalog.data.json': 'JSONLD',
    'gsa-ckanext-datajson/missing-dataset-fields.data.json': 'JSONLD',
    'gsa-ckanext-datajson/missing-identifier-title.data.json': 'JSONLD',
    'gsa-ckanext-datajson/numerical-title.data.json': 'JSONLD',
    'gsa-ckanext-datajson/ny.data.json': 'JSONLD',
    'gsa-ckanext-datajson/usda.gov.data.json': 'JSONLD',
    'healthdata.gov.data.json': 'JSONLD',
    'small-education.json': 'JSONLD',
  },
  'datagovtw-catalogue': {
    'city-portals/kaohisung.2018.03.20.OD.csv': 'CSV',
    'city-portals/tainan.2018.03.20.OD.csv': 'CSV',
    'city-portals/yilan.2018.03.20.OD.csv': 'CSV',
    'city-portals/yilan.2018.03.20.OpenData.csv': 'CSV',
    'city-portals/桃園市政府開放資料供應清單.xls': 'XLS',
    'data_title.txt': 'TXT',
  },
  'dcat-ap-shacl': {
    '2.1.1/dcat-ap_2.1.1_shacl_deprecateduris.ttl': 'TTL',
    '2.1.1/dcat-ap_2.1.1_shacl_imports.ttl': 'TTL',
    '2.1.1/dcat-ap_2.1.1_shacl_mdr-vocabularies.shape.ttl': 'TTL',
    '2.1.1/dcat-ap_2.1.1_shacl_mdr_imports.ttl': 'TTL',
    '2.1.1/dcat-ap_2.1.1_shacl_range.ttl': 'TTL',
    '2.1.1/dcat-ap_2.1.1_shacl_shapes.ttl': 'TTL',
    '2.1.1/dcat-ap_2.1.1_shacl_shapes_recommended.ttl': 'TTL',
    '3.0.0/dcat-ap-SHACL.ttl': 'TTL',
    '3.0.0/examples/context.jsonld': 'JSONLD',
    '3.0.0/examples/example-bee-population-2022-2023.jsonld': 'JSONLD',
    '3.0.0/examples/example-bee-population-2022-2023.ttl': 'TTL',
    '3.0.0/examples/example-bee-population-dataset-frequency.jsonld': 'JSONLD',
    '3.0.0/examples/example-bee-population-dataset-frequency.ttl': 'TTL',
    '3.0.0/examples/example-bee-population-dataset-series-api.jsonld': 'JSONLD',
    '3.0.0/examples/example-bee-population-dataset-series-api.ttl': 'TTL',
    '3.0.0/examples/example-bee-population-dataset-series-combined.jsonld': 'JSONLD',
    '3.0.0/examples/example-bee-population-dataset-series-combined.ttl': 'TTL',
    '3.0.0/examples/example-bee-population-dataset-series-frequency.jsonld': 'JSONLD',
    '3.0.0/examples/example-bee-population-dataset-series-frequency.ttl': 'TTL',
    '3.0.0/examples/example-bee-population-dataset-series-gea-nha.jsonld': 'JSONLD',
    '3.0.0/examples/example-bee-population-dataset-series-gea-nha.ttl': 'TTL',
    '3.0.0/examples/example-bee-population-dataset-series-issued.jsonld': 'JSONLD',
    '3.0.0/examples/example-bee-population-dataset-series-issued.ttl': 'TTL',
    '3.0.0/examples/example-bee-population-dataset-series-life-count.jsonld': 'JSONLD',
    '3.0.0/examples/example-bee-population-dataset-series-life-count.ttl': 'TTL',
    '3.0.0/examples/example-bee-population-dataset-series-modified.jsonld': 'JSONLD',
    '3.0.0/examples/example-bee-population-dataset-series-modified.ttl': 'TTL',
    '3.0.0/examples/example-bee-population-dataset-series-ordered.jsonld': 'JSONLD',
    '3.0.0/examples/example-bee-population-dataset-series-ordered.ttl': 'TTL',
    '3.0.0/examples/example-bee-population-dataset-series-spatial-thessaloniki-athens.jsonld': 'JSONLD',
    '3.0.0/examples/example-bee-population-dataset-series-spatial-thessaloniki-athens.ttl': 'TTL',
    '3.0.0/examples/example-bee-population-dataset-series-spatial-thessaloniki.jsonld': 'JSONLD',
    '3.0.0/examples/example-bee-population-dataset-series-spatial-thessaloniki.ttl': 'TTL',
    '3.0.0/examples/example-bee-population-dataset-series.jsonld': 'JSONLD',
    '3.0.0/examples/example-bee-population-dataset-series.ttl': 'TTL',
    '3.0.0/examples/example-bee-population.jsonld': 'JSONLD',
    '3.0.0/examples/example-bee-population.ttl': 'TTL',
    '3.0.0/examples/example-bee-populaton-2022-2023.jsonld': 'JSONLD',
    '3.0.0/examples/example-bee-populaton-2022-2023.ttl': 'TTL',
    '3.0.0/html-shacl/deprecateduris.ttl': 'TTL',
    '3.0.0/html-shacl/imports.ttl': 'TTL',
    '3.0.0/html-shacl/mdr-vocabularies.shape.ttl': 'TTL',
    '3.0.0/html-shacl/mdr_imports.ttl': 'TTL',
    '3.0.0/html-shacl/range.ttl': 'TTL',
    '3.0.0/html-shacl/shapes.ttl': 'TTL',
    '3.0.0/html-shacl/shapes_recommended.ttl': 'TTL',
    '3.0.1/dcat-ap-SHACL.ttl': 'TTL',
    '3.0.1/ranges.ttl': 'TTL',
  },
  'dgbas-city-budget': {
    '102年度直轄市及縣市總預算彙編_歲入歲出性質及餘絀簡明比較分析表.csv': 'CSV',
    '103年度直轄市及縣市總預算彙編_收支簡明比較分析表.csv': 'CSV',
    '103年度直轄市及縣市總預算彙編_歲入來源別預算總表.csv': 'CSV',
    '103年度直轄市及縣市總預算彙編_歲出政事別預算總表.csv': 'CSV',
    '90年度縣市總預算彙編_融資調度比較分析表.csv': 'CSV',
    '97年度縣市總預算彙編_收支簡明比較分析表.csv': 'CSV',
    '99年度縣市總預算彙編_歲出政事別預算總表.csv': 'CSV',
    'clean-json/103年度直轄市及縣市總預算彙編_歲出政事別預算總表.json': 'JSON',
    'src-xls/103年度直轄市及縣市總預算彙編_收支簡明比較分析表.xls': 'XLS',
    'src-xls/103年度直轄市及縣市總預算彙編_歲入來源別預算總表.xls': 'XLS',
    'src-xls/103年度直轄市及縣市總預算彙編_歲出政事別預算總表.xls': 'XLS',
    'src-xls/90年度縣市總預算彙編_融資調度比較分析表.xls': 'XLS',
    'src-xls/97年度縣市總預算彙編_收支簡明比較分析表.xls': 'XLS',
  },
  'dgbas-nstatdb': {
    'A018102050.json': 'JSON',
    'A018203010.json': 'JSON',
    'A018403010.json': 'JSON',
    'A018705010.json': 'JSON',
    'A020001010.json': 'JSON',
    'A020004010.json': 'JSON',
    'A020007010.json': 'JSON',
    'A030102010.json': 'JSON',
    'A030104010.json': 'JSON',
    'A030105010.json': 'JSON',
    'A040103050.json': 'JSON',
    'A041205010.json': 'JSON',
    'A130215010.json': 'JSON',
    'api.csv': 'CSV',
  },
  'messy-ckan-xloader': {
    'boston_311_sample.csv': 'CSV',
    'brazilian_sample.csv': 'CSV',
    'column_names.csv': 'CSV',
    'date_formats.csv': 'CSV',
    'extra_fields.csv': 'CSV',
    'german_sample.csv': 'CSV',
    'mixed_numeric_string_sample.csv': 'CSV',
    'no_entries.csv': 'CSV',
    'non_utf8_sample.csv': 'CSV',
    'sample_with_blanks.csv': 'CSV',
    'sample_with_empty_lines.csv': 'CSV',
    'sample_with_extra_blank_cells.csv': 'CSV',
    'sample_with_mixed_quotes.csv': 'CSV',
    'sample_with_quoted_commas.csv': 'CSV',
    'umlaut_and_extra_comma.csv': 'CSV',
  },
  'messy-csvkit': {
    'FY09_EDU_Recipients_by_State.csv': 'CSV',
    'README.csv': 'CSV',
    'acs2012_5yr_population.csv': 'CSV',
    'bad.csv': 'CSV',
    'bad_skip_lines.csv': 'CSV',
    'blanks.csv': 'CSV',
    'date_like_number.csv': 'TXT',
    'dummy_col_shuffled_ragged.csv': 'CSV',
    'ks_1033_data.csv': 'CSV',
    'mac_newlines.csv': 'CSV',
    'no_header_row.csv': 'CSV',
    'null_byte.csv': 'CSV',
    'optional_quote_characters.csv': 'CSV',
    'test_empty_columns.csv': 'CSV',
    'test_empty_columns_long_row.csv': 'CSV',
    'test_empty_columns_short_row.csv': 'CSV',
    'test_extra_header.csv': 'CSV',
    'test_header_newline.csv': 'CSV',
    'test_latin1.csv': 'CSV',
    'test_locale.csv': 'CSV',
    'test_no_leading_zeroes.csv': 'CSV',
    'test_skip_lines.csv': 'CSV',
    'test_utf16_big.csv': 'CSV',
    'test_utf16_little.csv': 'CSV',
    'test_utf8_bom.csv': 'CSV',
  },
  'messy-frictionless': {
    'accent.csv': 'CSV',
    'ascii-notvalid.csv': 'CSV',
    'blank-cells.csv': 'CSV',
    'blank-headers.csv': 'CSV',
    'blank-rows-multiple.csv': 'CSV',
    'blank-rows-no-fields.csv': 'CSV',
    'blank-rows.csv': 'CSV',
    'bom.csv': 'CSV',
    'capital-invalid.csv': 'CSV',
    'defective-rows.csv': 'CSV',
    'doublequote.csv': 'CSV',
    'duplicate-column.csv': 'CSV',
    'duplicate-headers.csv': 'CSV',
    'duplicate-rows.csv': 'CSV',
    'empty.csv': 'EMPTY',
    'encoding-issue-274.csv': 'CSV',
    'escaping.csv': 'CSV',
    'issue-1009-semicolon.csv': 'CSV',
    'issue-1341.csv': 'CSV',
    'latin1.csv': 'CSV',
    'leading-zeros.csv': 'TXT',
    'matrix-with-comment.csv': 'CSV',
    'ogd10_energieforschungstatistik_ch.csv': 'CSV',
    'schema-errors.csv': 'CSV',
    'skip-rows-before-headers.csv': 'CSV',
    'skip-rows.csv': 'CSV',
    'structure-errors.csv': 'CSV',
    'table-infer-iso-8859-7.csv': 'CSV',
    'table-with-accents.csv': 'CSV',
    'without-headers-extra.csv': 'CSV',
    'without-headers.csv': 'CSV',
  },
  'messy-messytables': {
    'README.md': 'TXT',
    'begrotingsanalyse-2011.csv': 'CSV',
    'blank_line.ods': 'ODS',
    'characters.csv': 'CSV',
    'complex.csv': 'CSV',
    'example.tsv': 'TSV',
    'excel_pasting.csv': 'CSV',
    'long.csv': 'TXT',
    'mixedGLB.csv': 'CSV',
    'multilineods.ods': 'ODS',
    'null.csv': 'CSV',
    'simple.psv': 'CSV',
    'simple.ssv': 'CSV',
    'skip_initials.csv': 'CSV',
    'spanish_chars.csv': 'CSV',
    'sparse_with_column_errors.csv': 'CSV',
    'utf-16le_encoded.csv': 'CSV',
    'utf8bom.csv': 'CSV',
    'weird_head_padding.csv': 'CSV',
  },
  'pcaxis-other': {
    'pyaxis/1001.px': 'PX',
    'pyaxis/14001.px': 'PX',
    'pyaxis/27067.px': 'PX',
    'pyaxis/px-x-0602000000_107.px': 'PX',
  },
  'pcaxis-twstat': {
    'county-csv/01.csv': 'CSV',
    'county-old-utf8/1.px': 'PX',
    'county-utf8/01-1.px': 'PX',
    'county-utf8/02-2.px': 'PX',
    'county-utf8/14-2.px': 'PX',
    'county-utf8/25-1.px': 'PX',
    'county-utf8/30-1.px': 'PX',
    'town-JME/AG0038A1A.px': 'PX',
    'town-JME/AG0039A1A.px': 'PX',
    'town-KHH.new/AG000701A.px': 'PX',
    'town-KHH.new/AG000702A.px': 'PX',
    'town-TPE/AG00112DA.px': 'PX',
    'town-TPE/AG00112YA.px': 'PX',
    'town-TPE/AG00113DA.px': 'PX',
    'town-TPE/PH00265YA.px': 'PX',
    'town-TXG.new/DAG001A.px': 'PX',
  },
  'tw-gov-misc': {
    '636485953864564217.csv': 'CSV',
  },
};

const ROOT = testdata('.');

function head(file: string): Buffer {
  const buf = readFileSync(file);
  return buf.subarray(0, SNIFF_BYTES);
}

function* walk(dir: string): Generator<string> {
  for (const f of readdirSync(dir)) {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) yield* walk(p);
    else yield p;
  }
}

describe('sniffFormat on the real corpus (../shared/testdata)', () => {
  for (const [dir, files] of Object.entries(CORPUS)) {
    it.skipIf(!ROOT)(`${dir}: every file as written down`, () => {
      const base = path.join(ROOT ?? '', dir);
      const got: Record<string, string> = {};
      for (const p of walk(base)) got[path.relative(base, p)] = sniffFormat(head(p), path.basename(p)).format;
      // Every file in the folder is written down, and each is what it says.
      expect(got).toEqual(files);
    });
  }

  it.skipIf(!ROOT)('gives evidence a technician can check', () => {
    const base = ROOT ?? '';
    expect(sniffFormat(head(path.join(base, 'dgbas-city-budget/src-xls/90年度縣市總預算彙編_融資調度比較分析表.xls'))).evidence).toMatch(/OLE2.*Workbook/);
    expect(sniffFormat(head(path.join(base, 'messy-messytables/blank_line.ods'))).evidence).toContain('application/vnd.oasis.opendocument.spreadsheet');
    expect(sniffFormat(head(path.join(base, 'messy-messytables/characters.csv'))).evidence).toMatch(/","; 18 fields.*Big5|",", 18 fields.*Big5/);
    expect(sniffFormat(head(path.join(base, 'pcaxis-twstat/town-TPE/PH00265YA.px'))).evidence).toMatch(/PC-Axis.*CP950/);
    expect(sniffFormat(head(path.join(base, 'messy-frictionless/issue-1009-semicolon.csv'))).evidence).toContain('";"');
  });

  it.skipIf(!ROOT)('a Big5 XLS renamed .csv is still an XLS, and format_match says so', () => {
    const xls = head(path.join(ROOT ?? '', 'dgbas-city-budget/src-xls/97年度縣市總預算彙編_收支簡明比較分析表.xls'));
    const s = sniffFormat(xls, '97年度.csv', 'text/csv');
    expect(s.format).toBe('XLS');
    const r = formatMatch('CSV', s);
    expect(r.result).toBe('fail');
    expect(r.zh).toContain('Excel 97–2003');
    expect(r.en).toContain('XLS');
  });
});

const zip = (entries: [string, string, boolean?][]): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const z = new yazl.ZipFile();
    for (const [name, text, store] of entries) z.addBuffer(Buffer.from(text), name, { compress: !store });
    z.end();
    const parts: Buffer[] = [];
    z.outputStream.on('data', (c: Buffer) => parts.push(c));
    z.outputStream.on('end', () => resolve(Buffer.concat(parts)));
    z.outputStream.on('error', reject);
  });

/** A minimal OLE2 compound file: header, one directory sector with the Root Entry and one stream. */
function ole2(stream: string): Buffer {
  const b = Buffer.alloc(1536);
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(b, 0);
  b.writeUInt16LE(0x003e, 0x18);
  b.writeUInt16LE(3, 0x1a);
  b.writeUInt16LE(0xfffe, 0x1c);
  b.writeUInt16LE(9, 0x1e);
  b.writeUInt32LE(0, 0x30);
  const entry = (at: number, name: string, type: number) => {
    b.write(name, at, 'utf16le');
    b.writeUInt16LE((name.length + 1) * 2, at + 0x40);
    b[at + 0x42] = type;
  };
  entry(512, 'Root Entry', 5);
  entry(512 + 128, stream, 2);
  return b;
}

describe('sniffFormat on hand-made bytes', () => {
  const sheet = XLSX.utils.aoa_to_sheet([['年度', '縣市', '人口'], [2024, '臺北市', 2500000]]);
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, sheet, '人口');
  const book = (bookType: XLSX.BookType): Buffer => XLSX.write(wb, { type: 'buffer', bookType }) as Buffer;

  it('tells workbooks apart: XLSX, XLS (BIFF8), ODS, written by SheetJS', () => {
    expect(sniffFormat(book('xlsx')).format).toBe('XLSX');
    expect(sniffFormat(book('biff8')).format).toBe('XLS');
    expect(sniffFormat(book('ods')).format).toBe('ODS');
  });

  it('reads zip entries: OOXML by its folders or [Content_Types].xml, ODF by mimetype, KMZ, shapefiles, plain zip', async () => {
    expect(sniffFormat(await zip([['[Content_Types].xml', '<Types/>'], ['word/document.xml', '<w:document/>']])).format).toBe('DOCX');
    expect(sniffFormat(await zip([['[Content_Types].xml', '<Types><Override ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>']])).format).toBe('XLSX');
    expect(sniffFormat(await zip([['mimetype', 'application/vnd.oasis.opendocument.text', true], ['content.xml', '<office:document-content/>']])).format).toBe('ODT');
    expect(sniffFormat(await zip([['doc.kml', '<kml/>']])).format).toBe('KMZ');
    expect(sniffFormat(await zip([['roads.shp', 'x'], ['roads.dbf', 'y']])).format).toBe('SHP');
    const plain = sniffFormat(await zip([['a.csv', 'a,b\n1,2\n'], ['b.csv', 'a,b\n3,4\n']]));
    expect(plain).toMatchObject({ format: 'ZIP' });
    expect(plain.evidence).toContain('a.csv, b.csv');
  });

  it('reads the OLE2 directory: Workbook → XLS, WordDocument → DOC, PowerPoint Document → PPT', () => {
    expect(sniffFormat(ole2('Workbook')).format).toBe('XLS');
    expect(sniffFormat(ole2('WordDocument')).format).toBe('DOC');
    expect(sniffFormat(ole2('PowerPoint Document')).format).toBe('PPT');
    // Neither the directory nor a stream header in reach: the name decides, else XLS.
    const bare = ole2('Other');
    expect(sniffFormat(bare, 'report.doc').format).toBe('DOC');
    expect(sniffFormat(bare).evidence).toMatch(/taken as XLS/);
  });

  it('knows PDF, pictures and archives by their magic bytes', () => {
    expect(sniffFormat(Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<< /Type /Catalog >>\nendobj\n', 'latin1'))).toMatchObject({ format: 'PDF', evidence: 'PDF header %PDF-1.7' });
    expect(sniffFormat(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])).format).toBe('IMAGE');
    expect(sniffFormat(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46])).format).toBe('IMAGE');
    expect(sniffFormat(Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0])).format).toBe('GZIP');
    expect(sniffFormat(Buffer.from('Rar!\x1a\x07\x01\x00', 'latin1')).format).toBe('RAR');
  });

  it('tells HTML from XML, RDF, KML and SVG by the root element', () => {
    const html = '<!DOCTYPE html>\n<html lang="zh-Hant"><head><title>資料下載</title></head><body><a href="x.csv">下載</a></body></html>';
    expect(sniffFormat(Buffer.from(html)).format).toBe('HTML');
    expect(sniffFormat(Buffer.from(`\ufeff  ${html}`)).format).toBe('HTML');
    // Excel's "Save as web page" with an .xls name is HTML, whatever the name says.
    expect(sniffFormat(Buffer.from('<html xmlns:o="urn:schemas-microsoft-com:office:office"><body><table><tr><td>1</td></tr></table></body></html>'), 'report.xls').format).toBe('HTML');
    expect(sniffFormat(Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<!-- 主計總處 -->\n<GenericData><DataSet/></GenericData>')).format).toBe('XML');
    expect(sniffFormat(Buffer.from('<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"></rdf:RDF>')).format).toBe('RDF');
    expect(sniffFormat(Buffer.from('<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document/></kml>')).format).toBe('KML');
    expect(sniffFormat(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')).format).toBe('IMAGE');
    const big5 = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="Big5"?><資料>', 'latin1')]);
    expect(sniffFormat(big5).format).toBe('XML');
  });

  it('tells JSON, GeoJSON and JSON-LD apart, even when the sample cuts the document off', () => {
    expect(sniffFormat(Buffer.from('[{"年度":2024,"人口":2500000},{"年度":2025')).format).toBe('JSON');
    expect(sniffFormat(Buffer.from('{"type":"FeatureCollection","features":[')).format).toBe('GEOJSON');
    expect(sniffFormat(Buffer.from('{"@context":"https://schema.org","@type":"Dataset"}')).format).toBe('JSONLD');
  });

  it('false positives: text that only looks like something else stays what it is', () => {
    // A first cell "<5歲" is not markup; "[註1]" is not JSON; "BMI" is not a picture.
    expect(sniffFormat(Buffer.from('<5歲,5-9歲,10歲以上\n12,34,56\n7,8,9\n')).format).toBe('CSV');
    expect(sniffFormat(Buffer.from('[註1] 本表資料來源：主計總處\n說明文字第二行\n')).format).toBe('TXT');
    expect(sniffFormat(Buffer.from('BMI,人數\n18.5,100\n24,200\n')).format).toBe('CSV');
    // A CSV with one NUL byte (csvkit's null_byte.csv) is damaged text, not binary.
    expect(sniffFormat(Buffer.from('a,b,c\n1,\u00002,3\n4,5,6\n')).format).toBe('CSV');
    // Semicolon, tab and pipe: still delimited text.
    expect(sniffFormat(Buffer.from('a;b;c\n1;2;3\n')).format).toBe('CSV');
    expect(sniffFormat(Buffer.from('a\tb\tc\n1\t2\t3\n')).format).toBe('TSV');
    // Random bytes are binary.
    const noise = Buffer.alloc(4096);
    let seed = 12345;
    for (let i = 0; i < noise.length; i++) {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      noise[i] = seed >>> 24;
    }
    expect(sniffFormat(noise).format).toBe('BINARY');
    expect(sniffFormat(Buffer.alloc(0)).format).toBe('EMPTY');
    expect(sniffFormat(Buffer.from('  \n\n')).format).toBe('EMPTY');
  });

  it('finds PC-Axis by its keywords, not by any line with "="', () => {
    expect(sniffFormat(Buffer.from('CHARSET="ANSI";\r\nAXIS-VERSION="2006";\r\nMATRIX="CS2871N1A";\r\nSTUB="縣市";\r\nHEADING="年";\r\nDATA=\r\n1 2 3;\r\n')).format).toBe('PX');
    expect(sniffFormat(Buffer.from('TITLE=人口統計\n說明=本表\n')).format).toBe('TXT');
  });
});

describe('formatMatch', () => {
  const csv = sniffFormat(Buffer.from('年度,人口\n2024,1\n'));
  const html = sniffFormat(Buffer.from('<!doctype html><html><body>請點此下載</body></html>'));

  it('passes the same format and the compatible ones (CSV / TSV / TXT; JSON / GeoJSON)', () => {
    expect(formatMatch('CSV', csv).result).toBe('pass');
    expect(formatMatch('.csv', csv).result).toBe('pass');
    expect(formatMatch('TXT', csv).result).toBe('pass');
    expect(formatMatch('CSV', sniffFormat(Buffer.from('value\n001\n002\n'))).result).toBe('pass');
    expect(formatMatch('TSV', csv).result).toBe('pass');
    expect(formatMatch('JSON', sniffFormat(Buffer.from('{"type":"FeatureCollection","features":[]}'))).result).toBe('pass');
    expect(formatMatch('API', sniffFormat(Buffer.from('{"data":[]}'))).result).toBe('pass');
    expect(formatMatch('壓縮檔', { format: 'ZIP', evidence: 'zip' }).result).toBe('pass');
  });

  it('fails a ".csv" that is an HTML page or an XLS, naming what it really is', () => {
    const r = formatMatch('CSV', html);
    expect(r).toMatchObject({ id: 'format_match', result: 'fail', data: { declared: 'CSV', detected: 'HTML' } });
    expect(r.zh).toContain('網頁（HTML）');
    expect(r.en).toContain('web page (HTML)');
    const x = formatMatch('CSV', { format: 'XLS', evidence: 'OLE2' });
    expect(x.result).toBe('fail');
    expect(x.en).toMatch(/really an Excel 97–2003 workbook \(XLS\)/);
    expect(formatMatch('PDF', csv).result).toBe('fail');
  });

  it('warns on a close relative (XLS declared, XLSX delivered)', () => {
    const r = formatMatch('XLS', { format: 'XLSX', evidence: 'zip' });
    expect(r.result).toBe('warn');
    expect(r.zh).toContain('更正為 XLSX');
  });

  it('is na when nothing specific is declared, or the file is empty', () => {
    expect(formatMatch('其他', csv).result).toBe('na');
    expect(formatMatch('', csv).result).toBe('na');
    expect(formatMatch(undefined, csv).result).toBe('na');
    expect(formatMatch('WMS', csv).result).toBe('na');
    expect(formatMatch('CSV', { format: 'EMPTY', evidence: '0 bytes' }).result).toBe('na');
  });

  it('normalises declarations as clerks write them', () => {
    expect(normaliseDeclaredFormat(' json-ld ')?.formats).toEqual(['JSONLD']);
    expect(normaliseDeclaredFormat('Excel')?.formats).toEqual(['XLS', 'XLSX']);
    expect(normaliseDeclaredFormat('其他')).toBeUndefined();
  });
});

describe('structured (5-star open data)', () => {
  it('gives stars by format: PDF 1 fail, XLS/XLSX 2 warn, CSV/ODS/JSON/XML/PX 3 pass, RDF 4, linked RDF 5', () => {
    const stars = (f: string) => structured(f).data?.stars;
    expect(structured('PDF')).toMatchObject({ id: 'structured', result: 'fail', data: { stars: 1 } });
    expect(structured('IMAGE').result).toBe('fail');
    expect(structured('XLS')).toMatchObject({ result: 'warn', data: { stars: 2 } });
    expect(structured('XLSX').result).toBe('warn');
    for (const f of ['CSV', 'ODS', 'JSON', 'XML', 'PX']) expect([f, stars(f), structured(f).result]).toEqual([f, 3, 'pass']);
    expect(structured('RDF')).toMatchObject({ result: 'pass', data: { stars: 4 } });
    expect(structured('TTL', { linksToOtherData: true }).data?.stars).toBe(5);
    expect(structured('CSV', { linksToOtherData: true }).data?.stars).toBe(3);
    expect(structured('CSV').data?.scheme).toMatch(/5-star/);
  });

  it('takes declared spellings and is na for archives and unknowns', () => {
    expect(structured('csv').data?.stars).toBe(3);
    expect(structured('json-ld').data?.stars).toBe(4);
    expect(structured('ZIP').result).toBe('na');
    expect(structured('其他').result).toBe('na');
  });

  it('has a zh and an en message for every format', () => {
    for (const f of FORMATS) {
      const r = structured(f);
      expect(r.zh.length).toBeGreaterThan(0);
      expect(r.en.length).toBeGreaterThan(0);
    }
  });
});
