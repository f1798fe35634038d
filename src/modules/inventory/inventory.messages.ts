import type { Message } from '../notifications/notifications.templates.ts';

/**
 * Mail and inbox texts of the inventory workflow (年度盤點), zh-TW and English; NotificationService
 * picks the recipient's language.
 */
const footer = {
  'zh-TW': '\n\n此信由開放資料平臺自動寄出，請勿直接回覆。',
  en: '\n\nThis message was sent by the open-data portal; please do not reply to it.',
};

interface UnitYear {
  year: number;
  unitTitle: string;
  unitTitleEn: string;
  /** Absolute URL of the page the recipient acts on. */
  link: string;
}

/** The window is told that a unit submitted its inventory. */
export function inventorySubmitted(p: UnitYear & { by: string; items: number }): Message {
  return {
    'zh-TW': { subject: `盤點清單已送出：${p.unitTitle} ${p.year} 年`, text: `${p.by} 已送出「${p.unitTitle}」${p.year} 年資料盤點清單（${p.items} 項），請檢視後彙整或退回。\n${p.link}${footer['zh-TW']}` },
    en: { subject: `Inventory submitted: ${p.unitTitleEn} ${p.year}`, text: `${p.by} submitted the ${p.year} data inventory of ${p.unitTitleEn} (${p.items} items). Review it, then compile the agency list or return it.\n${p.link}${footer.en}` },
  };
}

/** The window is told that a unit reopened its approved inventory for changes. */
export function inventoryReopened(p: UnitYear & { by: string }): Message {
  return {
    'zh-TW': { subject: `盤點清單重新開啟：${p.unitTitle} ${p.year} 年`, text: `${p.by} 已重新開啟「${p.unitTitle}」${p.year} 年已核定的資料盤點清單以便修改；已公開的清單在下次核定前維持不變。\n${p.link}${footer['zh-TW']}` },
    en: { subject: `Inventory reopened: ${p.unitTitleEn} ${p.year}`, text: `${p.by} reopened the approved ${p.year} data inventory of ${p.unitTitleEn} for changes; the published list stays as it is until the next approval.\n${p.link}${footer.en}` },
  };
}

/** The unit's contacts are told that the window returned their inventory, with its comment. */
export function inventoryReturned(p: UnitYear & { by: string; comment: string }): Message {
  return {
    'zh-TW': { subject: `盤點清單退回修改：${p.unitTitle} ${p.year} 年`, text: `${p.by} 退回「${p.unitTitle}」${p.year} 年資料盤點清單，意見如下：\n\n${p.comment}\n\n請修改後重新送出：${p.link}${footer['zh-TW']}` },
    en: { subject: `Inventory returned: ${p.unitTitleEn} ${p.year}`, text: `${p.by} returned the ${p.year} data inventory of ${p.unitTitleEn} with this comment:\n\n${p.comment}\n\nChange it and submit it again at ${p.link}${footer.en}` },
  };
}

interface ListRef {
  year: number;
  agency: string;
  link: string;
}

/** The CIOs are told that the window compiled the agency list and it awaits their approval. */
export function listCompiled(p: ListRef & { by: string; items: number; missing: string[] }): Message {
  const missingZh = p.missing.length ? `\n尚未送出的單位：${p.missing.join('、')}` : '';
  const missingEn = p.missing.length ? `\nUnits that have not submitted: ${p.missing.join(', ')}` : '';
  return {
    'zh-TW': { subject: `資料開放清單待核定：${p.year} 年`, text: `${p.by} 已彙整${p.agency} ${p.year} 年資料開放清單及期程（${p.items} 項），等待您核定。${missingZh}\n核定頁面：${p.link}${footer['zh-TW']}` },
    en: { subject: `Open-data list awaiting your approval: ${p.year}`, text: `${p.by} compiled the ${p.year} open-data list and schedule of ${p.agency} (${p.items} items); it awaits your approval.${missingEn}\nDecide at ${p.link}${footer.en}` },
  };
}

/** The window and the contacts of the listed units are told that the CIO approved the list and it is published. */
export function listApproved(p: ListRef & { by: string; revision: number; publicLink: string }): Message {
  return {
    'zh-TW': { subject: `資料開放清單已核定：${p.year} 年（第 ${p.revision} 版）`, text: `${p.by} 已核定${p.agency} ${p.year} 年資料開放清單及期程（第 ${p.revision} 版），並已公開：\n${p.publicLink}\n\n已核定的盤點清單如需修改，請先重新開啟。\n${p.link}${footer['zh-TW']}` },
    en: { subject: `Open-data list approved: ${p.year} (revision ${p.revision})`, text: `${p.by} approved the ${p.year} open-data list and schedule of ${p.agency} (revision ${p.revision}); it is now public:\n${p.publicLink}\n\nTo change an approved inventory, reopen it first.\n${p.link}${footer.en}` },
  };
}

/** The window is told that the CIO returned the compiled list, with the comment. */
export function listReturned(p: ListRef & { by: string; comment: string }): Message {
  return {
    'zh-TW': { subject: `資料開放清單退回：${p.year} 年`, text: `${p.by} 退回${p.year} 年資料開放清單，意見如下：\n\n${p.comment}\n\n請處理後重新彙整：${p.link}${footer['zh-TW']}` },
    en: { subject: `Open-data list returned: ${p.year}`, text: `${p.by} returned the ${p.year} open-data list with this comment:\n\n${p.comment}\n\nDeal with it and compile the list again at ${p.link}${footer.en}` },
  };
}
