import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { notFound } from '../../errors.ts';
import { taipeiDate } from '../../time.ts';
import { TASK_STATUSES } from './tasks.service.ts';

const ErrorSchema = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) });
const tags = ['calendar'];
const YearParams = Type.Object({ year: Type.String({ pattern: '^\\d{4}$', description: '西元年 Gregorian year, e.g. 2026' }) });
const Task = Type.Object({
  key: Type.String({ description: '工作項目代碼（同年內不變；.ics 的 UID 由此而來）stable key within the year (the .ics UID is built from it)' }),
  title: Type.String(),
  titleEn: Type.String(),
  description: Type.String(),
  ownerLabel: Type.String({ description: '主／協辦單位 who is in charge, as the plan writes it' }),
  ownerUnits: Type.Array(Type.String(), { description: '提醒的單位代稱（空白＝各單位）unit names reminded ([] = every unit)' }),
  startsOn: Type.String({ format: 'date' }),
  dueOn: Type.String({ format: 'date' }),
  status: Type.Union(TASK_STATUSES.map((s) => Type.Literal(s))),
  workingDaysLeft: Type.Integer({ description: '至截止日的工作天（逾期為負）working days to the deadline (negative when late)' }),
  doneAt: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
  added: Type.Boolean({ description: '管理者新增（非行動方案所列）added by the admin, not from the plan' }),
});

/**
 * The annual work calendar (年度行事曆, issue 6) under /api/v1: a year's tasks with their status
 * as of today (Taipei), public like the year page. The iCalendar feed is /calendar/<year>.ics.
 */
export const calendarRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { calendarTasks } = app.services;

  app.get(
    '/calendar/:year',
    {
      schema: {
        tags,
        summary: '年度行事曆 The annual work calendar of a year: the action plan’s tasks with owner, dates and status (counted in working days)',
        params: YearParams,
        response: { 200: Type.Object({ year: Type.Integer(), asOf: Type.String({ format: 'date' }), ics: Type.String(), tasks: Type.Array(Task) }), 400: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (req) => {
      const year = Number(req.params.year);
      if (!(await calendarTasks.viewable(year))) throw notFound('calendar', '行事曆', req.params.year);
      await calendarTasks.ensureYear(year);
      const asOf = taipeiDate();
      const tasks = await calendarTasks.view(year, asOf);
      return {
        year,
        asOf,
        ics: `${app.services.config.baseUrl.replace(/\/$/, '')}/calendar/${year}.ics`,
        tasks: tasks.map((t) => ({ key: t.key, title: t.title, titleEn: t.titleEn, description: t.description, ownerLabel: t.ownerLabel, ownerUnits: t.ownerUnits, startsOn: t.startsOn, dueOn: t.dueOn, status: t.status, workingDaysLeft: t.workingDaysLeft, doneAt: t.doneAt, added: t.added })),
      };
    },
  );
};
