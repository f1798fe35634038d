import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLink, checkLinks, isPrivateAddress, type LinkCheck } from './link.ts';

/**
 * A real local server with every case a 下載網址 meets. The checker refuses loopback addresses by
 * default (SSRF guard), so these tests pass allowPrivate, except the ones about the guard.
 */
const CSV = '年度,縣市,人口\n2024,臺北市,2500000\n2024,高雄市,2700000\n';
const LANDING = '<!DOCTYPE html><html><head><title>人口統計 資料下載</title></head><body><a href="/file.csv">按此下載 CSV</a></body></html>';
const LOGIN = '<!DOCTYPE html><html><head><title>會員登入</title></head><body><form method="post" action="/login"><input name="account"><input type="password" name="pw"><button>登入</button></form></body></html>';
const META = '<html><head><meta http-equiv="refresh" content="0; url=/file.csv"></head><body>轉址中…</body></html>';

let server: http.Server;
let base: string;
let tmp: string;
const seen: { url: string; method: string; headers: http.IncomingHttpHeaders }[] = [];
let open = 0;
let maxOpen = 0;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'kaifang-link-test-'));
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push({ url: url.pathname, method: req.method ?? '', headers: req.headers });
    // Requests being served at once: the client's concurrency, as the server sees it. (Open sockets
    // would overcount: the server notices a closed socket a moment after the client has moved on.)
    open++;
    maxOpen = Math.max(maxOpen, open);
    let served = false;
    const done = () => {
      if (!served) open--;
      served = true;
    };
    res.on('finish', done);
    res.on('close', done);
    const send = (status: number, type: string, body: string | Buffer, extra: http.OutgoingHttpHeaders = {}) => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...extra });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const p = url.pathname;
    const loop = /^\/hop\/(\d+)$/.exec(p);
    if (loop) {
      const n = Number(loop[1]);
      if (n <= 0) return send(200, 'text/csv', CSV);
      res.writeHead(n % 2 ? 301 : 302, { location: `/hop/${n - 1}` });
      return res.end();
    }
    switch (p) {
      case '/file.csv':
        return send(200, 'text/csv; charset=utf-8', CSV);
      case '/r1':
        res.writeHead(301, { location: '/r2' });
        return res.end();
      case '/r2':
        res.writeHead(302, { location: `${base}/file.csv` });
        return res.end();
      case '/404':
        return send(404, 'text/html', '<html><body>Not Found</body></html>');
      case '/500':
        return send(500, 'text/plain', 'boom');
      case '/slow':
        setTimeout(() => send(200, 'text/csv', CSV), 2000).unref();
        return;
      case '/slow-body':
        res.writeHead(200, { 'content-type': 'text/csv' });
        res.write('a,b\n');
        if (req.method === 'HEAD') return res.end();
        setTimeout(() => res.end('1,2\n'), 2000).unref();
        return;
      case '/landing':
        return send(200, 'text/html; charset=utf-8', LANDING);
      case '/login':
        return send(200, 'text/html; charset=utf-8', LOGIN);
      case '/meta':
        return send(200, 'text/html', META);
      case '/empty':
        return send(200, 'text/csv', '');
      case '/big.csv':
        return send(200, 'text/csv', `a,b\n${'1,2\n'.repeat(50_000)}`);
      case '/no-head.csv':
        if (req.method === 'HEAD') return send(405, 'text/plain', '');
        return send(200, 'text/csv', CSV);
      case '/gzip.csv':
        return send(200, 'text/csv', gzipSync(CSV), { 'content-encoding': 'gzip' });
      case '/attachment':
        return send(200, 'application/octet-stream', CSV, { 'content-disposition': "attachment; filename=\"population.csv\"; filename*=UTF-8''%E4%BA%BA%E5%8F%A3.csv" });
      case '/csv-as-html':
        return send(200, 'text/html', CSV);
      case '/to-ftp':
        res.writeHead(302, { location: 'ftp://ftp.example.gov.tw/file.csv' });
        return res.end();
      case '/to-credentials':
        res.writeHead(302, { location: `http://user:secret@127.0.0.1:${(server.address() as AddressInfo).port}/file.csv` });
        return res.end();
      case '/headers':
        return send(200, 'application/json', JSON.stringify(req.headers));
      case '/set-cookie':
        res.writeHead(302, { location: '/headers', 'set-cookie': 'session=abc; Path=/' });
        return res.end();
      case '/pause':
        setTimeout(() => send(200, 'text/csv', CSV), 50).unref();
        return;
      default:
        return send(404, 'text/plain', 'no');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(tmp, { recursive: true, force: true });
});

const check = (p: string, opts: Parameters<typeof checkLink>[1] = {}): Promise<LinkCheck> => checkLink(/^[a-z]+:|^not/i.test(p) ? p : `${base}${p}`, { allowPrivate: true, tmpDir: tmp, ...opts });

const cleanup = (r: LinkCheck): void => {
  if (r.download?.path) rmSync(r.download.path, { force: true });
};

describe('checkLink: linkable', () => {
  it('200 with a file: both pass, the body is kept in a temp file with its type and size', async () => {
    const r = await check('/file.csv');
    expect(r.linkable).toMatchObject({ id: 'linkable', result: 'pass', data: { status: 200, method: 'HEAD', redirects: 0 } });
    expect(r.downloadable).toMatchObject({ id: 'downloadable', result: 'pass', data: { format: 'CSV', size: Buffer.byteLength(CSV) } });
    expect(r.download).toMatchObject({ contentType: 'text/csv; charset=utf-8', size: Buffer.byteLength(CSV), truncated: false, fileName: 'file.csv', finalUrl: `${base}/file.csv` });
    expect(r.download?.path && readFileSync(r.download.path, 'utf8')).toBe(CSV);
    expect(r.linkable.zh).toContain('HTTP 200');
    cleanup(r);
  });

  it('follows 301 → 302 → 200 and reports each hop', async () => {
    const r = await check('/r1');
    expect(r.linkable).toMatchObject({ result: 'pass', data: { redirects: 2, finalUrl: `${base}/file.csv` } });
    expect(r.linkable.evidence.slice(0, 2)).toEqual([
      { sample: `${base}/r1`, note: `HTTP 301 → ${base}/r2` },
      { sample: `${base}/r2`, note: `HTTP 302 → ${base}/file.csv` },
    ]);
    expect(r.download?.redirects).toHaveLength(2);
    expect(r.linkable.en).toContain('after 2 redirects');
    cleanup(r);
  });

  it('5 redirects pass; 6 fail, with every hop in the evidence', async () => {
    const five = await check('/hop/5');
    expect(five.linkable.result).toBe('pass');
    cleanup(five);
    const six = await check('/hop/6');
    expect(six.linkable).toMatchObject({ result: 'fail', data: { reason: 'redirects', redirects: 6 } });
    expect(six.linkable.zh).toContain('轉址超過 5 次');
    expect(six.linkable.evidence.filter((e) => e.note?.startsWith('HTTP 30'))).toHaveLength(6);
    expect(six.downloadable.result).toBe('fail');
    expect(six.download).toBeUndefined();
  });

  it('404 and 500 fail with the status in words a clerk understands', async () => {
    const nf = await check('/404');
    expect(nf.linkable).toMatchObject({ result: 'fail', data: { reason: 'http-404' } });
    expect(nf.linkable.zh).toContain('找不到檔案（HTTP 404）');
    expect(nf.linkable.en).toContain('file not found (HTTP 404)');
    expect(nf.downloadable.result).toBe('fail');
    const se = await check('/500');
    expect(se.linkable.zh).toContain('網站伺服器錯誤（HTTP 500）');
  });

  it('times out on a slow server within the configured total timeout', async () => {
    const t0 = Date.now();
    const r = await check('/slow', { timeoutMs: 300 });
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(r.linkable).toMatchObject({ result: 'fail', data: { reason: 'timeout' } });
    expect(r.linkable.zh).toContain('0.3 秒內沒有完成回應');
    expect(r.linkable.en).toContain('within 0.3 s');
  });

  it('a body that stalls after the headers: linkable passes, downloadable fails as interrupted', async () => {
    const r = await check('/slow-body', { timeoutMs: 400 });
    expect(r.linkable.result).toBe('pass');
    expect(r.downloadable.result).toBe('fail');
    expect(r.downloadable.en).toMatch(/broke off/);
    expect(r.download?.path).toBeUndefined();
  });

  it('falls back to GET where a server refuses HEAD', async () => {
    const r = await check('/no-head.csv');
    expect(r.linkable).toMatchObject({ result: 'pass', data: { method: 'GET', status: 200 } });
    expect(r.linkable.evidence.some((e) => e.note?.includes('HEAD HTTP 405'))).toBe(true);
    expect(r.downloadable.result).toBe('pass');
    cleanup(r);
  });

  it('names DNS failures and refused connections', async () => {
    const dns = await check('http://no-such-host.invalid/file.csv', { timeoutMs: 5000 });
    expect(dns.linkable).toMatchObject({ result: 'fail', data: { reason: 'dns' } });
    expect(dns.linkable.zh).toContain('no-such-host.invalid');
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await check(`http://127.0.0.1:${port}/x.csv`);
    expect(refused.linkable).toMatchObject({ result: 'fail', data: { reason: 'refused' } });
    expect(refused.linkable.zh).toContain('拒絕連線');
  });

  it('refuses URLs with a user name or password without contacting the server, and never echoes the password', async () => {
    const before = seen.length;
    const r = await check(`http://clerk:s3cret@127.0.0.1:${(server.address() as AddressInfo).port}/file.csv`);
    expect(seen.length).toBe(before);
    expect(r.linkable).toMatchObject({ result: 'fail', data: { reason: 'credentials' } });
    expect(JSON.stringify(r)).not.toContain('s3cret');
    expect(r.linkable.zh).toContain('帳號或密碼');
    // Nor through a redirect.
    const via = await check('/to-credentials');
    expect(via.linkable).toMatchObject({ result: 'fail', data: { reason: 'credentials' } });
    expect(JSON.stringify(via)).not.toContain('secret');
  });

  it('refuses other schemes, also through a redirect', async () => {
    expect((await check('ftp://ftp.example.gov.tw/a.csv')).linkable).toMatchObject({ result: 'fail', data: { reason: 'scheme' } });
    expect((await check('/to-ftp')).linkable).toMatchObject({ result: 'fail', data: { reason: 'scheme' } });
    expect((await check('not a url')).linkable).toMatchObject({ result: 'fail', data: { reason: 'invalid-url' } });
  });

  it('sends a User-Agent naming Kaifang and no cookies or credentials, even after a Set-Cookie', async () => {
    const r = await check('/set-cookie');
    const headers = JSON.parse(r.download?.head.toString('utf8') ?? '{}') as Record<string, string>;
    expect(headers['user-agent']).toMatch(/Kaifang/);
    expect(headers.cookie).toBeUndefined();
    expect(headers.authorization).toBeUndefined();
    expect(headers.referer).toBeUndefined();
    cleanup(r);
  });
});

describe('checkLink: SSRF guard', () => {
  it('refuses loopback by default, by IP and by name, before any request', async () => {
    const before = seen.length;
    const ip = await checkLink(`${base}/file.csv`, { tmpDir: tmp });
    expect(ip.linkable).toMatchObject({ result: 'fail', data: { reason: 'private' } });
    expect(ip.linkable.zh).toContain('內部網路位址');
    const port = (server.address() as AddressInfo).port;
    const named = await checkLink(`http://localhost:${port}/file.csv`, { tmpDir: tmp });
    expect(named.linkable).toMatchObject({ result: 'fail', data: { reason: 'private' } });
    expect(seen.length).toBe(before);
  });

  it('allows them when opts.allowPrivate', async () => {
    const port = (server.address() as AddressInfo).port;
    const r = await checkLink(`http://localhost:${port}/file.csv`, { allowPrivate: true, tmpDir: tmp });
    expect(r.linkable.result).toBe('pass');
    cleanup(r);
  });

  it('knows the private, loopback, link-local and special ranges, and leaves public addresses alone', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::']) {
      expect([a, isPrivateAddress(a)]).toEqual([a, true]);
    }
    for (const a of ['8.8.8.8', '163.29.36.1', '210.69.1.1', '172.32.0.1', '2001:4860:4860::8888', '2001:b000::1']) {
      expect([a, isPrivateAddress(a)]).toEqual([a, false]);
    }
  });
});

describe('checkLink: downloadable', () => {
  it('fails an HTML landing page, naming its title', async () => {
    const r = await check('/landing');
    expect(r.linkable.result).toBe('pass');
    expect(r.downloadable).toMatchObject({ result: 'fail', data: { page: 'landing', format: 'HTML' } });
    expect(r.downloadable.zh).toContain('「人口統計 資料下載」');
    expect(r.downloadable.en).toContain('not the file');
    cleanup(r);
  });

  it('fails a login form as needing an account', async () => {
    const r = await check('/login');
    expect(r.downloadable).toMatchObject({ result: 'fail', data: { page: 'login' } });
    expect(r.downloadable.zh).toContain('登入頁面');
    cleanup(r);
  });

  it('fails a meta-refresh page, naming where it goes', async () => {
    const r = await check('/meta');
    expect(r.downloadable).toMatchObject({ result: 'fail', data: { page: 'meta-refresh' } });
    expect(r.downloadable.zh).toContain('/file.csv');
    cleanup(r);
  });

  it('fails a 2xx with an empty body', async () => {
    const r = await check('/empty');
    expect(r.linkable.result).toBe('pass');
    expect(r.downloadable).toMatchObject({ result: 'fail', data: { size: 0 } });
    expect(r.downloadable.zh).toContain('內容是空的');
    cleanup(r);
  });

  it('caps the download at maxBytes and says the file was cut', async () => {
    const r = await check('/big.csv', { maxBytes: 1000 });
    expect(r.download).toMatchObject({ size: 1000, truncated: true });
    expect(r.download?.path && readFileSync(r.download.path).length).toBe(1000);
    expect(r.downloadable.result).toBe('pass');
    expect(r.downloadable.evidence.some((e) => e.note?.includes('the cap'))).toBe(true);
    cleanup(r);
  });

  it('without download reads only the head and leaves no file', async () => {
    const r = await check('/big.csv', { download: false });
    expect(r.download).toMatchObject({ truncated: true, format: { format: 'CSV' } });
    expect(r.download?.path).toBeUndefined();
    expect(r.download?.head.length).toBe(64 * 1024);
  });

  it('undoes a gzip Content-Encoding, takes the name from Content-Disposition, and passes a CSV mislabelled text/html with a note', async () => {
    const gz = await check('/gzip.csv');
    expect(gz.download?.path && readFileSync(gz.download.path, 'utf8')).toBe(CSV);
    cleanup(gz);
    const att = await check('/attachment');
    expect(att.download?.fileName).toBe('人口.csv');
    cleanup(att);
    const lab = await check('/csv-as-html');
    expect(lab.downloadable.result).toBe('pass');
    expect(lab.downloadable.evidence.some((e) => e.note?.includes('text/html'))).toBe(true);
    cleanup(lab);
  });

  it('deletes nothing it was not asked to and leaves no temp file behind on failure', async () => {
    const r = await check('/slow-body', { timeoutMs: 300 });
    expect(r.download?.path).toBeUndefined();
    const ok = await check('/file.csv');
    expect(ok.download?.path && existsSync(ok.download.path)).toBe(true);
    cleanup(ok);
  });
});

describe('checkLinks', () => {
  it('checks many URLs with at most `concurrency` requests in flight, yielding every result', async () => {
    maxOpen = 0;
    const urls = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? `${base}/pause` : i % 3 === 1 ? `${base}/404` : `${base}/file.csv`));
    const got: number[] = [];
    for await (const item of checkLinks(urls, { concurrency: 4, allowPrivate: true, download: false })) {
      got.push(item.index);
      expect(item.url).toBe(urls[item.index]);
      expect(item.result.linkable.result).toBe(urls[item.index].endsWith('/404') ? 'fail' : 'pass');
    }
    expect(got.sort((a, b) => a - b)).toEqual(urls.map((_, i) => i));
    expect(maxOpen).toBeGreaterThan(1);
    expect(maxOpen).toBeLessThanOrEqual(4);
  });

  it('reads an async source lazily, and a consumer that stops early leaves no temp file behind', async () => {
    let pulled = 0;
    async function* source() {
      for (let i = 0; i < 50; i++) {
        pulled++;
        yield `${base}/pause`;
      }
    }
    let n = 0;
    for await (const item of checkLinks(source(), { concurrency: 3, allowPrivate: true, tmpDir: tmp })) {
      if (item.result.download?.path) rmSync(item.result.download.path);
      if (++n === 2) break;
    }
    expect(pulled).toBeLessThanOrEqual(6);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('leaves no temp file behind: every file the tests kept was deleted by them, failures kept none', () => {
    expect(readdirSync(tmp)).toEqual([]);
  });
});
