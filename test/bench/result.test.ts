// The runner's CPU figures (bench/lib/result.ts): CPU ms per operation from the shares, and the
// two ceilings they imply for the machine. Fed by hand.
import { describe, expect, it } from 'vitest';
import type { CpuShare } from '../../bench/lib/resources.js';
import { addCpu } from '../../bench/lib/result.js';

// 10 s measured, 5,000 operations: 1 % of a core is 0.02 ms per operation
const share = (client: number, server: number, postgres: number): CpuShare => ({ client, server, postgres, postgresOthers: 0.5, wallS: 10 });

describe('addCpu', () => {
  it('gives CPU ms per operation and the rates at which they would fill the cores, with and without the server', () => {
    const m: Record<string, number> = {};
    addCpu(m, share(30, 40, 35), { n: 5000, unit: 'process' }, 2);
    expect(m).toMatchObject({ cpu_client_pct: 30, cpu_server_pct: 40, cpu_postgres_pct: 35, cpu_postgres_others_pct: 0.5 });
    expect(m.client_cpu_ms_per_process).toBeCloseTo(0.6, 9);
    expect(m.server_cpu_ms_per_process).toBeCloseTo(0.8, 9);
    expect(m.postgres_cpu_ms_per_process).toBeCloseTo(0.7, 9);
    // 2 cores = 2,000 ms of CPU per second: 2,000 / (0.6 + 0.8 + 0.7) and 2,000 / (0.6 + 0.7)
    expect(m.cpu_cap_per_s).toBe(952);
    expect(m.cpu_cap_without_server_per_s).toBe(1538);
    // the cores count
    const four: Record<string, number> = {};
    addCpu(four, share(30, 40, 35), { n: 5000, unit: 'call' }, 4);
    expect(four.cpu_cap_per_s).toBe(1905);
    expect(four.client_cpu_ms_per_call).toBeCloseTo(0.6, 9);
  });

  it('leaves the ceilings out when a party is unknown (a remote target) or there was no work', () => {
    const remote: Record<string, number> = {};
    addCpu(remote, share(30, NaN, 35), { n: 5000, unit: 'process' }, 2);
    expect(remote.client_cpu_ms_per_process).toBeCloseTo(0.6, 9);
    expect(remote.server_cpu_ms_per_process).toBeNaN();
    expect('cpu_cap_per_s' in remote).toBe(false);
    expect('cpu_cap_without_server_per_s' in remote).toBe(false);

    const idle: Record<string, number> = {};
    addCpu(idle, share(0, 0, 0), { n: 5000, unit: 'process' }, 2);
    expect('cpu_cap_per_s' in idle).toBe(false);

    const none: Record<string, number> = {};
    addCpu(none, share(30, 40, 35), { n: 0, unit: 'process' }, 2);
    expect(Object.keys(none).sort()).toEqual(['cpu_client_pct', 'cpu_postgres_others_pct', 'cpu_postgres_pct', 'cpu_server_pct']);
  });
});
