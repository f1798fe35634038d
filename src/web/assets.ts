import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The site stylesheet, read once when the module loads. Its URL carries a content hash so
 * browsers may cache it for a long time and still see a new version at once.
 */
const body = readFileSync(path.join(import.meta.dirname, 'assets', 'site.css'), 'utf8');
const hash = createHash('sha256').update(body).digest('hex').slice(0, 16);

export const SITE_CSS = {
  body,
  etag: `"${hash}"`,
  href: `/assets/site.css?v=${hash}`,
} as const;
