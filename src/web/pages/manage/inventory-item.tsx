import type { Lang } from '../../../i18n.ts';
import type { InventoryItem, ItemInput, ItemProblem } from '../../../modules/inventory/inventory.types.ts';
import { ITEM_FIELDS, type ItemField } from '../../../modules/inventory/inventory.validation.ts';
import type { PageCtx } from '../../context.ts';
import { Layout } from '../../layout.tsx';
import { CsrfField } from '../signin.tsx';
import type { FieldError, FieldKind } from './dataset-form.tsx';
import { Control, ErrorSummary } from './editor.tsx';
import { inventoryMessages } from './inventory-messages.ts';
import { inventoryHref } from './inventory-overview.tsx';

/**
 * The inventory item form, built from ITEM_FIELDS (the one list the template and the reader use
 * too) and checked by parseItem: labels, hints, choices and required rules come from there.
 */

export type ItemValues = Record<string, string>;

export const itemFieldId = (id: string): string => `f-${id}`;

const CONTROL: Record<ItemField['kind'], FieldKind> = { text: 'text', longtext: 'textarea', select: 'select', date: 'text', boolean: 'boolean', integer: 'number' };

const one = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '');

/** The posted form, field by field (strings as the controls hold them). */
export function readItemForm(body: Record<string, unknown>): ItemValues {
  return Object.fromEntries(ITEM_FIELDS.map((f) => [f.id, one(body[f.id])]));
}

/** A stored item as form values. */
export function itemValues(item: InventoryItem | null): ItemValues {
  const out: ItemValues = {};
  for (const f of ITEM_FIELDS) {
    if (!item) out[f.id] = f.id === 'priority' ? '0' : '';
    else if (f.id === 'datasetRef') out[f.id] = item.datasetId ?? '';
    else {
      const v = (item as unknown as Record<string, unknown>)[f.id];
      out[f.id] = typeof v === 'boolean' ? (v ? 'true' : 'false') : typeof v === 'string' || typeof v === 'number' ? String(v) : '';
    }
  }
  return out;
}

/** The problems parseItem (or the service) found, at their controls; the row prefix is dropped (a form has no rows). */
export function itemErrors(problems: ItemProblem[], lang: Lang): FieldError[] {
  return problems.map((p) => {
    const f = ITEM_FIELDS.find((x) => x.id === p.field);
    const message = lang === 'en' ? p.en.replace(/^row \d+, "[^"]*"(?: \([^)]*\))?: /, '') : p.zh.replace(/^第 \d+ 列「[^」]*」：/, '');
    return { id: f ? itemFieldId(f.id) : null, label: f ? (lang === 'en' ? f.headingEn : f.heading) : p.column, message };
  });
}

/** Form values → the raw record parseItem reads (booleans as the select's true/false). */
export const rawOf = (values: ItemValues): Record<string, unknown> => ({ ...values });

export interface InventoryItemProps {
  ctx: PageCtx;
  year: number;
  unit: { name: string; title: string };
  /** The item being edited; absent for a new one. */
  item?: Pick<ItemInput, 'name'> & { id: string };
  values: ItemValues;
  errors: FieldError[];
}

/** /manage/inventory/<year>/<unit>/items/new and …/items/<id>/edit. Works without JavaScript. */
export function InventoryItemPage({ ctx, year, unit, item, values, errors }: InventoryItemProps) {
  const w = inventoryMessages(ctx.lang);
  const en = ctx.lang === 'en';
  const title = item ? w.editItemTitle(item.name) : w.newItemTitle;
  const base = inventoryHref(year, unit.name);
  const action = item ? `${base}/items/${encodeURIComponent(item.id)}/edit` : `${base}/items/new`;
  const messagesFor = (id: string) => errors.filter((e) => e.id === id).map((e) => e.message);
  return (
    <Layout ctx={ctx} title={title} nav="manage">
      <div class="container back-office manage inventory">
        <p>
          <a href={ctx.href(base)}>{w.unitTitle(unit.title, year)}</a>
        </p>
        <h1>{title}</h1>
        <ErrorSummary ctx={ctx} errors={errors} />
        <p>{w.itemLead}</p>
        <form method="post" action={ctx.href(action)} class="form-stack" novalidate>
          <CsrfField ctx={ctx} />
          {ITEM_FIELDS.map((f) => (
            <Control
              ctx={ctx}
              id={itemFieldId(f.id)}
              name={f.id}
              label={en ? f.headingEn : f.heading}
              hint={(en ? f.hintEn : f.hint) || undefined}
              required={f.required === true}
              kind={CONTROL[f.kind]}
              value={values[f.id] ?? ''}
              options={f.options?.map(([value, zh, enLabel]) => ({ value, label: en ? enLabel : zh }))}
              messages={messagesFor(itemFieldId(f.id))}
            />
          ))}
          <div class="actions">
            <button type="submit" class="button">
              {w.save}
            </button>
            <a href={ctx.href(base)}>{w.cancel}</a>
          </div>
        </form>
      </div>
    </Layout>
  );
}
