// The dashboard: sign in with a key (kept in sessionStorage, used only to sign requests here),
// then hash routes (#/processes/running, #/process/<id>, ...) polled every 2 s while visible.
// Process events over WebSocket are executor-only, hence polling.
import { ColoniesClient, ColoniesError } from '../../src/client/index.js';
import { stringifyJson } from '../../src/protocol/json.js';
import { crons, executors, generators, overview, workflowDetail, workflowList } from './colony.js';
import { h } from './dom.js';
import { processDetail, processList } from './processes.js';
import type { Ctx, View } from './view.js';

const SESSION_KEY = 'colonies-dashboard';
const POLL_MS = 2000;

interface Session {
  colony: string;
  prvKey: string;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  serverInfo: $('server-info'),
  session: $('session'),
  sessionText: $('session-text'),
  signout: $<HTMLButtonElement>('signout'),
  nav: $('nav'),
  login: $<HTMLFormElement>('login'),
  colony: $<HTMLInputElement>('login-colony'),
  key: $<HTMLInputElement>('login-key'),
  error: $('error'),
  view: $('view'),
};

// The SDK calls its fetch as a method; the browser's fetch must be called unbound.
const client = new ColoniesClient({ url: location.origin });

function readSession(): Session | null {
  try {
    const s = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null') as Session | null;
    return s && typeof s.colony === 'string' && typeof s.prvKey === 'string' ? s : null;
  } catch {
    return null;
  }
}

function showError(e: unknown): void {
  const text = e instanceof ColoniesError ? `${e.message}${e.status ? ` (status ${e.status})` : ''}` : String(e);
  ui.error.textContent = text;
  ui.error.hidden = false;
}

function clearError(): void {
  ui.error.hidden = true;
  ui.error.textContent = '';
}

function viewFor(ctx: Ctx): View | null {
  const [name = 'overview', arg = ''] = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  switch (name) {
    case 'overview': return overview(ctx);
    case 'processes': return processList(ctx, arg || 'waiting');
    case 'process': return arg ? processDetail(ctx, arg) : null;
    case 'workflows': return workflowList(ctx, arg || 'running');
    case 'workflow': return arg ? workflowDetail(ctx, arg) : null;
    case 'executors': return executors(ctx);
    case 'crons': return crons(ctx);
    case 'generators': return generators(ctx);
    default: return null;
  }
}

function markCurrentNav(): void {
  const section = location.hash.split('/').slice(0, 2).join('/') || '#/overview';
  ui.nav.querySelectorAll('a').forEach((a) => {
    const target = a.getAttribute('href')!.split('/').slice(0, 2).join('/');
    const current = a.getAttribute('href') === location.hash || (target === section && !section.startsWith('#/processes'));
    if (current) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
}

let session = readSession();
let seq = 0;
let busy = false;
let shown = { hash: '', data: '' };

/** Loads the current route and redraws it when the route or its data changed. */
async function refresh(navigated: boolean): Promise<void> {
  if (!session || (busy && !navigated)) return;
  const my = ++seq;
  busy = true;
  const hash = location.hash;
  const view = viewFor({ client, colony: session.colony });
  try {
    if (!view) {
      ui.view.replaceChildren(h('h2', { tabindex: -1 }, 'Not found'), h('p', {}, 'No such page. ', h('a', { href: '#/overview' }, 'Back to the overview')));
      shown = { hash, data: '' };
      return;
    }
    const data = await view.load();
    if (my !== seq) return;
    clearError();
    const text = stringifyJson(data);
    if (hash === shown.hash && text === shown.data) return;
    // Keep keyboard focus on the same link across a redraw of the same page.
    const focusedHref = hash === shown.hash && ui.view.contains(document.activeElement) ? document.activeElement?.getAttribute('href') : null;
    ui.view.replaceChildren(h('div', {}, view.render(data)));
    document.title = `${view.title} · Colonies`;
    if (hash !== shown.hash) ui.view.querySelector<HTMLElement>('h2')?.focus();
    else if (focusedHref) ui.view.querySelector<HTMLElement>(`[href="${CSS.escape(focusedHref)}"]`)?.focus();
    shown = { hash, data: text };
  } catch (e) {
    if (my !== seq) return;
    showError(e);
    // A page that failed to load must not leave the previous page on screen.
    if (hash !== shown.hash) {
      ui.view.replaceChildren();
      shown = { hash, data: '' };
    }
  } finally {
    if (my === seq) busy = false;
    markCurrentNav();
  }
}

function showSignedIn(): void {
  const s = session!;
  ui.login.hidden = true;
  ui.nav.hidden = false;
  ui.session.hidden = false;
  ui.sessionText.textContent = `Colony ${s.colony} · key id ${client.idOf(s.prvKey).slice(0, 12)}…`;
  client.setPrivateKey(s.prvKey);
  shown = { hash: '', data: '' };
  if (!location.hash) history.replaceState(null, '', '#/overview');
  void refresh(true);
}

function showSignedOut(): void {
  session = null;
  sessionStorage.removeItem(SESSION_KEY);
  client.setPrivateKey(undefined);
  ui.nav.hidden = true;
  ui.session.hidden = true;
  ui.view.replaceChildren();
  ui.login.hidden = false;
  document.title = 'Colonies dashboard';
  ui.colony.focus();
}

ui.login.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const colony = ui.colony.value.trim();
  const prvKey = ui.key.value.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(prvKey)) return showError('The private key must be 64 hexadecimal characters.');
  // Check that the key is a member of the colony before keeping it.
  client.getColony(colony, prvKey).then(
    () => {
      clearError();
      ui.key.value = '';
      session = { colony, prvKey };
      sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
      showSignedIn();
    },
    (e) => showError(e),
  );
});
ui.signout.addEventListener('click', () => {
  clearError();
  showSignedOut();
});
window.addEventListener('hashchange', () => void refresh(true));
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') void refresh(false);
});
setInterval(() => {
  if (document.visibilityState === 'visible') void refresh(false);
}, POLL_MS);

client.getServerInfo().then(
  (info) => (ui.serverInfo.textContent = `Server ${info.buildversion || 'unknown version'}${info.buildtime ? `, built ${info.buildtime}` : ''}`),
  (e) => (ui.serverInfo.textContent = `Server unreachable: ${e instanceof Error ? e.message : String(e)}`),
);
if (session) showSignedIn();
else showSignedOut();
