import type { HistoryVersion } from '../../modules/audit/audit.service.ts';
import type { Dataset, Resource } from '../../modules/catalogue/catalogue.schemas.ts';
import { Breadcrumb, DemoBadge, zhPart } from '../components.tsx';
import type { PageCtx } from '../context.ts';
import { attributionText, categoryLabel, dateOnly, datasetTitle, frequencyLabel, licenceLabel, metadataRows, unitTitle } from '../format.ts';
import { datasetJsonLd, scriptSafeJson } from '../json-ld.ts';
import { Layout } from '../layout.tsx';
import { discMessages, HowToApplyBox, NoticeBox } from './discontinued.tsx';
import { codeMeaning, formatNumber, MAX_CHART_ROWS, renderLineChart } from '../chart.ts';
import type { Cell, Preview, PreviewColumn, ResourceTable, VersionView } from '../dataset-tables.ts';
import type { DatasetQuality } from '../../modules/quality/quality-views.service.ts';
import { DatasetQualitySection } from './quality-section.tsx';
import { qualityWords } from './quality-words.ts';

export type { ResourceTable } from '../dataset-tables.ts';

/** Versions listed before the rest go behind "all versions". */
const VERSIONS_SHOWN = 5;

/** Whether the resources can be downloaded, and if not why (the page then lists them without links). */
type Availability = 'available' | 'on_application' | 'discontinued';

function availabilityOf(d: Dataset): Availability {
  if (d.state === 'discontinued') return 'discontinued';
  return d.provisionType === 'on_application' ? 'on_application' : 'available';
}

const tableWords = (lang: string) =>
  lang === 'en'
    ? {
        version: (n: number, date: string) => `Version ${n}, uploaded ${date}`,
        original: 'Original file',
        utf8Copy: 'UTF-8 copy',
        formats: 'Download the table as',
        excel: 'CSV for Excel',
        api: 'Query API',
        versions: 'Versions of this file, newest first',
        allVersions: (n: number) => `All ${n} versions`,
        vNumber: 'Version',
        vDate: 'Published',
        vFile: 'File',
        vSize: 'Size',
        vRows: 'Rows',
        vDownloads: 'Downloads',
        vNumberN: (n: number) => `Version ${n}`,
        preview: (from: number, to: number, total: number) =>
          total === 0 ? 'The table has no rows' : from === 1 ? `First ${to.toLocaleString('en')} of ${total.toLocaleString('en')} rows` : `Rows ${from.toLocaleString('en')}–${to.toLocaleString('en')} of ${total.toLocaleString('en')}`,
        sortedBy: (label: string, dir: 'asc' | 'desc') => `, sorted by ${label} (${dir === 'asc' ? 'ascending' : 'descending'})`,
        sortHint: (dir: 'asc' | 'desc') => (dir === 'asc' ? ': sort ascending' : ': sort descending'),
        pager: (name: string) => `Pages of the preview of ${name}`,
        pageOf: (n: number, m: number) => `Page ${n} of ${m}`,
        prev: 'Previous',
        next: 'Next',
        yes: 'yes',
        no: 'no',
        chartTitle: (value: string, date: string) => `${value} by ${date}`,
        chartCapped: (n: number) => `The chart reads at most ${n.toLocaleString('en')} rows, the latest; earlier periods are not drawn.`,
        chartLeftOut: (shown: number, found: number) => `It draws the first ${shown} of ${found} lines; the preview and the downloads have them all.`,
        chartData: 'Numbers in the chart, as a table',
        chartTableHint: ['The chart’s numbers are in “', '” below.'] as const,
        chartDataCaption: (value: string) => `${value}: the numbers drawn in the chart`,
      }
    : {
        version: (n: number, date: string) => `第 ${n} 版，上傳於 ${date}`,
        original: '原始檔案',
        utf8Copy: 'UTF-8 副本',
        formats: '資料表下載格式',
        excel: 'CSV（Excel 用）',
        api: '查詢 API',
        versions: '檔案版本（新到舊）',
        allVersions: (n: number) => `全部 ${n} 個版本`,
        vNumber: '版本',
        vDate: '公開日期',
        vFile: '檔案',
        vSize: '大小',
        vRows: '筆數',
        vDownloads: '下載',
        vNumberN: (n: number) => `第 ${n} 版`,
        preview: (from: number, to: number, total: number) =>
          total === 0 ? '資料表沒有資料列' : from === 1 ? `前 ${to.toLocaleString('zh-TW')} 筆，共 ${total.toLocaleString('zh-TW')} 筆` : `第 ${from.toLocaleString('zh-TW')} 至 ${to.toLocaleString('zh-TW')} 筆，共 ${total.toLocaleString('zh-TW')} 筆`,
        sortedBy: (label: string, dir: 'asc' | 'desc') => `，依「${label}」${dir === 'asc' ? '遞增' : '遞減'}排序`,
        sortHint: (dir: 'asc' | 'desc') => (dir === 'asc' ? '：按此遞增排序' : '：按此遞減排序'),
        pager: (name: string) => `「${name}」預覽分頁`,
        pageOf: (n: number, m: number) => `第 ${n} 頁，共 ${m} 頁`,
        prev: '上一頁',
        next: '下一頁',
        yes: '是',
        no: '否',
        chartTitle: (value: string, date: string) => `${value}（依${date}）`,
        chartCapped: (n: number) => `圖表最多讀取最近的 ${n.toLocaleString('zh-TW')} 筆資料，較早的期間未畫出。`,
        chartLeftOut: (shown: number, found: number) => `共 ${found} 條線，圖上畫出前 ${shown} 條，其餘見資料預覽及下載。`,
        chartData: '圖表數值（表格）',
        chartTableHint: ['圖表的數值列於下方「', '」。'] as const,
        chartDataCaption: (value: string) => `${value}：圖表所畫的數值`,
      };

type Words = ReturnType<typeof tableWords>;

const kb = (n: number): string => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`);

/** An id-safe form of a resource id, for anchors (#preview-…). */
const anchorOf = (rid: string): string => rid.replace(/[^A-Za-z0-9_-]/g, '_');

/** The machine-readable downloads of a version's table (the latest one without `version`). */
function formatLinks(base: string, w: Words, cube: boolean, version?: number): [string, string][] {
  const q = (extra?: string) => [version === undefined ? null : `version=${version}`, extra].filter(Boolean).join('&');
  const href = (file: string, extra?: string) => `${base}/${file}${q(extra) ? `?${q(extra)}` : ''}`;
  return [
    ['CSV', href('data.csv')],
    [w.excel, href('data.csv', 'bom=true')],
    ['JSON', href('data.json')],
    ['XML', href('data.xml')],
    ['ODS', href('data.ods')],
    ['XLSX', href('data.xlsx')],
    ...(cube ? ([['JSON-stat', href('data.jsonstat')]] as [string, string][]) : []),
  ];
}

/** Links separated by dots; `hidden` tells screen readers which version they are for (the visible text repeats). */
function LinkList({ links, hidden }: { links: [string, string][]; hidden?: string }) {
  return (
    <>
      {links.map(([label, href], i) => (
        <>
          {i > 0 ? ' · ' : ''}
          <a href={href}>
            {label}
            {hidden ? <span class="visually-hidden">{hidden}</span> : null}
          </a>
        </>
      ))}
    </>
  );
}

/** A cell as people read it: measures with separators, percentages with %, booleans in words, dates as ISO (as stored). */
function cellText(v: Cell, c: PreviewColumn, lang: string, w: Words): string {
  if (v === null) return '';
  if (typeof v === 'boolean') return v ? w.yes : w.no;
  if (typeof v === 'number') return c.measure ? `${formatNumber(v, lang)}${c.type === 'percent' ? '%' : ''}` : String(v);
  return v;
}

function VersionRows({ base, versions, w, lang }: { base: string; versions: VersionView[]; w: Words; lang: string }) {
  return (
    <>
      {versions.map((v) => (
        <tr>
          <th scope="row">{w.vNumberN(v.version)}</th>
          <td>
            <time dateTime={dateOnly(v.date) ?? v.date}>{dateOnly(v.date) ?? v.date}</time>
          </td>
          <td class="wrap-anywhere">
            <a href={`${base}/file?version=${v.version}`}>{v.fileName}</a>
          </td>
          <td class="num">{kb(v.size)}</td>
          <td class="num">{v.rows === null ? '' : v.rows.toLocaleString(lang === 'en' ? 'en' : 'zh-TW')}</td>
          <td>{v.ready ? <LinkList links={formatLinks(base, w, v.cube, v.version).filter(([label]) => label !== w.excel)} hidden={lang === 'en' ? ` (${w.vNumberN(v.version)})` : `（${w.vNumberN(v.version)}）`} /> : ''}</td>
        </tr>
      ))}
    </>
  );
}

/** The resource's public versions, newest first: the first few, the rest behind a details element. */
function VersionTable({ base, versions, w, lang }: { base: string; versions: VersionView[]; w: Words; lang: string }) {
  const head = (
    <thead>
      <tr>
        <th scope="col">{w.vNumber}</th>
        <th scope="col">{w.vDate}</th>
        <th scope="col">{w.vFile}</th>
        <th scope="col">{w.vSize}</th>
        <th scope="col">{w.vRows}</th>
        <th scope="col">{w.vDownloads}</th>
      </tr>
    </thead>
  );
  const shown = versions.slice(0, VERSIONS_SHOWN);
  return (
    <>
      <div class="table-scroll">
        <table class="data versions">
          <caption>{w.versions}</caption>
          {head}
          <tbody>
            <VersionRows base={base} versions={shown} w={w} lang={lang} />
          </tbody>
        </table>
      </div>
      {versions.length > shown.length ? (
        <details class="all-versions">
          <summary>{w.allVersions(versions.length)}</summary>
          <div class="table-scroll">
            <table class="data versions">
              <caption>{w.allVersions(versions.length)}</caption>
              {head}
              <tbody>
                <VersionRows base={base} versions={versions} w={w} lang={lang} />
              </tbody>
            </table>
          </div>
        </details>
      ) : null}
    </>
  );
}

/** The first rows, sortable by column and paged, with links that work without JavaScript. */
function PreviewTable({ ctx, d, r, p, w }: { ctx: PageCtx; d: Dataset; r: Resource; p: Preview; w: Words }) {
  const anchor = anchorOf(r.resourceId);
  const link = (q: { sort?: string; dir?: 'asc' | 'desc'; page?: number }) =>
    `${ctx.href(`/datasets/${encodeURIComponent(d.name)}`, { r: r.resourceId, sort: q.sort, dir: q.sort ? q.dir : undefined, page: q.page && q.page > 1 ? q.page : undefined })}#preview-${anchor}`;
  const keep = p.sort ? { sort: p.sort.column, dir: p.sort.dir } : {};
  const last = p.first + p.rows.length - 1;
  const sortedLabel = p.sort ? p.columns.find((c) => c.name === p.sort?.column)?.label : undefined;
  return (
    <div class="preview-block" id={`preview-${anchor}`}>
      <div class="table-scroll">
        <table class="data preview">
          <caption>
            {w.preview(p.first, last, p.total)}
            {p.sort && sortedLabel ? w.sortedBy(sortedLabel, p.sort.dir) : ''}
          </caption>
          <thead>
            <tr>
              {p.columns.map((c) => {
                const current = p.sort?.column === c.name ? p.sort.dir : undefined;
                const next = current === 'asc' ? 'desc' : 'asc';
                const label = (
                  <>
                    <span lang={zhPart(ctx)}>{c.label}</span>
                    {c.unit ? <span class="unit">{`（${c.unit}）`}</span> : null}
                  </>
                );
                return (
                  <th scope="col" class={c.measure ? 'num' : undefined} aria-sort={current === 'asc' ? 'ascending' : current === 'desc' ? 'descending' : undefined}>
                    {c.sortable ? (
                      <a href={link({ sort: c.name, dir: next })} class="sort-link">
                        {label}
                        <span class="visually-hidden">{w.sortHint(next)}</span>
                        <span class="sort-mark" aria-hidden="true">
                          {current === 'asc' ? '▲' : current === 'desc' ? '▼' : '↕'}
                        </span>
                      </a>
                    ) : (
                      label
                    )}
                    {c.label !== c.name ? <code class="field-name">{c.name}</code> : null}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {p.rows.map((row) => (
              <tr>
                {row.map((v, i) => {
                  const c = p.columns[i];
                  const meaning = codeMeaning(c ?? { codes: null }, v);
                  return c ? (
                    <td class={c.measure ? 'num' : undefined}>
                      {cellText(v, c, ctx.lang, w)}
                      {meaning ? <span class="code-meaning">{` ${meaning}`}</span> : null}
                    </td>
                  ) : null;
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {p.pages > 1 ? (
        <nav class="pager preview-pager" aria-label={w.pager(r.name || r.description)}>
          <ul>
            {p.page > 1 ? (
              <li>
                <a href={link({ ...keep, page: p.page - 1 })} rel="prev">
                  {w.prev}
                </a>
              </li>
            ) : null}
            <li>
              <span aria-current="page">{w.pageOf(p.page, p.pages)}</span>
            </li>
            {p.page < p.pages ? (
              <li>
                <a href={link({ ...keep, page: p.page + 1 })} rel="next">
                  {w.next}
                </a>
              </li>
            ) : null}
          </ul>
        </nav>
      ) : null}
    </div>
  );
}

/** The time-series chart as inline SVG, with the numbers it draws in a table (its accessible alternative). */
function ChartBlock({ ctx, r, t, w }: { ctx: PageCtx; r: Resource; t: ResourceTable; w: Words }) {
  const c = t.chart;
  if (!c) return null;
  const anchor = anchorOf(r.resourceId);
  const dataId = `chart-data-${anchor}`;
  const noteId = `chart-note-${anchor}`;
  // The SVG's name summarises it; its description (short, read after the name) points at the table of its numbers.
  const { svg } = renderLineChart(c, { lang: ctx.lang, describedBy: noteId });
  const notes = [t.chartCapped ? w.chartCapped(MAX_CHART_ROWS) : null, c.seriesFound > c.series.length ? w.chartLeftOut(c.series.length, c.seriesFound) : null].filter(Boolean).join(ctx.lang === 'en' ? ' ' : '');
  const pct = c.percent ? '%' : '';
  const byDate = c.series.map((s) => new Map(s.points));
  return (
    <div class="chart-block" id={`chart-${anchor}`}>
      <p class="chart-title" lang={zhPart(ctx)}>
        {w.chartTitle(c.valueLabel, c.dateLabel)}
        {c.unit ? `（${c.unit}）` : ''}
      </p>
      <div class="chart-figure" dangerouslySetInnerHTML={{ __html: svg }} />
      <p class="chart-note" id={noteId}>
        {notes}
        {notes ? (ctx.lang === 'en' ? ' ' : '') : null}
        {w.chartTableHint[0]}
        <a href={`#${dataId}`}>{w.chartData}</a>
        {w.chartTableHint[1]}
      </p>
      <details class="chart-data" id={dataId}>
        <summary>{w.chartData}</summary>
        {/* Focusable, so keyboard users can scroll a table wider than the screen (it has no links). */}
        <div class="table-scroll" tabindex={0} role="region" aria-label={w.chartDataCaption(c.valueLabel)}>
          <table class="data">
            <caption>{w.chartDataCaption(c.valueLabel)}</caption>
            <thead>
              <tr>
                <th scope="col">{c.dateLabel}</th>
                {c.series.map((s) => (
                  <th scope="col" class="num">
                    {s.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {c.dates.map((date) => (
                <tr>
                  <th scope="row">{date}</th>
                  {byDate.map((values) => {
                    const v = values.get(date) ?? null;
                    return <td class="num">{v === null ? '' : `${formatNumber(v, ctx.lang)}${pct}`}</td>;
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  );
}

/** The uploaded file's versions, its open-format downloads, the chart of a time series and a preview of its rows. */
function TableSection({ ctx, d, r, t }: { ctx: PageCtx; d: Dataset; r: Resource; t: ResourceTable }) {
  const w = tableWords(ctx.lang);
  const base = `/api/v1/resources/${encodeURIComponent(r.resourceId)}`;
  const latest = t.versions[0];
  if (!latest) return null;
  return (
    <div class="resource-table">
      <p>
        {w.version(latest.version, dateOnly(latest.uploadedAt) ?? latest.uploadedAt)}
        {' · '}
        <a href={`${base}/file`}>
          {ctx.lang === 'en'
            ? `${w.original} (${[latest.fileName, kb(latest.size), latest.encoding].filter(Boolean).join(', ')})`
            : `${w.original}（${[latest.fileName, kb(latest.size), latest.encoding].filter(Boolean).join('，')}）`}
        </a>
        {latest.utf8 ? (
          <>
            {' · '}
            <a href={`${base}/file?utf8=true`}>{w.utf8Copy}</a>
          </>
        ) : null}
      </p>
      {t.preview ? (
        <p>
          {w.formats}
          {ctx.m.colon}
          <LinkList links={formatLinks(base, w, latest.cube)} />
          {' · '}
          <a href={`/api/3/action/datastore_search?resource_id=${encodeURIComponent(r.resourceId)}`}>{w.api}</a>
        </p>
      ) : null}
      {t.chart ? <ChartBlock ctx={ctx} r={r} t={t} w={w} /> : null}
      {t.preview ? <PreviewTable ctx={ctx} d={d} r={r} p={t.preview} w={w} /> : null}
      <VersionTable base={base} versions={t.versions} w={w} lang={ctx.lang} />
    </div>
  );
}

function ResourceCard({ ctx, d, r, availability, table }: { ctx: PageCtx; d: Dataset; r: Resource; availability: Availability; table?: ResourceTable }) {
  const { m } = ctx;
  const t = discMessages(ctx.lang);
  const isDownload = r.downloadUrl !== null;
  const rows: [string, string | null][] = [
    [m.resourceFormat, r.format],
    [m.resourceEncoding, r.encoding],
    [m.resourceId, r.resourceId],
    [m.resourceModified, r.modified],
    [m.resourceRows, r.numberOfData === null ? null : r.numberOfData.toLocaleString(ctx.lang)],
  ];
  return (
    <li class="resource">
      <h3>
        <span class="badge badge-format">{r.format}</span>
        <span lang={zhPart(ctx)}>{r.name || r.description}</span>
      </h3>
      {r.name && r.name !== r.description ? (
        <p lang={zhPart(ctx)} class="wrap-anywhere">
          {r.description}
        </p>
      ) : null}
      <dl>
        {rows
          .filter(([, v]) => v !== null && v !== '')
          .map(([k, v]) => (
            <>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </>
          ))}
        {r.metadataSourceUrl ? (
          <>
            <dt>{m.resourceMetadataSource}</dt>
            <dd>
              <a href={r.metadataSourceUrl}>{r.metadataSourceUrl}</a>
            </dd>
          </>
        ) : null}
      </dl>
      {table && availability === 'available' ? <TableSection ctx={ctx} d={d} r={r} t={table} /> : null}
      {availability !== 'available' ? (
        <p class="unavailable">{availability === 'discontinued' ? t.discontinuedNoLink : t.onApplicationNoLink}</p>
      ) : r.url ? (
        // Visible text stays short; screen readers also hear which resource it is. The portal's
        // download route redirects to the file, so every download can be refused once it is gone.
        <a class="download button button-secondary" href={ctx.href(`/datasets/${encodeURIComponent(d.name)}/resources/${encodeURIComponent(r.resourceId)}/download`)}>
          {isDownload ? m.resourceDownload(r.format) : m.resourceOpen(r.format)}
          <span class="visually-hidden">
            {m.colon}
            {r.description}
          </span>
        </a>
      ) : null}
    </li>
  );
}

function FieldTable({ ctx, d }: { ctx: PageCtx; d: Dataset }) {
  const { m } = ctx;
  if (d.fields.length === 0) return <p>{m.fieldsNone}</p>;
  return (
    <div class="table-scroll">
      <table class="data">
        <caption>{m.fieldsCaption}</caption>
        <thead>
          <tr>
            <th scope="col">{m.fieldName}</th>
            <th scope="col">{m.fieldTitle}</th>
            <th scope="col">{m.fieldDescription}</th>
            <th scope="col">{m.fieldType}</th>
            <th scope="col">{m.fieldCodes}</th>
          </tr>
        </thead>
        <tbody lang={zhPart(ctx)}>
          {d.fields.map((f) => (
            <tr>
              <td>
                <code>{f.name}</code>
              </td>
              <td>{f.title ?? ''}</td>
              <td>{f.description ?? ''}</td>
              <td>{f.type ?? ''}</td>
              <td>
                {f.codes && f.codes.length > 0 ? (
                  <ul class="codes">
                    {f.codes.map((c) => (
                      <li>
                        <code>{c.code}</code> = {c.meaning}
                      </li>
                    ))}
                  </ul>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function MetadataTable({ ctx, d }: { ctx: PageCtx; d: Dataset }) {
  const { m } = ctx;
  return (
    <div class="table-scroll">
      <table class="data">
        <caption>{m.metadataCaption}</caption>
        <thead>
          <tr>
            <th scope="col">{m.metadataField}</th>
            <th scope="col">{m.metadataValue}</th>
          </tr>
        </thead>
        <tbody>
          {metadataRows(d, ctx.lang).map((row) => (
            <tr>
              <th scope="row">
                <span lang="zh-Hant-TW">{row.zh}</span>
                <span class="en-label" lang="en">
                  {row.en}
                </span>
              </th>
              <td class="wrap-anywhere">
                {row.value === null || row.value === '' ? (
                  <span class="none">{m.notGiven}</span>
                ) : row.link && /^https?:\/\//.test(row.value) ? (
                  <a href={row.value}>{row.value}</a>
                ) : (
                  <span lang={zhPart(ctx)}>{row.value}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** zh-TW names of the dataset fields a version history lists (English pages show the API field name). */
const HISTORY_FIELD_ZH: Record<string, string> = {
  title: '資料集名稱', titleEn: '英文名稱', description: '資料集描述', fields: '主要欄位', fieldDescription: '主要欄位說明',
  categoryCode: '服務分類', datasetType: '資料集類型', licenseId: '授權方式', licenseTitle: '授權方式', licenseUrl: '授權說明網址',
  cost: '計費方式', costUrl: '計費說明網址', costLaw: '計費法令依據', updateFrequency: '更新頻率', temporalFrom: '開始收錄日期',
  temporalTo: '結束收錄日期', issued: '發布時間', modified: '最後更新時間', spatial: '空間範圍', language: '語系',
  landingPage: '相關網址', numberOfData: '資料量', notes: '備註', keywords: '關鍵字', resources: '資料資源', provisionType: '提供方式',
  unit: '提供單位', state: '狀態', publisherName: '提供機關', publisherContactName: '聯絡人姓名', publisherContactPhone: '聯絡人電話',
  publisherContactEmail: '聯絡人電子郵件', organizationName: '上級機關', name: '網址代稱', identifier: '資料集編號',
  applicationTerms: '申請方式及條件', revocable: '授權可否撤回', withholdingBasis: '不予提供之法律依據',
};

/** 版本紀錄: each published version with the fields it changed, from the audit trail. */
function VersionHistory({ ctx, name, history }: { ctx: PageCtx; name: string; history: HistoryVersion[] }) {
  const en = ctx.lang === 'en';
  return (
    <section aria-labelledby="history">
      <h2 id="history">{en ? 'Version history' : '版本紀錄'}</h2>
      <ol class="version-history">
        {history.map((v) => (
          <li>
            <time datetime={v.at}>{dateOnly(v.at)}</time>
            {ctx.m.colon}
            {v.changes.length === 0
              ? en
                ? 'first published'
                : '首次公開'
              : `${en ? 'changed ' : '變更'}${v.changes.map((c) => (en ? c.field : (HISTORY_FIELD_ZH[c.field] ?? c.field))).join(en ? ', ' : '、')}`}
          </li>
        ))}
      </ol>
      <p>
        <a href={`/api/v1/datasets/${encodeURIComponent(name)}/history`}>{en ? 'Each change field by field (JSON)' : '逐欄位變更內容（JSON）'}</a>
      </p>
    </section>
  );
}

export function DatasetPage({ ctx, d, history = [], tables = new Map(), quality, qualityQueued }: { ctx: PageCtx; d: Dataset; history?: HistoryVersion[]; tables?: Map<string, ResourceTable>; quality?: DatasetQuality; qualityQueued?: boolean }) {
  const { m } = ctx;
  const title = datasetTitle(d, ctx.lang);
  const modified = dateOnly(d.modified) ?? dateOnly(d.updatedAt);
  const jsonLd = scriptSafeJson(datasetJsonLd(d, ctx.config));
  const availability = availabilityOf(d);
  const sections: [string, string][] = [
    ['resources', m.resources],
    ...(quality ? [['quality', qualityWords(ctx.lang).heading] as [string, string]] : []),
    ['fields', m.fieldsHeading],
    ['licence', m.licenceHeading],
    ...(d.keywords.length > 0 ? [['keywords', m.keywords] as [string, string]] : []),
    ['metadata', m.metadataHeading],
    ...(history.length > 0 ? [['history', ctx.lang === 'en' ? 'Version history' : '版本紀錄'] as [string, string]] : []),
  ];
  return (
    <Layout
      ctx={ctx}
      title={title}
      nav="datasets"
      demo={d.isDemo}
      head={
        <>
          <link rel="canonical" href={`${ctx.config.baseUrl}/datasets/${encodeURIComponent(d.name)}`} />
          <meta name="description" content={d.description.slice(0, 300)} />
          <script type="application/ld+json" dangerouslySetInnerHTML={{ __html: jsonLd }} />
        </>
      }
    >
      <div class="container">
        <div class="dataset-head">
          <Breadcrumb
            ctx={ctx}
            trail={[
              { href: '/', label: m.navHome },
              { href: '/datasets', label: m.navDatasets },
              { href: `/units/${encodeURIComponent(d.unit.name)}`, label: unitTitle(d.unit, ctx.lang) },
              { label: title, lang: title === d.title ? zhPart(ctx) : undefined },
            ]}
          />
          <h1 lang={title === d.title ? zhPart(ctx) : undefined}>
            {title} {d.isDemo ? <DemoBadge ctx={ctx} /> : null}
          </h1>
          {title !== d.title ? (
            <p class="subtitle" lang="zh-Hant-TW">
              {d.title}
            </p>
          ) : d.titleEn ? (
            <p class="subtitle" lang="en">
              {d.titleEn}
            </p>
          ) : null}
          <dl class="meta-line">
            <div>
              <dt>{m.datasetUnit}{m.colon}</dt>
              <dd>
                <a href={ctx.href(`/units/${encodeURIComponent(d.unit.name)}`)}>{unitTitle(d.unit, ctx.lang)}</a>
              </dd>
            </div>
            <div>
              <dt>{m.facetNames.category}{m.colon}</dt>
              <dd>
                <a href={ctx.href('/datasets', { category: d.categoryCode })}>{categoryLabel(d.categoryCode, ctx.lang)}</a>
              </dd>
            </div>
            <div>
              <dt>{m.datasetFrequency}{m.colon}</dt>
              <dd>{frequencyLabel(d.updateFrequency, ctx.lang)}</dd>
            </div>
            {modified ? (
              <div>
                <dt>{m.datasetModified}{m.colon}</dt>
                <dd>
                  <time dateTime={modified}>{modified}</time>
                </dd>
              </div>
            ) : null}
            <div>
              <dt>{m.facetNames.license}{m.colon}</dt>
              <dd>{licenceLabel(d.licenseId, ctx.lang)}</dd>
            </div>
          </dl>
          <p class="desc" lang={zhPart(ctx)}>
            {d.description}
          </p>
          {d.notice && (d.state === 'discontinued' || d.notice.kind === 'to_on_application') ? <NoticeBox ctx={ctx} n={d.notice} discontinued={d.state === 'discontinued'} /> : null}
          {availability === 'on_application' ? <HowToApplyBox ctx={ctx} d={d} /> : null}
        </div>
        <div class="dataset-layout">
          <div>
            <section aria-labelledby="resources">
              <h2 id="resources">{m.resources}</h2>
              {d.resources.length === 0 ? (
                <p>{m.resourcesNone}</p>
              ) : (
                <ul class="resource-list">
                  {d.resources.map((r) => (
                    <ResourceCard ctx={ctx} d={d} r={r} availability={availability} table={tables.get(r.resourceId)} />
                  ))}
                </ul>
              )}
            </section>
            {quality ? <DatasetQualitySection ctx={ctx} d={d} q={quality} queued={qualityQueued} /> : null}
            <section aria-labelledby="fields">
              <h2 id="fields">{m.fieldsHeading}</h2>
              <FieldTable ctx={ctx} d={d} />
              {d.fieldDescription ? (
                <>
                  <h3>{m.fieldsText}</h3>
                  <p class="field-text" lang="zh-Hant-TW">
                    {d.fieldDescription}
                  </p>
                </>
              ) : null}
            </section>
            <section aria-labelledby="licence">
              <h2 id="licence">{m.licenceHeading}</h2>
              <p>
                <a href={d.licenseUrl}>{licenceLabel(d.licenseId, ctx.lang)}</a>
              </p>
              <p>{m.licenceIntro}</p>
              <blockquote class="attribution" aria-label={m.licenceAttributionLabel}>
                {attributionText(d, ctx.lang)}
              </blockquote>
            </section>
            {d.keywords.length > 0 ? (
              <section aria-labelledby="keywords">
                <h2 id="keywords">{m.keywords}</h2>
                <ul class="keywords">
                  {d.keywords.map((k) => (
                    <li>
                      <a href={ctx.href('/datasets', { keyword: k })} aria-label={m.keywordLink(k)}>
                        {k}
                      </a>
                    </li>
                  ))}
                </ul>
              </section>
            ) : null}
            <section aria-labelledby="metadata">
              <h2 id="metadata">{m.metadataHeading}</h2>
              <MetadataTable ctx={ctx} d={d} />
            </section>
            {history.length > 0 ? <VersionHistory ctx={ctx} name={d.name} history={history} /> : null}
          </div>
          <aside aria-label={m.onPage}>
            <nav class="side-box" aria-labelledby="on-page">
              <h2 id="on-page">{m.onPage}</h2>
              <ul>
                {sections.map(([id, label]) => (
                  <li>
                    <a href={`#${id}`}>{label}</a>
                  </li>
                ))}
              </ul>
            </nav>
            <div class="side-box">
              <h2>{m.apiLinks}</h2>
              <ul>
                <li>
                  <a href={`/api/v1/datasets/${encodeURIComponent(d.name)}`}>{m.apiJson}</a>
                </li>
                <li>
                  <a href={`/api/3/action/package_show?id=${encodeURIComponent(d.name)}`}>{m.apiCkan}</a>
                </li>
              </ul>
            </div>
          </aside>
        </div>
      </div>
    </Layout>
  );
}
