// Tiny DOM helpers. Server data is untrusted (process output can be anything), so text only
// ever goes in as text nodes or attribute values, never as HTML.
import { stringifyJson } from '../../src/protocol/json.js';

export type Child = Node | string | number | null | undefined | false | Child[];
type Attrs = Record<string, string | number | boolean | null | undefined | ((ev: Event) => void)>;

function fill(el: Element, attrs: Attrs, children: Child[]): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (value === true) el.setAttribute(name, '');
    else if (value !== false && value !== null && value !== undefined) el.setAttribute(name, String(value));
  }
  const add = (c: Child): void => {
    if (Array.isArray(c)) c.forEach(add);
    else if (c instanceof Node) el.appendChild(c);
    else if (c !== null && c !== undefined && c !== false) el.appendChild(document.createTextNode(String(c)));
  };
  children.forEach(add);
}

/** An HTML element: h('a', { href: '#/x' }, 'text'). Keys starting with "on" add listeners. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  fill(el, attrs, children);
  return el;
}

/** An SVG element. */
export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  fill(el, attrs, children);
  return el;
}

export const STATES = ['waiting', 'running', 'successful', 'failed', 'cancelled'];

/** "successful" → 2; unknown → -1. */
export function stateNumber(name: string): number {
  return STATES.indexOf(name);
}

export function stateBadge(state: number): HTMLElement {
  const name = STATES[state] ?? `state ${state}`;
  return h('span', { class: `badge state-${name}` }, name);
}

/** A time as the server sent it (RFC 3339), shown in local time; year 0001 = unset. */
export function time(value: unknown): Child {
  const text = typeof value === 'string' ? value : '';
  if (!text || text.startsWith('0001-')) return h('span', { class: 'muted' }, '—');
  // Date parses at most milliseconds reliably: trim the nanoseconds.
  const d = new Date(text.replace(/(\.\d{3})\d+/, '$1'));
  if (Number.isNaN(d.getTime())) return text;
  return h('time', { datetime: text, title: text }, d.toLocaleString());
}

/** The first characters of an id; the full id in the title (and in the link target). */
export function shortId(id: string): string {
  return id.length > 12 ? id.slice(0, 12) : id;
}

export function idLink(route: string, id: string, label?: string): Child {
  if (!id) return h('span', { class: 'muted' }, '—');
  return h('a', { href: `#/${route}/${id}`, title: id, class: 'mono' }, label ?? shortId(id));
}

/** Pretty JSON (int64 values exact). */
export function json(value: unknown): HTMLElement {
  return h('pre', { class: 'json' }, stringifyJson(value ?? null, 2));
}

/** A table with a caption, column headers and rows; a "none" row when empty. */
export function table(caption: string, headers: string[], rows: Child[][]): HTMLElement {
  const body = rows.length
    ? rows.map((r) => h('tr', {}, r.map((cell) => h('td', {}, cell))))
    : [h('tr', {}, h('td', { colspan: headers.length, class: 'muted' }, 'none'))];
  return h(
    'table',
    {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, headers.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, body),
  );
}

/** A definition list of label → value pairs. */
export function facts(pairs: [string, Child][]): HTMLElement {
  return h('dl', { class: 'facts' }, pairs.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

export function section(title: string, ...children: Child[]): HTMLElement {
  return h('section', {}, h('h3', {}, title), ...children);
}
