/**
 * Mail and inbox texts for the review workflow, in both languages. Each returns the message in
 * zh-TW and English; NotificationService picks the recipient's language.
 */
export type MailLang = 'zh-TW' | 'en';

export interface MailText {
  subject: string;
  text: string;
}

export type Message = Record<MailLang, MailText>;

interface DatasetRef {
  title: string;
  /** Absolute URL of the page the recipient acts on. */
  link: string;
}

const footer = {
  'zh-TW': '\n\n此信由開放資料平臺自動寄出，請勿直接回覆。',
  en: '\n\nThis message was sent by the open-data portal; please do not reply to it.',
};

/** A new account's owner gets the link to set their password; an existing one, a new link. */
export function passwordLink(p: { name: string; inviter: string; link: string; hours: number; invite: boolean }): Message {
  return p.invite
    ? {
        'zh-TW': {
          subject: '開放資料平臺帳號已建立，請設定密碼',
          text: `${p.name} 您好：\n\n${p.inviter} 已為您建立開放資料平臺後台帳號。請於 ${p.hours} 小時內開啟以下連結設定密碼：\n${p.link}\n\n連結只能使用一次；逾期請洽管理者重新寄送。${footer['zh-TW']}`,
        },
        en: {
          subject: 'Your open-data portal account: set your password',
          text: `Dear ${p.name},\n\n${p.inviter} created a back-office account for you on the open-data portal. Set your password within ${p.hours} hours at:\n${p.link}\n\nThe link works once; if it has expired, ask an administrator to send a new one.${footer.en}`,
        },
      }
    : {
        'zh-TW': {
          subject: '開放資料平臺：重新設定密碼',
          text: `${p.name} 您好：\n\n${p.inviter} 為您寄送了重新設定密碼的連結，請於 ${p.hours} 小時內開啟：\n${p.link}\n\n連結只能使用一次。若您未提出此要求，請通知管理者。${footer['zh-TW']}`,
        },
        en: {
          subject: 'Open-data portal: set a new password',
          text: `Dear ${p.name},\n\n${p.inviter} sent you a link to set a new password. Open it within ${p.hours} hours:\n${p.link}\n\nThe link works once. If you did not ask for this, tell an administrator.${footer.en}`,
        },
      };
}

/** A reviewer is told that a dataset of their unit waits for review. */
export function submissionToReviewer(p: DatasetRef & { submitter: string }): Message {
  return {
    'zh-TW': { subject: `待審查：${p.title}`, text: `${p.submitter} 已送出資料集「${p.title}」，等待您審查。\n審查頁面：${p.link}${footer['zh-TW']}` },
    en: { subject: `Awaiting your review: ${p.title}`, text: `${p.submitter} submitted the dataset "${p.title}" for your review.\nReview it at ${p.link}${footer.en}` },
  };
}

/** The unit contact is told that the reviewer approved and the dataset is public. */
export function approvalToContact(p: DatasetRef & { reviewer: string }): Message {
  return {
    'zh-TW': { subject: `已核准公開：${p.title}`, text: `${p.reviewer} 已核准資料集「${p.title}」，現已公開。\n${p.link}${footer['zh-TW']}` },
    en: { subject: `Approved and published: ${p.title}`, text: `${p.reviewer} approved the dataset "${p.title}"; it is now public.\n${p.link}${footer.en}` },
  };
}

/** The unit contact is told that the reviewer returned the dataset, with the reviewer's comment. */
export function returnToContact(p: DatasetRef & { reviewer: string; comment: string }): Message {
  return {
    'zh-TW': { subject: `退回修改：${p.title}`, text: `${p.reviewer} 退回資料集「${p.title}」，意見如下：\n\n${p.comment}\n\n修改頁面：${p.link}${footer['zh-TW']}` },
    en: { subject: `Returned with comments: ${p.title}`, text: `${p.reviewer} returned the dataset "${p.title}" with this comment:\n\n${p.comment}\n\nEdit it at ${p.link}${footer.en}` },
  };
}

/** The head of agency is told of a request to stop providing a dataset (or to change its provision type). */
export function discontinuationToHead(p: DatasetRef & { proposer: string; reason: string }): Message {
  return {
    'zh-TW': { subject: `停止提供申請待核定：${p.title}`, text: `${p.proposer} 申請停止提供資料集「${p.title}」，理由：\n\n${p.reason}\n\n核定頁面：${p.link}${footer['zh-TW']}` },
    en: { subject: `Discontinuation awaiting your approval: ${p.title}`, text: `${p.proposer} asks to stop providing the dataset "${p.title}". Reason:\n\n${p.reason}\n\nDecide at ${p.link}${footer.en}` },
  };
}

/** Whoever made a request (e.g. a discontinuation) is told of the decision. */
export function decisionToRequester(p: DatasetRef & { approved: boolean; decider: string; comment?: string }): Message {
  const zhDecision = p.approved ? '已核定' : '未核定';
  const enDecision = p.approved ? 'approved' : 'declined';
  const zhComment = p.comment ? `\n意見：${p.comment}` : '';
  const enComment = p.comment ? `\nComment: ${p.comment}` : '';
  return {
    'zh-TW': { subject: `申請${zhDecision}：${p.title}`, text: `${p.decider} ${zhDecision}您對資料集「${p.title}」的申請。${zhComment}\n${p.link}${footer['zh-TW']}` },
    en: { subject: `Request ${enDecision}: ${p.title}`, text: `${p.decider} ${enDecision} your request about the dataset "${p.title}".${enComment}\n${p.link}${footer.en}` },
  };
}
