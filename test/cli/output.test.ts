// The CLI's output helpers: tables, colours only on a terminal (NO_COLOR honoured), JSON.
import { describe, expect, test } from 'vitest';
import { Output, showTime } from '../../src/cli/output.js';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { isTTY, write: (s: string) => (chunks.push(s), true), text: () => chunks.join('') } as unknown as NodeJS.WritableStream & { isTTY: boolean; text(): string };
}

function output(tty: boolean, env: NodeJS.ProcessEnv = {}) {
  const stdout = sink(tty);
  const stderr = sink(tty);
  return { out: new Output({ stdout, stderr, env }), stdout, stderr };
}

describe('Output', () => {
  test('tables align columns and upper-case headers', () => {
    const { out, stdout } = output(false);
    out.table(['name', 'id'], [['a', '1'], ['longer', 22]]);
    expect(stdout.text()).toBe('NAME    ID\na       1\nlonger  22\n');
  });

  test('colour on a terminal only, and never with NO_COLOR', () => {
    const tty = output(true, { TERM: 'xterm' });
    tty.out.ok('done');
    expect(tty.stdout.text()).toContain('\u001b[32m');
    const noColor = output(true, { TERM: 'xterm', NO_COLOR: '1' });
    noColor.out.ok('done');
    expect(noColor.stdout.text()).toBe('✔ done\n');
    const piped = output(false);
    piped.out.ok('done');
    expect(piped.stdout.text()).toBe('✔ done\n');
  });

  test('json keeps int64 exact and is plain JSON', () => {
    const { out, stdout } = output(false);
    out.json({ big: 1795618031219125000n, list: [] });
    expect(JSON.parse(stdout.text().replace('1795618031219125000', '0'))).toEqual({ big: 0, list: [] });
    expect(stdout.text()).toContain('1795618031219125000');
  });

  test('the spinner prints one line when stderr is not a terminal', () => {
    const { out, stderr } = output(false);
    const stop = out.spinner(() => 'waiting');
    stop();
    expect(stderr.text()).toBe('waiting\n');
  });

  test('times: unset is empty, others are local date-times', () => {
    expect(showTime('0001-01-01T00:00:00Z')).toBe('');
    expect(showTime('2026-01-02T03:04:05.5Z')).toMatch(/^2026-01-0\d \d\d:\d\d:05$/);
  });
});
