/**
 * `kaifang inventory …` (issue 6, 年度盤點): the blank spreadsheet template, a unit's inventory
 * imported from a filled-in file (all or nothing, every bad row named) and exported. Registered
 * from src/cli.ts, which lends its database opening and progress display.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { AppError } from '../../errors.ts';
import type { Services } from '../../services.ts';
import type { User } from '../users/users.service.ts';
import { ItemProblemsError } from './inventory.service.ts';
import type { InventoryItem, InventoryState, ItemInput, ItemProblem } from './inventory.types.ts';
import { readInventorySheet, sheetFormatOf, writeInventorySheet, type WriteFormat } from './inventory.sheet.ts';
import { ITEM_FIELDS } from './inventory.validation.ts';

/** What src/cli.ts lends: the services over the configured database, and a progress display on stderr. */
export interface CliKit {
  withServices<T>(fn: (s: Services) => Promise<T>): Promise<T>;
  progress(title: string, total: number): { update(value: number, label: string): void; stop(): void };
}

const out = (line: string) => process.stdout.write(`${line}\n`);
const info = (line: string) => process.stderr.write(`${line}\n`);

/**
 * The command line acts for the operator who runs it on the server: the service's access checks
 * see an open-data window administrator (the `admin` role, which may edit every unit's inventory
 * but approves nothing), and the audit trail records "kaifang CLI".
 */
export const cliActor = (unit: string): User => ({
  id: 'cli',
  // InventoryService records a user's e-mail as the audit label; other commands' label is "kaifang CLI".
  email: 'kaifang CLI',
  name: 'kaifang CLI',
  roles: [{ unit, role: 'admin' }],
  createdAt: '1970-01-01T00:00:00.000Z',
});

function yearArg(value: string): number {
  const n = Number(value);
  if (!/^\d{4}$/.test(value) || n < 2000 || n > 2100) throw new InvalidArgumentError(`須為西元年，如 2026 / must be a year such as 2026 (got "${value}")`);
  return n;
}

/** The format to write, from the output file's extension. */
function writeFormatOf(file: string): WriteFormat {
  const f = sheetFormatOf(file);
  if (f === 'csv' || f === 'ods' || f === 'xlsx') return f;
  throw new AppError('BAD_FORMAT', 400, `輸出檔的副檔名須為 .xlsx、.ods 或 .csv：${file}`, `the output file must end in .xlsx, .ods or .csv: ${file}`);
}

/** Writes beside the target and renames, so that a failure never leaves half a file. */
async function writeAtomically(file: string, write: (out: Writable) => Promise<void>): Promise<string> {
  const target = path.resolve(file);
  const dir = await stat(path.dirname(target)).catch(() => undefined);
  if (!dir?.isDirectory()) throw new AppError('FILE_NOT_FOUND', 404, `找不到輸出目錄：${path.dirname(target)}`, `no such directory: ${path.dirname(target)}`);
  const tmp = `${target}.${process.pid}.tmp`;
  const stream = createWriteStream(tmp);
  try {
    await write(stream);
    await finished(stream);
    await rename(tmp, target);
  } catch (e) {
    stream.destroy();
    await rm(tmp, { force: true });
    throw e;
  }
  return target;
}

const problemLine = (p: ItemProblem): string => `  ${p.zh}\n    ${p.en}`;

/** The field guide printed with the template: the headings, what is required and the choices (the sheet itself has no hint row). */
function fieldGuide(): string[] {
  return ITEM_FIELDS.map((f) => {
    const req = f.required === true ? '必填 required' : f.required === 'open' ? '開放資料必填 required when open' : f.required === 'closed' ? '非開放必填 required unless open' : '選填 optional';
    const choices = f.options ? `；選項 choices: ${f.options.map((o) => o[1]).join('、')}` : '';
    return `  ${f.heading} (${f.headingEn}) — ${req}${choices}${f.hint && !f.options ? `；${f.hint}` : ''}`;
  });
}

export function registerInventoryCommands(program: Command, kit: CliKit): void {
  const inv = program.command('inventory').description('資料盤點（年度盤點清單）/ the yearly data inventory');

  inv
    .command('template')
    .description('產生空白盤點範本（.xlsx、.ods 或 .csv，依副檔名）/ write the blank inventory template (.xlsx, .ods or .csv, by the extension)')
    .requiredOption('-o, --output <file>', '輸出檔 output file')
    .action(async (opts: { output: string }) => {
      const format = writeFormatOf(opts.output);
      const target = await writeAtomically(opts.output, (stream) => writeInventorySheet([], stream, format));
      info('欄位 Columns:');
      for (const line of fieldGuide()) info(line);
      out(`已產生盤點範本 / template written: ${target}`);
    });

  inv
    .command('import')
    .description('匯入單位的盤點清單，整份取代草稿；任何一列有誤則不匯入並列出每個問題 / import a unit\'s inventory, replacing its draft; a file with any bad row imports nothing and every problem is listed')
    .argument('<file>', '盤點檔 the filled-in inventory (.xlsx, .ods, .xls, .csv)')
    .requiredOption('--unit <code>', '單位代碼 unit code')
    .requiredOption('--year <YYYY>', '盤點年度（西元）year', yearArg)
    .option('--allow-empty', '允許以沒有任何項目的檔案清空盤點清單 / let a file without items empty the inventory')
    .action(async (file: string, opts: { unit: string; year: number; allowEmpty?: boolean }) => {
      const bar = kit.progress('讀取 Reading', 1);
      const read = await readInventorySheet(file).finally(() => bar.stop());
      for (const w of read.warnings) info(`警告 Warning: ${w.zh} / ${w.en}`);
      if (read.problems.length > 0) {
        info(`「${path.basename(file)}」有 ${read.problems.length} 個問題 / ${read.problems.length} problem${read.problems.length > 1 ? 's' : ''} in "${path.basename(file)}":`);
        for (const p of read.problems) info(problemLine(p));
        throw new AppError('INVENTORY_FILE_INVALID', 400, '檔案有誤，未匯入任何資料；請修正上列各列後再匯入', 'nothing was imported: correct the rows listed above and import the file again');
      }
      if (read.items.length === 0 && !opts.allowEmpty) {
        throw new AppError('INVENTORY_FILE_EMPTY', 400, `「${path.basename(file)}」沒有任何項目；匯入會清空 ${opts.unit} ${opts.year} 年的盤點清單，確定要清空請加上 --allow-empty`, `"${path.basename(file)}" has no items; importing it would empty the ${opts.year} inventory of ${opts.unit}: add --allow-empty if that is what you want`);
      }
      info(`已讀取 ${read.items.length} 個項目 / read ${read.items.length} items`);
      await kit.withServices(async (s) => {
        const r = await s.inventory
          .replaceItems(opts.unit, opts.year, read.items, cliActor(opts.unit), { source: `kaifang inventory import ${path.basename(file)}`, rows: read.lines })
          .catch((err: unknown) => {
            // Problems only the database can see (a dataset that does not exist), by row like the file's own.
            if (!(err instanceof ItemProblemsError)) throw err;
            info(`「${path.basename(file)}」有 ${err.problems.length} 個問題 / ${err.problems.length} problem${err.problems.length > 1 ? 's' : ''} in "${path.basename(file)}":`);
            for (const p of err.problems) info(problemLine(p));
            throw new AppError('INVENTORY_FILE_INVALID', 400, '檔案有誤，未匯入任何資料；請修正上列各列後再匯入', 'nothing was imported: correct the rows listed above and import the file again');
          });
        out(`匯入完成 Import finished: ${opts.unit} ${opts.year} — 新增 added ${r.added}, 更新 updated ${r.updated}, 刪除 removed ${r.removed}`);
      });
    });

  inv
    .command('export')
    .description('匯出單位的盤點清單（格式依副檔名 .xlsx、.ods 或 .csv）/ export a unit\'s inventory (format by the extension: .xlsx, .ods or .csv)')
    .requiredOption('--unit <code>', '單位代碼 unit code')
    .requiredOption('--year <YYYY>', '盤點年度（西元）year', yearArg)
    .requiredOption('-o, --output <file>', '輸出檔 output file')
    .action(async (opts: { unit: string; year: number; output: string }) => {
      const format = writeFormatOf(opts.output);
      await kit.withServices(async (s) => {
        const view = await s.inventory.get(opts.unit, opts.year, cliActor(opts.unit));
        const identifiers = await datasetIdentifiers(s, view.items);
        const bar = kit.progress('匯出 Exporting', view.items.length);
        const target = await writeAtomically(opts.output, async (stream) => {
          await writeInventorySheet(view.items, stream, format, { datasetIdentifiers: identifiers });
          bar.update(view.items.length, `${view.items.length} 項 items`);
        }).finally(() => bar.stop());
        const state = view.inventory ? `（${STATE_LABELS[view.inventory.state]}）` : '（尚未開始 not started）';
        out(`已匯出 ${view.items.length} 個項目${state}至 ${target} / exported ${view.items.length} items to ${target}`);
      });
    });
}

const STATE_LABELS: Record<InventoryState, string> = { draft: '草稿 draft', submitted: '已送出 submitted', approved: '已核定 approved' };

/** The identifiers of the datasets items are linked to (an item shows its dataset by identifier). */
async function datasetIdentifiers(s: Services, items: readonly (InventoryItem | ItemInput)[]): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  for (const item of items) {
    if (!('datasetId' in item) || !item.datasetId || map.has(item.datasetId)) continue;
    const ds = await s.catalogue.get(item.datasetId, { includeNonPublic: true }).catch(() => undefined);
    if (ds) map.set(item.datasetId, ds.identifier);
  }
  return map;
}
