import { buildApp } from './app.ts';
import { bootstrap } from './bootstrap.ts';
import { ConfigError, loadConfig } from './config.ts';
import { openDb } from './db/index.ts';
import { MailSender } from './modules/notifications/mail.sender.ts';
import { loadDemoCatalogue } from './modules/demo/demo.service.ts';
import { createServices } from './services.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const db = openDb(config.databaseUrl);
  const services = createServices(config, db);
  const report = await bootstrap(services, { loadDemo: loadDemoCatalogue });
  if (report.adminCreated) {
    console.log(`管理者帳號 Admin account: ${config.adminEmail}`);
    if (report.adminPassword) console.log(`密碼（只顯示這一次）Password (shown once): ${report.adminPassword}`);
  }
  if (report.demoLoaded > 0) console.log(`已載入示範資料 ${report.demoLoaded} 筆 / loaded ${report.demoLoaded} demo datasets (示範資料; KAIFANG_DEMO=0 to skip)`);
  const app = await buildApp(services, { logger: true });
  const mail = new MailSender(db, config.mail, { info: (m) => app.log.info(m), warn: (m) => app.log.warn(m) });
  mail.start();
  // Background work (datastore loads) on this instance; several instances share the queue.
  services.jobs.start();
  // Quality checks that fall due (weekly links, half-yearly full checks): looked for hourly.
  const scheduleQuality = () => void services.quality.scheduleDue().then(
    (q) => q.full + q.links > 0 && app.log.info(`quality checks queued: ${q.full} full, ${q.links} links`),
    (err: unknown) => app.log.warn(`quality schedule: ${err instanceof Error ? err.message : String(err)}`),
  );
  const qualityTimer = setInterval(scheduleQuality, 3_600_000);
  qualityTimer.unref();
  setTimeout(scheduleQuality, 10_000).unref();
  // Issue 6: the daily run (reminders, escalations, 跟催) once it is KAIFANG_DAILY_RUN_HOUR in Taipei and
  // the day has not run; looked for at start and every 10 minutes, one at a time (the ledger keeps
  // instances sharing a database from sending anything twice).
  let dailyRunning = false;
  const runDaily = () => {
    if (dailyRunning) return;
    dailyRunning = true;
    void services.followup
      .runIfDue()
      .then(
        (r) => r && app.log.info(`daily run ${r.asOf}: ${r.sent} notifications sent (reminders ${r.reminders}, overdue ${r.overdue}, escalated ${r.escalated}; datasets ${r.byKind.dataset_update}, schedule items ${r.byKind.schedule_item}, calendar tasks ${r.byKind.calendar_task})`),
        (err: unknown) => app.log.warn(`daily run: ${err instanceof Error ? err.message : String(err)}`),
      )
      .finally(() => (dailyRunning = false));
  };
  const dailyTimer = setInterval(runDaily, 600_000);
  dailyTimer.unref();
  setTimeout(runDaily, 5_000).unref();
  const close = async () => {
    clearInterval(qualityTimer);
    clearInterval(dailyTimer);
    await app.close();
    await mail.stop();
    await services.jobs.stop();
    await db.destroy();
    process.exit(0);
  };
  process.once('SIGINT', () => void close());
  process.once('SIGTERM', () => void close());
  await app.listen({ port: config.port, host: config.host });
  console.log(`開放資料平臺 Kaifang: ${config.baseUrl}`);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(`設定錯誤 Configuration error: ${err.message}`);
  else console.error(err);
  process.exit(1);
});
