// Registry rows for this area; see src/server/registry.ts.
export {};
