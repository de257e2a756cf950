// The SDK (browser-safe): client, types, errors.
export { ColoniesClient } from './client.js';
export type { ClientOptions } from './base.js';
export { ConnectionError, type FetchLike, type SocketFactory, type SocketLike } from './transport.js';
export { WAIT_TIMEOUT_STATUS, type Subscription } from './realtime.js';
export type { ProcessFilter, AttributeInput } from './processes.js';
export type { ExecutorInput, UserInput, LocationInput, FunctionInput } from './members.js';
export type { CronInput, GeneratorInput } from './workflows.js';
export { entryText, type FileInput, type FileRef, type SnapshotRef, type ChannelAppendOptions } from './storage.js';
export type { BlueprintInput, BlueprintDefinitionInput } from './blueprints.js';
export * from './types.js';
export { ColoniesError } from '../protocol/errors.js';
