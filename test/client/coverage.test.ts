// Every payloadtype a client can send has an SDK method (the unhandled getnode* ones excepted).
import { readdirSync, readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { catalogue } from '../../src/protocol/messages.js';

test('the SDK covers every api, unauthenticated and websocket payloadtype', () => {
  const dir = new URL('../../src/client/', import.meta.url);
  const src = readdirSync(dir)
    .map((f) => readFileSync(new URL(f, dir), 'utf8'))
    .join('\n');
  const sendable = Object.entries(catalogue).filter(([, v]) => v.kind !== 'unhandled');
  expect(sendable.length).toBe(99);
  expect(sendable.map(([k]) => k).filter((k) => !src.includes(`'${k}'`))).toEqual([]);
});
