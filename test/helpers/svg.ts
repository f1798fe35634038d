/**
 * Checks an inline chart SVG the way markup.ts checks a page (markup.ts rejects <svg> on pages,
 * so pages with charts take their SVGs out with `splitSvg` and check them here): only the tags
 * ECharts writes for a line chart, no event handler, no script, no link off the page.
 */
const SVG_TAGS = new Set(['svg', 'title', 'rect', 'path', 'text', 'tspan', 'g', 'defs', 'clippath', 'style']);
const TAG = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*\/?>/g;

export function svgProblems(svg: string): string[] {
  const problems: string[] = [];
  const rest = svg.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '').replace(TAG, (_, closing: string, name: string, attrs: string) => {
    const tag = name.toLowerCase();
    if (!SVG_TAGS.has(tag)) problems.push(`unexpected <${closing}${tag}> in the SVG`);
    for (const a of attrs.matchAll(/\s+([^\s=]+)(?:="([^"]*)")?/g)) {
      const attr = a[1].toLowerCase();
      if (attr.startsWith('on')) problems.push(`event handler ${attr} on <${tag}>`);
      if ((attr === 'href' || attr === 'xlink:href') && !(a[2] ?? '').startsWith('#')) problems.push(`${attr}="${a[2]}" on <${tag}>`);
    }
    return '';
  });
  if (rest.includes('<')) problems.push(`stray "<" in the SVG: ${JSON.stringify(rest.slice(rest.indexOf('<'), rest.indexOf('<') + 60))}`);
  return problems;
}

/** A page's HTML without its inline SVGs, and the SVGs. */
export function splitSvg(html: string): { html: string; svgs: string[] } {
  const svgs: string[] = [];
  const rest = html.replace(/<svg\b[\s\S]*?<\/svg>/g, (s) => {
    svgs.push(s);
    return '';
  });
  return { html: rest, svgs };
}
