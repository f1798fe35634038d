/**
 * The XSS sweeps' markup checker (test/xss.test.ts, test/xss-manage.test.ts). There is no HTML
 * parser here on purpose: every "<" on a page must open or close a tag our templates use, with no
 * event handler or script URL, so a hostile value that escaped would show.
 */
/** Tags our pages use; anything else (img, svg, iframe…) would be injected markup. */
const KNOWN_TAGS = new Set(
  'html head meta title link script body a header div span nav ul ol li strong p main footer h1 h2 h3 dl dt dd time section form label input button details summary table caption thead tbody tr th td code blockquote aside br select option textarea fieldset legend'.split(' '),
);
const TAG = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:="[^"]*")?)*)\s*\/?>/;

/** What is wrong with a page's markup (empty when every hostile value stayed text). */
export function markupProblems(html: string): string[] {
  const problems: string[] = [];
  if (!html.startsWith('<!doctype html>')) problems.push('no doctype');
  let i = '<!doctype html>'.length;
  let scripts = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    const m = TAG.exec(html.slice(lt, lt + 4000));
    if (!m) {
      problems.push(`stray "<" at ${lt}: ${JSON.stringify(html.slice(lt, lt + 60))}`);
      i = lt + 1;
      continue;
    }
    const [whole, closing, name, attrs] = m;
    const tag = name.toLowerCase();
    if (!KNOWN_TAGS.has(tag)) problems.push(`unexpected <${closing}${tag}>`);
    for (const a of attrs.matchAll(/\s+([^\s=]+)(?:="([^"]*)")?/g)) {
      const attr = a[1].toLowerCase();
      const value = decode(a[2] ?? '').trim().toLowerCase();
      if (attr.startsWith('on')) problems.push(`event handler attribute ${attr} on <${tag}>`);
      if ((attr === 'href' || attr === 'src' || attr === 'action') && /^(javascript|data|vbscript):/.test([...value].filter((c) => c.charCodeAt(0) > 0x20).join(''))) {
        problems.push(`${attr}="${value}" on <${tag}>`);
      }
      // A protocol-relative link (`//host`, or `/\host`, which browsers read the same) leaves the site.
      if (attr === 'href' && /^[/\\]{2}/.test(value)) problems.push(`off-site href="${value}" on <${tag}>`);
    }
    i = lt + whole.length;
    if (tag === 'script' && !closing) {
      scripts++;
      if (!/\btype="application\/ld\+json"/.test(attrs)) problems.push('a <script> that is not our JSON-LD');
      const end = html.indexOf('</script>', i);
      const body = html.slice(i, end);
      if (/<|-->|<!--/.test(body)) problems.push('"<" inside the JSON-LD script');
      i = end; // the closing tag is checked by the loop
    }
  }
  if (scripts > 1) problems.push(`${scripts} script elements`);
  return problems;
}

export const decode = (s: string): string =>
  s
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
