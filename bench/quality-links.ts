/**
 * Link-check benchmark (issue 5): a local HTTP server (a child process, so the figures are the
 * checker's own) serves BENCH_URLS (default 1,000) URLs of mixed kinds — files, redirect chains,
 * 404, 500, slow answers, HTML landing pages and login forms — and checkLinks sweeps them with
 * bounded concurrency, as the weekly link sweep does. Prints total time, URLs/s, the most
 * connections and requests the server saw at once, peak RSS, and how many verdicts matched what
 * each URL was built to be.
 *
 *   npm run bench:quality-links
 * Env: BENCH_URLS (default 1000), BENCH_CONCURRENCY (default 16), BENCH_TIMEOUT_MS (per URL,
 * default 1000; the slowest URLs are built to exceed it), BENCH_DOWNLOAD=1 to keep each body in a
 * temp file (deleted at once) instead of reading only the first 64 KB.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkLinks } from '../src/modules/quality/checks/link.ts';

const N = Number(process.env.BENCH_URLS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 1000);
const DOWNLOAD = process.env.BENCH_DOWNLOAD === '1';

type Kind = 'file' | 'big' | 'redirect' | 'notfound' | 'error' | 'slow' | 'tooslow' | 'landing' | 'login';
/** What each kind is, and what the checker must say about it. */
const KINDS: { kind: Kind; share: number; linkable: 'pass' | 'fail'; downloadable: 'pass' | 'fail' }[] = [
  { kind: 'file', share: 45, linkable: 'pass', downloadable: 'pass' },
  { kind: 'big', share: 5, linkable: 'pass', downloadable: 'pass' },
  { kind: 'redirect', share: 15, linkable: 'pass', downloadable: 'pass' },
  { kind: 'notfound', share: 10, linkable: 'fail', downloadable: 'fail' },
  { kind: 'error', share: 3, linkable: 'fail', downloadable: 'fail' },
  { kind: 'slow', share: 5, linkable: 'pass', downloadable: 'pass' },
  { kind: 'tooslow', share: 2, linkable: 'fail', downloadable: 'fail' },
  { kind: 'landing', share: 10, linkable: 'pass', downloadable: 'fail' },
  { kind: 'login', share: 5, linkable: 'pass', downloadable: 'fail' },
];

function kindOf(i: number): Kind {
  let k = (i * 37) % 100;
  for (const x of KINDS) {
    if (k < x.share) return x.kind;
    k -= x.share;
  }
  return 'file';
}

// ---------------------------------------------------------------------------------------------
// The server (child process).

function serve(): void {
  const row = '2024,臺北市,松山區,12345,67.8\n';
  const small = `年度,縣市,鄉鎮市區,人口,比率\n${row.repeat(200)}`;
  const big = `年度,縣市,鄉鎮市區,人口,比率\n${row.repeat(40_000)}`;
  const landing = '<!DOCTYPE html><html><head><title>資料集下載</title></head><body><a href="/f/1.csv">下載</a></body></html>';
  const login = '<!DOCTYPE html><html><head><title>登入</title></head><body><form method="post"><input name="u"><input type="password" name="p"></form></body></html>';
  let sockets = 0;
  let maxSockets = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let done = false;
    const finish = (): void => {
      if (!done) inFlight--;
      done = true;
    };
    res.on('finish', finish);
    res.on('close', finish);
    const send = (status: number, type: string, body: string): void => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const m = /^\/(\w+)\/(\d+)(?:\/(\d+))?/.exec(req.url ?? '');
    const kind = m?.[1] ?? '';
    const i = Number(m?.[2] ?? 0);
    switch (kind) {
      case 'file':
        return send(200, 'text/csv; charset=utf-8', small);
      case 'big':
        return send(200, 'text/csv; charset=utf-8', big);
      case 'redirect': {
        const left = Number(m?.[3] ?? 1 + (i % 3));
        res.writeHead(left % 2 ? 301 : 302, { location: left > 1 ? `/redirect/${i}/${left - 1}` : `/file/${i}` });
        return res.end();
      }
      case 'notfound':
        return send(404, 'text/html', '<html><body>404</body></html>');
      case 'error':
        return send(500, 'text/plain', 'error');
      case 'slow':
        setTimeout(() => send(200, 'text/csv', small), 100 + (i % 5) * 50);
        return;
      case 'tooslow':
        setTimeout(() => send(200, 'text/csv', small), 5000).unref();
        return;
      case 'landing':
        return send(200, 'text/html; charset=utf-8', landing);
      case 'login':
        return send(200, 'text/html; charset=utf-8', login);
      default:
        return send(404, 'text/plain', 'no');
    }
  });
  server.on('connection', (s) => {
    sockets++;
    maxSockets = Math.max(maxSockets, sockets);
    s.on('close', () => sockets--);
  });
  server.keepAliveTimeout = 5000;
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
  process.on('message', (msg) => {
    if (msg === 'stats') process.send?.({ maxSockets, maxInFlight, requests });
    if (msg === 'exit') {
      server.closeAllConnections();
      server.close(() => process.exit(0));
    }
  });
}

// ---------------------------------------------------------------------------------------------
// The checker (this process).

async function ask<T>(child: ChildProcess, msg?: string): Promise<T> {
  if (msg) child.send(msg);
  const [reply] = (await once(child, 'message')) as [T];
  return reply;
}

async function main(): Promise<void> {
  const child = fork(import.meta.filename, ['serve'], { execArgv: process.execArgv, stdio: 'inherit' });
  const { port } = await ask<{ port: number }>(child);
  const base = `http://127.0.0.1:${port}`;
  const urls = Array.from({ length: N }, (_, i) => `${base}/${kindOf(i)}/${i}`);

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  const tally = new Map<string, number>();
  let mismatches = 0;
  const examples: string[] = [];
  const t0 = performance.now();
  for await (const { index, result } of checkLinks(urls, { concurrency: CONCURRENCY, allowPrivate: true, timeoutMs: TIMEOUT_MS, download: DOWNLOAD })) {
    const kind = kindOf(index);
    const want = KINDS.find((k) => k.kind === kind);
    const key = `${kind}: linkable ${result.linkable.result}, downloadable ${result.downloadable.result}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
    if (want && (want.linkable !== result.linkable.result || want.downloadable !== result.downloadable.result)) {
      mismatches++;
      if (examples.length < 5) examples.push(`${urls[index]} → ${result.linkable.en} / ${result.downloadable.en}`);
    }
    if (result.download?.path) rmSync(result.download.path, { force: true });
  }
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
  const stats = await ask<{ maxSockets: number; maxInFlight: number; requests: number }>(child, 'stats');
  child.send('exit');

  const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(0)} MB`;
  console.log(`Link check of ${N} URLs against a local server, concurrency ${CONCURRENCY}, timeout ${TIMEOUT_MS} ms, ${DOWNLOAD ? 'whole bodies to temp files' : 'first 64 KB of each body'}`);
  console.log(`  total time            ${seconds.toFixed(2)} s`);
  console.log(`  URLs/s                ${(N / seconds).toFixed(0)}`);
  console.log(`  requests served       ${stats.requests} (HEAD, then GET; redirects followed)`);
  console.log(`  max concurrent        ${stats.maxInFlight} requests in service, ${stats.maxSockets} sockets open (the server sees a closed socket a moment late)`);
  console.log(`  peak RSS (checker)    ${mb(peakRss)}`);
  console.log(`  verdicts as built     ${N - mismatches} of ${N}${mismatches ? ` — ${mismatches} differ, e.g.:\n    ${examples.join('\n    ')}` : ''}`);
  for (const [k, n] of [...tally].sort()) console.log(`    ${String(n).padStart(5)}  ${k}`);
  if (stats.maxInFlight > CONCURRENCY || mismatches) process.exitCode = 1;
}

if (process.argv[2] === 'serve') serve();
else await main();
