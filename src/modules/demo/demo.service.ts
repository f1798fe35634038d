import { loadDemoInventory } from './demo.inventory.ts';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/index.ts';
import { AppError } from '../../errors.ts';
import type { Services } from '../../services.ts';
import type { CatalogueService } from '../catalogue/catalogue.service.ts';
import { renderDemoFile, type RenderedFile } from './demo.files.ts';
import { taipeiDate } from '../../time.ts';
import { planDemo } from './demo.plan.ts';
import { claimDemo, demoReferenceDate, releaseDemo } from './demo.repository.ts';
import { loadDemoTables } from './demo.datastore.ts';

export const demoFileNotFound = (file: string): AppError =>
  new AppError('DEMO_FILE_NOT_FOUND', 404, `找不到示範資料檔案：${file}`, `demo file not found: ${file}`);

/**
 * The demo catalogue (示範資料): loads it once into the catalogue as published datasets, and
 * serves the files its resources link to, so every demo link works offline.
 */
export class DemoService {
  /** Once known, the reference date never changes (it is written once), so it is safe to keep. */
  private referenceDate: string | undefined;

  constructor(
    private readonly config: Config,
    private readonly db: Db,
    private readonly catalogue: CatalogueService,
  ) {}

  /**
   * Loads the demo unless it was loaded before (meta `demo_loaded`); returns how many datasets
   * it added. Dates are set relative to `now` (the day of the first load, Taipei time), so a
   * fresh install shows recently updated tables. A dataset the catalogue rejects is our bug:
   * the load stops, names the dataset, and releases its claim so the next start retries.
   */
  async load(now: Date = new Date()): Promise<number> {
    const referenceDate = taipeiDate(now);
    if (!(await claimDemo(this.db.kysely, referenceDate))) return 0;
    const plan = planDemo(this.config, referenceDate);
    let added = 0;
    try {
      for (const d of plan.datasets) {
        let created: boolean;
        try {
          ({ created } = await this.catalogue.save(plan.input(d), { state: 'published', actor: { id: 'system', label: 'demo' } }));
        } catch (err) {
          const detail = err instanceof AppError && err.details ? ` ${JSON.stringify(err.details)}` : '';
          throw new Error(`示範資料集「${d.def.title}」(${d.identifier}) 無法儲存 / demo dataset "${d.def.titleEn}" could not be saved: ${(err as Error).message}${detail}`, { cause: err });
        }
        if (created) added++;
      }
    } catch (err) {
      await releaseDemo(this.db.kysely);
      throw err;
    }
    this.referenceDate = referenceDate;
    return added;
  }

  /** A demo file by name (e.g. `cpi.csv`); DEMO_FILE_NOT_FOUND when the demo is not loaded or has no such file. */
  async file(fileName: string): Promise<RenderedFile> {
    this.referenceDate ??= await demoReferenceDate(this.db.kysely);
    const file = this.referenceDate ? renderDemoFile(planDemo(this.config, this.referenceDate), fileName) : undefined;
    if (!file) throw demoFileNotFound(fileName);
    return file;
  }
}

/** Loads the demo catalogue (示範資料) once; returns how many datasets it added. bootstrap() calls it unless KAIFANG_DEMO=0. */
export async function loadDemoCatalogue(s: Services, opts: { now?: Date } = {}): Promise<number> {
  const added = await new DemoService(s.config, s.db, s.catalogue).load(opts.now);
  // Only the start that loaded the catalogue loads its tables (once, like the catalogue).
  const referenceDate = added > 0 ? await demoReferenceDate(s.db.kysely) : undefined;
  if (referenceDate) {
    await loadDemoTables(s, planDemo(s.config, referenceDate));
    // Issue 6: an approved demo inventory, so the schedule and the public list show something.
    await loadDemoInventory(s, referenceDate);
  }
  return added;
}
