import type { ComponentChildren, VNode } from 'preact';
import { render } from 'preact-render-to-string';
import { SITE_CSS } from './assets.ts';
import type { PageCtx } from './context.ts';
import { accountMessages } from './pages/account-messages.ts';
import { manageMessages } from './pages/manage/manage-messages.ts';

export type NavKey = 'home' | 'datasets' | 'units' | 'manage' | 'none';

export interface LayoutProps {
  ctx: PageCtx;
  /** The page's own title; the site title is appended. */
  title: string;
  nav: NavKey;
  /** Show the 示範資料 banner: the page shows at least one demo dataset. */
  demo?: boolean;
  /** Extra elements for <head> (JSON-LD, canonical link). */
  head?: ComponentChildren;
  children: ComponentChildren;
}

export const siteTitle = (ctx: PageCtx): string => (ctx.lang === 'en' ? ctx.config.siteTitleEn : ctx.config.siteTitle);
const agencyTitle = (ctx: PageCtx): string => (ctx.lang === 'en' ? ctx.config.agency.titleEn : ctx.config.agency.title);

export function DemoBanner({ ctx }: { ctx: PageCtx }) {
  return (
    <div class="demo-banner" role="note" aria-label={ctx.m.demoBanner}>
      <div class="container">
        <strong>{ctx.m.demoBanner}</strong>
        <p>{ctx.m.demoBannerText}</p>
      </div>
    </div>
  );
}

/** 登入 for the public; 已登入 name (to the account page) and 登出 (a CSRF-protected post) once signed in. */
function AccountNav({ ctx }: { ctx: PageCtx }) {
  const a = accountMessages(ctx.lang);
  const [path] = ctx.url.split('?', 1);
  if (!ctx.user) {
    return (
      <a class="account-link" href={ctx.href('/signin', { next: path === '/signin' ? undefined : path })}>
        {a.signIn}
      </a>
    );
  }
  return (
    <form class="account-nav" method="post" action={ctx.href('/signout')}>
      <a href={ctx.href('/account')}>{a.signedInAs(ctx.user.name)}</a>{' '}
      {ctx.csrfToken ? <input type="hidden" name="_csrf" value={ctx.csrfToken} /> : null}
      <button type="submit" class="button button-secondary">
        {a.signOut}
      </button>
    </form>
  );
}

/** The page frame: skip link, header with navigation and language switch, main, footer. */
export function Layout({ ctx, title, nav, demo, head, children }: LayoutProps) {
  const { m } = ctx;
  const site = siteTitle(ctx);
  const navItem = (key: NavKey, path: string, label: string) => (
    <li>
      <a href={ctx.href(path)} aria-current={nav === key ? 'page' : undefined}>
        {label}
      </a>
    </li>
  );
  const [path] = ctx.url.split('?', 1);
  return (
    <html lang={m.htmlLang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title === site ? site : `${title}｜${site}`}</title>
        <link rel="stylesheet" href={SITE_CSS.href} />
        <link rel="alternate" hreflang="zh-Hant-TW" href={`${ctx.config.baseUrl}${path}?lang=zh-TW`} />
        <link rel="alternate" hreflang="en" href={`${ctx.config.baseUrl}${path}?lang=en`} />
        {head}
      </head>
      <body>
        <a class="skip-link" href="#main">
          {m.skipToContent}
        </a>
        <header class="site-header">
          <div class="container header-inner">
            <a class="brand" href={ctx.href('/')}>
              <span class="brand-agency">{agencyTitle(ctx)}</span>
              <span class="brand-site">{site}</span>
            </a>
            <nav class="main-nav" aria-label={m.mainNav}>
              <ul>
                {navItem('home', '/', m.navHome)}
                {navItem('datasets', '/datasets', m.navDatasets)}
                {navItem('units', '/units', m.navUnits)}
                <li>
                  <a href="/docs">{m.navApiDocs}</a>
                </li>
                {ctx.user?.hasRoles ? navItem('manage', '/manage', manageMessages(ctx.lang).navManage) : null}
              </ul>
            </nav>
            <AccountNav ctx={ctx} />
            <a class="lang-switch" href={ctx.switchHref} lang={m.langSwitchToHtml} hreflang={m.langSwitchToHtml}>
              {m.langSwitchTo}
            </a>
          </div>
        </header>
        {demo ? <DemoBanner ctx={ctx} /> : null}
        <main id="main" tabIndex={-1}>
          {children}
        </main>
        <footer class="site-footer">
          <div class="container footer-grid">
            <div>
              <p>
                <strong>{agencyTitle(ctx)}</strong> · {site}
              </p>
              <p>{m.footerAbout}</p>
              <p>
                <a href="https://data.gov.tw/license">{m.footerLicence}</a>
              </p>
            </div>
            <nav aria-label={m.footerLinks}>
              <h2>{m.footerLinks}</h2>
              <ul>
                <li>
                  <a href="/docs">{m.footerApiDocs}</a>
                </li>
                <li>
                  <a href="/api/3/action/package_search">{m.footerCkan}</a>
                </li>
                <li>
                  <a href={ctx.href('/discontinued')}>{ctx.lang === 'en' ? 'Discontinued datasets' : '停止提供公告'}</a>
                </li>
                {/* Issue 6, annual calendar. */}
                <li>
                  <a href={ctx.href('/calendar')}>{ctx.lang === 'en' ? 'Annual work calendar' : '年度行事曆'}</a>
                </li>
                <li>
                  <a href={ctx.href('/inventory')}>{ctx.lang === 'en' ? 'Open-data list and schedule' : '資料開放清單及期程'}</a>
                </li>
              </ul>
            </nav>
          </div>
        </footer>
      </body>
    </html>
  );
}

/** Serialises a page; preact-render-to-string escapes every text and attribute value. */
export function renderHtml(page: VNode): string {
  return `<!doctype html>${render(page)}`;
}
