import type { FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { renderHtml } from './layout.tsx';

const YEAR = 365 * 24 * 3600;

/**
 * Scripts never run on these pages (they work without JavaScript); styles come from our own
 * stylesheet plus the bar widths of the home chart (inline style attributes).
 */
const CSP = "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** Sends a rendered page with the headers every public page carries. */
export async function sendPage(req: FastifyRequest, reply: FastifyReply, status: number, page: VNode): Promise<FastifyReply> {
  const q = (req.query ?? {}) as Record<string, unknown>;
  // An explicit ?lang= choice is remembered, so the next visit (and links without it) keep the language.
  if (q.lang === 'en' || q.lang === 'zh-TW') {
    void reply.header('set-cookie', `lang=${q.lang}; Path=/; Max-Age=${YEAR}; SameSite=Lax`);
  }
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    // A route may ask for stricter caching or referrer rules (e.g. pages reached by one-time links).
    .header('cache-control', reply.getHeader('cache-control') ?? 'no-cache')
    .header('vary', 'Cookie')
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', reply.getHeader('referrer-policy') ?? 'strict-origin-when-cross-origin')
    .send(renderHtml(page));
}
