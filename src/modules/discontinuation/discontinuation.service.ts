import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/index.ts';
import type { Database } from '../../db/types.ts';
import { AppError, invalid, notFound } from '../../errors.ts';
import type { Actor as AuditActor, AuditService } from '../audit/audit.service.ts';
import type { Dataset, DatasetInput } from '../catalogue/catalogue.schemas.ts';
import type { CatalogueService } from '../catalogue/catalogue.service.ts';
import { isDate, msg } from '../catalogue/national.ts';
import type { NotificationService } from '../notifications/notifications.service.ts';
import { decisionToRequester, discontinuationToHead } from '../notifications/notifications.templates.ts';
import { assertCan, can } from '../policy/policy.ts';
import type { User } from '../users/users.service.ts';
import * as repo from './discontinuation.repository.ts';
import { KIND_LABELS, type DiscontinuationKind, type Notice, type Proposal, type ProposalState, type ProposeInput } from './discontinuation.schemas.ts';
import { taipeiDate } from '../../time.ts';
import { usersWithRole } from '../users/recipients.ts';

const now = () => new Date().toISOString();
const actorOf = (user: User): AuditActor => ({ id: user.id, label: user.email });
/** The revision states of an open working copy (review.service.ts). */
const OPEN_COPY = ['draft', 'submitted', 'returned'];

const STATE_ZH: Record<ProposalState, string> = { proposed: '待核定', approved: '已核定', rejected: '未核定', withdrawn: '已撤回' };

/** 409: the proposal is no longer open (decided or withdrawn). */
function notOpen(state: string, action: string, actionZh: string): AppError {
  return new AppError(
    'INVALID_TRANSITION',
    409,
    `此停止提供申請目前為「${STATE_ZH[state as ProposalState] ?? state}」（${state}），不能${actionZh}`,
    `The discontinuation proposal is ${state}; it cannot be ${action}`,
    { state: [`目前狀態 ${state} / current state ${state}`] },
  );
}

const toProposal = (r: repo.ProposalRow): Proposal => ({
  id: r.id,
  datasetId: r.dataset_id,
  datasetName: r.dataset_name,
  title: r.dataset_title,
  unit: { name: r.unit_name, title: r.unit_title, titleEn: r.unit_title_en },
  kind: r.kind as DiscontinuationKind,
  reasons: r.reasons,
  meetingDate: r.meeting_date,
  resolution: r.resolution,
  withholdingBasis: r.withholding_basis,
  applicationTerms: r.application_terms,
  revocable: r.revocable === null ? null : r.revocable === 1,
  state: r.state as ProposalState,
  proposedBy: { id: r.proposed_by, name: r.proposer_name ?? r.proposed_by },
  proposedAt: r.proposed_at,
  decidedBy: r.decided_by ? { id: r.decided_by, name: r.decider_name ?? r.decided_by } : null,
  decidedAt: r.decided_at,
  decisionComment: r.decision_comment,
  noticeDate: r.notice_date,
});

const toNotice = (r: repo.ProposalRow): Notice => ({
  id: r.id,
  datasetId: r.dataset_id,
  datasetName: r.dataset_name,
  title: r.dataset_title,
  unit: { name: r.unit_name, title: r.unit_title, titleEn: r.unit_title_en },
  kind: r.kind as DiscontinuationKind,
  reasons: r.reasons,
  meetingDate: r.meeting_date,
  resolution: r.resolution,
  withholdingBasis: r.withholding_basis,
  applicationTerms: r.application_terms,
  noticeDate: r.notice_date ?? '',
});

/** PostgreSQL's unique_violation, or SQLite's UNIQUE constraint failure. */
function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err.code === '23505' || err.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** 410 Gone for every download of a discontinued dataset, saying when and why. */
export function datasetGone(n: Notice | undefined, title: string): AppError {
  const zhWhy = n ? `（${n.noticeDate} 公告：${n.reasons}）` : '';
  const enWhy = n ? ` (notice of ${n.noticeDate}: ${n.reasons})` : '';
  return new AppError('DATASET_DISCONTINUED', 410, `資料集「${title}」已停止提供${zhWhy}`, `The dataset "${title}" is no longer provided${enWhy}`);
}

/**
 * Discontinuation (停止提供, MISSION C6): a unit contact proposes, on a published dataset, to stop
 * providing it or to change it to on-application or withheld, citing the meeting that resolved it;
 * the head of agency approves or rejects (never their own proposal). Approval changes the dataset
 * through CatalogueService.save, supersedes an open working copy and publishes a notice, in one
 * transaction with its audit record and notifications.
 */
export class DiscontinuationService {
  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly catalogue: CatalogueService,
    private readonly audit: AuditService,
    private readonly notifications: NotificationService,
  ) {}

  /** A transaction holding the audit chain's lock from its start (on SQLite: the write lock before anything is read). */
  private tx<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return this.audit.transaction(fn);
  }

  private link(datasetName: string): string {
    return `${this.config.baseUrl}/manage/datasets/${encodeURIComponent(datasetName)}`;
  }

  private async loadProposal(trx: Kysely<Database>, id: string): Promise<repo.ProposalRow> {
    const p = await repo.findProposal(trx, id);
    if (!p) throw notFound('discontinuation', '停止提供申請', id);
    return p;
  }

  /** Whether the user may see a proposal of `unit` (its unit's people, reviewers, the head, the admin). */
  private maySee(user: User, unit: string): boolean {
    return can(user, 'dataset.read_nonpublic', { unit }) || can(user, 'dataset.propose_discontinuation', { unit });
  }

  /** Checks what the proposal must say, all problems at once. */
  private validate(input: ProposeInput, d: Dataset): void {
    const errors: Record<string, string[]> = {};
    const err = (f: string, zh: string, en: string) => (errors[f] ??= []).push(msg(zh, en));
    if (!input.reasons.trim()) err('reasons', '請說明停止提供的理由', 'reasons are required');
    const date = input.meetingDate.trim();
    if (!date) err('meetingDate', '請填會議日期', 'meetingDate is required');
    else if (!isDate(date)) err('meetingDate', `會議日期「${date}」須為 YYYY-MM-DD（西元年）`, `meetingDate "${date}" must be YYYY-MM-DD (Gregorian)`);
    else if (date > taipeiDate()) err('meetingDate', `會議日期「${date}」在未來；請填已開會的日期`, `meetingDate "${date}" is in the future; give the date the meeting was held`);
    if (!input.resolution.trim()) err('resolution', '請填會議決議', 'resolution is required');
    if (input.kind === 'to_withheld' && !input.withholdingBasis?.trim()) {
      err('withholdingBasis', '改為不予提供須填法律依據（如 政府資訊公開法第18條第1項第3款）', 'withholdingBasis (the legal basis) is required to withhold the dataset');
    }
    if (input.kind === 'to_on_application') {
      if (!input.applicationTerms?.trim()) err('applicationTerms', '改為依申請提供須填申請方式及條件', 'applicationTerms (how to apply and on what terms) are required to provide the dataset on application');
      if (d.provisionType === 'on_application') err('kind', '此資料集已是依申請提供', 'the dataset is provided on application already');
    }
    if (Object.keys(errors).length > 0) throw invalid(errors);
  }

  /**
   * A unit contact proposes discontinuing a published dataset. One open proposal per dataset;
   * every head is told.
   */
  async propose(user: User, ref: string, input: ProposeInput): Promise<Proposal> {
    return this.tx(async (trx) => {
      const d = await this.catalogue.get(ref, { includeNonPublic: true, trx });
      assertCan(user, 'dataset.propose_discontinuation', { unit: d.unit.name }, { hidden: d.state !== 'published' && d.state !== 'discontinued' });
      if (d.state !== 'published') {
        throw new AppError('INVALID_TRANSITION', 409, `只有已公開的資料集可以申請停止提供（此資料集目前為 ${d.state}）`, `Only a published dataset can be discontinued (this one is ${d.state})`, {
          state: [`目前狀態 ${d.state} / current state ${d.state}`],
        });
      }
      this.validate(input, d);
      const open = await repo.openProposalOf(trx, d.id);
      if (open) throw this.alreadyOpen();
      const ts = now();
      const kind = input.kind;
      const row = {
        id: randomUUID(),
        dataset_id: d.id,
        kind,
        reasons: input.reasons.trim(),
        meeting_date: input.meetingDate.trim(),
        resolution: input.resolution.trim(),
        withholding_basis: kind === 'to_withheld' ? (input.withholdingBasis?.trim() ?? null) : null,
        application_terms: kind === 'to_on_application' ? (input.applicationTerms?.trim() ?? null) : null,
        revocable: kind === 'to_on_application' ? (input.revocable ? 1 : 0) : null,
        dataset_title: d.title,
        proposed_by: user.id,
        proposed_at: ts,
        state: 'proposed',
        decided_by: null,
        decided_at: null,
        decision_comment: null,
        notice_date: null,
      };
      try {
        await repo.insertProposal(trx, row);
      } catch (e) {
        // Another proposal committed first (the partial unique index); same answer as above.
        if (isUniqueViolation(e)) throw this.alreadyOpen();
        throw e;
      }
      const { dataset_id: _d, ...recorded } = row;
      await this.audit.record(trx, { actor: actorOf(user), action: 'discontinuation.propose', entityType: 'dataset', entityId: d.id, before: { state: d.state, provisionType: d.provisionType }, after: recorded });
      const heads = await usersWithRole(trx, 'head', { except: user.id });
      const link = this.link(d.name);
      await this.notifications.notify(trx, {
        userIds: heads,
        kind: 'discontinuation.proposed',
        message: discontinuationToHead({ title: d.title, link, proposer: user.name, reason: `${KIND_LABELS[kind].zh}：${row.reasons}\n會議日期：${row.meeting_date}\n決議：${row.resolution}` }),
        link,
      });
      return toProposal(await this.loadProposal(trx, row.id));
    });
  }

  private alreadyOpen(): AppError {
    return new AppError('DISCONTINUATION_OPEN', 409, '此資料集已有待核定的停止提供申請', 'The dataset already has a discontinuation proposal waiting for a decision', {
      dataset: ['已有待核定的申請 / a proposal is already open'],
    });
  }

  /**
   * The head approves: `stop` → discontinued; `to_withheld` → discontinued and withheld with its
   * legal basis; `to_on_application` → stays published, on application with the terms. An open
   * working copy is superseded, and the notice is published.
   */
  async approve(user: User, id: string, comment?: string): Promise<Proposal> {
    return this.tx(async (trx) => {
      const p = await this.loadProposal(trx, id);
      assertCan(user, 'dataset.approve_discontinuation', { unit: p.unit_name, submittedBy: p.proposed_by });
      if (p.state !== 'proposed') throw notOpen(p.state, 'approved', '核定');
      const d = await this.catalogue.get(p.dataset_id, { includeNonPublic: true, trx });
      if (d.state !== 'published') {
        throw new AppError('INVALID_TRANSITION', 409, `資料集目前為 ${d.state}，已不是公開狀態，不能核定停止提供`, `The dataset is ${d.state}, no longer published; the discontinuation cannot be approved`, {
          state: [`目前狀態 ${d.state} / current state ${d.state}`],
        });
      }
      const kind = p.kind as DiscontinuationKind;
      const stored = await this.catalogue.storedInput(d.id, trx);
      const next: DatasetInput =
        kind === 'to_withheld'
          ? { ...stored, provisionType: 'withheld', withholdingBasis: p.withholding_basis, applicationTerms: null, revocable: false }
          : kind === 'to_on_application'
            ? { ...stored, provisionType: 'on_application', applicationTerms: p.application_terms, revocable: p.revocable === 1 }
            : stored;
      // The metadata is not being edited: rules the stored record predates warn here instead of blocking the decision.
      await this.catalogue.save(next, { state: kind === 'to_on_application' ? 'published' : 'discontinued', actor: actorOf(user), trx, fromNationalList: true });
      const ts = now();
      await trx.updateTable('dataset_revisions').set({ state: 'superseded', updated_at: ts }).where('dataset_id', '=', d.id).where('state', 'in', OPEN_COPY).execute();
      const note = comment?.trim() || null;
      await repo.updateProposal(trx, p.id, { state: 'approved', decided_by: user.id, decided_at: ts, decision_comment: note, notice_date: taipeiDate(), dataset_title: d.title });
      const after = await this.loadProposal(trx, p.id);
      await this.audit.record(trx, {
        actor: actorOf(user),
        action: 'discontinuation.approve',
        entityType: 'dataset',
        entityId: d.id,
        before: { proposal: p.id, state: d.state, provisionType: d.provisionType },
        after: { proposal: p.id, kind, comment: note, notice: toNotice(after) },
      });
      await this.tellProposer(trx, after, user, true, note);
      return toProposal(after);
    });
  }

  /** The head rejects, saying why (required). */
  async reject(user: User, id: string, comment: string): Promise<Proposal> {
    const note = comment.trim();
    return this.tx(async (trx) => {
      const p = await this.loadProposal(trx, id);
      assertCan(user, 'dataset.approve_discontinuation', { unit: p.unit_name, submittedBy: p.proposed_by });
      if (!note) throw invalid({ comment: [msg('不核定時須說明理由', 'a comment saying why is required when rejecting')] });
      if (p.state !== 'proposed') throw notOpen(p.state, 'rejected', '不核定');
      await repo.updateProposal(trx, p.id, { state: 'rejected', decided_by: user.id, decided_at: now(), decision_comment: note });
      const after = await this.loadProposal(trx, p.id);
      await this.audit.record(trx, { actor: actorOf(user), action: 'discontinuation.reject', entityType: 'dataset', entityId: p.dataset_id, before: { proposal: p.id, state: p.state }, after: { proposal: p.id, state: 'rejected', comment: note } });
      await this.tellProposer(trx, after, user, false, note);
      return toProposal(after);
    });
  }

  /** The proposer takes their open proposal back. */
  async withdraw(user: User, id: string): Promise<Proposal> {
    return this.tx(async (trx) => {
      const p = await this.loadProposal(trx, id);
      if (!this.maySee(user, p.unit_name)) throw notFound('discontinuation', '停止提供申請', id);
      if (p.proposed_by !== user.id) throw new AppError('FORBIDDEN', 403, '只有提出申請的人可以撤回', 'Only whoever proposed it can withdraw a discontinuation proposal');
      if (p.state !== 'proposed') throw notOpen(p.state, 'withdrawn', '撤回');
      await repo.updateProposal(trx, p.id, { state: 'withdrawn', decided_at: now() });
      await this.audit.record(trx, { actor: actorOf(user), action: 'discontinuation.withdraw', entityType: 'dataset', entityId: p.dataset_id, before: { proposal: p.id, state: p.state }, after: { proposal: p.id, state: 'withdrawn' } });
      return toProposal(await this.loadProposal(trx, p.id));
    });
  }

  private async tellProposer(trx: Kysely<Database>, p: repo.ProposalRow, decider: User, approved: boolean, comment: string | null): Promise<void> {
    const link = this.link(p.dataset_name);
    await this.notifications.notify(trx, {
      userIds: [p.proposed_by],
      kind: approved ? 'discontinuation.approved' : 'discontinuation.rejected',
      message: decisionToRequester({ title: p.dataset_title, link, approved, decider: decider.name, comment: comment ?? undefined }),
      link,
    });
  }

  /** Proposals the user may see (their units', or all for the head and the admin), optionally in one state. */
  async list(user: User, state?: ProposalState): Promise<Proposal[]> {
    const rows = await repo.listProposals(this.db.kysely, state);
    return rows.filter((r) => this.maySee(user, r.unit_name)).map(toProposal);
  }

  /** One proposal; 404 for someone who may not see it. */
  async get(user: User, id: string): Promise<Proposal> {
    const p = await repo.findProposal(this.db.kysely, id);
    if (!p || !this.maySee(user, p.unit_name)) throw notFound('discontinuation', '停止提供申請', id);
    return toProposal(p);
  }

  /** The public notices (停止提供公告), newest first. */
  async notices(opts: { limit?: number; offset?: number } = {}): Promise<{ count: number; results: Notice[] }> {
    const { rows, count } = await repo.notices(this.db.kysely, opts.limit ?? 100, opts.offset ?? 0);
    return { count, results: rows.map(toNotice) };
  }

  /** The latest notice of a dataset, if one was published. */
  async noticeOf(datasetId: string): Promise<Notice | undefined> {
    const r = await repo.latestNoticeOf(this.db.kysely, datasetId);
    return r ? toNotice(r) : undefined;
  }

  /** The dataset with its notice attached (for readers: API, CKAN, pages) when it has one. */
  async withNotice(d: Dataset): Promise<Dataset> {
    const notice = d.state === 'published' && d.provisionType === 'open' ? undefined : await this.noticeOf(d.id);
    return notice ? { ...d, notice } : d;
  }

  /** Throws 410 DATASET_DISCONTINUED when the file at `url` belongs to a discontinued dataset. */
  async assertFileAvailable(url: string): Promise<void> {
    const owner = await repo.datasetOfDownloadUrl(this.db.kysely, url);
    if (owner?.state !== 'discontinued') return;
    const d = await this.catalogue.get(owner.id);
    throw datasetGone(await this.noticeOf(d.id), d.title);
  }
}
