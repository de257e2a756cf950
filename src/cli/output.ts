// What the CLI prints: tables and key/value blocks for people, plain JSON for scripts,
// colours and a spinner only on a terminal (NO_COLOR honoured).
import { stringifyJson } from '../protocol/json.js';
import { ZERO_TIME } from '../protocol/time.js';

export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

// eslint-disable-next-line no-control-regex -- ANSI colour codes are control characters
const ANSI = /\u001b\[[0-9;]*m/g;

export class Output {
  readonly color: boolean;
  readonly interactive: boolean;

  constructor(readonly io: Streams) {
    const env = io.env;
    const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
    this.color = !noColor && env.TERM !== 'dumb' && Boolean(io.stdout.isTTY);
    this.interactive = Boolean(io.stderr.isTTY) && env.TERM !== 'dumb';
  }

  private paint(code: string, s: string): string {
    return this.color ? `\u001b[${code}m${s}\u001b[0m` : s;
  }
  bold = (s: string) => this.paint('1', s);
  dim = (s: string) => this.paint('2', s);
  green = (s: string) => this.paint('32', s);
  red = (s: string) => this.paint('31', s);
  yellow = (s: string) => this.paint('33', s);
  cyan = (s: string) => this.paint('36', s);

  /** A line on stdout. */
  line(s = ''): void {
    this.io.stdout.write(s + '\n');
  }

  /** A note on stderr (progress, hints), so stdout stays clean for pipes. */
  note(s: string): void {
    this.io.stderr.write(s + '\n');
  }

  /** Plain JSON (int64s exact), nothing else, on stdout. */
  json(value: unknown): void {
    this.io.stdout.write(stringifyJson(value ?? null, 2) + '\n');
  }

  /** A success message. */
  ok(s: string): void {
    this.line(`${this.green('✔')} ${s}`);
  }

  /** Columns with a bold header; values are shown as text. */
  table(headers: string[], rows: unknown[][]): void {
    const cells = rows.map((r) => r.map(cellText));
    const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => visibleLength(r[i] ?? ''))));
    const fmt = (r: string[], style: (s: string) => string = (s) => s) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i] - visibleLength(c))))
        .map(style)
        .join('  ')
        .trimEnd();
    this.line(fmt(headers.map((h) => h.toUpperCase()), this.bold));
    for (const r of cells) this.line(fmt(r));
  }

  /** An aligned key/value block with an optional title. */
  kv(title: string | undefined, pairs: [string, unknown][]): void {
    if (title) this.line(this.bold(title));
    const width = Math.max(0, ...pairs.map(([k]) => k.length));
    for (const [k, v] of pairs) this.line(`  ${this.dim(k.padEnd(width))}  ${cellText(v)}`.trimEnd());
  }

  /**
   * A spinner line on stderr while `label()` is shown; returns stop(). On a non-terminal it
   * prints the first label once and stays quiet.
   */
  spinner(label: () => string): () => void {
    if (!this.interactive) {
      this.note(label());
      return () => undefined;
    }
    const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
    let i = 0;
    const draw = () => this.io.stderr.write(`\r\u001b[2K${this.cyan(frames[i++ % frames.length])} ${label()}`);
    draw();
    const t = setInterval(draw, 100);
    return () => {
      clearInterval(t);
      this.io.stderr.write('\r\u001b[2K');
    };
  }
}

function visibleLength(s: string): number {
  return s.replace(ANSI, '').length;
}

/** How a value shows in a table cell. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : stringifyJson(x))).join(' ');
  return stringifyJson(v);
}

/** An RFC 3339 time as local "YYYY-MM-DD HH:MM:SS"; unset (year 1) → "". */
export function showTime(t: string | undefined | null): string {
  if (!t || t === ZERO_TIME || t.startsWith('0001-')) return '';
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return t;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
