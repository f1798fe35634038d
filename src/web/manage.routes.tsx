import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import { langOf, type Lang } from '../i18n.ts';
import type { DatasetInput } from '../modules/catalogue/catalogue.schemas.ts';
import { normalizeDatasetInput, validateDataset } from '../modules/catalogue/catalogue.validation.ts';
import { assertCan, can, type Action } from '../modules/policy/policy.ts';
import type { User } from '../modules/users/users.service.ts';
import { signedIn } from './account.routes.tsx';
import { pageCtx } from './context.ts';
import { unitTitle } from './format.ts';
import { DashboardPage } from './pages/manage/dashboard.tsx';
import { emptyResource, emptyValues, formErrors, readForm, toInput, valuesOf, type FieldError, type FormValues, type Option } from './pages/manage/dataset-form.tsx';
import { EditorPage } from './pages/manage/editor.tsx';
import { manageMessages } from './pages/manage/manage-messages.ts';
import { StatusPage, type DiscontinuationView, type StatusActions } from './pages/manage/status.tsx';
import { emptyProposal, ProposalPage, proposalErrors, readProposal, toProposal } from './pages/manage/discontinue.tsx';
import type { Dataset } from '../modules/catalogue/catalogue.schemas.ts';
import { sendPage } from './respond.ts';
import { dataFilesOf, manageDataRoutes } from './manage-data.routes.tsx';
import { taipeiDate } from '../time.ts';
import { qualityViews, qualityWebRoutes } from './quality.routes.tsx';

const LangQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 10 })) });
const StatusQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 10 })), done: Type.Optional(Type.String({ maxLength: 20 })) });
const NameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) });
const Csrf = { _csrf: Type.Optional(Type.String({ maxLength: 200 })) };
/** The editor posts flat names (title, r0.format …); dataset-form.tsx reads them, the services validate. */
const EditorBody = Type.Object(Csrf, { additionalProperties: true });
const CommentBody = Type.Object({ comment: Type.Optional(Type.String({ maxLength: 5000 })), ...Csrf });
/** The proposal form (discontinue.tsx reads it); lengths as the API allows. */
const ProposalBody = Type.Object(
  {
    kind: Type.Optional(Type.String({ maxLength: 40 })),
    reasons: Type.Optional(Type.String({ maxLength: 5000 })),
    meetingDate: Type.Optional(Type.String({ maxLength: 20 })),
    resolution: Type.Optional(Type.String({ maxLength: 5000 })),
    applicationTerms: Type.Optional(Type.String({ maxLength: 5000 })),
    revocable: Type.Optional(Type.String({ maxLength: 10 })),
    withholdingBasis: Type.Optional(Type.String({ maxLength: 1000 })),
    ...Csrf,
  },
  { additionalProperties: true },
);
const ProposalParams = Type.Object({ pid: Type.String({ minLength: 1, maxLength: 200 }) });
const DASHBOARD_LIMIT = 500;
const DONE = new Set(['created', 'saved', 'submitted', 'approved', 'approvedWithheld', 'returned', 'proposed', 'discApproved', 'discRejected', 'withdrawn', 'qualityQueued', 'qualityOverride']);

/** Errors a clerk fixes in the form (invalid values, a name or resource id taken, a state that changed meanwhile); others become error pages. */
const isFormError = (err: unknown): err is AppError => err instanceof AppError && err.details !== undefined && (err.status === 400 || err.status === 409);

/**
 * The back office (/manage): dashboard, dataset editor and the status / review page, over the
 * review gate. The services check access; these handlers only choose which buttons to show.
 */
export const manageWebRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { review, catalogue, units, config, discontinuation } = app.services;

  /** Units offered in the unit select: those `action` is allowed in (plus `keep`, the dataset's own). */
  const unitOptions = async (user: User, action: 'dataset.create' | 'dataset.edit', lang: Lang, keep?: string): Promise<Option[]> => {
    // Other agencies' units (from national-list imports) keep their datasets but take no new ones here.
    const all = await units.list({ includeExternal: true });
    return all.filter((u) => u.name === keep || (u.kind !== 'external' && can(user, action, { unit: u.name }))).map((u) => ({ value: u.name, label: unitTitle(u, lang) }));
  };

  const unitError = async (values: FormValues, options: Option[], user: User, action: 'dataset.create' | 'dataset.edit'): Promise<Record<string, string[]>> => {
    if (options.some((o) => o.value === values.fields.unit)) return {};
    // A real unit the select never offered is a forged post: the policy's 403, as the API would
    // answer. An unknown one is a field error.
    const name = values.fields.unit?.trim() ?? '';
    const known = name !== '' && (await units.list({ includeExternal: true })).some((u) => u.name === name);
    if (known) assertCan(user, action, { unit: name });
    return { unit: [`${manageMessages('zh-TW').unitNotAllowed} / ${manageMessages('en').unitNotAllowed}`] };
  };

  /** Errors found before the service is asked (numbers that are not numbers, a unit not offered), with the national checks for a complete list. */
  const localErrors = (input: DatasetInput, found: Record<string, string[]>): Record<string, string[]> => {
    if (Object.keys(found).length === 0) return found;
    const { errors } = validateDataset(normalizeDatasetInput(input));
    // What the form found replaces the national check's message for the same field.
    return { ...errors, ...found };
  };

  app.get('/manage', { schema: { hide: true, querystring: LangQuery } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const ctx = pageCtx(req, config);
    const [tasks, datasets, all] = await Promise.all([review.tasks(user), review.unitDatasets(user, DASHBOARD_LIMIT), units.list({ includeExternal: true })]);
    const titles = new Map(all.map((u) => [u.name, unitTitle(u, ctx.lang)]));
    const canCreate = all.some((u) => can(user, 'dataset.create', { unit: u.name }));
    // The back-office pages this person may open (an advisor, say, sees none of them).
    const anyUnit = (action: Action) => all.some((u) => can(user, action, { unit: u.name }));
    const links = { quality: user.roles.some((r) => r.role !== 'advisor'), inventory: anyUnit('inventory.read'), followup: anyUnit('followup.read'), calendar: can(user, 'calendar.manage') };
    return sendPage(req, reply, 200, <DashboardPage ctx={ctx} data={{ tasks, datasets, limit: DASHBOARD_LIMIT, canCreate, links, unitTitle: (n) => titles.get(n) ?? n }} />);
  });

  app.get('/manage/datasets/new', { schema: { hide: true, querystring: LangQuery } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const ctx = pageCtx(req, config);
    const options = await unitOptions(user, 'dataset.create', ctx.lang);
    if (options.length === 0) assertCan(user, 'dataset.create');
    return sendPage(req, reply, 200, <EditorPage ctx={ctx} values={emptyValues(options.length === 1 ? options[0].value : '')} errors={[]} units={options} />);
  });

  app.post('/manage/datasets/new', { schema: { hide: true, querystring: LangQuery, body: EditorBody } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const ctx = pageCtx(req, config);
    const options = await unitOptions(user, 'dataset.create', ctx.lang);
    if (options.length === 0) assertCan(user, 'dataset.create');
    const body = req.body as Record<string, unknown>;
    const values = readForm(body);
    const render = (status: number, errors: FieldError[]) => sendPage(req, reply, status, <EditorPage ctx={ctx} values={values} errors={errors} units={options} />);
    if (body.action === 'addResource') {
      values.resources.push(emptyResource());
      return render(200, []);
    }
    const parsed = toInput(values, undefined, ctx.lang);
    const local = localErrors(parsed.input, { ...parsed.errors, ...(await unitError(values, options, user, 'dataset.create')) });
    if (Object.keys(local).length > 0) return render(400, formErrors(local, parsed.blockOf, ctx.lang));
    const result = await review.createDraft(user, parsed.input).catch((err: unknown) => {
      if (isFormError(err)) return err;
      throw err;
    });
    if (result instanceof AppError) return render(result.status, formErrors(result.details ?? {}, parsed.blockOf, ctx.lang));
    const created = await catalogue.get(result.id, { includeNonPublic: true });
    return reply.redirect(ctx.href(`/manage/datasets/${encodeURIComponent(created.name)}`, { done: 'created' }), 303);
  });

  /** What the editor of an existing dataset starts from; refuses work under review or discontinued. */
  const editable = async (user: User, name: string) => {
    const { input, status } = await review.editableInput(user, name);
    const open = status.state === 'draft' || status.state === 'returned' || (status.state === 'published' && status.workingCopy?.state !== 'submitted');
    if (!open) {
      const state = status.workingCopy?.state === 'submitted' ? 'submitted' : status.state;
      throw new AppError('INVALID_TRANSITION', 409, `資料集目前為「${manageMessages('zh-TW').states[state] ?? state}」，不能編修`, `The dataset is ${state}; it cannot be edited now`);
    }
    return { input, status, dataset: { name: input.name ?? name, identifier: input.identifier ?? '', title: input.title, status } };
  };

  app.get('/manage/datasets/:name/edit', { schema: { hide: true, params: NameParams, querystring: LangQuery } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const ctx = pageCtx(req, config);
    const { input, dataset } = await editable(user, req.params.name);
    const options = await unitOptions(user, 'dataset.edit', ctx.lang, input.unit);
    return sendPage(req, reply, 200, <EditorPage ctx={ctx} values={valuesOf(input)} errors={[]} units={options} dataset={dataset} />);
  });

  app.post('/manage/datasets/:name/edit', { schema: { hide: true, params: NameParams, querystring: LangQuery, body: EditorBody } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const ctx = pageCtx(req, config);
    const { input: base, dataset } = await editable(user, req.params.name);
    const options = await unitOptions(user, 'dataset.edit', ctx.lang, base.unit);
    const body = req.body as Record<string, unknown>;
    const values = readForm(body);
    const render = (status: number, errors: FieldError[]) => sendPage(req, reply, status, <EditorPage ctx={ctx} values={values} errors={errors} units={options} dataset={dataset} />);
    if (body.action === 'addResource') {
      values.resources.push(emptyResource());
      return render(200, []);
    }
    const parsed = toInput(values, base, ctx.lang);
    const local = localErrors(parsed.input, { ...parsed.errors, ...(await unitError(values, options, user, 'dataset.edit')) });
    if (Object.keys(local).length > 0) return render(400, formErrors(local, parsed.blockOf, ctx.lang));
    const result = await review.edit(user, dataset.name, parsed.input).catch((err: unknown) => {
      if (isFormError(err)) return err;
      throw err;
    });
    if (result instanceof AppError) return render(result.status, formErrors(result.details ?? {}, parsed.blockOf, ctx.lang));
    return reply.redirect(ctx.href(`/manage/datasets/${encodeURIComponent(dataset.name)}`, { done: 'saved' }), 303);
  });

  /** Everything the status page shows; the diff is the access check (404 for hidden work, 403 otherwise). */
  const statusView = async (user: User, name: string, lang: Lang) => {
    const diff = await review.diff(user, name);
    const [dataset, submission, all] = await Promise.all([catalogue.get(diff.id, { includeNonPublic: true }), review.submission(user, diff.id), units.list({ includeExternal: true })]);
    const titles = new Map(all.map((u) => [u.name, unitTitle(u, lang)]));
    const unit = dataset.unit.name;
    const copy = diff.workingCopy;
    const submittedBy = submission.submittedBy?.id ?? null;
    const underReview = diff.state === 'submitted' || copy?.state === 'submitted';
    const changeable = diff.state === 'draft' || diff.state === 'returned' || (diff.state === 'published' && copy?.state !== 'submitted');
    // As ReviewService.checkDecision decides: a new dataset submitted as withheld is the head's to
    // approve (dataset.approve_withholding); the unit reviewer may still return it.
    const withheld = diff.state === 'submitted' && dataset.provisionType === 'withheld';
    const decide = withheld ? 'dataset.approve_withholding' : 'dataset.approve';
    const actions: StatusActions = {
      edit: changeable && can(user, 'dataset.edit', { unit }),
      submit: changeable && (diff.state !== 'published' || copy !== undefined) && can(user, 'dataset.submit', { unit }),
      approve: underReview && can(user, decide, { unit, submittedBy }),
      return: underReview && (can(user, 'dataset.return', { unit, submittedBy }) || (withheld && can(user, 'dataset.approve_withholding', { unit, submittedBy }))),
      ownSubmission: underReview && submittedBy === user.id && can(user, decide, { unit }),
    };
    return {
      diff,
      dataset,
      submission,
      actions,
      discontinuation: await discontinuationView(user, dataset),
      dataFiles: await dataFilesOf(app.services, user, dataset),
      quality: await qualityViews(app.services).forReview(user, dataset, submittedBy),
      unitTitle: (n: string) => titles.get(n) ?? n,
    };
  };

  /** The dataset's discontinuation proposals and which of their buttons this user gets (the service decides). */
  const discontinuationView = async (user: User, dataset: Dataset): Promise<DiscontinuationView> => {
    const unit = dataset.unit.name;
    const proposals = (await discontinuation.list(user)).filter((p) => p.datasetId === dataset.id);
    const open = proposals.find((p) => p.state === 'proposed');
    const notice = proposals.some((p) => p.state === 'approved') ? await discontinuation.noticeOf(dataset.id) : undefined;
    const proposer = open?.proposedBy.id ?? null;
    return {
      open,
      past: proposals.filter((p) => p !== open),
      notice,
      propose: dataset.state === 'published' && !open && can(user, 'dataset.propose_discontinuation', { unit }),
      decide: open !== undefined && can(user, 'dataset.approve_discontinuation', { unit, submittedBy: proposer }),
      ownProposal: open !== undefined && proposer === user.id && can(user, 'dataset.approve_discontinuation', { unit }),
      withdraw: open !== undefined && proposer === user.id,
    };
  };

  // Resource files: upload, versions and load, data dictionary (its own plugin: it parses multipart).
  await app.register(manageDataRoutes, { statusView });
  await app.register(qualityWebRoutes, { statusView });

  app.get('/manage/datasets/:name', { schema: { hide: true, params: NameParams, querystring: StatusQuery } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const view = await statusView(user, req.params.name, langOf(req));
    const done = req.query.done && DONE.has(req.query.done) ? req.query.done : undefined;
    return sendPage(req, reply, 200, <StatusPage ctx={pageCtx(req, config)} {...view} done={done} />);
  });

  const back = (req: FastifyRequest, reply: FastifyReply, name: string, done: string) =>
    reply.redirect(pageCtx(req, config).href(`/manage/datasets/${encodeURIComponent(name)}`, { done }), 303);
  const decision = { schema: { hide: true, params: NameParams, querystring: LangQuery, body: CommentBody } };

  app.post('/manage/datasets/:name/submit', decision, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const status = await review.submit(user, req.params.name, req.body.comment);
    return back(req, reply, (await catalogue.get(status.id, { includeNonPublic: true })).name, 'submitted');
  });

  app.post('/manage/datasets/:name/approve', decision, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const status = await review.approve(user, req.params.name, req.body.comment).catch((err: unknown) => {
      if (err instanceof AppError && err.code === 'QUALITY_BLOCKED') return err;
      throw err;
    });
    if (status instanceof AppError) {
      // Blocked by the quality gate: the status page again, with the reason above its quality panel.
      const view = await statusView(user, req.params.name, langOf(req));
      return sendPage(req, reply, 409, <StatusPage ctx={pageCtx(req, config)} {...view} approveError={langOf(req) === 'en' ? status.en : status.zh} />);
    }
    return back(req, reply, (await catalogue.get(status.id, { includeNonPublic: true })).name, status.state === 'withheld' ? 'approvedWithheld' : 'approved');
  });

  app.post('/manage/datasets/:name/return', decision, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const comment = req.body.comment ?? '';
    if (!comment.trim()) {
      // The same page again with the error at the comment box, for someone who may return it;
      // anyone else gets the service's answer.
      const view = await statusView(user, req.params.name, langOf(req));
      if (view.actions.return) {
        const ctx = pageCtx(req, config);
        const error = manageMessages(ctx.lang).commentMissing;
        return sendPage(req, reply, 400, <StatusPage ctx={ctx} {...view} returnForm={{ comment, error }} />);
      }
    }
    const status = await review.returnForChanges(user, req.params.name, comment);
    return back(req, reply, (await catalogue.get(status.id, { includeNonPublic: true })).name, 'returned');
  });
  /** The dataset a proposal form is for, checked as the service will: 404 for hidden work, 403 for who may not propose, 409 when not published. */
  const proposable = async (user: User, name: string): Promise<Dataset> => {
    const d = await catalogue.get(name, { includeNonPublic: true });
    assertCan(user, 'dataset.propose_discontinuation', { unit: d.unit.name }, { hidden: d.state !== 'published' && d.state !== 'discontinued' });
    if (d.state !== 'published') {
      const state = manageMessages('zh-TW').states[d.state] ?? d.state;
      throw new AppError('INVALID_TRANSITION', 409, `只有已公開的資料集可以申請停止提供（此資料集目前為「${state}」）`, `Only a published dataset can be discontinued (this one is ${d.state})`);
    }
    return d;
  };
  const hasOpenProposal = async (user: User, d: Dataset): Promise<boolean> => (await discontinuation.list(user, 'proposed')).some((p) => p.datasetId === d.id);

  app.get('/manage/datasets/:name/discontinue', { schema: { hide: true, params: NameParams, querystring: LangQuery } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const ctx = pageCtx(req, config);
    const d = await proposable(user, req.params.name);
    const alreadyOpen = await hasOpenProposal(user, d);
    return sendPage(req, reply, alreadyOpen ? 409 : 200, <ProposalPage ctx={ctx} dataset={d} values={emptyProposal()} errors={[]} alreadyOpen={alreadyOpen} maxDate={taipeiDate()} />);
  });

  app.post('/manage/datasets/:name/discontinue', { schema: { hide: true, params: NameParams, querystring: LangQuery, body: ProposalBody } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const ctx = pageCtx(req, config);
    const d = await proposable(user, req.params.name);
    const values = readProposal(req.body);
    const render = (status: number, errors: FieldError[]) => sendPage(req, reply, status, <ProposalPage ctx={ctx} dataset={d} values={values} errors={errors} maxDate={taipeiDate()} />);
    const { input, errors } = toProposal(values);
    if (!input) return render(400, proposalErrors(errors, ctx.lang));
    const result = await discontinuation.propose(user, d.name, input).catch((err: unknown) => {
      if (isFormError(err)) return err;
      throw err;
    });
    if (result instanceof AppError) return render(result.status, proposalErrors(result.details ?? {}, ctx.lang, ctx.lang === 'en' ? result.en : result.zh));
    return back(req, reply, d.name, 'proposed');
  });

  const proposalDecision = { schema: { hide: true, params: ProposalParams, querystring: LangQuery, body: CommentBody } };

  app.post('/manage/discontinuations/:pid/approve', proposalDecision, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const p = await discontinuation.approve(user, req.params.pid, req.body.comment);
    return back(req, reply, p.datasetName, 'discApproved');
  });

  app.post('/manage/discontinuations/:pid/reject', proposalDecision, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const comment = req.body.comment ?? '';
    if (!comment.trim()) {
      // The status page again with the error at the comment box, for the head who may reject it;
      // anyone else gets the service's answer (404 for who may not see it, 403, 409).
      const p = await discontinuation.get(user, req.params.pid);
      const view = await statusView(user, p.datasetName, langOf(req));
      if (view.discontinuation.decide && view.discontinuation.open?.id === p.id) {
        const ctx = pageCtx(req, config);
        return sendPage(req, reply, 400, <StatusPage ctx={ctx} {...view} rejectForm={{ comment, error: manageMessages(ctx.lang).discRejectMissing }} />);
      }
    }
    const p = await discontinuation.reject(user, req.params.pid, comment);
    return back(req, reply, p.datasetName, 'discRejected');
  });

  app.post('/manage/discontinuations/:pid/withdraw', { schema: { hide: true, params: ProposalParams, querystring: LangQuery, body: Type.Object(Csrf) } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const p = await discontinuation.withdraw(user, req.params.pid);
    return back(req, reply, p.datasetName, 'withdrawn');
  });
};
