import { PassThrough } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../errors.ts';
import { langOf } from '../i18n.ts';
import { writeCsv } from '../modules/export/text-formats.ts';
import { checkAsOf } from '../modules/followup/followup.service.ts';
import { taipeiDate } from '../time.ts';
import { signedIn } from './account.routes.tsx';
import { pageCtx } from './context.ts';
import { FollowupPage, overdueTable } from './pages/manage/followup.tsx';
import { sendPage } from './respond.ts';

const Query = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 10 })), asOf: Type.Optional(Type.String({ maxLength: 40 })) });

/**
 * The overdue follow-up page (逾期跟催, issue 6) and its CSV. FollowupService.overdue checks who
 * may see which unit; a wrong date is told at its field.
 */
export const followupWebRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { config, followup } = app.services;

  app.get('/manage/followup', { schema: { hide: true, querystring: Query } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const ctx = pageCtx(req, config);
    const asked = req.query.asOf?.trim() || taipeiDate();
    try {
      checkAsOf(asked);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      // Who may not read the list hears that first, not about the date.
      await followup.readableUnits(user);
      return sendPage(req, reply, 400, <FollowupPage ctx={ctx} asOf={asked} error={ctx.lang === 'en' ? err.en : err.zh} />);
    }
    const report = await followup.overdue(asked, user);
    return sendPage(req, reply, 200, <FollowupPage ctx={ctx} asOf={report.asOf} report={report} />);
  });

  app.get('/manage/followup.csv', { schema: { hide: true, querystring: Query } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const report = await followup.overdue(req.query.asOf?.trim() || taipeiDate(), user);
    const table = overdueTable(report, langOf(req));
    const out = new PassThrough();
    void reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="followup-${report.asOf}.csv"`)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, no-cache');
    writeCsv(
      table.columns,
      (async function* () {
        yield* table.rows;
      })(),
      out,
      { bom: true },
    ).catch((err: unknown) => out.destroy(err as Error));
    return reply.send(out);
  });
};
