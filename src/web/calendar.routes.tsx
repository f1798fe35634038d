import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, notFound } from '../errors.ts';
import { langOf } from '../i18n.ts';
import { tasksToIcs } from '../modules/calendar/ics.ts';
import { assertCan, can } from '../modules/policy/policy.ts';
import type { User } from '../modules/users/users.service.ts';
import { taipeiDate } from '../time.ts';
import { signedIn } from './account.routes.tsx';
import { pageCtx } from './context.ts';
import { unitTitle } from './format.ts';
import { CALENDAR_CSS, CALENDAR_CSS_ETAG, CalendarYearPage } from './pages/calendar.tsx';
import { CalendarFileError } from '../modules/calendar/working-days.ts';
import { ManageCalendarPage, manageCalendarWords, readTaskForm, taskErrors, toTaskInput, WD_FIELD, type TaskFormValues } from './pages/manage/calendar.tsx';
import { sendPage } from './respond.ts';

const YearParams = Type.Object({ year: Type.String({ maxLength: 20 }) });
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
const LangQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 10 })) });
const ManageQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 10 })), year: Type.Optional(Type.String({ maxLength: 10 })), done: Type.Optional(Type.String({ maxLength: 20 })) });
const Csrf = { _csrf: Type.Optional(Type.String({ maxLength: 200 })) };
const Text = (max: number) => Type.Optional(Type.String({ maxLength: max }));
/** The task form; lengths generous (the service names what is too long, at the field). */
const TaskBody = Type.Object({
  year: Text(10),
  title: Text(1000),
  titleEn: Text(1000),
  description: Text(10000),
  ownerLabel: Text(1000),
  ownerUnits: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Array(Type.String({ maxLength: 200 }), { maxItems: 100 })])),
  startsOn: Text(40),
  dueOn: Text(40),
  ...Csrf,
});
const CsrfBody = Type.Object(Csrf);
/** The working-day calendar pasted as JSON (a year's file is a few kB). */
const WorkingDaysBody = Type.Object({ year: Text(10), json: Text(200_000), ...Csrf });

/** A four-digit year in the path, else 404 (an unknown page, not a bad request). */
const yearOf = (raw: string): number => {
  if (!/^\d{4}$/.test(raw)) throw notFound('calendar', '行事曆', raw);
  return Number(raw);
};
/** Form errors a clerk fixes at the field; others become error pages. */
const isFormError = (err: unknown): err is AppError & { details: Record<string, string[]> } => err instanceof AppError && err.details !== undefined && err.status === 400;

/**
 * The annual work calendar (issue 6): the public year page and its iCalendar feed, and the
 * admin's back-office page. Registered inside the web plugin, so errors render as pages. The
 * rules are CalendarTasksService's; handlers pick pages.
 */
export const calendarWebRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { calendarTasks, calendar, units, config } = app.services;

  /** This year's tasks exist (made from the plan on first view); an unknown year is 404. */
  const openYear = async (year: number): Promise<void> => {
    if (!(await calendarTasks.viewable(year))) throw notFound('calendar', '行事曆', String(year));
    await calendarTasks.ensureYear(year);
  };
  /** Years to link to: those with tasks, this year and the next. */
  const linkYears = async (): Promise<number[]> => {
    const current = Number(taipeiDate().slice(0, 4));
    return [...new Set([...(await calendarTasks.years()), current, current + 1])].sort((a, b) => a - b);
  };

  app.get('/assets/calendar.css', { schema: { hide: true, querystring: Type.Object({ v: Type.Optional(Type.String({ maxLength: 40 })) }) } }, async (req, reply) => {
    void reply.header('cache-control', req.query.v === CALENDAR_CSS_ETAG.slice(1, -1) ? 'public, max-age=31536000, immutable' : 'public, max-age=3600').header('etag', CALENDAR_CSS_ETAG);
    if (req.headers['if-none-match'] === CALENDAR_CSS_ETAG) return reply.status(304).send();
    return reply.type('text/css; charset=utf-8').send(CALENDAR_CSS);
  });

  app.get('/calendar', { schema: { hide: true, querystring: LangQuery } }, async (req, reply) => reply.redirect(pageCtx(req, config).href(`/calendar/${taipeiDate().slice(0, 4)}`), 302));

  app.get('/calendar/:year', { schema: { hide: true, params: YearParams, querystring: LangQuery } }, async (req, reply) => {
    const year = yearOf(req.params.year);
    await openYear(year);
    const today = taipeiDate();
    const cal = await calendar.calendar();
    const tasks = await calendarTasks.view(year, today, cal);
    return sendPage(req, reply, 200, <CalendarYearPage ctx={pageCtx(req, config)} year={year} tasks={tasks} today={today} years={await linkYears()} workingDaysKnown={cal.known(year)} canManage={can(req.user, 'calendar.manage')} />);
  });

  app.get('/calendar/:year.ics', { schema: { hide: true, params: YearParams } }, async (req, reply) => {
    const year = yearOf(req.params.year);
    await openYear(year);
    const body = tasksToIcs(await calendarTasks.list(year), { year, baseUrl: config.baseUrl, agency: config.agency.title });
    // Calendar apps poll the feed: the same tasks give the same bytes, so an ETag answers most polls with 304.
    const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
    void reply.header('etag', etag).header('cache-control', 'public, max-age=300');
    if (req.headers['if-none-match'] === etag) return reply.status(304).send();
    return reply.type('text/calendar; charset=utf-8').header('content-disposition', `inline; filename="calendar-${year}.ics"`).header('x-content-type-options', 'nosniff').send(body);
  });

  /* ---- Back office: the admin's page ---- */

  const unitOptions = async (lang: 'zh-TW' | 'en') => (await units.list()).filter((u) => u.kind === 'unit').map((u) => ({ value: u.name, label: unitTitle(u, lang) }));

  const managePage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    user: User,
    year: number,
    status: number,
    extra: { failed?: { formId: string; values: TaskFormValues; errors: ReturnType<typeof taskErrors> }; done?: string; wdForm?: { value: string; errors: ReturnType<typeof taskErrors> } },
  ) => {
    assertCan(user, 'calendar.manage');
    await openYear(year);
    const lang = langOf(req);
    const cal = await calendar.calendar();
    const workingYears = await calendar.years();
    const tasks = await calendarTasks.view(year, taipeiDate(), cal);
    // The years the page's deadlines fall in, and the next one, whose working days should be loaded.
    const wanted = new Set([year, year + 1, ...tasks.map((t) => Number(t.dueOn.slice(0, 4)))]);
    const missingYears = [...wanted].filter((y) => !cal.known(y)).sort();
    return sendPage(req, reply, status, <ManageCalendarPage ctx={pageCtx(req, config)} year={year} years={await linkYears()} tasks={tasks} units={await unitOptions(lang)} workingYears={workingYears} missingYears={missingYears} {...extra} />);
  };

  app.get('/manage/calendar', { schema: { hide: true, querystring: ManageQuery } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    assertCan(user, 'calendar.manage');
    const year = req.query.year ? yearOf(req.query.year) : Number(taipeiDate().slice(0, 4));
    return managePage(req, reply, user, year, 200, { done: req.query.done });
  });

  const back = (req: FastifyRequest, reply: FastifyReply, year: number, done: string) => reply.redirect(pageCtx(req, config).href('/manage/calendar', { year, done }), 303);

  app.post('/manage/calendar/tasks', { schema: { hide: true, querystring: LangQuery, body: TaskBody } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    assertCan(user, 'calendar.manage');
    const year = yearOf(req.body.year ?? '');
    const values = readTaskForm(req.body);
    try {
      await calendarTasks.add(year, toTaskInput(values), user);
    } catch (err) {
      if (isFormError(err)) return managePage(req, reply, user, year, 400, { failed: { formId: 'new', values, errors: taskErrors('new', err.details, langOf(req)) } });
      throw err;
    }
    return back(req, reply, year, 'added');
  });

  app.post('/manage/calendar/tasks/:id', { schema: { hide: true, params: IdParams, querystring: LangQuery, body: TaskBody } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    assertCan(user, 'calendar.manage');
    const task = await calendarTasks.get(req.params.id);
    const values = readTaskForm(req.body);
    try {
      await calendarTasks.update(task.id, toTaskInput(values), user);
    } catch (err) {
      const formId = `t-${task.id}`;
      if (isFormError(err)) return managePage(req, reply, user, task.year, 400, { failed: { formId, values, errors: taskErrors(formId, err.details, langOf(req)) } });
      throw err;
    }
    return back(req, reply, task.year, 'saved');
  });

  app.post('/manage/calendar/working-days', { schema: { hide: true, querystring: LangQuery, body: WorkingDaysBody } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    assertCan(user, 'calendar.manage');
    const year = /^\d{4}$/.test(req.body.year ?? '') ? Number(req.body.year) : Number(taipeiDate().slice(0, 4));
    const lang = langOf(req);
    const w = manageCalendarWords(lang);
    const value = req.body.json ?? '';
    const refuse = (messages: string[]) => managePage(req, reply, user, year, 400, { wdForm: { value, errors: messages.map((message) => ({ id: WD_FIELD, label: w.wdJson, message })) } });
    let raw: unknown;
    try {
      raw = JSON.parse(value);
    } catch (err) {
      return refuse([w.wdBadJson(err instanceof Error ? err.message : String(err))]);
    }
    try {
      await calendar.loadAs(user, raw);
    } catch (err) {
      if (err instanceof CalendarFileError) return refuse(err.problems.map((p) => (lang === 'en' ? p.en : p.zh)));
      throw err;
    }
    return back(req, reply, year, 'loaded');
  });

  for (const [verb, done] of [
    ['done', 'done'],
    ['reopen', 'reopened'],
    ['remove', 'removed'],
  ] as const) {
    app.post(`/manage/calendar/tasks/:id/${verb}`, { schema: { hide: true, params: IdParams, querystring: LangQuery, body: CsrfBody } }, async (req, reply) => {
      const user = signedIn(req, reply);
      if (!user) return reply;
      assertCan(user, 'calendar.manage');
      const task = await calendarTasks.get(req.params.id);
      if (verb === 'done') await calendarTasks.markDone(task.id, user);
      else if (verb === 'reopen') await calendarTasks.reopen(task.id, user);
      else await calendarTasks.remove(task.id, user);
      return back(req, reply, task.year, done);
    });
  }
};
