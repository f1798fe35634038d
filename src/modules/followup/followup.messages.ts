/**
 * Texts of the daily run's reminders and escalations (跟催), in zh-TW and English; each names the
 * thing, the date that matters and the page to act on. NotificationService picks the recipient's language.
 */
import type { Message } from '../notifications/notifications.templates.ts';

const footer = {
  'zh-TW': '\n\n此信由開放資料平臺每日跟催作業自動寄出，請勿直接回覆。',
  en: '\n\nThis message was sent by the open-data portal’s daily follow-up; please do not reply to it.',
};

interface Subject {
  /** Dataset title, schedule item name or calendar task title (zh) … */
  title: string;
  /** … and its English title when it has one (calendar tasks). */
  titleEn?: string;
  /** The unit, as its title in both languages. */
  unit: { zh: string; en: string };
  /** Absolute URL of the page to act on. */
  link: string;
}

/** A continuing dataset's next update is due soon (to the unit's contacts). */
export function datasetReminder(p: Subject & { due: string; frequency: string; lastUpdate: string; workingDaysLeft: number }): Message {
  return {
    'zh-TW': {
      subject: `更新提醒：${p.title}（${p.due} 前）`,
      text: `${p.unit.zh} 的資料集「${p.title}」依更新頻率「${p.frequency}」應於 ${p.due} 前更新（最後更新 ${p.lastUpdate}，尚有 ${p.workingDaysLeft} 個工作天）。\n請更新資料與「最後更新時間」：${p.link}${footer['zh-TW']}`,
    },
    en: {
      subject: `Update due by ${p.due}: ${p.title}`,
      text: `The dataset "${p.title}" of ${p.unit.en} is due for its update by ${p.due} (frequency ${p.frequency}; last updated ${p.lastUpdate}; ${p.workingDaysLeft} working days left).\nUpdate the data and its last-update date at ${p.link}${footer.en}`,
    },
  };
}

/** A continuing dataset is late (to the unit's reviewers; escalated: to the open-data window). */
export function datasetLate(p: Subject & { due: string; frequency: string; lastUpdate: string; daysLate: number; workingDaysLate: number; escalated: boolean }): Message {
  const zhHead = p.escalated ? '逾期跟催（陳報資料開放窗口）' : '逾期未更新';
  const enHead = p.escalated ? 'Escalated, still not updated' : 'Overdue update';
  return {
    'zh-TW': {
      subject: `${zhHead}：${p.title}`,
      text: `${p.unit.zh} 的資料集「${p.title}」依更新頻率「${p.frequency}」應於 ${p.due} 前更新，已逾期 ${p.daysLate} 天（${p.workingDaysLate} 個工作天；最後更新 ${p.lastUpdate}）。\n${p.escalated ? '單位已於逾期時收到通知，仍未更新，請資料開放窗口協助督促。' : '請督促承辦人更新。'}\n資料集管理頁面：${p.link}${footer['zh-TW']}`,
    },
    en: {
      subject: `${enHead}: ${p.title}`,
      text: `The dataset "${p.title}" of ${p.unit.en} was due for its update by ${p.due} (frequency ${p.frequency}) and is ${p.daysLate} days late (${p.workingDaysLate} working days; last updated ${p.lastUpdate}).\n${p.escalated ? 'The unit was told when it fell late and has not updated it; the open-data window is asked to follow it up.' : 'Please see that it is updated.'}\nThe dataset's page: ${p.link}${footer.en}`,
    },
  };
}

/** An approved open item's planned opening date is near (to the unit's contacts). */
export function itemReminder(p: Subject & { plannedDate: string; workingDaysLeft: number }): Message {
  return {
    'zh-TW': {
      subject: `開放期程提醒：${p.title}（${p.plannedDate} 前開放）`,
      text: `${p.unit.zh} 核定開放的「${p.title}」預定於 ${p.plannedDate} 前開放，尚有 ${p.workingDaysLeft} 個工作天。\n請由開放期程建立資料集草稿並送審：${p.link}${footer['zh-TW']}`,
    },
    en: {
      subject: `Opening due by ${p.plannedDate}: ${p.title}`,
      text: `"${p.title}" of ${p.unit.en}, approved as open data, is planned to open by ${p.plannedDate}: ${p.workingDaysLeft} working days left.\nCreate its dataset draft from the opening schedule and submit it: ${p.link}${footer.en}`,
    },
  };
}

/** An approved open item is past its planned date (overdue: the reviewers and the window; escalated: the window and the CIO). */
export function itemLate(p: Subject & { plannedDate: string; daysLate: number; workingDaysLate: number; escalated: boolean }): Message {
  const zhHead = p.escalated ? '開放逾期（陳報資訊長）' : '開放逾期';
  const enHead = p.escalated ? 'Opening late, escalated' : 'Opening late';
  return {
    'zh-TW': {
      subject: `${zhHead}：${p.title}`,
      text: `${p.unit.zh} 核定開放的「${p.title}」預定於 ${p.plannedDate} 開放，已逾期 ${p.daysLate} 天（${p.workingDaysLate} 個工作天），尚未公開。\n開放期程：${p.link}${footer['zh-TW']}`,
    },
    en: {
      subject: `${enHead}: ${p.title}`,
      text: `"${p.title}" of ${p.unit.en}, approved as open data, was planned to open by ${p.plannedDate} and is ${p.daysLate} days late (${p.workingDaysLate} working days); it is not public yet.\nThe opening schedule: ${p.link}${footer.en}`,
    },
  };
}

/** An annual-calendar task's deadline is near (to its owners). */
export function taskReminder(p: Subject & { dueOn: string; workingDaysLeft: number; owner: string }): Message {
  return {
    'zh-TW': {
      subject: `年度行事曆提醒：${p.title}（${p.dueOn} 截止）`,
      text: `年度工作「${p.title}」（${p.owner}）將於 ${p.dueOn} 截止，尚有 ${p.workingDaysLeft} 個工作天。\n年度行事曆：${p.link}${footer['zh-TW']}`,
    },
    en: {
      subject: `Annual calendar: ${p.titleEn ?? p.title} due ${p.dueOn}`,
      text: `The annual task "${p.titleEn ?? p.title}" (${p.owner}) is due on ${p.dueOn}: ${p.workingDaysLeft} working days left.\nThe annual calendar: ${p.link}${footer.en}`,
    },
  };
}

/** An annual-calendar task is past its deadline and not marked done (to the window). */
export function taskLate(p: Subject & { dueOn: string; daysLate: number; owner: string }): Message {
  return {
    'zh-TW': {
      subject: `年度工作逾期：${p.title}`,
      text: `年度工作「${p.title}」（${p.owner}）應於 ${p.dueOn} 完成，已逾期 ${p.daysLate} 天，尚未標示完成。\n年度行事曆：${p.link}${footer['zh-TW']}`,
    },
    en: {
      subject: `Annual task late: ${p.titleEn ?? p.title}`,
      text: `The annual task "${p.titleEn ?? p.title}" (${p.owner}) was due on ${p.dueOn} and is ${p.daysLate} days late; it is not marked done.\nThe annual calendar: ${p.link}${footer.en}`,
    },
  };
}
