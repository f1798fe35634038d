/**
 * The `kaifang` command line. It reads the same environment as the server (loadConfig) and
 * calls the services directly, never HTTP. Results go to stdout, messages and progress to
 * stderr, so output can be piped (`kaifang tokens create … | …`, `kaifang export datagovtw > x.csv`).
 */
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { readFile, rename, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { Presets, SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import { bootstrap, type BootstrapReport } from './bootstrap.ts';
import { ConfigError, loadConfig } from './config.ts';
import { openDb } from './db/index.ts';
import { AppError } from './errors.ts';
import { exportDatagovtwList } from './modules/datagovtw/list-export.service.ts';
import { importDatagovtwList, type LineProblem } from './modules/datagovtw/list-import.service.ts';
import { MailSender } from './modules/notifications/mail.sender.ts';
import { checkHeaderRows } from './modules/datastore/upload.service.ts';
import { publishUtf8Copy } from './modules/datastore/utf8-copy.ts';
import { checkTarget, exitCodeOf, renderReport, reportJson, type CheckOptions } from './modules/quality/check.cli.ts';
import { CalendarFileError } from './modules/calendar/working-days.ts';
import { checkAsOf, type DailySummary } from './modules/followup/followup.service.ts';
import { registerInventoryCommands } from './modules/inventory/inventory.cli.ts';
import { ROLES } from './modules/users/users.service.ts';
import { createServices, type Services } from './services.ts';
import { taipeiDate } from './time.ts';

const out = (line: string) => process.stdout.write(`${line}\n`);
const info = (line: string) => process.stderr.write(`${line}\n`);

/** Opens the database named by the environment, brings it up to date (no demo data) and runs `fn`. */
async function withServices<T>(fn: (s: Services, boot: BootstrapReport) => Promise<T>, opts: { announceAdmin?: boolean } = {}): Promise<T> {
  const config = loadConfig();
  const db = openDb(config.databaseUrl);
  try {
    const services = createServices(config, db);
    const boot = await bootstrap(services);
    // On a fresh database the admin password is generated now: never let it get lost.
    if ((opts.announceAdmin ?? true) && boot.adminPassword) {
      info(`已建立管理者帳號 Admin account created: ${config.adminEmail}`);
      info(`密碼（只顯示這一次）Password (shown once): ${boot.adminPassword}`);
    }
    return await fn(services, boot);
  } finally {
    await db.destroy();
  }
}

interface Progress {
  update(value: number, label: string): void;
  stop(): void;
}

/** A progress bar on a terminal; elsewhere (logs, CI) a line every few seconds. */
function progress(title: string, total: number): Progress {
  if (process.stderr.isTTY) {
    const bar = new SingleBar(
      { format: `${title} [{bar}] {percentage}% | {label} | {eta_formatted}`, stream: process.stderr, hideCursor: true, etaBuffer: 50 },
      Presets.shades_classic,
    );
    bar.start(Math.max(total, 1), 0, { label: '' });
    return { update: (value, label) => bar.update(value, { label }), stop: () => bar.stop() };
  }
  let last = Date.now();
  return {
    update(value, label) {
      if (Date.now() - last < 2000) return;
      last = Date.now();
      const pct = total > 0 ? ` ${Math.floor((value / total) * 100)}%` : '';
      info(`${title}${pct} ${label}`);
    },
    stop: () => undefined,
  };
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError(`須為正整數 / must be a positive whole number (got "${value}")`);
  return n;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function requireFile(file: string): Promise<number> {
  const st = await stat(file).catch(() => undefined);
  if (!st) throw new AppError('FILE_NOT_FOUND', 404, `找不到檔案：${file}`, `file not found: ${file}`);
  if (!st.isFile()) throw new AppError('FILE_NOT_FOUND', 400, `不是檔案：${file}`, `not a file: ${file}`);
  return st.size;
}

const problemLine = (p: LineProblem) =>
  `  第 ${p.line} 行 line ${p.line}${p.identifier ? ` [${p.identifier}]` : ''}${p.column ? ` ${p.column}` : ''}: ${p.message}`;

const MAX_WARNINGS_SHOWN = 50;

async function importDatagovtw(file: string, opts: { unit?: string }): Promise<void> {
  const size = await requireFile(file);
  await withServices(async (s) => {
    const bar = progress('匯入 Importing', size);
    const report = await importDatagovtwList(s, createReadStream(file), {
      unit: opts.unit,
      progressEvery: 50,
      auditLabel: `import datagovtw ${path.basename(file)}`,
      onProgress: (p) => bar.update(p.bytes, `${p.rows} 筆 rows, 失敗 failed ${p.failed}`),
    }).finally(() => bar.stop());
    if (report.errors.length > 0) {
      info(`失敗的資料列 Rows that failed (${report.failed}):`);
      for (const p of report.errors) info(problemLine(p));
    }
    if (report.warnings.length > 0) {
      info(`警告 Warnings (${report.warnings.length}):`);
      for (const p of report.warnings.slice(0, MAX_WARNINGS_SHOWN)) info(problemLine(p));
      if (report.warnings.length > MAX_WARNINGS_SHOWN) info(`  …另有 ${report.warnings.length - MAX_WARNINGS_SHOWN} 則警告 / ${report.warnings.length - MAX_WARNINGS_SHOWN} more warnings`);
    }
    out(
      `匯入完成 Import finished: ${report.rows} 筆 rows — 新增 created ${report.created}, 更新 updated ${report.updated}, ` +
        `失敗 failed ${report.failed}, 警告 warnings ${report.warnings.length}` +
        (report.skipped > 0 ? `, 空白列略過 blank rows skipped ${report.skipped}` : ''),
    );
    if (report.failed > 0) process.exitCode = 1;
  });
}

async function exportDatagovtw(opts: { output?: string; includeDemo?: boolean }): Promise<void> {
  await withServices(async (s) => {
    const total = await s.catalogue.countPublished();
    const bar = opts.output ? progress('匯出 Exporting', total) : undefined;
    const run = (stream: Writable) =>
      exportDatagovtwList(s, stream, { includeDemo: opts.includeDemo, onProgress: (done, n) => bar?.update(done, `${done}/${n}`) }).finally(() => bar?.stop());
    let report;
    if (opts.output) {
      // Write beside the target and rename, so a failed export never leaves half a file.
      const target = path.resolve(opts.output);
      const tmp = `${target}.${process.pid}.tmp`;
      const file = createWriteStream(tmp);
      try {
        report = await run(file);
        file.end();
        await once(file, 'finish');
        await rename(tmp, target);
      } catch (e) {
        file.destroy();
        await rm(tmp, { force: true });
        throw e;
      }
      info(`已匯出 ${report.written} 筆資料集至 ${target} / exported ${report.written} datasets to ${target}`);
    } else {
      report = await run(process.stdout);
      info(`已匯出 ${report.written} 筆資料集 / exported ${report.written} datasets`);
    }
    if (report.skippedDemo > 0) info(`略過示範資料 ${report.skippedDemo} 筆 / skipped ${report.skippedDemo} demo datasets (--include-demo to include)`);
  });
}

function buildProgram(version: string): Command {
  const program = new Command('kaifang')
    .description('開放資料平臺 Kaifang 管理命令 / Kaifang open-data platform administration')
    .version(version, '-V, --version', '顯示版本 / show the version')
    .helpOption('-h, --help', '顯示說明 / show help')
    .helpCommand('help [command]', '顯示命令說明 / show help for a command')
    .showHelpAfterError('（執行 kaifang --help 查看用法 / run kaifang --help for usage）')
    .configureOutput({ outputError: (str, write) => write(`命令用法錯誤 Usage error: ${str.replace(/^error: /, '')}`) })
    .addHelpText(
      'after',
      `
環境變數 Environment (same as the server / 與伺服器相同):
  DATABASE_URL            sqlite:<file> 或 or postgres://…（預設 default: sqlite under KAIFANG_DATA_DIR）
  KAIFANG_DATA_DIR        資料目錄 data directory（預設 default: ./data）
  KAIFANG_ADMIN_EMAIL     管理者帳號 admin e-mail
  KAIFANG_ADMIN_PASSWORD  管理者密碼 admin password（未設定則自動產生 generated when unset）
  KAIFANG_AGENCY_CODE     10碼機關代碼 10-character agency code
  KAIFANG_UNITS_FILE      單位設定檔 units configuration (JSON)`,
    );

  program
    .command('migrate')
    .description('更新資料庫結構、建立設定的單位與管理者帳號 / migrate the database, create configured units and the admin account')
    .action(async () => {
      await withServices(
        async (s, boot) => {
          const units = await s.units.list();
          out(`資料庫已是最新版本 Database is up to date (${s.db.engine})`);
          out(`單位 Units: ${units.map((u) => u.name).join(', ')}`);
          if (boot.adminCreated) {
            out(`已建立管理者帳號 Admin account created: ${s.config.adminEmail}`);
            if (boot.adminPassword) out(`密碼（只顯示這一次）Password (shown once): ${boot.adminPassword}`);
          }
        },
        { announceAdmin: false },
      );
    });

  const importCmd = program.command('import').description('匯入資料 / import data');
  importCmd
    .command('datagovtw')
    .description('匯入國家資料開放平臺清單（22欄 CSV，UTF-8）/ import the data.gov.tw national list (22-column CSV, UTF-8)')
    .argument('<file>', '清單檔 list file (.csv)')
    .option('--unit <name>', '本機關資料集放入的單位（預設：資料開放窗口）/ unit for the agency\'s own datasets (default: the open-data window)')
    .action(importDatagovtw);

  const exportCmd = program.command('export').description('匯出資料 / export data');
  exportCmd
    .command('datagovtw')
    .description('以國家資料開放平臺清單格式匯出已公開的資料集 / export published datasets as the data.gov.tw national list')
    .option('-o, --output <file>', '輸出檔（預設：標準輸出）/ output file (default: stdout)')
    .option('--include-demo', '包含示範資料 / include demo datasets')
    .action(exportDatagovtw);

  const users = program.command('users').description('帳號管理 / user accounts');
  users
    .command('add')
    .description('建立帳號 / create a user')
    .argument('<email>', '電子郵件 e-mail')
    .requiredOption('--name <name>', '姓名 full name')
    .requiredOption('--unit <name>', '單位代稱 unit name')
    .requiredOption('--role <role>', `角色 role: ${ROLES.join(', ')}`)
    .option('--password-stdin', '從標準輸入讀取密碼（至少12字元）/ read the password from stdin (at least 12 characters)')
    .action(async (email: string, opts: { name: string; unit: string; role: string; passwordStdin?: boolean }) => {
      const password = opts.passwordStdin ? await readStdin() : undefined;
      await withServices(async (s) => {
        const user = await s.users.create({ email, name: opts.name, unit: opts.unit, role: opts.role, password });
        out(`已建立帳號 User created: ${user.email} (${user.roles.map((r) => `${r.role}@${r.unit}`).join(', ')})`);
        if (!password) info('此帳號沒有密碼，只能用 API 權杖 / this account has no password: use an API token (kaifang tokens create)');
      });
    });

  users
    .command('invite')
    .description('建立帳號並寄出設定密碼的邀請信 / create a user and mail them a link to set their password')
    .argument('<email>', '電子郵件 e-mail')
    .requiredOption('--name <name>', '姓名 full name')
    .requiredOption('--unit <name>', '單位代稱 unit name')
    .requiredOption('--role <role>', `角色 role: ${ROLES.join(', ')}`)
    .action(async (email: string, opts: { name: string; unit: string; role: string }) => {
      await withServices(async (s) => {
        const { user, link } = await s.accounts.invite('cli', { email, name: opts.name, unit: opts.unit, role: opts.role });
        out(`已建立帳號 User created: ${user.email} (${user.roles.map((r) => `${r.role}@${r.unit}`).join(', ')})`);
        out(`設定密碼連結 Password link (${s.config.passwordLinkHours} h, once): ${link}`);
        info(s.config.mail.smtp ? '邀請信已排入寄送 / the invitation is queued for mailing' : '未設定 SMTP_URL：請將連結轉交本人 / no SMTP_URL: pass the link on yourself');
      });
    });

  users
    .command('password-link')
    .description('寄送新的設定密碼連結（先前的連結失效）/ mail a new link to set the password (earlier links stop working)')
    .argument('<email>', '電子郵件 e-mail')
    .action(async (email: string) => {
      await withServices(async (s) => {
        const { link } = await s.accounts.sendPasswordLink('cli', email);
        out(`設定密碼連結 Password link (${s.config.passwordLinkHours} h, once): ${link}`);
      });
    });

  users
    .command('list')
    .description('列出帳號、角色與狀態 / list users with their roles and status')
    .action(async () => {
      await withServices(async (s) => {
        for (const u of await s.users.list()) {
          const roles = u.roles.map((r) => `${r.role}@${r.unit}`).join(',') || '-';
          out(`${u.email}\t${u.name}\t${roles}\t${u.disabledAt ? `已停用 disabled ${u.disabledAt}` : '啟用 active'}`);
        }
      });
    });
  const role = users.command('role').description('角色 / roles (scoped to a unit)');
  for (const [verb, zh] of [['add', '新增'], ['remove', '移除']] as const) {
    role
      .command(verb)
      .description(`${zh}帳號在某單位的角色 / ${verb} a user's role in a unit`)
      .argument('<email>', '電子郵件 e-mail')
      .requiredOption('--unit <name>', '單位代稱 unit name')
      .requiredOption('--role <role>', `角色 role: ${ROLES.join(', ')}`)
      .action(async (email: string, opts: { unit: string; role: string }) => {
        await withServices(async (s) => {
          const user = verb === 'add' ? await s.users.addRole(email, opts.unit, opts.role) : await s.users.removeRole(email, opts.unit, opts.role);
          out(`${user.email}\t${user.roles.map((r) => `${r.role}@${r.unit}`).join(',') || '-'}`);
        });
      });
  }
  users
    .command('disable')
    .description('停用帳號：登入工作階段立即結束，API 權杖失效 / disable a user: sessions end, API tokens stop working')
    .argument('<email>', '電子郵件 e-mail')
    .action(async (email: string) => {
      await withServices(async (s) => {
        await s.users.disable(email);
        info(`已停用 Disabled: ${email}`);
      });
    });
  users
    .command('enable')
    .description('重新啟用帳號 / enable a disabled user')
    .argument('<email>', '電子郵件 e-mail')
    .action(async (email: string) => {
      await withServices(async (s) => {
        await s.users.enable(email);
        info(`已啟用 Enabled: ${email}`);
      });
    });
  users
    .command('passwd')
    .description('設定新密碼並結束該帳號所有登入 / set a new password and end all of the user\'s sessions')
    .argument('<email>', '電子郵件 e-mail')
    .requiredOption('--password-stdin', '從標準輸入讀取密碼（至少12字元）/ read the password from stdin (at least 12 characters)')
    .action(async (email: string) => {
      const password = await readStdin();
      await withServices(async (s) => {
        await s.users.setPassword(email, password);
        info(`已變更密碼 Password changed: ${email}`);
      });
    });

  const tokens = program.command('tokens').description('API 權杖 / API tokens');
  tokens
    .command('create')
    .description('建立 API 權杖，標準輸出只印出權杖 / create an API token; stdout is the token alone')
    .argument('<email>', '帳號電子郵件 the user\'s e-mail')
    .option('--name <name>', '權杖名稱 token name', 'cli')
    .option('--expires-days <days>', '有效天數 days until it expires', positiveInt)
    .action(async (email: string, opts: { name: string; expiresDays?: number }) => {
      await withServices(async (s) => {
        const t = await s.users.createToken(email, { name: opts.name, expiresInDays: opts.expiresDays });
        out(t.token);
        info(`已為 ${email} 建立權杖 Token created for ${email} (id ${t.id})${t.expiresAt ? `，到期 expires ${t.expiresAt}` : '，不會過期 (no expiry)'}`);
      });
    });
  tokens
    .command('list')
    .description('列出帳號的權杖（不含權杖本身）/ list a user\'s tokens (never the token itself)')
    .argument('<email>', '帳號電子郵件 the user\'s e-mail')
    .action(async (email: string) => {
      await withServices(async (s) => {
        for (const t of await s.users.listTokens(email)) {
          const state = t.revokedAt ? `已撤銷 revoked ${t.revokedAt}` : t.expiresAt && t.expiresAt < new Date().toISOString() ? `已過期 expired ${t.expiresAt}` : '有效 active';
          out(`${t.id}\t${t.name}\t${t.createdAt}\t${state}\t${t.lastUsedAt ?? '-'}`);
        }
      });
    });
  tokens
    .command('revoke')
    .description('撤銷權杖 / revoke a token')
    .argument('<id>', '權杖 id（見 tokens list）/ token id (see tokens list)')
    .action(async (id: string) => {
      await withServices(async (s) => {
        await s.users.revokeToken(id);
        info(`已撤銷權杖 Token revoked: ${id}`);
      });
    });

  const audit = program.command('audit').description('稽核紀錄 / audit trail');
  audit
    .command('verify')
    .description('檢查稽核紀錄的雜湊鏈，指出第一筆被竄改或遺失的紀錄 / check the audit hash chain and name the first altered or missing entry')
    .action(async () => {
      await withServices(async (s) => {
        const bar = progress('檢查稽核紀錄 Verifying', 0);
        const report = await s.audit.verify((done, total) => bar.update(done, `${done}/${total}`)).finally(() => bar.stop());
        const b = report.firstBreak;
        if (!b) {
          out(`稽核紀錄完整 Audit trail intact: ${report.entries} 筆 entries, 雜湊鏈正確 hash chain verified`);
          return;
        }
        out(`稽核紀錄遭竄改 Audit trail broken at entry ${b.seq}${b.action ? ` (${b.action}, ${b.at ?? ''})` : ''}: ${b.zh} / ${b.en}`);
        process.exitCode = 1;
      });
    });
  audit
    .command('log')
    .description('列出稽核紀錄，新的在前 / list audit entries, newest first')
    .option('--entity <id>', '只列此物件（資料集或帳號 id）/ only this entity (dataset or user id)')
    .option('--limit <n>', '筆數 how many', positiveInt, 50)
    .action(async (opts: { entity?: string; limit: number }) => {
      await withServices(async (s) => {
        for (const e of await s.audit.log({ entityId: opts.entity, limit: opts.limit })) {
          out(`${e.seq}\t${e.at}\t${e.action}\t${e.entityType}:${e.entityId}\t${e.actorLabel}${e.actorId && e.actorId !== 'system' ? ` (${e.actorId})` : ''}`);
        }
      });
    });

  const mail = program.command('mail').description('電子郵件 / e-mail');
  mail
    .command('send-pending')
    .description('立即寄出寄件匣中到期的郵件 / send the due mail in the outbox now')
    .action(async () => {
      await withServices(async (s) => {
        const sender = new MailSender(s.db, s.config.mail, { info, warn: info });
        const r = await sender.sendPending().finally(() => sender.stop());
        if (r.notConfigured) {
          info('未設定 SMTP（SMTP_URL 或 KAIFANG_SMTP_HOST），郵件留在寄件匣 / no SMTP configured (SMTP_URL or KAIFANG_SMTP_HOST): mail stays in the outbox');
          return;
        }
        out(`已寄出 sent ${r.sent}, 待重試 to retry ${r.retrying}, 放棄 gave up ${r.gaveUp}`);
      });
    });

  const ds = program.command('datastore').description('資料表 / the datastore (resource files loaded as tables)');
  ds.command('load')
    .description('將檔案載入為資料資源的新版本並建立資料表（進度顯示於 stderr）/ store a file as a new version of a resource and load it as a table (progress on stderr)')
    .argument('<file>', '檔案路徑 path of the file (CSV, TSV …)')
    .requiredOption('--resource <id>', '資料資源編號 national resource id, e.g. A41000000G-000001-001')
    .option('--format <format>', '檔案格式（預設依副檔名）format (default: from the file name)')
    .option('--encoding <encoding>', '宣告的編碼格式（位元組判斷為準）declared encoding (the bytes decide unless detection is weak)')
    .option('--header <lines>', '表頭所在行號，跨多行時如 4-6（報表版面的檔案）the header line(s) of a report-like file, e.g. 4 or 4-6')
    .action(async (file: string, opts: { resource: string; format?: string; encoding?: string; header?: string }) => {
      checkHeaderRows(opts.header);
      const size = await stat(file).then((st) => (st.isFile() ? st.size : -1), () => undefined);
      if (size === undefined || size < 0) throw new AppError('FILE_NOT_FOUND', 404, `找不到檔案：${file}`, `no such file: ${file}`);
      await withServices(async (s) => {
        const format = (opts.format ?? path.extname(file).slice(1) ?? '').toUpperCase() || 'CSV';
        const v = await s.datastore.addVersion({ resourceId: opts.resource, source: createReadStream(file), fileName: path.basename(file), format, encodingDeclared: opts.encoding ?? null, headerRows: opts.header ?? null, uploadedBy: 'cli' }, { maxBytes: s.config.uploadMaxBytes });
        const copy = await publishUtf8Copy(s.db, s.files, v);
        if (copy) info(`已製作 UTF-8 副本（原始檔保留不變）/ a UTF-8 copy was made (the original is kept as it is): ${copy}`);
        const bar = progress('載入 Loading', 0);
        const started = Date.now();
        const r = await s.datastore.load(v.id, (p) => bar.update(p.rows, `${p.phase} ${p.rows.toLocaleString('en')} 筆 rows`)).finally(() => bar.stop());
        const secs = (Date.now() - started) / 1000;
        out(`版本 version ${v.version} (${v.id}) → ${r.table}: ${r.rows} 筆 rows, ${secs.toFixed(1)} s`);
        for (const c of r.columns) out(`  ${c.name}\t${c.type}`);
        for (const i of r.issues) info(`${i.line ? `第 ${i.line} 行 line ${i.line}: ` : ''}${i.zh} / ${i.en}`);
        info('此版本尚未公開：隨資料集的變更經審查核准後公開 / this version is not public yet: it becomes public when the dataset change that brings it is approved');
      });
    });

  program
    .command('check')
    .description('品質檢查：以國家平臺的指標（及更嚴格的內容檢查）檢查一個檔案或網址；結束碼 0 全部通過、1 有未通過、2 無法檢查 / quality check of a file or URL; exit 0 when nothing fails, 1 when an indicator fails, 2 when it could not be checked')
    .argument('<file-or-url>', '檔案路徑或 http(s) 網址 a file path or an http(s) URL')
    .option('--format <format>', '宣告的檔案格式（如 CSV）the declared format, e.g. CSV')
    .option('--encoding <encoding>', '宣告的編碼格式（如 UTF-8、BIG5）the declared encoding')
    .option('--fields <text>', '主要欄位說明（國家規範的文字格式）the declared field description (主要欄位說明)')
    .option('--header <lines>', '表頭所在行號（報表版面的檔案）header line(s) of a report-like file, e.g. 4-6')
    .option('--json', '以 JSON 輸出一個物件 print one JSON object')
    .action(async (target: string, opts: CheckOptions & { json?: boolean }) => {
      let report;
      try {
        const config = loadConfig();
        const started = Date.now();
        let last = 0;
        report = await checkTarget(target, opts, config, (rows) => {
          if (!opts.json && process.stderr.isTTY && Date.now() - last > 500) {
            last = Date.now();
            process.stderr.write(`\r檢查中 checking… ${rows.toLocaleString('en')} 筆 rows`);
          }
        });
        if (!opts.json && process.stderr.isTTY && last) process.stderr.write(`\r${' '.repeat(40)}\r`);
        if (!opts.json) info(`（${((Date.now() - started) / 1000).toFixed(1)} s）`);
      } catch (err) {
        reportError(err);
        process.exitCode = 2;
        return;
      }
      out(opts.json ? reportJson(report) : renderReport(report));
      process.exitCode = exitCodeOf(report);
    });

  const cal = program.command('calendar').description('辦公日曆（工作天）/ the working-day calendar (holidays and make-up working days, a year at a time)');
  cal
    .command('load')
    .description('載入或取代一年的辦公日曆（JSON，格式同 src/modules/calendar/data/2026.json）；有任何錯誤則不變更並列出 / load or replace a year (JSON as the shipped files); a file with problems changes nothing and each problem is named')
    .argument('<file>', 'JSON 檔 the year file')
    .action(async (file: string) => {
      const text = await readFile(file, 'utf8').catch(() => {
        throw new AppError('FILE_NOT_FOUND', 404, `找不到檔案：${file}`, `no such file: ${file}`);
      });
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (err) {
        throw new AppError('BAD_JSON', 400, `不是有效的 JSON：${(err as Error).message}`, `not valid JSON: ${(err as Error).message}`);
      }
      await withServices(async (s) => {
        try {
          const y = await s.calendar.load(raw, { id: 'cli', label: 'kaifang CLI' });
          out(`${y.year}：${y.holidays.length} 個放假日、${y.workdays.length} 個補行上班日 / ${y.holidays.length} days off, ${y.workdays.length} make-up working days`);
        } catch (err) {
          if (!(err instanceof CalendarFileError)) throw err;
          for (const p of err.problems) info(`${p.zh} / ${p.en}`);
          throw new AppError('CALENDAR_INVALID', 400, `日曆檔有 ${err.problems.length} 個問題，未載入`, `the calendar file has ${err.problems.length} problems; nothing was loaded`);
        }
      });
    });
  cal
    .command('show')
    .description('列出已載入年份的放假日與補行上班日 / the loaded years: days off and make-up working days')
    .option('--year <year>', '只列此年 one year only')
    .action(async (opts: { year?: string }) => {
      await withServices(async (s) => {
        for (const y of await s.calendar.years()) {
          if (opts.year && String(y.year) !== opts.year) continue;
          out(`# ${y.title}（${y.source}）`);
          for (const h of y.holidays) out(`${h.date}\t放假 off\t${h.name}`);
          for (const w of y.workdays) out(`${w.date}\t補行上班 work\t${w.name}`);
        }
      });
    });

  // Issue 6: the daily run (reminders, escalations, 跟催).
  const jobsCmd = program.command('jobs').description('排程工作 / scheduled work');
  jobsCmd
    .command('run-daily')
    .description('執行某日的每日作業（提醒、逾期通知、陳報），重複執行不會重寄 / run one day of the daily work (reminders, overdue notices, escalations); running it again sends nothing twice')
    .option('--as-of <date>', '以此日期執行（YYYY-MM-DD，預設今天，臺北時間）the day to run as of (default today in Taipei)')
    .option('--json', '以 JSON 輸出一個物件（含 sent）print one JSON object (with sent)')
    .action(async (opts: { asOf?: string; json?: boolean }) => {
      let asOf: string;
      try {
        asOf = checkAsOf(opts.asOf ?? taipeiDate());
      } catch (err) {
        reportError(err);
        process.exitCode = 2;
        return;
      }
      await withServices(async (s) => {
        const summary = await s.followup.runDaily(asOf);
        out(opts.json ? JSON.stringify(summary) : dailySummaryText(summary));
      });
    });

  program
    .command('reindex')
    .description('重建公開搜尋索引 / rebuild the public search index')
    .action(async () => {
      await withServices(async (s) => {
        const bar = progress('重建索引 Reindexing', 0);
        let total = 0;
        await s.catalogue
          .reindexAll((done, n) => {
            total = n;
            bar.update(done, `${done}/${n}`);
          })
          .finally(() => bar.stop());
        out(`已重建 ${total} 筆資料集的索引 / reindexed ${total} datasets`);
      });
    });

  // Issue 6: the yearly inventory (template, import, export).
  registerInventoryCommands(program, { withServices, progress });

  return program;
}

/** The daily run's summary for a person: what was sent, by stage and by kind. */
function dailySummaryText(r: DailySummary): string {
  return [
    `每日作業 Daily run ${r.asOf}${r.partial ? '（未完成 partial）' : ''}`,
    `  寄出通知 notifications sent: ${r.sent}${r.already > 0 ? `（已寄過而略過 ${r.already} 件 / ${r.already} already sent, skipped）` : ''}`,
    `  提醒 reminders ${r.reminders}, 逾期 overdue ${r.overdue}, 陳報 escalated ${r.escalated}`,
    `  資料集更新 dataset updates ${r.byKind.dataset_update}, 開放期程 schedule items ${r.byKind.schedule_item}, 年度行事曆 calendar tasks ${r.byKind.calendar_task}`,
    `  追蹤中 followed: 資料集 datasets ${r.datasets}（逾期 late ${r.late.datasets}）, 開放項目 items ${r.items}（逾期 late ${r.late.items}）, 年度工作 tasks ${r.tasks}（逾期 late ${r.late.tasks}）`,
  ].join('\n');
}

/**
 * The code of a problem with the surroundings rather than with Kaifang, looking through
 * `cause`: file system and network errors (ENOENT, EACCES, ECONNREFUSED…), PostgreSQL
 * connection (08xxx), login (28xxx) and missing-database (3D000) errors, SQLite open errors.
 */
function environmentCode(err: Error): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if ('code' in e && typeof e.code === 'string' && /^(E[A-Z]+|08\w{3}|28\w{3}|3D000|SQLITE_(CANTOPEN|READONLY|BUSY|NOTADB))$/.test(e.code)) return e.code;
  }
  return undefined;
}

/** Prints an error for a person to act on: no stack traces for things they did wrong. */
function reportError(err: unknown): void {
  if (err instanceof AppError) {
    info(`錯誤：${err.zh}`);
    info(`Error: ${err.en}`);
    for (const [field, messages] of Object.entries(err.details ?? {})) for (const m of messages) info(`  ${field}: ${m}`);
  } else if (err instanceof ConfigError) {
    info(`設定錯誤 Configuration error: ${err.message}`);
  } else if (err instanceof Error && environmentCode(err)) {
    const code = environmentCode(err) ?? '';
    const hint = /^(E[A-Z]+)$/.test(code) && !/^ECONN|^ENOTFOUND|^ETIMEDOUT/.test(code) ? '' : '（請檢查 DATABASE_URL / check DATABASE_URL）';
    info(`錯誤 Error: ${err.message}${hint}`);
  } else {
    info(`內部錯誤 Internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
}

async function main(): Promise<void> {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  await buildProgram(pkg.version ?? '0.0.0').parseAsync(process.argv);
}

const isBrokenPipe = (err: unknown) => err instanceof Error && 'code' in err && err.code === 'EPIPE';

main().catch((err: unknown) => {
  // `kaifang export datagovtw | head`: the reader has all it wanted; not an error.
  if (isBrokenPipe(err)) return;
  reportError(err);
  process.exitCode = 1;
});
