/**
 * The demo's inventory (示範盤點清單): so that after `npm start` the inventory, the opening schedule,
 * the public list and the overdue page have something to show. Two units list a few items each —
 * some already opened (linked to demo datasets), some planned, one late, one on application, one
 * withheld — and the list goes through the real workflow (submit, compile, the CIO's approval) as
 * demo actors. Every item says it is demo data; the list's catalogue dataset is marked demo.
 */
import type { Services } from '../../services.ts';
import { addDays } from '../../time.ts';
import type { ItemInput } from '../inventory/inventory.types.ts';
import type { User } from '../users/users.service.ts';

const DEMO = '【示範資料 demo】';

/** `days` after `d`, kept within d's year (the schedule is drawn a year at a time). */
const iso = (d: string, days: number): string => {
  const t = addDays(d, days);
  return t.slice(0, 4) === d.slice(0, 4) ? t : days > 0 ? `${d.slice(0, 4)}-12-31` : `${d.slice(0, 4)}-01-01`;
};

const item = (over: Partial<ItemInput> & Pick<ItemInput, 'name' | 'classification'>): ItemInput => ({
  itemKey: null,
  source: 'survey',
  systemName: null,
  description: null,
  ownerUnit: null,
  legalBasis: null,
  reason: null,
  sensitivity: 'low',
  genderFlag: false,
  priority: 0,
  plannedDate: null,
  updateFrequency: null,
  datasetRef: null,
  notes: DEMO,
  ...over,
});

const actor = (id: string, unit: string, role: User['roles'][number]['role']): User => ({ id, email: `${id}@demo.kaifang.local`, name: `示範${role === 'cio' ? '資訊長' : role === 'admin' ? '資料開放窗口' : '聯絡人'}`, roles: [{ unit, role }], createdAt: new Date(0).toISOString() });

/** Loads the demo inventory of the reference date's year once (nothing when any inventory of that year exists). */
export async function loadDemoInventory(s: Services, referenceDate: string): Promise<void> {
  const year = Number(referenceDate.slice(0, 4));
  const k = s.db.kysely;
  if (await k.selectFrom('inventories').select('id').where('year', '=', year).executeTakeFirst()) return;
  const units = s.config.units;
  const agency = units.find((u) => u.kind === 'agency');
  const window = units.find((u) => u.isWindow);
  const listed = ['statistics', 'census'].filter((n) => units.some((u) => u.name === n && u.kind === 'unit'));
  if (!agency || !window || listed.length === 0) return;

  // Two published demo datasets per unit become the items already opened.
  const opened = async (unit: string) =>
    k
      .selectFrom('datasets as d')
      .innerJoin('units as u', 'u.id', 'd.unit_id')
      .select(['d.name', 'd.title', 'd.update_frequency'])
      .where('u.name', '=', unit)
      .where('d.is_demo', '=', 1)
      .where('d.state', '=', 'published')
      .where('d.provision_type', '=', 'open')
      .orderBy('d.name')
      .limit(2)
      .execute();

  const plans: Record<string, ItemInput[]> = {
    statistics: [
      item({ name: '各縣市消費者物價指數（示範）', classification: 'open', source: 'database', systemName: '物價統計資料庫', description: `${DEMO} 各縣市消費者物價指數月資料`, plannedDate: iso(referenceDate, 21), updateFrequency: '每1月' }),
      item({ name: '服務業營業額統計（示範）', classification: 'open', source: 'system', systemName: '服務業調查系統', description: `${DEMO} 預定開放日已過而尚未開放的項目（逾期）`, plannedDate: iso(referenceDate, -12), updateFrequency: '每1季' }),
      item({ name: '家庭收支調查個別資料（示範）', classification: 'application', sensitivity: 'medium', description: `${DEMO} 學術研究用個別資料`, legalBasis: '統計法第21條', reason: '個別資料經去識別化後，依申請提供學術研究使用' }),
    ],
    census: [
      item({ name: '工業及服務業普查事業單位統計（示範）', classification: 'open', source: 'survey', description: `${DEMO} 普查結果按行業及縣市`, plannedDate: iso(referenceDate, 150), updateFrequency: '每5年', genderFlag: false }),
      item({ name: '人口及住宅普查個人資料（示範）', classification: 'withheld', sensitivity: 'high', description: `${DEMO} 普查個人填答資料`, legalBasis: '政府資訊公開法第18條第1項第6款；個人資料保護法', reason: '含個人資料，公開將侵害個人隱私' }),
    ],
  };

  const windowAdmin = actor('demo-window', window.name, 'admin');
  const cio = actor('demo-cio', agency.name, 'cio');
  for (const unit of listed) {
    const contact = actor(`demo-contact-${unit}`, unit, 'contact');
    const done = (await opened(unit)).map((d) =>
      item({ name: `${d.title}（示範）`, classification: 'open', source: 'survey', description: `${DEMO} 已開放為資料集`, plannedDate: iso(referenceDate, -30), updateFrequency: d.update_frequency, datasetRef: d.name, genderFlag: d.title.includes('性別') }),
    );
    await s.inventory.replaceItems(unit, year, [...done, ...(plans[unit] ?? [])], contact, { source: 'demo' });
    await s.inventory.submit(unit, year, contact);
  }
  await s.inventory.compile(year, windowAdmin);
  const approval = await s.inventory.approve(year, cio);
  // The list's catalogue dataset is as much a demo as its items.
  if (approval.datasetId) await k.updateTable('datasets').set({ is_demo: 1 }).where('id', '=', approval.datasetId).execute();
}
