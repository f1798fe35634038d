import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/index.ts';
import { AppError } from '../../errors.ts';
import type { DatasetInput, ResourceInput } from '../catalogue/catalogue.schemas.ts';
import type { JobService } from '../jobs/jobs.service.ts';
import type { ReviewService, ReviewStatus } from '../review/review.service.ts';
import type { User } from '../users/users.service.ts';
import { isTabular, type DatastoreService } from './datastore.service.ts';

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

/** 民國/ISO local time in Taipei, as the national 最後更新時間 is written (YYYY-MM-DD hh:mm:ss). */
const taipeiNow = (): string => new Date(Date.now() + 8 * 3600_000).toISOString().replace('T', ' ').slice(0, 19);

/** Format from the file name when the resource does not say (report.CSV → CSV). */
const formatOf = (fileName: string): string => path.extname(fileName).slice(1).toUpperCase() || '其他';

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

  async upload(user: User, datasetRef: string, resourceId: string, file: { source: Readable; fileName: string; mediaType: string }, opts: { encoding?: string | null } = {}): Promise<UploadResult> {
    const { input, at } = await this.check(user, datasetRef, resourceId).catch((err: unknown) => {
      file.source.resume();
      throw err;
    });
    const resources = input.resources ?? [];
    const resource = resources[at];
    const format = resource.format?.trim() || formatOf(file.fileName);
    const version = await this.datastore.addVersion(
      { resourceId, source: file.source, fileName: file.fileName, format, mediaType: file.mediaType, encodingDeclared: opts.encoding ?? resource.encoding ?? null, uploadedBy: user.id },
      { maxBytes: this.config.uploadMaxBytes },
    );
    const next: ResourceInput = { ...resource, modified: taipeiNow(), downloadUrl: `${this.config.baseUrl}/api/v1/resources/${encodeURIComponent(resourceId)}/file` };
    let result: ReviewStatus;
    try {
      result = await this.review.edit(user, datasetRef, { ...input, resources: resources.map((r, i) => (i === at ? next : r)), modified: taipeiNow() });
    } catch (err) {
      // The edit was refused: the version it would have carried goes too.
      await this.db.kysely.deleteFrom('resource_versions').where('id', '=', version.id).execute();
      throw err;
    }
    const jobId = isTabular(version.format) ? await this.jobs.enqueue(LOAD_JOB, { versionId: version.id }) : null;
    return { resourceId, versionId: version.id, version: version.version, size: version.size, sha256: version.sha256, jobId, status: result };
  }
}
