/**
 * Chinese-aware tokenisation shared by indexing and querying. Chinese has no spaces, so Han runs
 * are indexed as overlapping bigrams (a lone Han character as a unigram); Latin letters and digits
 * form words. Both sides normalise with NFKC and lower-case, so full-width ＣＰＩ finds cpi.
 * Portable by design: the same terms go into SQLite and PostgreSQL, no engine plugin.
 */

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Bopomofo}]/u;
const WORD = /[\p{L}\p{N}]/u;

export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

interface Run {
  kind: 'cjk' | 'word';
  text: string;
}

function runs(text: string): Run[] {
  const out: Run[] = [];
  let cur: Run | undefined;
  for (const ch of normalizeText(text)) {
    const kind = CJK.test(ch) ? 'cjk' : WORD.test(ch) ? 'word' : undefined;
    if (kind === undefined) {
      cur = undefined;
      continue;
    }
    if (cur && cur.kind === kind) cur.text += ch;
    else {
      cur = { kind, text: ch };
      out.push(cur);
    }
  }
  return out;
}

function bigrams(run: string): string[] {
  const chars = [...run];
  if (chars.length === 1) return chars;
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
  return out;
}

/** Index terms of one text: Han bigrams and lower-cased words. */
export function indexTerms(text: string): Set<string> {
  const terms = new Set<string>();
  for (const r of runs(text)) {
    if (r.kind === 'word') {
      if (r.text.length <= 64) terms.add(r.text);
    } else for (const b of bigrams(r.text)) terms.add(b);
  }
  return terms;
}

export interface ParsedQuery {
  /** Terms every hit must have in the index. */
  terms: string[];
  /** Substrings every hit's text must contain: Han runs of 3+ characters (bigrams alone over-match) and lone Han characters. */
  phrases: string[];
}

/** Splits a user's query the same way the index was built. */
export function parseQuery(q: string): ParsedQuery {
  const terms = new Set<string>();
  const phrases = new Set<string>();
  for (const r of runs(q)) {
    if (r.kind === 'word') terms.add(r.text.slice(0, 64));
    else {
      const len = [...r.text].length;
      if (len === 1) phrases.add(r.text);
      else {
        for (const b of bigrams(r.text)) terms.add(b);
        if (len > 2) phrases.add(r.text);
      }
    }
  }
  return { terms: [...terms], phrases: [...phrases] };
}
