import { randomUUID } from 'node:crypto';
import dns from 'node:dns';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import net, { type LookupFunction } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import zlib from 'node:zlib';
import { indicator, type Evidence, type IndicatorResult } from '../indicators.ts';
import { SNIFF_BYTES, formatNameEn, formatNameZh, sniffFormat, type SniffResult } from './format.ts';

/**
 * `linkable` and `downloadable` (issue 5, indicators 1–2): does a resource's 下載網址 answer, and
 * does a file come back directly — not a landing page, a login form or nothing. Used on submission
 * (with the body kept for the content checks) and by the weekly link sweep (head only).
 *
 * node:http(s) rather than fetch: the SSRF guard has to see every address a host name resolves to
 * at connect time (a `lookup` hook, on every redirect hop), and connect and total timeouts, manual
 * redirects and byte caps are each one option there.
 */

export interface CheckLinkOptions {
  /** Allow private, loopback and link-local addresses (tests, an intranet portal). Default false: an SSRF guard. */
  allowPrivate?: boolean;
  /** From the start of a request until the TCP connection is up (DNS included). Default 10 s. */
  connectTimeoutMs?: number;
  /** The whole check: every hop, HEAD and GET, and the body. Default 60 s. */
  timeoutMs?: number;
  /** Redirects followed; one more fails. Default 5 (the national rule). */
  maxRedirects?: number;
  /** Bytes of body kept; a longer file is cut there (`download.truncated`). Default 2 GiB. */
  maxBytes?: number;
  /** Keep the body in a temp file for the content checks (default true); false reads only the first 64 KB (the link sweep). */
  download?: boolean;
  /** Where the temp file goes (default the OS temp dir). */
  tmpDir?: string;
  userAgent?: string;
  signal?: AbortSignal;
}

export interface RedirectHop {
  url: string;
  status: number;
  location: string;
}

export interface LinkDownload {
  /** The body in a temp file, when `download` was not false; the caller deletes it. */
  path?: string;
  /** The first bytes (up to 64 KB), for sniffing. */
  head: Buffer;
  contentType?: string;
  /** Bytes received (after any Content-Encoding was undone); with `truncated`, the cap. */
  size: number;
  /** The body was cut at `maxBytes` (or, without `download`, not read past the head). */
  truncated: boolean;
  /** From Content-Disposition, else the last segment of the final URL. */
  fileName?: string;
  finalUrl: string;
  redirects: RedirectHop[];
  format: SniffResult;
}

export interface LinkCheck {
  url: string;
  linkable: IndicatorResult;
  downloadable: IndicatorResult;
  download?: LinkDownload;
}

export const DEFAULT_USER_AGENT = 'Kaifang-LinkChecker/1.0 (open-data quality check)';
const DEFAULTS = { connectTimeoutMs: 10_000, timeoutMs: 60_000, maxRedirects: 5, maxBytes: 2 * 1024 ** 3 };

// ---------------------------------------------------------------------------------------------
// Why a link failed, in words a clerk understands.

type Reason = { code: string; zh: string; en: string };

class LinkError extends Error {
  constructor(readonly reason: Reason) {
    super(reason.en);
  }
}

const reason = (code: string, zh: string, en: string): Reason => ({ code, zh, en });

function httpReason(status: number): Reason {
  const s = `HTTP ${status}`;
  if (status === 404) return reason('http-404', `找不到檔案（${s}）；檔案可能已搬移或刪除，請更新下載網址`, `file not found (${s}); it may have been moved or deleted, so update the download URL`);
  if (status === 410) return reason('http-410', `檔案已移除（${s}）；請更新下載網址或標示停止提供`, `the file has been removed (${s}); update the download URL or mark the resource discontinued`);
  if (status === 401 || status === 403) return reason(`http-${status}`, `需要登入或沒有存取權限（${s}）；開放資料應不需帳號即可下載`, `sign-in required or access denied (${s}); open data must download without an account`);
  if (status === 429) return reason('http-429', `伺服器表示請求過多（${s}）；請確認網站未限制下載次數`, `the server says too many requests (${s}); check that downloads are not rate-limited`);
  if (status >= 500) return reason(`http-${status}`, `網站伺服器錯誤（${s}）；請通知網站管理者`, `the web server failed (${s}); tell the site's administrator`);
  if (status >= 300 && status < 400) return reason(`http-${status}`, `轉址回應缺少目的網址（${s}）`, `a redirect without a target (${s})`);
  return reason(`http-${status}`, `網站回應錯誤（${s}）`, `the server answered with an error (${s})`);
}

const secs = (ms: number): string => (ms % 1000 === 0 ? String(ms / 1000) : (ms / 1000).toFixed(1));

function errorReason(err: unknown, host: string, o: typeof DEFAULTS): Reason {
  if (err instanceof LinkError) return err.reason;
  const code = typeof err === 'object' && err && 'code' in err && typeof err.code === 'string' ? err.code : '';
  switch (code) {
    case 'ENOTFOUND':
      return reason('dns', `找不到主機「${host}」（DNS 查無此網域）；請確認網址拼寫或網域是否仍有效`, `the host "${host}" does not exist (DNS); check the spelling or whether the domain is still in use`);
    case 'EAI_AGAIN':
      return reason('dns', `暫時無法查詢主機「${host}」（DNS 逾時）；稍後會再檢查`, `the host "${host}" could not be looked up (DNS timed out); it will be checked again`);
    case 'ECONNREFUSED':
      return reason('refused', `主機「${host}」拒絕連線；網站可能已停止服務`, `the host "${host}" refused the connection; the site may be down`);
    case 'ECONNRESET':
    case 'EPIPE':
      return reason('reset', `連線被網站中斷；請確認網站是否正常`, `the site closed the connection; check that it works`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return reason('unreachable', `無法連到主機「${host}」；網站可能只限內部網路`, `the host "${host}" cannot be reached; the site may be on an internal network only`);
    case 'CERT_HAS_EXPIRED':
      return reason('tls', '網站的安全憑證已過期（HTTPS）；請網站管理者更新憑證', "the site's security certificate (HTTPS) has expired; its administrator must renew it");
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return reason('tls', '網站的安全憑證不受信任（自行簽發或缺中繼憑證）；請網站管理者改用有效憑證', "the site's security certificate is not trusted (self-signed or missing an intermediate); its administrator must install a valid one");
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return reason('tls', `網站的安全憑證不是發給「${host}」的；請確認網址或更新憑證`, `the site's security certificate is not for "${host}"; check the URL or fix the certificate`);
    default:
      break;
  }
  if (/^ERR_TLS|^ERR_SSL|^EPROTO$/.test(code)) return reason('tls', `與網站建立安全連線（HTTPS）失敗（${code}）`, `the secure connection (HTTPS) to the site failed (${code})`);
  if (code.startsWith('HPE_')) return reason('bad-response', `網站回應不是有效的 HTTP（${code}）`, `the site's answer is not valid HTTP (${code})`);
  if (err instanceof Error && err.name === 'AbortError') return timeoutReason(o);
  return reason('network', `連線失敗（${code || (err instanceof Error ? err.message : String(err))}）`, `the connection failed (${code || (err instanceof Error ? err.message : String(err))})`);
}

const timeoutReason = (o: typeof DEFAULTS): Reason =>
  reason('timeout', `網站在 ${secs(o.timeoutMs)} 秒內沒有完成回應；請確認網站是否過慢或檔案是否過大`, `the site did not finish answering within ${secs(o.timeoutMs)} s; it may be too slow or the file too large`);

// ---------------------------------------------------------------------------------------------
// SSRF guard: private, loopback, link-local and other special ranges are refused unless allowed.

const BLOCKED = new net.BlockList();
for (const [a, p] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) BLOCKED.addSubnet(a, p, 'ipv4');
for (const [a, p] of [
  // IPv4-mapped addresses (::ffff:127.0.0.1) meet the IPv4 rules above by themselves (BlockList
  // does that; a ::ffff:0:0/96 rule would match every IPv4 address). NAT64 can carry any of them.
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['100::', 64], ['2001::', 32], ['2001:db8::', 32], ['2002::', 16],
  ['fc00::', 7], ['fe80::', 10], ['ff00::', 8],
] as const) BLOCKED.addSubnet(a, p, 'ipv6');

/** Whether an address is private, loopback, link-local or otherwise not a public unicast address. */
export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 0) return false;
  return BLOCKED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

const privateReason = (host: string, address: string): Reason =>
  reason('private', `「${host}」指向內部網路位址（${address}），基於安全不予連線；開放資料應放在公開網址`, `"${host}" points to an internal address (${address}), which is not contacted for safety; open data belongs at a public address`);

function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { family: options.family, hints: options.hints, all: true }, (err, addresses) => {
      if (err) {
        callback(err, '', 0);
        return;
      }
      const bad = allowPrivate ? undefined : addresses.find((a) => isPrivateAddress(a.address));
      if (bad) {
        const e = new LinkError(privateReason(hostname, bad.address));
        callback(Object.assign(e, { code: 'KAIFANG_PRIVATE_ADDRESS' }), '', 0);
        return;
      }
      if (addresses.length === 0) {
        callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
        return;
      }
      // With autoSelectFamily (Node's default) the caller asks for all addresses.
      if (options.all) (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

// ---------------------------------------------------------------------------------------------
// One request, and a chain of them through redirects.

interface Ctx {
  o: typeof DEFAULTS;
  allowPrivate: boolean;
  userAgent: string;
  signal: AbortSignal;
  agents: { http: http.Agent; https: https.Agent };
}

/** A URL that must not be requested at all: not http(s), or with a user name or password. */
function refuseUrl(u: URL): Reason | undefined {
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    return reason('scheme', `只檢查 http 與 https 網址（此網址是 ${u.protocol.replace(':', '')}）；請提供 https 下載網址`, `only http and https URLs are checked (this one is ${u.protocol.replace(':', '')}); give an https download URL`);
  }
  if (u.username || u.password) {
    return reason('credentials', '網址內含帳號或密碼，不予連線；開放資料應不需帳號即可下載，請移除網址中的帳密', 'the URL contains a user name or password and is not contacted; open data must download without an account, so remove them from the URL');
  }
  return undefined;
}

/** The URL as shown in evidence: never with a user name or password. */
const shown = (u: URL): string => {
  if (!u.username && !u.password) return u.href;
  const c = new URL(u.href);
  c.username = '';
  c.password = '';
  return c.href;
};

function hostOf(u: URL): string {
  return u.hostname.replace(/^\[|\]$/g, '');
}

function request(u: URL, method: 'HEAD' | 'GET', ctx: Ctx): Promise<IncomingMessage> {
  const host = hostOf(u);
  if (net.isIP(host) && !ctx.allowPrivate && isPrivateAddress(host)) return Promise.reject(new LinkError(privateReason(host, host)));
  return new Promise((resolve, reject) => {
    const lib = u.protocol === 'https:' ? https : http;
    const req = lib.request(u, {
      method,
      agent: u.protocol === 'https:' ? ctx.agents.https : ctx.agents.http,
      lookup: guardedLookup(ctx.allowPrivate),
      signal: ctx.signal,
      // Nothing that identifies a person: no cookies, no Authorization, no Referer.
      headers: { 'user-agent': ctx.userAgent, accept: '*/*', 'accept-encoding': 'gzip, deflate, br' },
    });
    let connectTimer: NodeJS.Timeout | undefined;
    req.on('socket', (socket) => {
      if (!socket.connecting) return;
      connectTimer = setTimeout(() => {
        req.destroy(new LinkError(reason('connect-timeout', `${secs(ctx.o.connectTimeoutMs)} 秒內無法連上主機「${host}」；網站可能已停止服務或只限內部網路`, `could not connect to "${host}" within ${secs(ctx.o.connectTimeoutMs)} s; the site may be down or internal only`)));
      }, ctx.o.connectTimeoutMs);
      socket.once('connect', () => clearTimeout(connectTimer));
    });
    req.on('response', (res) => {
      clearTimeout(connectTimer);
      resolve(res);
    });
    req.on('error', (err) => {
      clearTimeout(connectTimer);
      reject(err);
    });
    req.end();
  });
}

type Outcome =
  | { ok: true; res: IncomingMessage; url: URL; hops: RedirectHop[] }
  | { ok: false; status?: number; reason: Reason; url: URL; hops: RedirectHop[]; network: boolean };

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Follows redirects by hand (each hop checked like the first); ok when the last answer is 2xx. */
async function follow(start: URL, method: 'HEAD' | 'GET', ctx: Ctx): Promise<Outcome> {
  let url = start;
  const hops: RedirectHop[] = [];
  for (;;) {
    let res: IncomingMessage;
    try {
      res = await request(url, method, ctx);
    } catch (err) {
      const r = ctx.signal.aborted ? timeoutReason(ctx.o) : errorReason(err, hostOf(url), ctx.o);
      return { ok: false, reason: r, url, hops, network: true };
    }
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (REDIRECTS.has(status) && location) {
      res.resume();
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        return { ok: false, status, reason: reason('bad-redirect', `轉址目的網址無效（${location}）`, `the redirect target is not a valid URL (${location})`), url, hops, network: false };
      }
      hops.push({ url: shown(url), status, location: shown(next) });
      if (hops.length > ctx.o.maxRedirects) {
        return {
          ok: false,
          status,
          reason: reason('redirects', `轉址超過 ${ctx.o.maxRedirects} 次；請直接提供檔案最終的下載網址`, `more than ${ctx.o.maxRedirects} redirects; give the file's final download URL directly`),
          url,
          hops,
          network: false,
        };
      }
      const refused = refuseUrl(next);
      if (refused) return { ok: false, status, reason: refused, url: next, hops, network: true };
      url = next;
      continue;
    }
    if (status >= 200 && status < 300) return { ok: true, res, url, hops };
    res.resume();
    return { ok: false, status, reason: httpReason(status), url, hops, network: false };
  }
}

// ---------------------------------------------------------------------------------------------
// The body: head for sniffing, the rest to a temp file, capped.

function fileNameOf(res: IncomingMessage, url: URL): string | undefined {
  const cd = res.headers['content-disposition'];
  if (cd) {
    const star = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(cd);
    if (star) {
      try {
        return decodeURIComponent(star[2].trim().replace(/^"|"$/g, ''));
      } catch {
        // Fall through to the plain parameter.
      }
    }
    const plain = /filename\s*=\s*(?:"([^"]*)"|([^;]+))/i.exec(cd);
    const name = (plain?.[1] ?? plain?.[2])?.trim();
    if (name) return name;
  }
  const last = url.pathname.split('/').pop();
  if (!last) return undefined;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

interface Body { head: Buffer; size: number; truncated: boolean; ended: boolean; path?: string; error?: unknown }

async function readBody(res: IncomingMessage, keep: boolean, o: CheckLinkOptions & typeof DEFAULTS): Promise<Body> {
  const enc = (res.headers['content-encoding'] ?? '').toLowerCase().trim();
  let src: Readable = res;
  const noop = (): void => undefined;
  if (enc === 'gzip' || enc === 'x-gzip') src = pipeline(res, zlib.createGunzip(), noop);
  else if (enc === 'deflate') src = pipeline(res, zlib.createInflate(), noop);
  else if (enc === 'br') src = pipeline(res, zlib.createBrotliDecompress(), noop);

  const file = keep ? path.join(o.tmpDir ?? os.tmpdir(), `kaifang-link-${randomUUID()}`) : undefined;
  let ws: WriteStream | undefined;
  if (file) {
    ws = createWriteStream(file, { flags: 'wx', mode: 0o600 });
    await once(ws, 'open');
  }
  const headParts: Buffer[] = [];
  let headLen = 0;
  let size = 0;
  let truncated = false;
  let ended = false;
  let error: unknown;
  try {
    for await (const raw of src) {
      const chunk = raw as Buffer;
      const take = Math.min(chunk.length, o.maxBytes - size);
      const part = take < chunk.length ? chunk.subarray(0, take) : chunk;
      if (headLen < SNIFF_BYTES) {
        const h = part.subarray(0, SNIFF_BYTES - headLen);
        headParts.push(h);
        headLen += h.length;
      }
      size += part.length;
      if (ws && part.length && !ws.write(part)) await once(ws, 'drain');
      if (take < chunk.length) {
        truncated = true;
        break;
      }
      if (!keep && headLen >= SNIFF_BYTES) {
        truncated = true;
        break;
      }
    }
    ended = !truncated;
  } catch (err) {
    error = err;
  } finally {
    if (!res.destroyed) res.destroy();
    if (ws) {
      ws.end();
      await once(ws, 'close');
    }
  }
  if (error && file) {
    await unlink(file).catch(() => undefined);
    return { head: Buffer.concat(headParts), size, truncated, ended: false, error };
  }
  return { head: Buffer.concat(headParts), size, truncated, ended, ...(file ? { path: file } : {}), ...(error ? { error } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Is it a file, or a page a person has to click through?

const PASSWORD_INPUT = /<input\b[^>]*\btype\s*=\s*["']?password/i;
const LOGIN_WORDS = /登入|登錄|log\s?in|sign\s?in|帳號|使用者名稱/i;
const CAPTCHA = /captcha|驗證碼/i;
const META_REFRESH = /<meta\b[^>]*http-equiv\s*=\s*["']?refresh[^>]*>/i;
const JS_REDIRECT = /\b(?:window|document|top|self)\.location(?:\.href)?\s*=\s*["']|\blocation\.(?:replace|assign)\s*\(/i;

function htmlKind(text: string): { kind: string; zh: string; en: string; sample?: string } {
  if (PASSWORD_INPUT.test(text) || (/<form\b/i.test(text) && LOGIN_WORDS.test(text))) {
    return { kind: 'login', zh: '下載網址回傳的是登入頁面，需要帳號才能取得檔案；開放資料應不需登入即可直接下載', en: 'the download URL returns a sign-in page, so an account is needed to get the file; open data must download directly without signing in' };
  }
  if (CAPTCHA.test(text) && /<form\b/i.test(text)) {
    return { kind: 'captcha', zh: '下載網址回傳的頁面要求輸入驗證碼，需人工操作；請提供可直接下載的網址', en: 'the download URL returns a page asking for a CAPTCHA, a human step; give a URL that downloads directly' };
  }
  const meta = META_REFRESH.exec(text);
  if (meta) {
    const target = /url\s*=\s*['"]?([^'">\s]+)/i.exec(meta[0])?.[1];
    return {
      kind: 'meta-refresh',
      zh: `下載網址回傳的是自動跳轉的網頁${target ? `（跳往 ${target}）` : ''}，程式無法直接取得檔案；請直接提供檔案的下載網址`,
      en: `the download URL returns a page that redirects in the browser${target ? ` (to ${target})` : ''}, which programs do not follow; give the file's own download URL`,
      ...(target ? { sample: target } : {}),
    };
  }
  if (JS_REDIRECT.test(text)) {
    return { kind: 'script-redirect', zh: '下載網址回傳的是以程式跳轉的網頁，程式無法直接取得檔案；請直接提供檔案的下載網址', en: 'the download URL returns a page that redirects by script, which programs do not follow; give the file\'s own download URL' };
  }
  const title = /<title[^>]*>([^<]{1,80})/i.exec(text)?.[1]?.trim();
  return {
    kind: 'landing',
    zh: `下載網址回傳的是網頁${title ? `「${title}」` : ''}而不是檔案；請改為檔案本身的直接下載網址`,
    en: `the download URL returns a web page${title ? ` ("${title}")` : ''}, not the file; link the file itself`,
    ...(title ? { sample: title } : {}),
  };
}

const fmtBytes = (n: number): string => (n >= 1024 ** 2 ? `${(n / 1024 ** 2).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`);

function judgeBody(body: Body, contentType: string | undefined, format: SniffResult, o: typeof DEFAULTS): IndicatorResult {
  const ct = contentType ?? '';
  const data = { contentType: contentType ?? null, size: body.size, format: format.format, truncated: body.truncated };
  const ev: Evidence[] = [{ sample: format.format, note: `${format.evidence}; Content-Type ${ct || '(none)'}; ${fmtBytes(body.size)}${body.truncated ? '+' : ''}` }];
  if (body.error && body.size === 0) {
    return indicator('downloadable', 'fail', '檔案下載中斷，沒有收到任何內容；請確認網站是否正常', 'the download broke off before any content arrived; check that the site works', ev, data);
  }
  if (body.size === 0 || format.format === 'EMPTY') {
    return indicator('downloadable', 'fail', '下載網址回應成功但內容是空的；請確認檔案已正確放上網站', 'the download URL answers but the body is empty; check that the file was put on the site', ev, data);
  }
  if (format.format === 'HTML') {
    const h = htmlKind(body.head.toString('utf8'));
    return indicator('downloadable', 'fail', h.zh, h.en, [{ ...ev[0], ...(h.sample ? { sample: h.sample } : {}), note: `${h.kind}: ${ev[0].note ?? ''}` }], { ...data, page: h.kind });
  }
  if (body.error) {
    const r = errorReason(body.error, '', o);
    ev.push({ note: `${r.zh} / ${r.en}` });
    return indicator('downloadable', 'fail', `檔案下載到 ${fmtBytes(body.size)} 時中斷（${r.zh}）`, `the download broke off after ${fmtBytes(body.size)} (${r.en})`, ev, data);
  }
  const mislabel = /text\/html/i.test(ct);
  if (mislabel) ev.push({ note: `伺服器把檔案標為 text/html，瀏覽器可能直接顯示而非下載 / the server labels the file text/html, so browsers may show it rather than download it` });
  if (body.truncated && o.maxBytes <= body.size) ev.push({ note: `只讀取前 ${fmtBytes(body.size)}（上限）/ only the first ${fmtBytes(body.size)} were read (the cap)` });
  return indicator(
    'downloadable',
    'pass',
    `可直接下載檔案（${formatNameZh(format.format)}${body.truncated ? '' : `，${fmtBytes(body.size)}`}）`,
    `the file downloads directly (${formatNameEn(format.format)}${body.truncated ? '' : `, ${fmtBytes(body.size)}`})`,
    ev,
    data,
  );
}

// ---------------------------------------------------------------------------------------------

const hopEvidence = (hops: RedirectHop[]): Evidence[] => hops.map((h) => ({ sample: h.url, note: `HTTP ${h.status} → ${h.location}` }));

function failBoth(url: string, r: Reason, hops: RedirectHop[] = [], data: Record<string, unknown> = {}): LinkCheck {
  const ev = [...hopEvidence(hops), { sample: url, note: `${r.code}` }];
  return {
    url,
    linkable: indicator('linkable', 'fail', r.zh, r.en, ev, { reason: r.code, redirects: hops.length, ...data }),
    downloadable: indicator('downloadable', 'fail', `連結無效，無法下載（${r.zh}）`, `the link does not work, so nothing can be downloaded (${r.en})`, [], { reason: r.code }),
  };
}

/**
 * Checks one download URL: `linkable` (2xx within the redirect limit, HEAD first and GET where
 * HEAD is refused) and `downloadable` (a GET brings a file, not an HTML page or nothing). With
 * `download` (the default) the body is kept in a temp file for the content checks; the caller
 * deletes `download.path`.
 */
export async function checkLink(url: string, opts: CheckLinkOptions = {}): Promise<LinkCheck> {
  const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) } as CheckLinkOptions & typeof DEFAULTS;
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return failBoth(url, reason('invalid-url', `「${url}」不是有效的網址`, `"${url}" is not a valid URL`));
  }
  const refused = refuseUrl(u);
  if (refused) return failBoth(shown(u), refused);

  const signals = [AbortSignal.timeout(o.timeoutMs), ...(opts.signal ? [opts.signal] : [])];
  const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 1 }), https: new https.Agent({ keepAlive: true, maxSockets: 1 }) };
  const ctx: Ctx = { o, allowPrivate: opts.allowPrivate ?? false, userAgent: opts.userAgent ?? DEFAULT_USER_AGENT, signal: AbortSignal.any(signals), agents };
  const started = Date.now();
  try {
    const head = await follow(u, 'HEAD', ctx);
    // A server that refuses HEAD answers 405, 501, 403 or even 404, or drops the connection: GET
    // decides then. DNS, connection, TLS, timeout and redirect failures would only repeat.
    if (!head.ok && ((head.network && !['reset', 'bad-response'].includes(head.reason.code)) || head.reason.code === 'redirects')) return failBoth(shown(u), head.reason, head.hops);
    if (head.ok) head.res.resume();

    const get = await follow(u, 'GET', ctx);
    const method = head.ok ? 'HEAD' : 'GET';
    const headNote: Evidence[] = head.ok ? [] : [{ note: `HEAD ${head.status ? `HTTP ${head.status}` : head.reason.code}; GET 重試 / retried with GET` }];
    if (!get.ok) {
      if (!head.ok) return failBoth(shown(u), get.reason, get.hops, { status: get.status ?? null });
      // HEAD says fine, GET does not: the link answers, the file does not come.
      const linkable = indicator('linkable', 'pass', `連結有效（HTTP 2xx）`, 'the link works (HTTP 2xx)', hopEvidence(head.hops), { method, finalUrl: shown(head.url), redirects: head.hops.length });
      return { url: shown(u), linkable, downloadable: indicator('downloadable', 'fail', `以 GET 下載失敗：${get.reason.zh}`, `downloading with GET failed: ${get.reason.en}`, hopEvidence(get.hops), { reason: get.reason.code }) };
    }
    const status = get.res.statusCode ?? 200;
    const via = get.hops.length ? `，經 ${get.hops.length} 次轉址` : '';
    const viaEn = get.hops.length ? ` after ${get.hops.length} redirect${get.hops.length > 1 ? 's' : ''}` : '';
    const linkable = indicator('linkable', 'pass', `連結有效（HTTP ${status}${via}）`, `the link works (HTTP ${status}${viaEn})`, [...hopEvidence(get.hops), ...headNote, { sample: shown(get.url), note: `HTTP ${status}` }], {
      status,
      method,
      finalUrl: shown(get.url),
      redirects: get.hops.length,
      elapsedMs: Date.now() - started,
    });
    const contentType = get.res.headers['content-type'];
    const fileName = fileNameOf(get.res, get.url);
    const body = await readBody(get.res, o.download !== false, o);
    if (ctx.signal.aborted && body.error) body.error = new LinkError(timeoutReason(o));
    const format = sniffFormat(body.head, fileName, contentType);
    const downloadable = judgeBody(body, contentType, format, o);
    return {
      url: shown(u),
      linkable,
      downloadable,
      download: {
        ...(body.path ? { path: body.path } : {}),
        head: body.head,
        ...(contentType ? { contentType } : {}),
        size: body.size,
        truncated: body.truncated,
        ...(fileName ? { fileName } : {}),
        finalUrl: shown(get.url),
        redirects: get.hops,
        format,
      },
    };
  } finally {
    agents.http.destroy();
    agents.https.destroy();
  }
}

export interface LinkSweepItem {
  index: number;
  url: string;
  result: LinkCheck;
}

/**
 * Checks many URLs with at most `concurrency` (default 8) in flight, yielding each result as it
 * completes (not in input order). The input is read lazily, so a sweep of the whole catalogue
 * holds only the checks in flight. Options are those of checkLink; the weekly sweep passes
 * `download: false`. With downloads kept, the consumer deletes each `download.path`; a consumer that
 * stops early leaves none behind for the checks still in flight.
 */
export async function* checkLinks(urls: Iterable<string> | AsyncIterable<string>, opts: CheckLinkOptions & { concurrency?: number } = {}): AsyncGenerator<LinkSweepItem> {
  const concurrency = Math.max(1, opts.concurrency ?? 8);
  const { concurrency: _c, ...linkOpts } = opts;
  const it = Symbol.asyncIterator in urls ? urls[Symbol.asyncIterator]() : (urls)[Symbol.iterator]();
  const inFlight = new Map<number, Promise<{ key: number; item: LinkSweepItem }>>();
  let index = 0;
  let done = false;
  const fill = async (): Promise<void> => {
    while (!done && inFlight.size < concurrency) {
      const next = await it.next();
      if (next.done) {
        done = true;
        break;
      }
      const key = index++;
      const url = next.value;
      inFlight.set(key, checkLink(url, linkOpts).then((result) => ({ key, item: { index: key, url, result } })));
    }
  };
  try {
    await fill();
    while (inFlight.size > 0) {
      const { key, item } = await Promise.race(inFlight.values());
      inFlight.delete(key);
      await fill();
      yield item;
    }
  } finally {
    // The consumer stopped early: let the checks in flight end and delete the files they kept,
    // which nobody will see.
    const left = await Promise.allSettled(inFlight.values());
    for (const r of left) if (r.status === 'fulfilled' && r.value.item.result.download?.path) await unlink(r.value.item.result.download.path).catch(() => undefined);
  }
}
