// Where the SDK runs: Node gets its own transport and native signing (node-transport.ts, node-crypto.ts).

/** True in Node (not Bun or Deno, whose own fetch is what they tune): undici can be loaded. */
export function isNodeRuntime(): boolean {
  const p = (globalThis as { process?: NodeJS.Process }).process;
  const v = p?.versions as Record<string, string | undefined> | undefined;
  return typeof p?.getBuiltinModule === 'function' && typeof v?.node === 'string' && !v.bun && !v.deno;
}
