// Helpers to write an executor: runExecutor registers, long-polls, runs and closes.
export { runExecutor, type ExecutorOptions, type ExecutorHandle, type ExecutorLogger } from './runtime.js';
export { toOutput, type ExecutorContext, type ProcessHandler } from './run.js';
