import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Config } from '../../config.ts';
import type { Database, UnitRow } from '../../db/types.ts';
import { AppError } from '../../errors.ts';

export interface Unit {
  id: string;
  name: string;
  title: string;
  titleEn: string;
  kind: 'agency' | 'unit' | 'external';
  agencyCode: string;
  isWindow: boolean;
  description: string;
  parentId: string | null;
  createdAt: string;
}

export interface UnitWithCount extends Unit {
  datasetCount: number;
}

const now = () => new Date().toISOString();

/** Units (單位) of the agency from configuration, plus other agencies met in the national list. */
export class UnitsService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly config: Config,
  ) {}

  toUnit(r: UnitRow): Unit {
    const kind = r.kind === 'agency' || r.kind === 'external' ? r.kind : 'unit';
    return {
      id: r.id,
      name: r.name,
      title: r.title,
      titleEn: r.title_en,
      kind,
      agencyCode: r.agency_code ?? this.config.agency.code,
      isWindow: r.is_window === 1,
      description: r.description,
      parentId: r.parent_id,
      createdAt: r.created_at,
    };
  }

  /** Creates or renames the configured units; never deletes (datasets may still point at them). */
  async ensureConfiguredUnits(): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      let agencyId: string | null = null;
      const ordered = [...this.config.units].sort((a, b) => (a.kind === 'agency' ? -1 : b.kind === 'agency' ? 1 : 0));
      for (const u of ordered) {
        const existing = await trx.selectFrom('units').select('id').where('name', '=', u.name).executeTakeFirst();
        const values = {
          title: u.title,
          title_en: u.titleEn,
          kind: u.kind,
          agency_code: this.config.agency.code,
          parent_id: u.kind === 'agency' ? null : agencyId,
          is_window: u.isWindow ? 1 : 0,
          updated_at: now(),
        };
        let id: string;
        if (existing) {
          id = existing.id;
          await trx.updateTable('units').set(values).where('id', '=', id).execute();
        } else {
          id = randomUUID();
          await trx.insertInto('units').values({ id, name: u.name, description: '', created_at: now(), ...values }).execute();
        }
        if (u.kind === 'agency') agencyId = id;
      }
    });
  }

  async list(opts: { includeExternal?: boolean } = {}): Promise<Unit[]> {
    let q = this.db.selectFrom('units').selectAll();
    if (!opts.includeExternal) q = q.where('kind', '!=', 'external');
    const rows = await q.orderBy('name').execute();
    return rows.map((r) => this.toUnit(r));
  }

  /** Units with their count of public datasets, for the home page and organization_list. */
  async listWithCounts(): Promise<UnitWithCount[]> {
    const rows = await this.db
      .selectFrom('units as u')
      .leftJoin('datasets as d', (j) => j.onRef('d.unit_id', '=', 'u.id').on('d.state', '=', 'published'))
      .selectAll('u')
      .select(sql<number>`cast(count(d.seq) as integer)`.as('dataset_count'))
      .groupBy(['u.id', 'u.name', 'u.title', 'u.title_en', 'u.kind', 'u.agency_code', 'u.parent_id', 'u.is_window', 'u.description', 'u.created_at', 'u.updated_at'])
      .orderBy('u.name')
      .execute();
    return rows.map((r) => ({ ...this.toUnit(r), datasetCount: Number(r.dataset_count) }));
  }

  async findByName(name: string): Promise<Unit | undefined> {
    const r = await this.db.selectFrom('units').selectAll().where('name', '=', name).executeTakeFirst();
    return r ? this.toUnit(r) : undefined;
  }

  /** Finds a unit by name or id; throws UNIT_NOT_FOUND listing the valid names. */
  async get(nameOrId: string): Promise<Unit> {
    const r = await this.db.selectFrom('units').selectAll().where((eb) => eb.or([eb('name', '=', nameOrId), eb('id', '=', nameOrId)])).executeTakeFirst();
    if (!r) {
      const names = (await this.list()).map((u) => u.name).join(', ');
      throw new AppError('UNIT_NOT_FOUND', 404, `找不到單位「${nameOrId}」（可用：${names}）`, `unit "${nameOrId}" not found (known: ${names})`);
    }
    return this.toUnit(r);
  }

  async window(): Promise<Unit> {
    const r = await this.db.selectFrom('units').selectAll().where('is_window', '=', 1).orderBy('name').executeTakeFirst();
    if (!r) throw new AppError('UNIT_NOT_FOUND', 500, '未設定資料開放窗口', 'no open-data window unit is configured');
    return this.toUnit(r);
  }

  /** Is `title` this agency itself (so its datasets belong to one of our units)? */
  isOwnAgency(title: string): boolean {
    return title.trim() === this.config.agency.title;
  }

  /**
   * Another agency met in the national list becomes a unit of kind `external`, named by its
   * agency code so that re-imports find it again.
   */
  async ensureExternalUnit(title: string, agencyCode: string | null): Promise<Unit> {
    const byTitle = await this.db.selectFrom('units').selectAll().where('title', '=', title.trim()).executeTakeFirst();
    if (byTitle) return this.toUnit(byTitle);
    const base = agencyCode ? agencyCode.toLowerCase() : `org-${Buffer.from(title).toString('hex').slice(0, 12)}`;
    let name = base;
    for (let i = 2; await this.findByName(name); i++) name = `${base}-${i}`;
    const id = randomUUID();
    await this.db
      .insertInto('units')
      .values({ id, name, title: title.trim(), title_en: title.trim(), kind: 'external', agency_code: agencyCode, parent_id: null, is_window: 0, description: '', created_at: now(), updated_at: now() })
      .execute();
    return this.get(id);
  }
}
