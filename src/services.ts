import path from 'node:path';
import type { Config } from './config.ts';
import type { Db } from './db/index.ts';
import { AccountsService } from './modules/accounts/accounts.service.ts';
import { AuditService } from './modules/audit/audit.service.ts';
import { DatastoreService } from './modules/datastore/datastore.service.ts';
import { CatalogueService } from './modules/catalogue/catalogue.service.ts';
import { DiscontinuationService } from './modules/discontinuation/discontinuation.service.ts';
import { NotificationService } from './modules/notifications/notifications.service.ts';
import { ReviewService } from './modules/review/review.service.ts';
import { UnitsService } from './modules/units/units.service.ts';
import { UsersService } from './modules/users/users.service.ts';
import { LocalFileStore, type FileStore } from './modules/storage/file-store.ts';
import { JobService } from './modules/jobs/jobs.service.ts';
import type { ColumnType } from './modules/ingest/infer.ts';
import { LOAD_JOB, UploadService } from './modules/datastore/upload.service.ts';
import { publishUtf8Copy } from './modules/datastore/utf8-copy.ts';
import { QUALITY_JOB, QualityService, type QualityJob } from './modules/quality/quality.service.ts';
import { CalendarService } from './modules/calendar/calendar.service.ts';
import { FollowupService } from './modules/followup/followup.service.ts';
import { InventoryService } from './modules/inventory/inventory.service.ts';
// Issue 6, annual calendar.
import { CalendarTasksService } from './modules/calendar/tasks.service.ts';

/** Everything the routes and the CLI call; built once per process. */
export interface Services {
  config: Config;
  db: Db;
  units: UnitsService;
  catalogue: CatalogueService;
  users: UsersService;
  accounts: AccountsService;
  audit: AuditService;
  notifications: NotificationService;
  review: ReviewService;
  files: FileStore;
  datastore: DatastoreService;
  jobs: JobService;
  uploads: UploadService;
  discontinuation: DiscontinuationService;
  quality: QualityService;
  calendar: CalendarService;
  /** Issue 6: the daily run's reminders and escalations, and the overdue report. */
  followup: FollowupService;
  // Issue 6 (inventory): the yearly inventory and the agency list.
  inventory: InventoryService;
  /** The annual work calendar (年度行事曆), issue 6. */
  calendarTasks: CalendarTasksService;
}

export function createServices(config: Config, db: Db): Services {
  const units = new UnitsService(db.kysely, config);
  const audit = new AuditService(db);
  const users = new UsersService(db.kysely, units, audit);
  const catalogue = new CatalogueService(db, config, units, audit);
  const notifications = new NotificationService(db.kysely);
  const filesDir = path.join(config.dataDir, 'files');
  const files = new LocalFileStore(filesDir);
  const review = new ReviewService(db, config, units, catalogue, audit, notifications);
  // Big loads run in a worker thread with a bounded heap (KAIFANG_LOAD_HEAP_MB) and their own connection.
  const datastore = new DatastoreService(db, files, { loadWorker: { heapMb: config.loadHeapMb, filesDir } });
  const jobs = new JobService(db);
  const calendar = new CalendarService(db, audit);
  const calendarTasks = new CalendarTasksService(db, audit, units, calendar, config);
  const quality = new QualityService(db, config, catalogue, datastore, files, jobs, audit);
  // Checked when submitted for review; publishing waits for what blocks it (personal data without an override, a badge below the minimum).
  review.setQualityGate({ submitted: (trx, datasetId) => quality.enqueueDataset(datasetId, 'submission', trx).then(() => undefined), beforeApprove: (trx, datasetId) => quality.assertPublishable(datasetId, trx) });
  jobs.register(QUALITY_JOB, async (payload) => {
    const job = payload as QualityJob;
    if (job.trigger === 'links') await quality.sweepLink(job.resourceId);
    else await quality.checkResource(job.resourceId, job.trigger);
  });
  // Loads run in the background; the handler is idempotent (loading a version again replaces nothing public until it is ready).
  jobs.register(LOAD_JOB, async (payload, progress) => {
    const job = payload as { versionId: string; types?: Record<string, ColumnType> };
    const v = await datastore.version(job.versionId);
    // A text file in another encoding gets its UTF-8 copy first (kept even if the load then fails).
    await publishUtf8Copy(db, files, v);
    try {
      await datastore.load(job.versionId, (p) => void progress({ ...p }), { types: job.types });
    } finally {
      // Every new version is checked once its load is over, loaded or refused.
      if (!job.types) await quality.enqueueResource(v.resource_id, 'version');
    }
  });
  return {
    config,
    db,
    units,
    audit,
    catalogue,
    users,
    notifications,
    review,
    discontinuation: new DiscontinuationService(db, config, catalogue, audit, notifications),
    files,
    datastore,
    jobs,
    uploads: new UploadService(db, config, review, datastore, jobs),
    quality,
    calendar,
    // Issue 6, annual calendar.
    calendarTasks,
    accounts: new AccountsService(db.kysely, config, users, audit, notifications),
    // Issue 6, the daily run.
    followup: new FollowupService(db, config, units, calendar, notifications, calendarTasks),
    // Issue 6 (inventory)
    inventory: new InventoryService(db, config, units, catalogue, audit, notifications),
  };
}
