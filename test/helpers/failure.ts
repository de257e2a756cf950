// Resolves with the {status, message} of a call that must fail with a ColoniesError; a call
// that succeeds fails the test, any other error is rethrown.
import { ColoniesError } from '../../src/protocol/errors.js';
import { stringifyJson } from '../../src/protocol/json.js';

export async function failure(p: Promise<unknown>, what = 'the call'): Promise<{ status: number; message: string }> {
  let out: unknown;
  try {
    out = await p;
  } catch (e) {
    if (e instanceof ColoniesError) return { status: e.status, message: e.message };
    throw e;
  }
  throw new Error(`expected ${what} to fail, got ${stringifyJson(out)}`);
}
