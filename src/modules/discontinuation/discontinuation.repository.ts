import type { Kysely, Selectable } from 'kysely';
import type { Database, DiscontinuationRow, DiscontinuationsTable } from '../../db/types.ts';

type Q = Kysely<Database>;

/** A proposal row with the names the API shows: dataset, unit, proposer and decider. */
export interface ProposalRow extends Selectable<DiscontinuationsTable> {
  dataset_name: string;
  unit_name: string;
  unit_title: string;
  unit_title_en: string;
  proposer_name: string | null;
  decider_name: string | null;
}

function withNames(db: Q) {
  return db
    .selectFrom('discontinuations as p')
    .innerJoin('datasets as d', 'd.id', 'p.dataset_id')
    .innerJoin('units as u', 'u.id', 'd.unit_id')
    .leftJoin('users as pu', 'pu.id', 'p.proposed_by')
    .leftJoin('users as du', 'du.id', 'p.decided_by')
    .selectAll('p')
    .select(['d.name as dataset_name', 'u.name as unit_name', 'u.title as unit_title', 'u.title_en as unit_title_en', 'pu.name as proposer_name', 'du.name as decider_name']);
}

export async function findProposal(db: Q, id: string): Promise<ProposalRow | undefined> {
  return withNames(db).where('p.id', '=', id).executeTakeFirst();
}

export async function listProposals(db: Q, state: string | undefined): Promise<ProposalRow[]> {
  let q = withNames(db);
  if (state) q = q.where('p.state', '=', state);
  return q.orderBy('p.proposed_at', 'desc').orderBy('p.id').execute();
}

export async function openProposalOf(db: Q, datasetId: string): Promise<DiscontinuationRow | undefined> {
  return db.selectFrom('discontinuations').selectAll().where('dataset_id', '=', datasetId).where('state', '=', 'proposed').executeTakeFirst();
}

export async function insertProposal(db: Q, row: DiscontinuationRow): Promise<void> {
  await db.insertInto('discontinuations').values(row).execute();
}

export async function updateProposal(db: Q, id: string, set: Partial<Omit<DiscontinuationRow, 'id'>>): Promise<void> {
  await db.updateTable('discontinuations').set(set).where('id', '=', id).execute();
}

/** Approved proposals (the notices), newest notice first. */
export async function notices(db: Q, limit: number, offset: number): Promise<{ rows: ProposalRow[]; count: number }> {
  const [rows, n] = await Promise.all([
    withNames(db).where('p.state', '=', 'approved').orderBy('p.notice_date', 'desc').orderBy('p.decided_at', 'desc').orderBy('p.id').limit(limit).offset(offset).execute(),
    db.selectFrom('discontinuations').select((eb) => eb.fn.countAll<number>().as('n')).where('state', '=', 'approved').executeTakeFirst(),
  ]);
  return { rows, count: Number(n?.n ?? 0) };
}

/** The latest notice of a dataset, if any was ever approved. */
export async function latestNoticeOf(db: Q, datasetId: string): Promise<ProposalRow | undefined> {
  return withNames(db).where('p.dataset_id', '=', datasetId).where('p.state', '=', 'approved').orderBy('p.decided_at', 'desc').executeTakeFirst();
}

/** The dataset whose resource downloads from `url` (a path such as /demo/files/cpi.csv). */
export async function datasetOfDownloadUrl(db: Q, url: string): Promise<{ id: string; state: string } | undefined> {
  return db
    .selectFrom('resources as r')
    .innerJoin('datasets as d', 'd.id', 'r.dataset_id')
    .select(['d.id', 'd.state'])
    .where((eb) => eb.or([eb('r.download_url', '=', url), eb('r.access_url', '=', url)]))
    .orderBy('d.seq')
    .executeTakeFirst();
}
