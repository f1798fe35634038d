import { PassThrough } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import { langOf, type Lang } from '../i18n.ts';
import { writeOds } from '../modules/export/ods.ts';
import { writeCsv } from '../modules/export/text-formats.ts';
import { INDICATOR_IDS, type IndicatorId } from '../modules/quality/indicators.ts';
import type { PeriodSummary } from '../modules/quality/quality.repository.ts';
import { QualityViewsService } from '../modules/quality/quality-views.service.ts';
import { can } from '../modules/policy/policy.ts';
import type { User } from '../modules/users/users.service.ts';
import type { Services } from '../services.ts';
import { signedIn } from './account.routes.tsx';
import { pageCtx } from './context.ts';
import { unitTitle } from './format.ts';
import type { StatusView } from './manage-data.routes.tsx';
import { manageHref } from './pages/manage/common.tsx';
import { StatusPage } from './pages/manage/status.tsx';
import { QualityReportPage, reportTable } from './pages/quality-report.tsx';
import { qualityAnchor } from './pages/quality-section.tsx';
import { qualityWords } from './pages/quality-words.ts';
import { sendPage } from './respond.ts';

const views = new WeakMap<Services, QualityViewsService>();
/** The quality pages' access rules and data (one per set of services). */
export function qualityViews(s: Services): QualityViewsService {
  let v = views.get(s);
  if (!v) views.set(s, (v = new QualityViewsService(s.quality, s.catalogue, s.datastore, s.jobs, s.units, s.users)));
  return v;
}

const NameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) });
const LangQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 10 })) });
const Csrf = { _csrf: Type.Optional(Type.String({ maxLength: 200 })) };
const CheckBody = Type.Object({ resourceId: Type.String({ minLength: 1, maxLength: 200 }), from: Type.Optional(Type.String({ maxLength: 10 })), ...Csrf });
const OverrideBody = Type.Object({
  resourceId: Type.String({ minLength: 1, maxLength: 200 }),
  indicator: Type.String({ minLength: 1, maxLength: 40 }),
  reason: Type.Optional(Type.String({ maxLength: 5000 })),
  ...Csrf,
});
const PERIOD = '^\\d{4}H[12]$';
const ReportQuery = Type.Object({
  lang: Type.Optional(Type.String({ maxLength: 10 })),
  unit: Type.Optional(Type.String({ maxLength: 200 })),
  period: Type.Optional(Type.String({ maxLength: 10, pattern: PERIOD })),
});

/**
 * Where people see quality (issue 5) in the back office: "check again", the reviewer's override
 * of a personal-data failure, and the unit and agency reports with their CSV/ODS downloads. The
 * dataset page's and the status page's sections are rendered by their own pages; the access
 * rules are QualityViewsService's and QualityService's. Registered inside manageWebRoutes, so
 * errors render as pages.
 */
export const qualityWebRoutes: FastifyPluginAsyncTypebox<{ statusView: (user: User, name: string, lang: Lang) => Promise<StatusView> }> = async (app, opts) => {
  const services = app.services;
  const { config, quality } = services;
  const qv = qualityViews(services);

  app.post('/manage/datasets/:name/quality/check', { schema: { hide: true, params: NameParams, querystring: LangQuery, body: CheckBody } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const d = await qv.checkAgain(user, req.params.name, req.body.resourceId);
    const ctx = pageCtx(req, config);
    const anchor = `#quality-${qualityAnchor(req.body.resourceId)}`;
    // Back where the button was: the public page (published datasets) or the status page.
    if (req.body.from === 'public' && d.state === 'published') return reply.redirect(`${ctx.href(`/datasets/${encodeURIComponent(d.name)}`, { quality: 'queued' })}${anchor}`, 303);
    return reply.redirect(`${ctx.href(manageHref(d.name), { done: 'qualityQueued' })}${anchor}`, 303);
  });

  app.post('/manage/datasets/:name/quality/override', { schema: { hide: true, params: NameParams, querystring: LangQuery, body: OverrideBody } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const lang = langOf(req);
    const ctx = pageCtx(req, config);
    // The status page is the access check (404 for who may not see the dataset's work).
    const view = await opts.statusView(user, req.params.name, lang);
    const { resourceId } = req.body;
    const reason = req.body.reason ?? '';
    const w = qualityWords(lang);
    const again = (status: number, error: string) => sendPage(req, reply, status, <StatusPage ctx={ctx} {...view} overrideForm={{ resourceId, reason, error }} />);
    const which = (INDICATOR_IDS as readonly string[]).includes(req.body.indicator) ? (req.body.indicator as IndicatorId) : undefined;
    if (!which) throw new AppError('BAD_REQUEST', 400, `沒有指標 ${req.body.indicator}`, `no indicator ${req.body.indicator}`);
    // Whoever may override and left the reason short hears it at the field; anyone else gets the service's answer.
    if (view.quality?.canOverride && view.quality.resources.some((r) => r.resourceId === resourceId) && reason.trim().length < 10) return again(400, w.overrideTooShort);
    try {
      await quality.override(user, view.dataset.name, resourceId, which, reason);
    } catch (err) {
      if (err instanceof AppError && (err.status === 400 || err.status === 409) && view.quality?.canOverride) return again(err.status, lang === 'en' ? err.en : err.zh);
      throw err;
    }
    return reply.redirect(`${ctx.href(manageHref(view.dataset.name), { done: 'qualityOverride' })}#quality-${qualityAnchor(resourceId)}`, 303);
  });

  /* ---- Reports ---- */

  const unitNames = async (lang: Lang) => {
    const all = await services.units.list({ includeExternal: true });
    const byId = new Map(all.map((u) => [u.id, u]));
    return (id: string | null): string => {
      if (id === null) return lang === 'en' ? 'Whole agency' : '全機關';
      const u = byId.get(id);
      return u ? unitTitle(u, lang) : id;
    };
  };

  /** A report table streamed through the export writers (text cells formula-neutralised). */
  const download = async (req: FastifyRequest, reply: FastifyReply, format: 'csv' | 'ods', base: string, rows: PeriodSummary[]) => {
    const lang = langOf(req);
    const table = reportTable(rows, lang, await unitNames(lang));
    const out = new PassThrough();
    void reply
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.oasis.opendocument.spreadsheet')
      .header('content-disposition', `attachment; filename="${base.replace(/[^\x20-\x7e]|"/g, '_')}.${format}"`)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, no-cache');
    const write = format === 'csv' ? writeCsv(table.columns, (async function* () { yield* table.rows; })(), out, { bom: true }) : writeOds(table.columns, table.rows, out, { sheetName: base });
    write.catch((err: unknown) => out.destroy(err as Error));
    return reply.send(out);
  };
  const inPeriod = (rows: PeriodSummary[], period: string | undefined) => (period ? rows.filter((r) => r.period === period) : rows);

  app.get('/manage/quality', { schema: { hide: true, querystring: ReportQuery } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const r = await qv.unitReport(user, req.query.unit);
    return sendPage(req, reply, 200, <QualityReportPage ctx={pageCtx(req, config)} kind="unit" periods={r.periods} period={req.query.period} unit={r.unit} choices={r.choices} agencyLink={can(user, 'quality.report_agency')} />);
  });

  app.get('/manage/quality/agency', { schema: { hide: true, querystring: ReportQuery } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const r = await qv.agencyReport(user);
    return sendPage(req, reply, 200, <QualityReportPage ctx={pageCtx(req, config)} kind="agency" periods={r.periods} period={req.query.period} byUnit={r.byUnit} units={r.units} />);
  });

  for (const format of ['csv', 'ods'] as const) {
    app.get(`/manage/quality.${format}`, { schema: { hide: true, querystring: ReportQuery } }, async (req, reply) => {
      const user = signedIn(req, reply);
      if (!user) return reply;
      const r = await qv.unitReport(user, req.query.unit);
      return download(req, reply, format, `quality-${r.unit.name}${req.query.period ? `-${req.query.period}` : ''}`, inPeriod(r.periods, req.query.period));
    });
    app.get(`/manage/quality/agency.${format}`, { schema: { hide: true, querystring: ReportQuery } }, async (req, reply) => {
      const user = signedIn(req, reply);
      if (!user) return reply;
      const r = await qv.agencyReport(user);
      // The agency's rows first in each half-year, then its units'.
      const rows = [...r.periods, ...r.byUnit].sort((a, b) => a.period.localeCompare(b.period) || (a.unitId === null ? -1 : b.unitId === null ? 1 : 0));
      return download(req, reply, format, `quality-agency${req.query.period ? `-${req.query.period}` : ''}`, inPeriod(rows, req.query.period));
    });
  }

};
