// When a cron runs next (SEMANTICS §10, OBJECTS §13). Expressions follow the original's
// robfig/cron v3 dialect: exactly 6 fields (sec min hour dom month dow), descriptors
// (@yearly … @hourly, @every <duration>) and an optional TZ=/CRON_TZ= prefix; field
// matching is delegated to croner. Times are int64 nanoseconds (BigInt).
import { Cron as Croner } from 'croner';

const MS_NS = 1_000_000n;
const SECOND_NS = 1_000_000_000n;

/** A parsed expression: `next(afterNs)` is the first matching moment strictly after it, 0n if none. */
export interface Schedule {
  next(afterNs: bigint): bigint;
}

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 0 1 1 *',
  '@annually': '0 0 0 1 1 *',
  '@monthly': '0 0 0 1 * *',
  '@weekly': '0 0 0 * * 0',
  '@daily': '0 0 0 * * *',
  '@midnight': '0 0 0 * * *',
  '@hourly': '0 0 * * * *',
};

const DURATION_UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  μs: 1_000n,
  ms: MS_NS,
  s: SECOND_NS,
  m: 60n * SECOND_NS,
  h: 3600n * SECOND_NS,
};

/** Go's time.ParseDuration for the `@every` descriptor ("1h30m", "90s", "1.5h"); null when invalid. */
export function parseGoDuration(text: string): bigint | null {
  const m = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(text);
  if (!m) return text === '0' ? 0n : null;
  let total = 0;
  for (const part of text.replace(/^[+-]/, '').matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(part[1]) * Number(DURATION_UNITS[part[2]]);
  }
  const ns = BigInt(Math.round(total));
  return m[1] === '-' ? -ns : ns;
}

/** robfig's ConstantDelaySchedule: whole seconds (at least one), counted from the start of the current second. */
function every(durationNs: bigint): Schedule {
  let d = (durationNs / SECOND_NS) * SECOND_NS;
  if (d < SECOND_NS) d = SECOND_NS;
  return { next: (after) => after - (after % SECOND_NS) + d };
}

function validZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function croner(fields: string[], zone: string | undefined): Schedule {
  // robfig treats `?` as `*`; croner would substitute the current date, so translate it.
  const pattern = fields.map((f) => f.replace(/\?/g, '*')).join(' ');
  let job: Croner;
  try {
    job = new Croner(pattern, { paused: true, legacyMode: true, timezone: zone });
  } catch (e) {
    throw new Error((e as Error).message.replace(/^CronPattern: /, ''));
  }
  return {
    next(after) {
      const d = job.nextRun(new Date(Number(after / MS_NS)));
      return d ? BigInt(d.getTime()) * MS_NS : 0n;
    },
  };
}

/** Parses an expression; throws an Error with the original's message on a bad one. */
export function parseCronExpression(expression: string): Schedule {
  let spec = expression;
  if (spec.length === 0) throw new Error('empty cron expression string');
  let zone: string | undefined;
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const sp = spec.indexOf(' ');
    const name = spec.slice(spec.indexOf('=') + 1, sp < 0 ? undefined : sp);
    if (!validZone(name)) throw new Error(`provided bad location ${name}: unknown time zone ${name}`);
    zone = name;
    spec = sp < 0 ? '' : spec.slice(sp).trim();
  }
  if (spec.startsWith('@')) {
    const fixed = DESCRIPTORS[spec];
    if (fixed) return croner(fixed.split(' '), zone);
    if (spec.startsWith('@every ')) {
      const d = parseGoDuration(spec.slice('@every '.length));
      if (d === null) throw new Error(`failed to parse duration ${spec}: time: invalid duration "${spec.slice(7)}"`);
      return every(d);
    }
    throw new Error(`unrecognized descriptor: ${spec}`);
  }
  const fields = spec.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 6) throw new Error(`expected exactly 6 fields, found ${fields.length}: [${fields.join(' ')}]`);
  return croner(fields, zone);
}

export interface CronTiming {
  interval: number;
  random: boolean;
  cronexpression: string;
}

/**
 * The next run after `nowNs`. Interval crons run every `interval` seconds; with `random`
 * (honoured, see DECISIONS.md) they run once per interval-long window, at a random moment
 * inside the window that follows the current one (windows are aligned to the Unix epoch, so
 * consecutive runs never fall into the same window). Expression crons use the expression in
 * the server's local zone (or its TZ= prefix). Returns 0n when the expression never matches.
 */
export function nextRun(c: CronTiming, nowNs: bigint, rand: () => number = Math.random): bigint {
  if (c.interval > 0) {
    const width = BigInt(c.interval) * SECOND_NS;
    if (!c.random) return nowNs + width;
    const windowStart = nowNs - (((nowNs % width) + width) % width) + width;
    const offset = BigInt(Math.floor(rand() * c.interval * 1000)) * MS_NS;
    return windowStart + offset;
  }
  try {
    return parseCronExpression(c.cronexpression).next(nowNs);
  } catch {
    return 0n;
  }
}
