import type { Lang } from '../../i18n.ts';
import type { Dataset } from '../../modules/catalogue/catalogue.schemas.ts';
import { KIND_LABELS, type Notice } from '../../modules/discontinuation/discontinuation.schemas.ts';
import { Breadcrumb, zhPart } from '../components.tsx';
import type { PageCtx } from '../context.ts';
import { datasetTitle, unitTitle } from '../format.ts';
import { Layout } from '../layout.tsx';

/** Words of the discontinuation notices and the provision boxes, zh-TW first; English has the same keys. */
const zhTW = {
  title: '停止提供公告',
  lead: '經機關首長核定停止提供，或改為依申請提供、不予提供的資料集。停止提供的資料集仍可查閱說明，但已無法下載。',
  none: '目前沒有停止提供的資料集。',
  searchDiscontinued: '搜尋停止提供的資料集',
  noticeHeading: '停止提供公告',
  kind: '公告事項',
  unit: '提供單位',
  reasons: '理由',
  meeting: '會議日期及決議',
  noticeDate: '公告日期',
  basis: '法律依據',
  terms: '申請方式及條件',
  discontinuedLead: '本資料集已停止提供，資料無法下載；以下說明僅供查考。',
  applyHeading: '如何申請',
  applyLead: '本資料集依申請提供：資料不開放下載，請依下列方式及條件申請。',
  cost: '計費方式',
  costUrl: '計費說明',
  costLaw: '計費法令依據',
  revocable: '授權可否撤回',
  revocableYes: '可撤回（提供機關得撤回使用授權）',
  revocableNo: '不可撤回',
  contact: '聯絡窗口',
  onApplicationNoLink: '依申請提供，無下載連結（請見「如何申請」）',
  discontinuedNoLink: '已停止提供，無法下載',
  goneTitle: '資料已停止提供',
  goneLead: (title: string) => `資料集「${title}」已停止提供，檔案無法再下載（HTTP 410）。`,
  onApplicationTitle: '資料依申請提供',
  onApplicationLead: (title: string) => `資料集「${title}」依申請提供，無法直接下載（HTTP 403）。請依下列方式申請。`,
  backToDataset: '回到資料集頁面',
  allNotices: '所有停止提供公告',
};

const en: typeof zhTW = {
  title: 'Discontinued datasets',
  lead: 'Datasets the head of agency approved to stop providing, or to provide on application or withhold from now on. A discontinued dataset keeps its description page, but its data can no longer be downloaded.',
  none: 'No dataset has been discontinued.',
  searchDiscontinued: 'Search discontinued datasets',
  noticeHeading: 'Discontinuation notice',
  kind: 'Notice',
  unit: 'Publisher',
  reasons: 'Reasons',
  meeting: 'Meeting and resolution',
  noticeDate: 'Notice date',
  basis: 'Legal basis',
  terms: 'How to apply',
  discontinuedLead: 'This dataset is no longer provided and its data cannot be downloaded; its description stays for reference.',
  applyHeading: 'How to apply',
  applyLead: 'This dataset is provided on application: its data is not open for download. Apply as follows.',
  cost: 'Fee',
  costUrl: 'Fee details',
  costLaw: 'Legal basis of the fee',
  revocable: 'Licence revocable',
  revocableYes: 'Revocable (the publisher may revoke the licence)',
  revocableNo: 'Not revocable',
  contact: 'Contact',
  onApplicationNoLink: 'Provided on application: no download link (see "How to apply")',
  discontinuedNoLink: 'No longer provided: cannot be downloaded',
  goneTitle: 'Data no longer provided',
  goneLead: (title: string) => `The dataset "${title}" is no longer provided; its files cannot be downloaded (HTTP 410).`,
  onApplicationTitle: 'Data provided on application',
  onApplicationLead: (title: string) => `The dataset "${title}" is provided on application and cannot be downloaded directly (HTTP 403). Apply as follows.`,
  backToDataset: 'Back to the dataset',
  allNotices: 'All discontinuation notices',
};

export const discMessages = (lang: Lang): typeof zhTW => (lang === 'en' ? en : zhTW);

const kindLabel = (n: Notice, lang: Lang): string => (lang === 'en' ? KIND_LABELS[n.kind].en : KIND_LABELS[n.kind].zh);

/** One notice's facts as a definition list (used on /discontinued, the dataset page and the 410 page). */
function NoticeFacts({ ctx, n }: { ctx: PageCtx; n: Notice }) {
  const t = discMessages(ctx.lang);
  return (
    <dl class="notice-facts">
      <dt>{t.kind}</dt>
      <dd>{kindLabel(n, ctx.lang)}</dd>
      <dt>{t.unit}</dt>
      <dd>{unitTitle(n.unit, ctx.lang)}</dd>
      <dt>{t.reasons}</dt>
      <dd lang={zhPart(ctx)} class="wrap-anywhere">
        {n.reasons}
      </dd>
      <dt>{t.meeting}</dt>
      <dd>
        <time dateTime={n.meetingDate}>{n.meetingDate}</time>
        {ctx.m.colon}
        <span lang={zhPart(ctx)} class="wrap-anywhere">
          {n.resolution}
        </span>
      </dd>
      {n.withholdingBasis ? (
        <>
          <dt>{t.basis}</dt>
          <dd lang={zhPart(ctx)}>{n.withholdingBasis}</dd>
        </>
      ) : null}
      {n.applicationTerms ? (
        <>
          <dt>{t.terms}</dt>
          <dd lang={zhPart(ctx)} class="wrap-anywhere">
            {n.applicationTerms}
          </dd>
        </>
      ) : null}
      <dt>{t.noticeDate}</dt>
      <dd>
        <time dateTime={n.noticeDate}>{n.noticeDate}</time>
      </dd>
    </dl>
  );
}

/** The notice on top of a discontinued dataset's page. */
export function NoticeBox({ ctx, n, discontinued }: { ctx: PageCtx; n: Notice; discontinued: boolean }) {
  const t = discMessages(ctx.lang);
  return (
    <section class="notice-box" aria-labelledby="notice-heading">
      <h2 id="notice-heading">{t.noticeHeading}</h2>
      {discontinued ? <p>{t.discontinuedLead}</p> : null}
      <NoticeFacts ctx={ctx} n={n} />
    </section>
  );
}

/** "How to apply" for a dataset provided on application: terms, fee, revocability, contact. */
export function HowToApplyBox({ ctx, d }: { ctx: PageCtx; d: Dataset }) {
  const t = discMessages(ctx.lang);
  const contact = [d.publisherContactName, d.publisherContactPhone, d.publisherContactEmail].filter((x): x is string => !!x);
  return (
    <section class="apply-box" aria-labelledby="apply-heading">
      <h2 id="apply-heading">{t.applyHeading}</h2>
      <p>{t.applyLead}</p>
      <dl class="notice-facts">
        <dt>{t.terms}</dt>
        <dd lang={zhPart(ctx)} class="wrap-anywhere">
          {d.applicationTerms ?? ctx.m.notGiven}
        </dd>
        <dt>{t.cost}</dt>
        <dd lang={zhPart(ctx)}>{d.cost}</dd>
        {d.costUrl ? (
          <>
            <dt>{t.costUrl}</dt>
            <dd class="wrap-anywhere">
              <a href={d.costUrl}>{d.costUrl}</a>
            </dd>
          </>
        ) : null}
        {d.costLaw ? (
          <>
            <dt>{t.costLaw}</dt>
            <dd lang={zhPart(ctx)}>{d.costLaw}</dd>
          </>
        ) : null}
        <dt>{t.revocable}</dt>
        <dd>{d.revocable ? t.revocableYes : t.revocableNo}</dd>
        {contact.length > 0 ? (
          <>
            <dt>{t.contact}</dt>
            <dd lang={zhPart(ctx)}>
              {d.publisherName}
              {ctx.m.colon}
              {d.publisherContactName ? <span>{d.publisherContactName} </span> : null}
              {d.publisherContactPhone ? <span>{d.publisherContactPhone} </span> : null}
              {d.publisherContactEmail ? <a href={`mailto:${d.publisherContactEmail}`}>{d.publisherContactEmail}</a> : null}
            </dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}

/** /discontinued: every notice, newest first. */
export function DiscontinuedPage({ ctx, notices }: { ctx: PageCtx; notices: Notice[] }) {
  const t = discMessages(ctx.lang);
  return (
    <Layout ctx={ctx} title={t.title} nav="none">
      <div class="container">
        <Breadcrumb ctx={ctx} trail={[{ href: '/', label: ctx.m.navHome }, { label: t.title }]} />
        <h1>{t.title}</h1>
        <p>{t.lead}</p>
        <p>
          <a href={ctx.href('/datasets', { state: 'discontinued' })}>{t.searchDiscontinued}</a>
        </p>
        {notices.length === 0 ? (
          <p class="empty">{t.none}</p>
        ) : (
          <ol class="notice-list">
            {notices.map((n) => (
              <li>
                <article aria-labelledby={`notice-${n.id}`}>
                  <h2 id={`notice-${n.id}`}>
                    <a href={ctx.href(`/datasets/${encodeURIComponent(n.datasetName)}`)} lang={zhPart(ctx)}>
                      {n.title}
                    </a>
                  </h2>
                  <NoticeFacts ctx={ctx} n={n} />
                </article>
              </li>
            ))}
          </ol>
        )}
      </div>
    </Layout>
  );
}

/** The download route's answer when there is nothing to download: 410 with the notice, or 403 with how to apply. */
export function UnavailablePage({ ctx, d, why }: { ctx: PageCtx; d: Dataset; why: 'gone' | 'on_application' }) {
  const t = discMessages(ctx.lang);
  const title = datasetTitle(d, ctx.lang);
  const heading = why === 'gone' ? t.goneTitle : t.onApplicationTitle;
  return (
    <Layout ctx={ctx} title={heading} nav="none" demo={d.isDemo}>
      <div class="container">
        <div class="error-page">
          <h1>{heading}</h1>
          <p>{why === 'gone' ? t.goneLead(title) : t.onApplicationLead(title)}</p>
          {why === 'gone' && d.notice ? <NoticeBox ctx={ctx} n={d.notice} discontinued={false} /> : null}
          {why === 'on_application' ? <HowToApplyBox ctx={ctx} d={d} /> : null}
          <p class="code">
            {ctx.m.errorCode}
            {ctx.m.colon}
            <code>{why === 'gone' ? 'DATASET_DISCONTINUED' : 'ON_APPLICATION'}</code>
          </p>
          <div class="actions">
            <a class="button" href={ctx.href(`/datasets/${encodeURIComponent(d.name)}`)}>
              {t.backToDataset}
            </a>
            {why === 'gone' ? (
              <a class="button button-secondary" href={ctx.href('/discontinued')}>
                {t.allNotices}
              </a>
            ) : null}
          </div>
        </div>
      </div>
    </Layout>
  );
}
