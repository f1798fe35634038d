import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/index.ts';
import { AppError, invalid } from '../../errors.ts';
import type { DatasetInput, ResourceInput } from '../catalogue/catalogue.schemas.ts';
import type { JobService } from '../jobs/jobs.service.ts';
import type { ReviewService, ReviewStatus } from '../review/review.service.ts';
import type { User } from '../users/users.service.ts';
import { isTabular, type DatastoreService } from './datastore.service.ts';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/types.ts';
import { COLUMN_TYPES, convertCell, type ColumnType } from '../ingest/infer.ts';
import { taipeiDateTime } from '../../time.ts';
import { HeaderChoiceError, parseHeaderChoice } from '../ingest/dialect.ts';

export const LOAD_JOB = 'datastore.load';

export interface UploadResult {
  resourceId: string;
  versionId: string;
  version: number;
  size: number;
  sha256: string;
  /** The background load of a tabular file; null for files that are not tables. */
  jobId: string | null;
  status: ReviewStatus;
}


/** Format from the file name when the resource does not say (report.CSV → CSV). */
export const formatOfFileName = (fileName: string): string => path.extname(fileName).slice(1).toUpperCase() || '其他';

/** Where a resource's uploaded file is downloaded (its latest public version). */
export const resourceFileUrl = (baseUrl: string, resourceId: string): string => `${baseUrl}/api/v1/resources/${encodeURIComponent(resourceId)}/file`;

/**
 * Uploading a new version of a resource (issue 4). The file is stored and recorded as the next
 * version; the dataset is edited through the review gate like any change — a draft in place, a
 * published dataset through its working copy — with the resource's 最後更新時間 and its download
 * URL pointing at the stored file. The version becomes public only when that change is approved.
 * A tabular file is queued for loading into the datastore.
 */
export class UploadService {
  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly review: ReviewService,
    private readonly datastore: DatastoreService,
    private readonly jobs: JobService,
  ) {}

  /** Access and state, checked before a byte is read: who may change the dataset, not under review, the resource exists. */
  async check(user: User, datasetRef: string, resourceId: string): Promise<{ input: DatasetInput; at: number }> {
    const { input, status } = await this.review.editableInput(user, datasetRef);
    if (status.state === 'submitted' || status.workingCopy?.state === 'submitted') {
      throw new AppError('UNDER_REVIEW', 409, '資料集正在審查中，審查完成（核准或退回）後才能上傳新版本', 'The dataset is under review; upload a new version after the reviewer approves or returns it');
    }
    const at = (input.resources ?? []).findIndex((r) => r.resourceId === resourceId);
    if (at < 0) throw new AppError('RESOURCE_NOT_FOUND', 404, `資料集中沒有資料資源 ${resourceId}`, `The dataset has no resource ${resourceId}`);
    return { input, at };
  }

  async upload(user: User, datasetRef: string, resourceId: string, file: { source: Readable | { sha256: string; size: number }; fileName: string; mediaType: string }, opts: { encoding?: string | null; header?: string | null } = {}): Promise<UploadResult> {
    const { input, at } = await this.check(user, datasetRef, resourceId)
      .then((ok) => {
        checkHeaderRows(opts.header);
        return ok;
      })
      .catch((err: unknown) => {
        if (!('sha256' in file.source)) file.source.resume();
        throw err;
      });
    const resources = input.resources ?? [];
    const resource = resources[at];
    const format = resource.format?.trim() || formatOfFileName(file.fileName);
    const version = await this.datastore.addVersion(
      { resourceId, source: file.source, fileName: file.fileName, format, mediaType: file.mediaType, encodingDeclared: opts.encoding ?? resource.encoding ?? null, headerRows: opts.header ?? null, uploadedBy: user.id },
      { maxBytes: this.config.uploadMaxBytes },
    );
    const next: ResourceInput = { ...resource, modified: taipeiDateTime(), downloadUrl: resourceFileUrl(this.config.baseUrl, resourceId) };
    let result: ReviewStatus;
    try {
      result = await this.review.edit(user, datasetRef, { ...input, resources: resources.map((r, i) => (i === at ? next : r)), modified: taipeiDateTime() });
    } catch (err) {
      // The edit was refused: the version it would have carried goes too.
      await this.db.kysely.deleteFrom('resource_versions').where('id', '=', version.id).execute();
      throw err;
    }
    const jobId = isTabular(version.format) ? await this.jobs.enqueue(LOAD_JOB, { versionId: version.id }) : null;
    return { resourceId, versionId: version.id, version: version.version, size: version.size, sha256: version.sha256, jobId, status: result };
  }

  /**
   * The contact's data dictionary for the resource's newest table: titles, descriptions, units of
   * measure and code meanings are stored at once; a changed type reloads the table in the
   * background (the current one stays in use; values that do not fit the new type refuse it,
   * naming the value); and the dictionary becomes the dataset's 主要欄位說明 through the review gate.
   */
  async updateDictionary(user: User, resourceId: string, fields: DictionaryField[]): Promise<{ jobId: string | null; status: ReviewStatus }> {
    const owner = await this.db.kysely.selectFrom('resources').select('dataset_id').where('resource_id', '=', resourceId).executeTakeFirst();
    if (!owner) throw new AppError('RESOURCE_NOT_FOUND', 404, `找不到資料資源 ${resourceId}`, `No such resource: ${resourceId}`);
    const { input, status } = await this.review.editableInput(user, owner.dataset_id);
    if (status.state === 'submitted' || status.workingCopy?.state === 'submitted') {
      throw new AppError('UNDER_REVIEW', 409, '資料集正在審查中，審查完成後才能修改資料字典', 'The dataset is under review; change the dictionary after the reviewer decides');
    }
    const version = (await this.datastore.versions(resourceId)).find((v) => v.datastore_state === 'ready');
    if (!version) throw new AppError('DATASTORE_NOT_READY', 409, `資料資源 ${resourceId} 尚無資料表`, `Resource ${resourceId} has no table yet`);
    const columns = await this.datastore.columns(version.id);
    const byName = new Map(columns.map((c) => [c.name, c]));
    const errors: Record<string, string[]> = {};
    fields.forEach((f, i) => {
      if (!byName.has(f.name)) (errors[`fields[${i}].name`] ??= []).push(`資料表沒有欄位「${f.name}」/ the table has no field "${f.name}"`);
      if (f.type !== undefined && !(COLUMN_TYPES as readonly string[]).includes(f.type)) (errors[`fields[${i}].type`] ??= []).push(`型別須為 ${COLUMN_TYPES.join('、')} 之一 / type must be one of ${COLUMN_TYPES.join(', ')}`);
    });
    if (Object.keys(errors).length > 0) throw invalid(errors);
    // A new type must fit every value already in the table: checked now, so the dictionary and
    // 主要欄位說明 never claim a type the data does not have.
    for (const f of fields) {
      const c = byName.get(f.name);
      if (!c || !f.type || f.type === c.type || f.type === 'text' || !version.datastore_table) continue;
      const misfit = await firstMisfit(this.db.kysely, version.datastore_table, c.columnId, f.type as ColumnType);
      if (misfit) {
        throw new AppError('TYPE_MISFIT', 422, `欄位「${f.name}」有不是「${f.type}」的值「${misfit.value}」（第 ${misfit.row} 筆），無法改為此型別`, `column "${f.name}" holds "${misfit.value}" (row ${misfit.row}), which is not ${f.type}: the type cannot be changed to it`, {
          [f.name]: [misfit.value],
        });
      }
    }
    const types: Record<string, ColumnType> = {};
    await this.db.kysely.transaction().execute(async (trx) => {
      for (const f of fields) {
        const c = byName.get(f.name);
        if (!c) continue;
        await trx
          .updateTable('datastore_columns')
          .set({
            title: f.title === undefined ? c.title : f.title,
            description: f.description === undefined ? c.description : f.description,
            unit: f.unit === undefined ? c.unit : f.unit,
            codes_json: f.codes === undefined ? (c.codes ? JSON.stringify(c.codes) : null) : f.codes ? JSON.stringify(f.codes) : null,
          })
          .where('version_id', '=', version.id)
          .where('position', '=', c.position)
          .execute();
        if (f.type && f.type !== c.type) types[f.name] = f.type as ColumnType;
      }
    });
    // Types the contact keeps from before stay forced on the reload too.
    for (const c of columns) if (c.type !== c.inferredType && !(c.name in types)) types[c.name] = c.type;
    const changed = fields.some((f) => f.type && f.type !== byName.get(f.name)?.type);
    const jobId = changed ? await this.jobs.enqueue(LOAD_JOB, { versionId: version.id, types }) : null;
    // 主要欄位說明 from the dictionary.
    const updated = await this.datastore.columns(version.id);
    const defs = updated.map((c) => ({
      name: c.name,
      ...(c.title ? { title: c.title } : {}),
      ...(c.description || c.unit ? { description: [c.description, c.unit ? `單位：${c.unit}` : null].filter(Boolean).join('；') } : {}),
      type: (types[c.name] ?? c.type),
      ...(c.codes?.length ? { codes: c.codes } : {}),
    }));
    const result = await this.review.edit(user, owner.dataset_id, { ...input, fields: defs, fieldDescription: null });
    return { jobId, status: result };
  }
}

/** The header rows a contact gave with an upload ("4" or "4-6"), refused before a byte is stored when malformed. */
export function checkHeaderRows(text: string | null | undefined): void {
  try {
    parseHeaderChoice(text);
  } catch (err) {
    if (err instanceof HeaderChoiceError) throw new AppError('VALIDATION', 400, err.zh, err.en, { header: [err.message] });
    throw err;
  }
}

export interface DictionaryField {
  name: string;
  type?: string;
  title?: string | null;
  description?: string | null;
  unit?: string | null;
  codes?: { code: string; meaning: string }[] | null;
}

/** The first stored value of a column that would not convert to `type` (keyset batches over the table). */
async function firstMisfit(k: Kysely<Database>, table: string, columnId: string, type: ColumnType): Promise<{ value: string; row: number } | undefined> {
  let after = 0;
  for (;;) {
    const r = await sql<{ _id: number; v: unknown }>`select ${sql.id('_id')} as _id, ${sql.id(columnId)} as v from ${sql.table(table)} where ${sql.id('_id')} > ${after} and ${sql.id(columnId)} is not null order by ${sql.id('_id')} limit 10000`.execute(k);
    for (const row of r.rows) {
      const text = String(row.v);
      if (convertCell(text, type) === null) return { value: text.slice(0, 80), row: Number(row._id) };
    }
    if (r.rows.length < 10000) return undefined;
    after = Number(r.rows[r.rows.length - 1]._id);
  }
}
