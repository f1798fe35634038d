import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../errors.ts';
import { taipeiDate } from '../../time.ts';

const ErrorSchema = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()))) }) });
const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema };
const Ledger = Type.Array(
  Type.Object({
    stage: Type.Union([Type.Literal('reminder'), Type.Literal('overdue'), Type.Literal('escalated')]),
    asOf: Type.String({ description: '寄出日（每日作業的日期）the day it was sent (as of)' }),
    sent: Type.Integer({ description: '收件人數 recipients' }),
  }),
  { description: '已寄出的提醒與逾期通知 the reminders and escalations sent so far' },
);
const Late = {
  daysLate: Type.Integer({ description: '逾期日數（日曆天）days late (calendar days)' }),
  workingDaysLate: Type.Integer({ description: '逾期工作天數 working days late' }),
  followups: Ledger,
};
export const OverdueSchema = Type.Object({
  asOf: Type.String(),
  units: Type.Array(
    Type.Object({
      unit: Type.String(),
      title: Type.String(),
      titleEn: Type.String(),
      datasets: Type.Array(
        Type.Object({
          id: Type.String(),
          name: Type.String(),
          title: Type.String(),
          unit: Type.String(),
          frequency: Type.String({ description: '更新頻率' }),
          lastUpdate: Type.String({ description: '最後更新 last update' }),
          due: Type.String({ description: '應更新日 the update was due by' }),
          ...Late,
        }),
      ),
      items: Type.Array(
        Type.Object({
          id: Type.String(),
          name: Type.String(),
          year: Type.Integer(),
          unit: Type.String(),
          plannedDate: Type.String({ description: '預定開放日 planned opening date' }),
          datasetName: Type.Union([Type.String(), Type.Null()]),
          ...Late,
        }),
      ),
    }),
  ),
});

/** The overdue follow-up list (issue 6) under /api/v1: late datasets and schedule items by unit, with the reminders sent. */
export const followupRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/followup/overdue',
    {
      schema: {
        tags: ['followup'],
        summary: '逾期跟催 Late datasets (update overdue) and opening-schedule items by unit, days late in calendar and working days, with the reminders sent so far; contacts and reviewers see their unit, the window, the head and the CIO every unit',
        security: [{ bearer: [] }],
        querystring: Type.Object({ asOf: Type.Optional(Type.String({ maxLength: 20, description: '日期 YYYY-MM-DD（預設今天，臺北時間）the day (default today in Taipei)' })) }),
        response: { 200: OverdueSchema, ...errors },
      },
    },
    async (req) => {
      if (!req.user) throw new AppError('UNAUTHENTICATED', 401, '需要登入或 API 權杖', 'Authentication required: sign in or send an API token');
      return app.services.followup.overdue(req.query.asOf ?? taipeiDate(), req.user);
    },
  );
};
