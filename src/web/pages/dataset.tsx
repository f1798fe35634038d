import type { HistoryVersion } from '../../modules/audit/audit.service.ts';
import type { Dataset, Resource } from '../../modules/catalogue/catalogue.schemas.ts';
import { Breadcrumb, DemoBadge, zhPart } from '../components.tsx';
import type { PageCtx } from '../context.ts';
import { attributionText, categoryLabel, dateOnly, datasetTitle, frequencyLabel, licenceLabel, metadataRows, unitTitle } from '../format.ts';
import { datasetJsonLd, scriptSafeJson } from '../json-ld.ts';
import { Layout } from '../layout.tsx';
import { discMessages, HowToApplyBox, NoticeBox } from './discontinued.tsx';

/** Whether the resources can be downloaded, and if not why (the page then lists them without links). */
type Availability = 'available' | 'on_application' | 'discontinued';

function availabilityOf(d: Dataset): Availability {
  if (d.state === 'discontinued') return 'discontinued';
  return d.provisionType === 'on_application' ? 'on_application' : 'available';
}

/** What the page shows of a resource's uploaded file and its table (the latest public version). */
export interface ResourceTable {
  version: number;
  fileName: string;
  size: number;
  uploadedAt: string;
  encoding: string | null;
  /** The table's first rows when it is loaded, with the column names and the row count. */
  preview?: { columns: string[]; rows: (string | number | boolean | null)[][]; total: number };
  /** A statistical cube (JSON-stat offered). */
  cube: boolean;
}

const tableWords = (lang: string) =>
  lang === 'en'
    ? { heading: 'Data', version: (n: number, date: string) => `Version ${n}, uploaded ${date}`, original: 'Original file', formats: 'Download the table as', excel: 'CSV for Excel', preview: (shown: number, total: number) => `First ${shown} of ${total.toLocaleString('en')} rows`, api: 'Query API' }
    : { heading: '資料內容', version: (n: number, date: string) => `第 ${n} 版，上傳於 ${date}`, original: '原始檔案', formats: '資料表下載格式', excel: 'CSV（Excel 用）', preview: (shown: number, total: number) => `前 ${shown} 筆，共 ${total.toLocaleString('zh-TW')} 筆`, api: '查詢 API' };

const kb = (n: number): string => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`);

/** The uploaded file's version, its open-format downloads and a preview of its first rows. */
function TableSection({ ctx, r, t }: { ctx: PageCtx; r: Resource; t: ResourceTable }) {
  const w = tableWords(ctx.lang);
  const base = `/api/v1/resources/${encodeURIComponent(r.resourceId)}`;
  const formats: [string, string][] = [
    ['CSV', `${base}/data.csv`],
    [w.excel, `${base}/data.csv?bom=true`],
    ['JSON', `${base}/data.json`],
    ['XML', `${base}/data.xml`],
    ['ODS', `${base}/data.ods`],
    ['XLSX', `${base}/data.xlsx`],
    ...(t.cube ? ([['JSON-stat', `${base}/data.jsonstat`]] as [string, string][]) : []),
  ];
  return (
    <div class="resource-table">
      <p>
        {w.version(t.version, dateOnly(t.uploadedAt) ?? t.uploadedAt)}
        {' · '}
        <a href={`${base}/file`}>{`${w.original}（${t.fileName}，${kb(t.size)}${t.encoding ? `，${t.encoding}` : ''}）`}</a>
      </p>
      {t.preview ? (
        <>
          <p>
            {w.formats}
            {ctx.m.colon}
            {formats.map(([label, href], i) => (
              <>
                {i > 0 ? ' · ' : ''}
                <a href={href}>{label}</a>
              </>
            ))}
            {' · '}
            <a href={`/api/3/action/datastore_search?resource_id=${encodeURIComponent(r.resourceId)}`}>{w.api}</a>
          </p>
          <div class="table-scroll">
            <table class="data preview">
              <caption>{w.preview(t.preview.rows.length, t.preview.total)}</caption>
              <thead>
                <tr>
                  {t.preview.columns.map((c) => (
                    <th scope="col">{c}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {t.preview.rows.map((row) => (
                  <tr>
                    {row.map((v) => (
                      <td>{v === null ? '' : String(v)}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
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
      {table && availability === 'available' ? <TableSection ctx={ctx} r={r} t={table} /> : null}
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

export function DatasetPage({ ctx, d, history = [], tables = new Map() }: { ctx: PageCtx; d: Dataset; history?: HistoryVersion[]; tables?: Map<string, ResourceTable> }) {
  const { m } = ctx;
  const title = datasetTitle(d, ctx.lang);
  const modified = dateOnly(d.modified) ?? dateOnly(d.updatedAt);
  const jsonLd = scriptSafeJson(datasetJsonLd(d, ctx.config));
  const availability = availabilityOf(d);
  const sections: [string, string][] = [
    ['resources', m.resources],
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
