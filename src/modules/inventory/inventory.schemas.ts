import { Type } from '@sinclair/typebox';
import { CLASSIFICATIONS, INVENTORY_STATES, LIST_STATES, SCHEDULE_STATUSES, SENSITIVITIES, SOURCES } from './inventory.types.ts';
import { ITEM_FIELDS } from './inventory.validation.ts';

/** TypeBox schemas of the inventory API (/api/v1/inventories…, /inventory-lists, /schedule). */

const N = Type.Union([Type.String(), Type.Null()]);
const lit = <T extends string>(values: readonly T[], description?: string) => Type.Union(values.map((v) => Type.Literal(v)), description ? { description } : {});
const Classification = lit(CLASSIFICATIONS, 'open 開放資料 | application 依申請提供 | withheld 不予提供');

export const YearParams = Type.Object({ year: Type.Integer({ minimum: 2000, maximum: 2999, description: '年度（西元）year' }) });
export const UnitParams = Type.Object({ ...YearParams.properties, unit: Type.String({ maxLength: 100, description: '單位代稱 unit name' }) });
export const ItemParams = Type.Object({ ...UnitParams.properties, itemId: Type.String({ maxLength: 100, description: '盤點項目 id item id' }) });
export const ItemIdParams = Type.Object({ itemId: Type.String({ maxLength: 100, description: '盤點項目 id item id' }) });
export const CommentBody = Type.Object({ comment: Type.String({ minLength: 1, maxLength: 5000, description: '退回意見 comment' }) });

/**
 * One item as a client writes it: the field ids of the template (values as the spreadsheet would
 * hold them: labels or codes, 民國 dates). Checked by parseItem, which names every problem.
 */
export const RawItemSchema = Type.Object(
  Object.fromEntries(ITEM_FIELDS.map((f) => [f.id, Type.Optional(Type.Union([Type.String({ maxLength: 5000 }), Type.Number(), Type.Boolean(), Type.Null()], { description: `${f.heading} ${f.headingEn}${f.hint ? `: ${f.hint} / ${f.hintEn}` : ''}` }))])),
  { description: '盤點項目（欄位代碼為鍵）an inventory item keyed by field id', additionalProperties: false },
);
export const RawItemsSchema = Type.Array(RawItemSchema, { maxItems: 5000, description: '整份清單（取代草稿全部項目）the whole list, replacing the draft' });

export const ItemProblemSchema = Type.Object({
  row: Type.Integer({ description: '第幾項（1 起算）position in the body, 1-based' }),
  field: Type.String({ description: '欄位代碼 field id' }),
  column: Type.String({ description: '欄位名稱 column heading' }),
  zh: Type.String(),
  en: Type.String(),
});
export const ErrorSchema = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()))) }) });
/** 422: every problem of the items; nothing was changed. */
export const ProblemsErrorSchema = Type.Object({ ...ErrorSchema.properties, problems: Type.Array(ItemProblemSchema) });

/** The fields an item has both as stored and as frozen in an approval. */
const ItemCore = {
  itemKey: Type.String({ description: '項目代碼 item key (kept across years)' }),
  position: Type.Integer(),
  name: Type.String(),
  source: lit(SOURCES),
  systemName: N,
  description: N,
  ownerUnit: N,
  classification: Classification,
  legalBasis: N,
  reason: N,
  sensitivity: lit(SENSITIVITIES),
  genderFlag: Type.Boolean(),
  plannedDate: N,
  updateFrequency: N,
};

export const InventoryItemSchema = Type.Object({
  id: Type.String(),
  inventoryId: Type.String(),
  unit: Type.String(),
  year: Type.Integer(),
  ...ItemCore,
  priority: Type.Integer(),
  datasetId: N,
  notes: N,
  updatedAt: Type.String(),
});

export const InventoryHeaderSchema = Type.Object({
  id: Type.String(),
  unit: Type.String(),
  unitTitle: Type.String(),
  year: Type.Integer(),
  state: lit(INVENTORY_STATES, 'draft 草稿 | submitted 已送出 | approved 已核定'),
  comment: Type.Union([Type.String(), Type.Null()], { description: '窗口退回意見 the window\'s comment when returned' }),
  submittedAt: N,
  submittedBy: N,
});

export const InventoryViewSchema = Type.Object({ inventory: Type.Union([InventoryHeaderSchema, Type.Null()]), items: Type.Array(InventoryItemSchema) });

export const ImportResultSchema = Type.Object({ added: Type.Integer(), updated: Type.Integer(), removed: Type.Integer() });

const Counts = Type.Object({ open: Type.Integer(), application: Type.Integer(), withheld: Type.Integer() });

export const ListStatusSchema = Type.Object({
  year: Type.Integer(),
  state: lit(LIST_STATES, 'compiled 已彙整待核定 | returned 已退回窗口 | approved 已核定'),
  revision: Type.Integer({ description: '已核定版次 approved revisions so far' }),
  compiledAt: N,
  compiledBy: N,
  comment: N,
  updatedAt: Type.String(),
});

export const OverviewSchema = Type.Object({
  year: Type.Integer(),
  list: Type.Union([ListStatusSchema, Type.Null()]),
  units: Type.Array(
    Type.Object({
      unit: Type.String(),
      unitTitle: Type.String(),
      unitTitleEn: Type.String(),
      state: lit([...INVENTORY_STATES, 'none'] as const, 'none: not started'),
      items: Type.Integer(),
      byClassification: Counts,
      submittedAt: N,
      updatedAt: N,
    }),
  ),
});

export const ApprovedItemSchema = Type.Object({ id: Type.String(), unit: Type.String(), unitTitle: Type.String(), ...ItemCore });

const Ref = { itemKey: Type.String(), unit: Type.String(), name: Type.String() };
export const ListDiffSchema = Type.Object({
  against: Type.Union([Type.Object({ year: Type.Integer(), revision: Type.Integer() }), Type.Null()], { description: '比較對象 compared with (null: nothing)' }),
  added: Type.Array(Type.Object(Ref)),
  dropped: Type.Array(Type.Object(Ref)),
  reclassified: Type.Array(Type.Object({ ...Ref, from: Classification, to: Classification })),
  rescheduled: Type.Array(Type.Object({ ...Ref, from: N, to: N })),
});

export const CompiledSchema = Type.Object({
  list: ListStatusSchema,
  compiled: Type.Object({
    items: Type.Array(ApprovedItemSchema),
    diff: ListDiffSchema,
    units: Type.Array(Type.Object({ unit: Type.String(), unitTitle: Type.String(), state: lit(INVENTORY_STATES), items: Type.Integer() })),
    missing: Type.Array(Type.String(), { description: '未送出的單位 units not submitted' }),
  }),
});

const approvalFields = {
  year: Type.Integer(),
  revision: Type.Integer(),
  approvedAt: Type.String(),
  approvedBy: Type.String(),
  compiledBy: N,
  datasetId: Type.Union([Type.String(), Type.Null()], { description: '清單資料集 the published list dataset' }),
};
export const ApprovalSchema = Type.Object({ ...approvalFields, items: Type.Array(ApprovedItemSchema), diff: ListDiffSchema });
export const ApprovalSummarySchema = Type.Object({ ...approvalFields, items: Type.Integer() });
export const PublicListSchema = Type.Object({ ...ApprovalSchema.properties, revisions: Type.Array(ApprovalSummarySchema, { description: '核定歷程（新到舊）approval history, newest first' }) });

export const ScheduleQuery = Type.Object({
  year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2999 })),
  unit: Type.Optional(Type.String({ maxLength: 100 })),
  asOf: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: '基準日 YYYY-MM-DD (default: today in Taipei)' })),
});
export const ScheduleSchema = Type.Object({
  asOf: Type.String(),
  entries: Type.Array(
    Type.Object({
      ...ApprovedItemSchema.properties,
      year: Type.Integer(),
      datasetId: N,
      datasetName: N,
      openedAt: N,
      status: lit(SCHEDULE_STATUSES, 'opened 已開放 | on_time 進度正常 | due_soon 即將到期 | late 逾期'),
      workingDaysLeft: Type.Union([Type.Integer(), Type.Null()]),
    }),
  ),
});

export const DatasetDraftSchema = Type.Object({ datasetId: Type.String(), name: Type.String({ description: '資料集網址名稱 URL name' }) });
