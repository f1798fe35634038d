/**
 * The demo's tables in the datastore: each openly provided demo dataset's CSV becomes version 1
 * of its CSV resource, loaded and published with the dataset, so a fresh portal's dataset pages
 * show the version list, the preview and (for the time series: CPI by month …) the chart.
 */
import { Readable } from 'node:stream';
import { publishPendingVersions } from '../datastore/datastore.service.ts';
import type { Services } from '../../services.ts';
import { renderDemoFile } from './demo.files.ts';
import type { DemoPlan } from './demo.plan.ts';

/** Loads the demo CSVs into the datastore; returns how many tables it loaded. Called once, right after the demo catalogue is saved. */
export async function loadDemoTables(s: Services, plan: DemoPlan): Promise<number> {
  let loaded = 0;
  for (const d of plan.datasets) {
    // Data provided on application has no public table (its sample stays a file).
    if (d.def.onApplication) continue;
    const file = d.files.find((f) => f.format === 'CSV');
    const rendered = file ? renderDemoFile(plan, file.fileName) : undefined;
    if (!file || !rendered) continue;
    const dataset = await s.catalogue.get(d.name);
    const resource = dataset.resources.find((r) => r.format === 'CSV');
    if (!resource) continue;
    try {
      const v = await s.datastore.addVersion({ resourceId: resource.resourceId, source: Readable.from([rendered.body]), fileName: file.fileName, format: 'CSV', mediaType: 'text/csv', encodingDeclared: 'UTF-8', uploadedBy: 'demo' });
      await s.datastore.load(v.id);
      await s.db.kysely.transaction().execute((trx) => publishPendingVersions(trx, dataset.id, new Date().toISOString()));
    } catch (err) {
      throw new Error(`示範資料表「${d.def.title}」無法載入 / demo table "${d.def.titleEn}" could not be loaded: ${(err as Error).message}`, { cause: err });
    }
    loaded++;
  }
  return loaded;
}
