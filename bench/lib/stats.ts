// Latency samples and summaries. Latencies are kept in milliseconds.

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function median(xs: number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface LatencySummary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Growable sample buffer (a plain number[] would box doubles on big runs). */
export class Samples {
  private buf = new Float64Array(1024);
  private len = 0;

  get length(): number {
    return this.len;
  }

  push(v: number): void {
    if (this.len === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.len++] = v;
  }

  pushAll(vs: ArrayLike<number>): void {
    for (let i = 0; i < vs.length; i++) this.push(vs[i]);
  }

  /** Takes the samples out (for shipping them from a worker). */
  drain(): number[] {
    const out = Array.from(this.buf.subarray(0, this.len));
    this.len = 0;
    return out;
  }

  summary(): LatencySummary {
    const s = this.buf.slice(0, this.len).sort();
    let sum = 0;
    for (let i = 0; i < s.length; i++) sum += s[i];
    return {
      n: s.length,
      p50: percentile(s, 50),
      p90: percentile(s, 90),
      p99: percentile(s, 99),
      max: s.length ? s[s.length - 1] : NaN,
      mean: s.length ? sum / s.length : NaN,
    };
  }
}

/** Rounds for display and JSON (3 significant decimals on small numbers). */
export function round(v: number, digits = 2): number {
  if (!Number.isFinite(v)) return v;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
