import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/index.ts';
import type { Database, DatasetRevisionRow } from '../../db/types.ts';
import { AppError, invalid } from '../../errors.ts';
import { diffFields, type FieldChange } from '../audit/audit.diff.ts';
import type { Actor as AuditActor, AuditService } from '../audit/audit.service.ts';
import type { CatalogueService } from '../catalogue/catalogue.service.ts';
import type { Dataset, DatasetInput } from '../catalogue/catalogue.schemas.ts';
import { normalizeDatasetInput, validateDataset } from '../catalogue/catalogue.validation.ts';
import { PLACEHOLDER_FIELD, type DatasetState } from '../catalogue/national.ts';
import type { NotificationService } from '../notifications/notifications.service.ts';
import { approvalToContact, decisionToRequester, returnToContact, submissionToReviewer } from '../notifications/notifications.templates.ts';
import { assertCan, can, type Action } from '../policy/policy.ts';
import type { UnitsService } from '../units/units.service.ts';
import type { User } from '../users/users.service.ts';
import { publishPendingVersions } from '../datastore/datastore.service.ts';
import { usersWithRole } from '../users/recipients.ts';

export const REVISION_STATES = ['draft', 'submitted', 'returned', 'approved', 'superseded'] as const;
export type RevisionState = (typeof REVISION_STATES)[number];
/** A working copy still being worked on or decided. */
const OPEN: RevisionState[] = ['draft', 'submitted', 'returned'];

/** Where a dataset stands in the review gate: the public row's state and its open working copy, if any. */
export interface ReviewStatus {
  id: string;
  state: DatasetState;
  workingCopy?: { version: number; state: RevisionState };
}

export interface ReviewDiff extends ReviewStatus {
  /** What the diff compares against: the published version, or nothing for a never-published dataset. */
  against: 'published' | 'nothing';
  changes: FieldChange[];
}

/** One item of "my tasks". */
export interface Task {
  /**
   * review: a submission waiting for this user's decision (a withheld one: the head's);
   * returned: returned work waiting for this user's changes; discontinuation: a proposal to stop
   * providing a dataset, waiting for the head.
   */
  kind: 'review' | 'returned' | 'discontinuation';
  datasetId: string;
  name: string;
  title: string;
  unit: string;
  state: DatasetState | RevisionState | 'proposed';
  /** The working copy's version; null for a never-published dataset. */
  version: number | null;
  submittedBy: string | null;
  submittedAt: string | null;
  comment: string | null;
  /** The discontinuation proposal (kind discontinuation): its id for /api/v1/discontinuations/{pid}, and what it asks. */
  proposal?: { id: string; kind: string };
}

/** One dataset of the units a user works in, as the back-office dashboard lists it. */
export interface UnitDataset {
  id: string;
  name: string;
  title: string;
  titleEn: string | null;
  unit: { name: string; title: string; titleEn: string };
  state: DatasetState;
  /** The open working copy of a published dataset, with the title it would publish. */
  workingCopy?: { version: number; state: RevisionState; title: string };
  updatedAt: string;
  isDemo: boolean;
}

/** Who sent the work now under review (or last sent), when, and the last comment on it. */
export interface Submission {
  submittedBy: { id: string; name: string; email: string } | null;
  submittedAt: string | null;
  comment: string | null;
}

const now = () => new Date().toISOString();
/** What the review gate asks the quality engine (set by services.ts). */
export interface QualityGate {
  submitted(trx: Kysely<Database>, datasetId: string): Promise<void>;
  beforeApprove(trx: Kysely<Database>, datasetId: string): Promise<void>;
}

const actorOf = (user: User): AuditActor => ({ id: user.id, label: user.email });

const STATE_LABELS: Record<string, string> = {
  draft: '草稿',
  submitted: '待審查',
  returned: '退回修改',
  published: '已公開',
  discontinued: '停止提供',
  withheld: '不予提供',
  approved: '已核准',
  superseded: '已被取代',
};

/** 409 naming the state the dataset (or its working copy) is in and what was tried. */
function invalidTransition(action: string, actionZh: string, state: string, what: 'dataset' | 'working copy' = 'dataset'): AppError {
  const zhWhat = what === 'dataset' ? '資料集' : '工作副本';
  return new AppError(
    'INVALID_TRANSITION',
    409,
    `${zhWhat}目前為「${STATE_LABELS[state] ?? state}」（${state}），不能${actionZh}`,
    `The ${what} is ${state}; it cannot be ${action}`,
    { state: [`目前狀態 ${state} / current state ${state}`] },
  );
}


interface Loaded {
  dataset: Dataset;
  submittedBy: string | null;
  submittedAt: string | null;
  reviewComment: string | null;
  /** The open working copy of a published dataset. */
  copy: DatasetRevisionRow | undefined;
}

/**
 * The review gate (MISSION C3): draft → submitted → published, returned with comments, and working
 * copies of published datasets that replace the public version only when a reviewer approves them.
 * Every action checks the policy first and runs in one transaction with its audit record and
 * notifications. The rule that nobody decides on their own submission is policy.ts's DECISIONS,
 * applied here by passing the submitter as the target's `submittedBy`.
 */
export class ReviewService {
  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly units: UnitsService,
    private readonly catalogue: CatalogueService,
    private readonly audit: AuditService,
    private readonly notifications: NotificationService,
  ) {}

  private gate: QualityGate | undefined;

  /** The quality engine's part in the workflow (issue 5): checks queued at submission, blockers before approval. */
  setQualityGate(gate: QualityGate): void {
    this.gate = gate;
  }

  /** A transaction holding the audit chain's lock from its start (on SQLite: the write lock before anything is read). */
  private tx<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return this.audit.transaction(fn);
  }

  private async load(trx: Kysely<Database>, ref: string): Promise<Loaded> {
    const dataset = await this.catalogue.get(ref, { includeNonPublic: true, trx });
    const row = await trx.selectFrom('datasets').select(['submitted_by', 'submitted_at', 'review_comment']).where('id', '=', dataset.id).executeTakeFirstOrThrow();
    const copy = await trx.selectFrom('dataset_revisions').selectAll().where('dataset_id', '=', dataset.id).where('state', 'in', OPEN).orderBy('version', 'desc').executeTakeFirst();
    return { dataset, submittedBy: row.submitted_by, submittedAt: row.submitted_at, reviewComment: row.review_comment, copy };
  }

  /** Policy check for an action on a loaded dataset: 404 for a non-public one the user may not even see. */
  private check(user: User, action: Action, l: Loaded, submittedBy?: string | null): void {
    assertCan(user, action, { unit: l.dataset.unit.name, submittedBy }, { hidden: l.dataset.state !== 'published' });
  }

  /** The answer of an action: the dataset's state and its working copy (as loaded, unless the action changed them). */
  private status(l: Loaded, state?: DatasetState, copy?: { version: number; state: RevisionState }): ReviewStatus {
    const wc = copy ?? (l.copy ? { version: l.copy.version, state: l.copy.state as RevisionState } : undefined);
    return { id: l.dataset.id, state: state ?? l.dataset.state, ...(wc ? { workingCopy: wc } : {}) };
  }

  /**
   * Who decides a submission: a withheld one (不予提供) is the head's (`dataset.approve_withholding`),
   * anything else the unit reviewer's. A reviewer trying a withheld one is told the head must.
   */
  private checkDecision(user: User, l: Loaded, provisionType: string | undefined, decision: 'dataset.approve' | 'dataset.return', submittedBy: string | null): void {
    if (provisionType !== 'withheld') return this.check(user, decision, l, submittedBy);
    const target = { unit: l.dataset.unit.name, submittedBy };
    if (can(user, 'dataset.approve_withholding', target)) return;
    // Returning is not a decision to withhold: the unit reviewer may still send it back.
    if (decision === 'dataset.return' && can(user, 'dataset.return', target)) return;
    if (can(user, decision, { unit: l.dataset.unit.name })) {
      throw new AppError('WITHHOLDING_NEEDS_HEAD', 403, '不予提供的資料集須由機關首長核定，審查者不能核准', 'A dataset to be withheld must be approved by the head of agency; a reviewer cannot approve it');
    }
    assertCan(user, 'dataset.approve_withholding', target, { hidden: true });
  }

  private link(d: Dataset): string {
    return `${this.config.baseUrl}/manage/datasets/${encodeURIComponent(d.name)}`;
  }

  private async nextVersion(trx: Kysely<Database>, datasetId: string): Promise<number> {
    const r = await trx.selectFrom('dataset_revisions').select((eb) => eb.fn.max('version').as('v')).where('dataset_id', '=', datasetId).executeTakeFirst();
    return Number(r?.v ?? 0) + 1;
  }

  /** Validates a contact's input up front, so a working copy never holds something approval would refuse. */
  private validate(input: DatasetInput): void {
    const { errors } = validateDataset(normalizeDatasetInput(input));
    if (Object.keys(errors).length > 0) throw invalid(errors);
  }

  /**
   * Resource ids (資料資源編號) are unique across the catalogue; save() would fail on another
   * dataset's id with a database error, so say which resource clashes instead.
   */
  private async assertResourceIdsFree(trx: Kysely<Database>, input: DatasetInput, datasetId: string | null): Promise<void> {
    const ids = (input.resources ?? []).map((r) => r.resourceId?.trim()).filter((x): x is string => !!x);
    if (ids.length === 0) return;
    let q = trx.selectFrom('resources').select('resource_id').where('resource_id', 'in', ids);
    if (datasetId) q = q.where('dataset_id', '!=', datasetId);
    const taken = await q.executeTakeFirst();
    if (!taken) return;
    const at = ids.indexOf(taken.resource_id);
    throw new AppError('RESOURCE_EXISTS', 409, `資料資源編號已被其他資料集使用：${taken.resource_id}`, `The resource id is used by another dataset: ${taken.resource_id}`, {
      [`resources.${at}.resourceId`]: ['已被其他資料集使用 / used by another dataset'],
    });
  }

  /**
   * What an edit starts from: the open working copy of a published dataset, else the stored
   * dataset (for partial updates such as CKAN's package_patch). Checked as an edit.
   */
  async editableInput(user: User, ref: string): Promise<{ input: DatasetInput; status: ReviewStatus }> {
    const l = await this.load(this.db.kysely, ref);
    this.check(user, 'dataset.edit', l);
    const d = l.dataset;
    const input = l.copy ? { ...(JSON.parse(l.copy.payload_json) as DatasetInput), identifier: d.identifier, name: d.name } : await this.catalogue.storedInput(d.id);
    return { input, status: this.status(l) };
  }

  /** A new dataset in state draft, for a unit the user is a contact of (or admin). */
  async createDraft(user: User, input: DatasetInput): Promise<ReviewStatus> {
    const unit = await this.units.get(input.unit);
    assertCan(user, 'dataset.create', { unit: unit.name });
    const draft = { ...input, unit: unit.name };
    return this.tx(async (trx) => {
      // save() replaces a dataset with the same identifier (imports are idempotent); a draft must never do that.
      const identifier = draft.identifier?.trim() ?? '';
      const name = draft.name?.trim().toLowerCase() ?? '';
      const clash =
        identifier || name
          ? await trx
              .selectFrom('datasets')
              .select(['identifier', 'name'])
              .where((eb) => eb.or([eb('identifier', '=', identifier), eb('name', '=', name)]))
              .executeTakeFirst()
          : undefined;
      if (clash) {
        const field = identifier && clash.identifier === identifier ? 'identifier' : 'name';
        throw new AppError('DATASET_EXISTS', 409, `資料集${field === 'identifier' ? '編號' : '網址名稱'}已被使用：${draft[field] ?? ''}`, `A dataset with this ${field} already exists: ${draft[field] ?? ''}`, {
          [field]: [`已被使用 / already taken`],
        });
      }
      await this.assertResourceIdsFree(trx, draft, null);
      const { dataset } = await this.catalogue.save(draft, { state: 'draft', actor: actorOf(user), trx });
      return { id: dataset.id, state: dataset.state };
    });
  }

  /**
   * Edits a dataset. One never published (draft, returned) is changed in place and keeps its state;
   * a published one gets (or updates) its open working copy and the public row is left untouched.
   * Work under review (submitted) cannot be edited.
   */
  async edit(user: User, ref: string, input: DatasetInput): Promise<ReviewStatus> {
    const target = await this.units.get(input.unit);
    return this.tx(async (trx) => {
      const l = await this.load(trx, ref);
      this.check(user, 'dataset.edit', l);
      if (target.name !== l.dataset.unit.name) assertCan(user, 'dataset.edit', { unit: target.name });
      // The identifier and URL name identify the dataset; an edit never moves it onto another one.
      const next: DatasetInput = { ...input, unit: target.name, identifier: l.dataset.identifier, name: l.dataset.name };
      const d = l.dataset;
      await this.assertResourceIdsFree(trx, next, d.id);
      if (d.state === 'draft' || d.state === 'returned') {
        await this.catalogue.save(next, { state: d.state, actor: actorOf(user), trx });
        return this.status(l);
      }
      if (d.state !== 'published') throw invalidTransition('edited', '編修', d.state);
      if (l.copy?.state === 'submitted') throw invalidTransition('edited while under review', '在審查中編修', 'submitted', 'working copy');
      // Withholding or restricting a published dataset is the head's decision (a discontinuation proposal), not an edit.
      const provision = next.provisionType ?? 'open';
      if (provision !== d.provisionType && (provision === 'withheld' || (provision === 'on_application' && d.provisionType === 'open'))) {
        throw new AppError(
          'PROVISION_NEEDS_DISCONTINUATION',
          409,
          `已公開的資料集要改為${provision === 'withheld' ? '不予提供' : '依申請提供'}，須提出停止提供申請由機關首長核定，不能以編修變更`,
          `A published dataset becomes ${provision === 'withheld' ? 'withheld' : 'provided on application'} only through a discontinuation proposal the head approves, not by an edit`,
          { provisionType: [`請改提停止提供申請 / propose a discontinuation instead`] },
        );
      }
      this.validate(next);
      const ts = now();
      let copy: { version: number; state: RevisionState };
      if (l.copy) {
        await trx.updateTable('dataset_revisions').set({ payload_json: JSON.stringify(next), updated_at: ts }).where('id', '=', l.copy.id).execute();
        copy = { version: l.copy.version, state: l.copy.state as RevisionState };
      } else {
        const version = await this.nextVersion(trx, d.id);
        await trx
          .insertInto('dataset_revisions')
          .values({ id: randomUUID(), dataset_id: d.id, version, state: 'draft', payload_json: JSON.stringify(next), created_by: user.id, created_at: ts, updated_at: ts, submitted_by: null, submitted_at: null, reviewed_by: null, reviewed_at: null, comment: null })
          .execute();
        copy = { version, state: 'draft' };
      }
      await this.audit.record(trx, {
        actor: actorOf(user),
        action: 'workflow.working_copy_save',
        entityType: 'dataset',
        entityId: d.id,
        before: l.copy ? { version: l.copy.version, payload: JSON.parse(l.copy.payload_json) as unknown } : null,
        after: { version: copy.version, state: copy.state, payload: next },
      });
      return this.status(l, undefined, copy);
    });
  }

  /** Sends a draft, returned dataset or working copy to the unit's reviewers. */
  async submit(user: User, ref: string, comment?: string): Promise<ReviewStatus> {
    return this.tx(async (trx) => {
      const l = await this.load(trx, ref);
      this.check(user, 'dataset.submit', l);
      const d = l.dataset;
      const ts = now();
      const note = comment?.trim() || null;
      let result: ReviewStatus;
      // A draft made from an inventory item starts with a placeholder field; it is not publishable metadata.
      if ((l.copy ? [] : d.fields).some((f) => f.name === PLACEHOLDER_FIELD)) {
        throw invalid({ fields: [`主要欄位說明仍是預留的「${PLACEHOLDER_FIELD}」欄位，請填寫實際欄位後再送審 / the field list still holds the placeholder "${PLACEHOLDER_FIELD}": describe the real columns before submitting`] });
      }
      if (d.state === 'draft' || d.state === 'returned') {
        await trx.updateTable('datasets').set({ state: 'submitted', submitted_by: user.id, submitted_at: ts, review_comment: note }).where('id', '=', d.id).execute();
        result = this.status(l, 'submitted');
      } else if (d.state === 'published' && l.copy && l.copy.state !== 'submitted') {
        await trx.updateTable('dataset_revisions').set({ state: 'submitted', submitted_by: user.id, submitted_at: ts, comment: note, updated_at: ts }).where('id', '=', l.copy.id).execute();
        result = this.status(l, undefined, { version: l.copy.version, state: 'submitted' });
      } else if (d.state === 'published' && !l.copy) {
        throw new AppError('INVALID_TRANSITION', 409, '資料集已公開且沒有待送審的修改（請先編修建立工作副本）', 'The dataset is published and has no working copy to submit (edit it first)', {
          state: ['目前狀態 published / current state published'],
        });
      } else {
        throw invalidTransition('submitted', '送審', l.copy?.state === 'submitted' ? 'submitted' : d.state, l.copy ? 'working copy' : 'dataset');
      }
      await this.gate?.submitted(trx, d.id);
      await this.audit.record(trx, { actor: actorOf(user), action: 'workflow.submit', entityType: 'dataset', entityId: d.id, before: { state: d.state, workingCopy: l.copy?.state ?? null }, after: { ...result, comment: note } });
      // A dataset to be withheld is the head's decision; anything else the unit reviewers'.
      const withheld = !l.copy && d.provisionType === 'withheld';
      const reviewers = withheld ? await usersWithRole(trx, 'head', { except: user.id }) : await usersWithRole(trx, 'reviewer', { unit: d.unit.name, except: user.id });
      const link = this.link(d);
      await this.notifications.notify(trx, { userIds: reviewers, kind: 'review.submitted', message: submissionToReviewer({ title: d.title, link, submitter: user.name }), link });
      return result;
    });
  }

  /**
   * Approves a submission. A never-published dataset becomes public; a working copy replaces the
   * published version (one transaction: the save, the revision states, the audit record, the
   * notification). Whoever submitted can never approve, whatever roles they hold.
   */
  async approve(user: User, ref: string, comment?: string): Promise<ReviewStatus> {
    return this.tx(async (trx) => {
      const l = await this.load(trx, ref);
      const d = l.dataset;
      const copy = l.copy?.state === 'submitted' ? l.copy : undefined;
      const submittedBy = copy ? copy.submitted_by : l.submittedBy;
      this.checkDecision(user, l, copy ? undefined : d.provisionType, 'dataset.approve', submittedBy);
      if (d.state !== 'submitted' && !copy) throw invalidTransition('approved', '核准', l.copy?.state ?? d.state, l.copy ? 'working copy' : 'dataset');
      await this.gate?.beforeApprove(trx, d.id);
      const ts = now();
      const note = comment?.trim() || null;
      const payload: DatasetInput = copy ? { ...(JSON.parse(copy.payload_json) as DatasetInput), identifier: d.identifier, name: d.name } : await this.catalogue.storedInput(d.id, trx);
      // A working copy that moves the dataset to another unit needs that unit's approval too.
      if (payload.unit !== d.unit.name) assertCan(user, 'dataset.approve', { unit: payload.unit, submittedBy });
      // Approved as withheld it becomes an internal record, never public.
      const withheld = !copy && payload.provisionType === 'withheld';
      const { dataset } = await this.catalogue.save(payload, { state: withheld ? 'withheld' : 'published', actor: actorOf(user), trx });
      // Files uploaded with this version become public with it.
      if (!withheld) await publishPendingVersions(trx, d.id, ts);
      await trx.updateTable('dataset_revisions').set({ state: 'superseded', updated_at: ts }).where('dataset_id', '=', d.id).where('state', '=', 'approved').execute();
      let version: number;
      if (copy) {
        version = copy.version;
        await trx.updateTable('dataset_revisions').set({ state: 'approved', reviewed_by: user.id, reviewed_at: ts, comment: note ?? copy.comment, updated_at: ts }).where('id', '=', copy.id).execute();
      } else {
        // The first published version is kept as a revision too, so history and diffs come from one place.
        version = await this.nextVersion(trx, d.id);
        await trx
          .insertInto('dataset_revisions')
          .values({ id: randomUUID(), dataset_id: d.id, version, state: 'approved', payload_json: JSON.stringify(payload), created_by: l.submittedBy ?? user.id, created_at: ts, updated_at: ts, submitted_by: l.submittedBy, submitted_at: l.submittedAt, reviewed_by: user.id, reviewed_at: ts, comment: note })
          .execute();
        await trx.updateTable('datasets').set({ review_comment: note }).where('id', '=', d.id).execute();
      }
      const result: ReviewStatus = { id: d.id, state: dataset.state };
      await this.audit.record(trx, { actor: actorOf(user), action: 'workflow.approve', entityType: 'dataset', entityId: d.id, before: { state: d.state, workingCopy: copy ? copy.version : null }, after: { state: dataset.state, version, comment: note } });
      if (withheld) {
        const link = this.link(dataset);
        if (submittedBy) await this.notifications.notify(trx, { userIds: [submittedBy], kind: 'review.approved', message: decisionToRequester({ title: dataset.title, link, approved: true, decider: user.name, comment: note ?? undefined }), link });
        return result;
      }
      const link = `${this.config.baseUrl}/datasets/${encodeURIComponent(dataset.name)}`;
      if (submittedBy) await this.notifications.notify(trx, { userIds: [submittedBy], kind: 'review.approved', message: approvalToContact({ title: dataset.title, link, reviewer: user.name }), link });
      return result;
    });
  }

  /** Returns a submission to its contact with the reviewer's comment (required). */
  async returnForChanges(user: User, ref: string, comment: string): Promise<ReviewStatus> {
    const note = comment.trim();
    return this.tx(async (trx) => {
      const l = await this.load(trx, ref);
      const d = l.dataset;
      const copy = l.copy?.state === 'submitted' ? l.copy : undefined;
      const submittedBy = copy ? copy.submitted_by : l.submittedBy;
      // Access first: someone who may not return it learns nothing about what else is wrong.
      this.checkDecision(user, l, copy ? undefined : d.provisionType, 'dataset.return', submittedBy);
      if (d.state !== 'submitted' && !copy) throw invalidTransition('returned', '退回', l.copy?.state ?? d.state, l.copy ? 'working copy' : 'dataset');
      if (!note) throw invalid({ comment: ['退回時必須說明需要修改之處 / a comment saying what to change is required when returning'] });
      const ts = now();
      let result: ReviewStatus;
      if (copy) {
        await trx.updateTable('dataset_revisions').set({ state: 'returned', reviewed_by: user.id, reviewed_at: ts, comment: note, updated_at: ts }).where('id', '=', copy.id).execute();
        result = this.status(l, undefined, { version: copy.version, state: 'returned' });
      } else {
        await trx.updateTable('datasets').set({ state: 'returned', review_comment: note }).where('id', '=', d.id).execute();
        result = this.status(l, 'returned');
      }
      await this.audit.record(trx, { actor: actorOf(user), action: 'workflow.return', entityType: 'dataset', entityId: d.id, before: { state: d.state, workingCopy: copy?.version ?? null }, after: { ...result, comment: note } });
      const link = this.link(d);
      if (submittedBy) await this.notifications.notify(trx, { userIds: [submittedBy], kind: 'review.returned', message: returnToContact({ title: d.title, link, reviewer: user.name, comment: note }), link });
      return result;
    });
  }

  /**
   * Field-by-field diff of the open working copy against the published version, or of a
   * never-published dataset against nothing (every field is new).
   */
  async diff(user: User, ref: string): Promise<ReviewDiff> {
    const l = await this.load(this.db.kysely, ref);
    this.check(user, 'dataset.read_nonpublic', l);
    const d = l.dataset;
    // Compared as save() would store them: normalised, with the defaults it fills in.
    const stored = (input: DatasetInput): Record<string, unknown> => {
      const n = normalizeDatasetInput(input);
      return {
        ...n,
        publisherName: n.publisherName ?? this.config.agency.title,
        resources: n.resources.map((r, i) => ({ ...r, resourceId: r.resourceId ?? `${d.identifier}-${String(i + 1).padStart(3, '0')}` })),
      };
    };
    const published = stored(await this.catalogue.storedInput(d.id));
    if (d.state !== 'published') return { ...this.status(l), against: 'nothing', changes: diffFields(null, published) };
    if (!l.copy) return { ...this.status(l), against: 'published', changes: [] };
    return { ...this.status(l), against: 'published', changes: diffFields(published, stored(JSON.parse(l.copy.payload_json) as DatasetInput)) };
  }

  /**
   * "My tasks": submissions this user may decide (never their own; withheld ones are the head's),
   * returned work waiting for them — returned to them, or in a unit where they are a contact —
   * and, for the head, discontinuation proposals to decide.
   */
  async tasks(user: User): Promise<Task[]> {
    const k = this.db.kysely;
    const base = k.selectFrom('datasets as d').innerJoin('units as u', 'u.id', 'd.unit_id');
    const own = await base
      .select(['d.id', 'd.name', 'd.title', 'u.name as unit', 'd.state', 'd.provision_type', 'd.submitted_by', 'd.submitted_at', 'd.review_comment as comment'])
      .where('d.state', 'in', ['submitted', 'returned'])
      .orderBy('d.submitted_at')
      .execute();
    const copies = await base
      .innerJoin('dataset_revisions as r', 'r.dataset_id', 'd.id')
      .select(['d.id', 'd.name', 'r.payload_json', 'u.name as unit', 'r.state', 'r.version', 'r.submitted_by', 'r.submitted_at', 'r.comment'])
      .where('r.state', 'in', ['submitted', 'returned'])
      .orderBy('r.submitted_at')
      .execute();
    const items = [
      ...own.map((r) => ({ datasetId: r.id, name: r.name, title: r.title, unit: r.unit, state: r.state, version: null, submittedBy: r.submitted_by, submittedAt: r.submitted_at, comment: r.comment, withheld: r.provision_type === 'withheld' })),
      ...copies.map((r) => ({
        datasetId: r.id,
        name: r.name,
        title: (JSON.parse(r.payload_json) as DatasetInput).title,
        unit: r.unit,
        state: r.state,
        version: r.version,
        submittedBy: r.submitted_by,
        submittedAt: r.submitted_at,
        comment: r.comment,
        withheld: false,
      })),
    ];
    const tasks: Task[] = [];
    for (const { withheld, ...i } of items) {
      const decide = withheld ? 'dataset.approve_withholding' : 'dataset.approve';
      if (i.state === 'submitted' && can(user, decide, { unit: i.unit, submittedBy: i.submittedBy })) {
        tasks.push({ kind: 'review', ...i, state: 'submitted' });
      } else if (i.state === 'returned' && (i.submittedBy === user.id || user.roles.some((r) => r.role === 'contact' && r.unit === i.unit))) {
        tasks.push({ kind: 'returned', ...i, state: 'returned' });
      }
    }
    // Discontinuation proposals waiting for the head (never their own).
    const proposals = await base
      .innerJoin('discontinuations as p', 'p.dataset_id', 'd.id')
      .select(['d.id', 'd.name', 'p.dataset_title', 'u.name as unit', 'p.id as pid', 'p.kind', 'p.proposed_by', 'p.proposed_at', 'p.reasons'])
      .where('p.state', '=', 'proposed')
      .orderBy('p.proposed_at')
      .execute();
    for (const p of proposals) {
      if (!can(user, 'dataset.approve_discontinuation', { unit: p.unit, submittedBy: p.proposed_by })) continue;
      tasks.push({
        kind: 'discontinuation',
        datasetId: p.id,
        name: p.name,
        title: p.dataset_title,
        unit: p.unit,
        state: 'proposed',
        version: null,
        submittedBy: p.proposed_by,
        submittedAt: p.proposed_at,
        comment: p.reasons,
        proposal: { id: p.pid, kind: p.kind },
      });
    }
    return tasks;
  }
  /**
   * The datasets of every unit whose non-public work the user may see (the units they hold a
   * role in; every unit for agency-wide roles), in every state, with any open working copy;
   * most recently changed first, at most `limit`.
   */
  async unitDatasets(user: User, limit = 500): Promise<UnitDataset[]> {
    const unitNames = (await this.units.list({ includeExternal: true })).map((u) => u.name).filter((unit) => can(user, 'dataset.read_nonpublic', { unit }));
    if (unitNames.length === 0) return [];
    const k = this.db.kysely;
    const rows = await k
      .selectFrom('datasets as d')
      .innerJoin('units as u', 'u.id', 'd.unit_id')
      .select(['d.id', 'd.name', 'd.title', 'd.title_en', 'd.state', 'd.updated_at', 'd.is_demo', 'u.name as unit_name', 'u.title as unit_title', 'u.title_en as unit_title_en'])
      .where('u.name', 'in', unitNames)
      .orderBy('d.updated_at', 'desc')
      .orderBy('d.name')
      .limit(limit)
      .execute();
    const ids = rows.map((r) => r.id);
    const copies =
      ids.length === 0
        ? []
        : await k.selectFrom('dataset_revisions').select(['dataset_id', 'version', 'state', 'payload_json', 'updated_at']).where('dataset_id', 'in', ids).where('state', 'in', OPEN).orderBy('version').execute();
    const copyOf = new Map(copies.map((c) => [c.dataset_id, c]));
    return rows.map((r): UnitDataset => {
      const c = copyOf.get(r.id);
      return {
        id: r.id,
        name: r.name,
        title: r.title,
        titleEn: r.title_en,
        unit: { name: r.unit_name, title: r.unit_title, titleEn: r.unit_title_en },
        state: r.state as DatasetState,
        ...(c ? { workingCopy: { version: c.version, state: c.state as RevisionState, title: (JSON.parse(c.payload_json) as DatasetInput).title } } : {}),
        updatedAt: c && c.updated_at > r.updated_at ? c.updated_at : r.updated_at,
        isDemo: r.is_demo === 1,
      };
    });
  }

  /** Who submitted the dataset's current (or last) submission, when, and the last review comment; checked as a read of non-public work. */
  async submission(user: User, ref: string): Promise<Submission> {
    const l = await this.load(this.db.kysely, ref);
    this.check(user, 'dataset.read_nonpublic', l);
    const [by, at, comment] = l.copy ? [l.copy.submitted_by, l.copy.submitted_at, l.copy.comment] : [l.submittedBy, l.submittedAt, l.reviewComment];
    const u = by ? await this.db.kysely.selectFrom('users').select(['id', 'name', 'email']).where('id', '=', by).executeTakeFirst() : undefined;
    return { submittedBy: u ?? null, submittedAt: at, comment };
  }
}
