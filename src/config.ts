import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** One unit of the agency as configured (C1). `name` is the short id used in URLs, the CLI and the API. */
export interface UnitConfig {
  name: string;
  title: string;
  titleEn: string;
  /** agency = the agency itself; unit = one of its units. */
  kind: 'agency' | 'unit';
  /** The open-data window (資料開放窗口) receives imported datasets and escalations. */
  isWindow?: boolean;
}

export interface Config {
  readonly port: number;
  readonly host: string;
  /** `sqlite:<file>` or `postgres://…`. */
  readonly databaseUrl: string;
  readonly dataDir: string;
  readonly demo: boolean;
  readonly adminEmail: string;
  readonly adminPassword: string | undefined;
  /** Absolute URL the public reaches the portal at; used for download links and JSON-LD. */
  readonly baseUrl: string;
  readonly agency: { readonly code: string; readonly title: string; readonly titleEn: string };
  readonly units: readonly UnitConfig[];
  readonly siteTitle: string;
  readonly siteTitleEn: string;
  readonly logLevel: string;
  /** Distinct search queries whose results each instance keeps until the catalogue changes. */
  readonly searchCacheEntries: number;
  readonly mail: MailConfig;
  /** Sign-in sessions end after this many seconds without a request (default 8 h) … */
  readonly sessionIdleSeconds: number;
  /** … and at the latest this many seconds after sign-in (default 7 days). */
  readonly sessionMaxSeconds: number;
  /** Failed sign-ins in a row that lock an e-mail address (default 5) … */
  readonly lockoutAttempts: number;
  /** … for this many seconds (default 15 min). */
  readonly lockoutSeconds: number;
  /** Largest file an upload may be (default 2 GiB). */
  readonly uploadMaxBytes: number;
  /** Heap limit (MB) of the worker thread a datastore load runs in (default 128). */
  readonly loadHeapMb: number;
  /** A password link (invitation or reset) works for this many hours (default 72). */
  readonly passwordLinkHours: number;
  /** The quality engine (issue 5). */
  readonly quality: QualityConfig;
  /** Reminders and escalations of the daily run (issue 6); all in working days. */
  readonly followup: FollowupConfig;
}

export interface FollowupConfig {
  /** Unit contacts are reminded this many working days before an item's planned opening date (default 10; also "due soon" on the schedule). */
  readonly scheduleRemindDays: number;
  /** … this many working days before a continuing dataset's next update is due (default 5). */
  readonly updateRemindDays: number;
  /** Late (past due + grace): the unit reviewer is told at once; the open-data window after this many working days late (default 10). */
  readonly escalateDays: number;
  /** Owners of an annual-calendar task are reminded this many working days before its deadline (default 10). */
  readonly calendarRemindDays: number;
  /** The server runs the day's work once it is this hour in Asia/Taipei (0–23, default 7). */
  readonly dailyRunHour: number;
}

export interface QualityConfig {
  /** Publishing needs at least this badge (default none: the report informs, it does not block). */
  readonly minBadge: 'none' | 'bronze' | 'silver' | 'gold' | 'platinum';
  /** Link check of every published resource every N days (default 7). */
  readonly linkDays: number;
  /** Full check of every published resource every N months (default 6: once per evaluation half-year). */
  readonly fullMonths: number;
  /** A dataset is on time while at most this many days past its due date (default 1). */
  readonly graceDays: number;
  /** The badge ladder (a JSON file; default the usual reading of the national rules). */
  readonly badgeRulesFile: string | undefined;
  /** Link checks may reach private and loopback addresses (default no: a guard against probing the internal network). */
  readonly linkAllowPrivate: boolean;
  /** Timeouts of a link check, seconds (defaults 10 to connect, 120 in all). */
  readonly linkConnectSeconds: number;
  readonly linkTotalSeconds: number;
}

/** Where mail goes (nodemailer SMTP transport options). */
export interface SmtpConfig {
  readonly host: string;
  readonly port: number;
  /** TLS from the start (port 465); otherwise STARTTLS when the server offers it. */
  readonly secure: boolean;
  readonly user: string | undefined;
  readonly password: string | undefined;
}

export interface MailConfig {
  /** null: no SMTP configured; mail stays in the outbox. */
  readonly smtp: SmtpConfig | null;
  readonly from: string;
  /** Attempts before a message is given up (status failed). */
  readonly maxAttempts: number;
  /** First retry after this many seconds, doubling each time (capped at 6 h). */
  readonly retryBaseSeconds: number;
  /** How often the server's sender looks for due mail. */
  readonly intervalSeconds: number;
}

export class ConfigError extends Error {}

function smtpConfig(env: NodeJS.ProcessEnv): SmtpConfig | null {
  if (env.SMTP_URL) {
    let u: URL;
    try {
      u = new URL(env.SMTP_URL);
    } catch {
      throw new ConfigError('SMTP_URL is not a URL (e.g. smtp://user:pass@host:587) / SMTP_URL 格式錯誤');
    }
    if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') throw new ConfigError(`SMTP_URL must start with smtp:// or smtps:// (got "${u.protocol}") / SMTP_URL 須以 smtp:// 或 smtps:// 開頭`);
    const secure = u.protocol === 'smtps:';
    return { host: u.hostname, port: u.port ? Number(u.port) : secure ? 465 : 587, secure, user: u.username ? decodeURIComponent(u.username) : undefined, password: u.password ? decodeURIComponent(u.password) : undefined };
  }
  if (!env.KAIFANG_SMTP_HOST) return null;
  const secure = env.KAIFANG_SMTP_SECURE ? !['0', 'false', 'no', 'off'].includes(env.KAIFANG_SMTP_SECURE.toLowerCase()) : false;
  const port = Number(env.KAIFANG_SMTP_PORT || (secure ? 465 : 587));
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError(`KAIFANG_SMTP_PORT "${env.KAIFANG_SMTP_PORT}" is not a port number / KAIFANG_SMTP_PORT 必須是埠號`);
  return { host: env.KAIFANG_SMTP_HOST, port, secure, user: env.KAIFANG_SMTP_USER || undefined, password: env.KAIFANG_SMTP_PASSWORD || undefined };
}

const DEFAULT_UNITS: UnitConfig[] = [
  { name: 'dgbas', title: '行政院主計總處', titleEn: 'Directorate-General of Budget, Accounting and Statistics', kind: 'agency' },
  { name: 'public-budget', title: '公務預算處', titleEn: 'Department of Public Budget', kind: 'unit' },
  { name: 'fund-budget', title: '基金預算處', titleEn: 'Department of Special Fund Budget', kind: 'unit' },
  { name: 'accounting', title: '會計決算處', titleEn: 'Department of Accounting and Final Accounts', kind: 'unit' },
  { name: 'statistics', title: '綜合統計處', titleEn: 'Department of Statistics', kind: 'unit' },
  { name: 'census', title: '國勢普查處', titleEn: 'Department of Census', kind: 'unit' },
  { name: 'local-statistics', title: '地方統計推展中心', titleEn: 'Local Statistics Promotion Center', kind: 'unit' },
  { name: 'it', title: '主計資訊處', titleEn: 'Department of Information Management', kind: 'unit', isWindow: true },
];

const UNIT_NAME = /^[a-z0-9][a-z0-9_-]{1,99}$/;

function parseUnits(raw: unknown, source: string): UnitConfig[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new ConfigError(`${source}: expected a non-empty JSON array of units / 應為單位陣列`);
  const seen = new Set<string>();
  const units = raw.map((u: unknown, i): UnitConfig => {
    const o = (u ?? {}) as Record<string, unknown>;
    const name = typeof o.name === 'string' ? o.name : '';
    if (!UNIT_NAME.test(name)) throw new ConfigError(`${source}[${i}].name "${name}": lower-case letters, digits, - or _ / 單位代稱格式錯誤`);
    if (seen.has(name)) throw new ConfigError(`${source}[${i}].name "${name}" appears twice / 單位代稱重複`);
    seen.add(name);
    if (typeof o.title !== 'string' || !o.title) throw new ConfigError(`${source}[${i}].title is required / 缺少單位名稱`);
    const kind = o.kind === 'agency' ? 'agency' : 'unit';
    return { name, title: o.title, titleEn: typeof o.titleEn === 'string' ? o.titleEn : o.title, kind, isWindow: o.isWindow === true };
  });
  if (!units.some((u) => u.isWindow)) throw new ConfigError(`${source}: one unit must have "isWindow": true (資料開放窗口)`);
  return units;
}

function flag(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return !['0', 'false', 'no', 'off'].includes(value.toLowerCase());
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${name} "${raw}" must be a whole number ≥ 1 / ${name} 須為正整數`);
  return n;
}

/** Reads the environment once and returns a frozen config; throws ConfigError with a clear message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT "${env.PORT}" is not a port number / PORT 必須是埠號`);
  const dataDir = path.resolve(env.KAIFANG_DATA_DIR || './data');
  const databaseUrl = env.DATABASE_URL || `sqlite:${path.join(dataDir, 'kaifang.sqlite')}`;
  if (!/^(postgres(ql)?:\/\/|sqlite:)/.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL must start with postgres:// or sqlite: (got "${databaseUrl}") / DATABASE_URL 格式錯誤`);
  }
  const agencyCode = env.KAIFANG_AGENCY_CODE || 'A41000000G';
  if (!/^[a-zA-Z_0-9]{10}$/.test(agencyCode)) throw new ConfigError(`KAIFANG_AGENCY_CODE "${agencyCode}" must be the 10-character agency code / 機關代碼須為10碼`);
  let units = DEFAULT_UNITS;
  if (env.KAIFANG_UNITS_FILE) {
    if (!existsSync(env.KAIFANG_UNITS_FILE)) throw new ConfigError(`KAIFANG_UNITS_FILE ${env.KAIFANG_UNITS_FILE} does not exist / 找不到單位設定檔`);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(env.KAIFANG_UNITS_FILE, 'utf8'));
    } catch (e) {
      throw new ConfigError(`KAIFANG_UNITS_FILE is not valid JSON: ${(e as Error).message} / 單位設定檔不是有效的 JSON`);
    }
    units = parseUnits(raw, 'KAIFANG_UNITS_FILE');
  }
  const agencyUnit = units.find((u) => u.kind === 'agency');
  const cacheEntries = Number(env.KAIFANG_SEARCH_CACHE ?? 500);
  if (!Number.isInteger(cacheEntries) || cacheEntries < 0) throw new ConfigError(`KAIFANG_SEARCH_CACHE "${env.KAIFANG_SEARCH_CACHE}" must be a whole number ≥ 0 / 搜尋快取筆數須為非負整數`);
  const positive = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${name} "${raw}" must be a whole number ≥ 1 / ${name} 須為正整數`);
    return n;
  };
  const config: Config = {
    port,
    host: env.HOST || '0.0.0.0',
    databaseUrl,
    dataDir,
    demo: flag(env.KAIFANG_DEMO, true),
    adminEmail: env.KAIFANG_ADMIN_EMAIL || 'admin@kaifang.local',
    adminPassword: env.KAIFANG_ADMIN_PASSWORD || undefined,
    baseUrl: (env.KAIFANG_BASE_URL || `http://localhost:${port}`).replace(/\/+$/, ''),
    agency: {
      code: agencyCode,
      title: env.KAIFANG_AGENCY_NAME || agencyUnit?.title || '行政院主計總處',
      titleEn: env.KAIFANG_AGENCY_NAME_EN || agencyUnit?.titleEn || 'Directorate-General of Budget, Accounting and Statistics',
    },
    units,
    siteTitle: env.KAIFANG_SITE_TITLE || '開放資料平臺',
    siteTitleEn: env.KAIFANG_SITE_TITLE_EN || 'Open Data Portal',
    logLevel: env.LOG_LEVEL || 'info',
    searchCacheEntries: cacheEntries,
    mail: {
      smtp: smtpConfig(env),
      from: env.KAIFANG_MAIL_FROM || 'Kaifang <noreply@kaifang.local>',
      maxAttempts: wholeNumber(env, 'KAIFANG_MAIL_MAX_ATTEMPTS', 8),
      retryBaseSeconds: wholeNumber(env, 'KAIFANG_MAIL_RETRY_SECONDS', 60),
      intervalSeconds: wholeNumber(env, 'KAIFANG_MAIL_INTERVAL_SECONDS', 30),
    },
    sessionIdleSeconds: positive('KAIFANG_SESSION_IDLE_SECONDS', 8 * 3600),
    sessionMaxSeconds: positive('KAIFANG_SESSION_MAX_SECONDS', 7 * 86_400),
    lockoutAttempts: positive('KAIFANG_LOCKOUT_ATTEMPTS', 5),
    lockoutSeconds: positive('KAIFANG_LOCKOUT_SECONDS', 15 * 60),
    passwordLinkHours: positive('KAIFANG_PASSWORD_LINK_HOURS', 72),
    uploadMaxBytes: positive('KAIFANG_UPLOAD_MAX_BYTES', 2 * 1024 ** 3),
    loadHeapMb: positive('KAIFANG_LOAD_HEAP_MB', 128),
    quality: {
      minBadge: badgeName(env.KAIFANG_QUALITY_MIN_BADGE),
      linkDays: positive('KAIFANG_QUALITY_LINK_DAYS', 7),
      fullMonths: positive('KAIFANG_QUALITY_FULL_MONTHS', 6),
      graceDays: wholeNumber(env, 'KAIFANG_QUALITY_GRACE_DAYS', 1),
      badgeRulesFile: env.KAIFANG_BADGE_RULES_FILE || undefined,
      linkAllowPrivate: flag(env.KAIFANG_LINKCHECK_ALLOW_PRIVATE, false),
      linkConnectSeconds: positive('KAIFANG_LINKCHECK_CONNECT_SECONDS', 10),
      linkTotalSeconds: positive('KAIFANG_LINKCHECK_TOTAL_SECONDS', 120),
    },
    followup: {
      scheduleRemindDays: positive('KAIFANG_SCHEDULE_REMIND_DAYS', 10),
      updateRemindDays: positive('KAIFANG_FOLLOWUP_REMIND_DAYS', 5),
      escalateDays: positive('KAIFANG_FOLLOWUP_ESCALATE_DAYS', 10),
      calendarRemindDays: positive('KAIFANG_CALENDAR_REMIND_DAYS', 10),
      dailyRunHour: hourOfDay(env.KAIFANG_DAILY_RUN_HOUR),
    },
    ...overrides,
  };
  return Object.freeze(config);
}

function hourOfDay(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 7;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 23) throw new ConfigError(`KAIFANG_DAILY_RUN_HOUR "${raw}" must be a whole hour 0–23 (Asia/Taipei) / 每日排程時刻須為 0 至 23 的整點`);
  return n;
}

function badgeName(raw: string | undefined): QualityConfig['minBadge'] {
  const v = (raw ?? '').trim().toLowerCase();
  if (!v) return 'none';
  const names: Record<string, QualityConfig['minBadge']> = { none: 'none', 無: 'none', bronze: 'bronze', 銅: 'bronze', silver: 'silver', 銀: 'silver', gold: 'gold', 金: 'gold', platinum: 'platinum', 白金: 'platinum' };
  const b = names[v];
  if (!b) throw new ConfigError(`KAIFANG_QUALITY_MIN_BADGE "${raw}" must be none, bronze, silver, gold or platinum / 發布所需最低品質標章須為 無、銅、銀、金 或 白金`);
  return b;
}
