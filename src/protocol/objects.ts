// Schemas for every JSON object of the protocol (OBJECTS.md), built from the Go-rules
// building blocks in fields.ts. Keys are listed in Go's output order, so parsing a value
// and writing it with stringifyWire (wire.ts) reproduces Go's JSON.
//
// Conventions:
// * times are RFC 3339 strings (str());
// * Go int64 → int64() (BigInt), Go int → int(), float64 → float();
// * `omitempty` fields are optional: they are `undefined` (left out of the JSON) when empty;
// * nested value structs use struct() (null → zero struct), pointers use nullable() (null stays null);
// * for every object there is `XShape` (the raw shape, for embedding), `XSchema` and `type X`.
import { anyValue, bool, bytes, float, int, int64, list, map, nullable, object, str, struct, z, type Infer } from './fields.js';

function isEmptyValue(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === 0n || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object' && !(v instanceof Uint8Array)) {
    for (const _k in v as object) return false;
    return true;
  }
  return false;
}

/** Go `omitempty` on a string, number, bool, slice or map: the empty value becomes `undefined`. */
export function omitempty<T extends z.ZodTypeAny>(schema: T) {
  return schema
    .transform((v: z.output<T>) => (isEmptyValue(v) ? undefined : (v as NonNullable<z.output<T>>)))
    .optional();
}

/** Go `omitempty` on a pointer or interface{}: only nil (null) is left out. */
export function omitnil<T extends z.ZodTypeAny>(schema: T) {
  return schema
    .transform((v: z.output<T>) => (v === null || v === undefined ? undefined : (v as NonNullable<z.output<T>>)))
    .optional();
}

/** []string that Go returns as null when absent. */
const strings = () => list(str());

// ---------------------------------------------------------------------------------------------
// §3 Colony

export const ColonyShape = {
  colonyid: str(),
  name: str(),
};
export const ColonySchema = object(ColonyShape);
export type Colony = Infer<typeof ColonySchema>;

// ---------------------------------------------------------------------------------------------
// §4 Executor

export const GPUShape = {
  name: str(),
  mem: str(),
  count: int(),
  nodecount: int(),
};
export const GPUSchema = object(GPUShape);
export type GPU = Infer<typeof GPUSchema>;

export const HardwareShape = {
  model: str(),
  nodes: int(),
  cpu: str(),
  cores: int(),
  mem: str(),
  storage: str(),
  gpu: struct(GPUShape),
  platform: str(),
  architecture: str(),
  network: strings(),
};
export const HardwareSchema = object(HardwareShape);
export type Hardware = Infer<typeof HardwareSchema>;

export const SoftwareShape = {
  name: str(),
  type: str(),
  version: str(),
};
export const SoftwareSchema = object(SoftwareShape);
export type Software = Infer<typeof SoftwareSchema>;

export const CapabilitiesShape = {
  hardware: list(struct(HardwareShape)),
  software: list(struct(SoftwareShape)),
};
export const CapabilitiesSchema = object(CapabilitiesShape);
export type Capabilities = Infer<typeof CapabilitiesSchema>;

export const ProjectShape = {
  allocatedcpu: int64(),
  usedcpu: int64(),
  allocatedgpu: int64(),
  usedgpu: int64(),
  allocatedstorage: int64(),
  usedstorage: int64(),
};
export const ProjectSchema = object(ProjectShape);
export type Project = Infer<typeof ProjectSchema>;

export const AllocationsShape = {
  projects: map(struct(ProjectShape)),
};
export const AllocationsSchema = object(AllocationsShape);
export type Allocations = Infer<typeof AllocationsSchema>;

export const ExecutorShape = {
  executorid: str(),
  executortype: str(),
  executorname: str(),
  colonyname: str(),
  state: int(),
  requirefuncreg: bool(),
  commissiontime: str(),
  lastheardfromtime: str(),
  locationname: omitempty(str()),
  capabilities: struct(CapabilitiesShape),
  allocations: struct(AllocationsShape),
  blueprintid: omitempty(str()),
  blueprintgen: omitempty(int64()),
};
export const ExecutorSchema = object(ExecutorShape);
export type Executor = Infer<typeof ExecutorSchema>;

// ---------------------------------------------------------------------------------------------
// §5 User, §6 Location

export const UserShape = {
  colonyname: str(),
  userid: str(),
  name: str(),
  email: str(),
  phone: str(),
};
export const UserSchema = object(UserShape);
export type User = Infer<typeof UserSchema>;

export const LocationShape = {
  locationid: str(),
  name: str(),
  colonyname: str(),
  description: str(),
  long: float(),
  lat: float(),
};
export const LocationSchema = object(LocationShape);
export type Location = Infer<typeof LocationSchema>;

// ---------------------------------------------------------------------------------------------
// §7 FunctionSpec, Conditions, Filesystem

export const ConditionsShape = {
  colonyname: str(),
  executornames: strings(),
  executortype: str(),
  locationname: omitempty(str()),
  dependencies: strings(),
  nodes: int(),
  cpu: str(),
  processes: int(),
  processespernode: int(),
  mem: str(),
  storage: str(),
  gpu: struct(GPUShape),
  walltime: int64(),
};
export const ConditionsSchema = object(ConditionsShape);
export type Conditions = Infer<typeof ConditionsSchema>;

export const SnapshotMountShape = {
  snapshotid: str(),
  label: str(),
  dir: str(),
  keepfiles: bool(),
  keepsnapshot: bool(),
};
export const SnapshotMountSchema = object(SnapshotMountShape);
export type SnapshotMount = Infer<typeof SnapshotMountSchema>;

export const ConflictResolutionShape = {
  keeplocal: bool(),
};
export const ConflictResolutionSchema = object(ConflictResolutionShape);
export type ConflictResolution = Infer<typeof ConflictResolutionSchema>;

export const OnConflictsShape = {
  onstart: struct(ConflictResolutionShape),
  onclose: struct(ConflictResolutionShape),
};
export const OnConflictsSchema = object(OnConflictsShape);
export type OnConflicts = Infer<typeof OnConflictsSchema>;

export const SyncDirMountShape = {
  label: str(),
  dir: str(),
  keepfiles: bool(),
  onconflicts: struct(OnConflictsShape),
};
export const SyncDirMountSchema = object(SyncDirMountShape);
export type SyncDirMount = Infer<typeof SyncDirMountSchema>;

export const FilesystemShape = {
  mount: str(),
  snapshots: list(struct(SnapshotMountShape)),
  dirs: list(struct(SyncDirMountShape)),
};
export const FilesystemSchema = object(FilesystemShape);
export type Filesystem = Infer<typeof FilesystemSchema>;

export const FunctionSpecShape = {
  nodename: str(),
  funcname: str(),
  args: list(anyValue()),
  kwargs: map(anyValue()),
  priority: int(),
  maxwaittime: int(),
  maxexectime: int(),
  maxretries: int(),
  conditions: struct(ConditionsShape),
  label: str(),
  fs: struct(FilesystemShape),
  env: map(str()),
  channels: omitempty(strings()),
};
export const FunctionSpecSchema = object(FunctionSpecShape);
export type FunctionSpec = Infer<typeof FunctionSpecSchema>;

// ---------------------------------------------------------------------------------------------
// §9 Attribute, §8 Process

export const AttributeShape = {
  attributeid: str(),
  targetid: str(),
  targetcolonyname: str(),
  targetprocessgraphid: str(),
  state: int(),
  attributetype: int(),
  key: str(),
  value: str(),
};
export const AttributeSchema = object(AttributeShape);
export type Attribute = Infer<typeof AttributeSchema>;

export const ProcessShape = {
  processid: str(),
  initiatorid: str(),
  initiatorname: str(),
  assignedexecutorid: str(),
  isassigned: bool(),
  state: int(),
  prioritytime: int64(),
  submissiontime: str(),
  starttime: str(),
  endtime: str(),
  waitdeadline: str(),
  execdeadline: str(),
  retries: int(),
  attributes: list(struct(AttributeShape)),
  spec: struct(FunctionSpecShape),
  waitforparents: bool(),
  parents: strings(),
  children: strings(),
  processgraphid: str(),
  in: list(anyValue()),
  out: list(anyValue()),
  errors: strings(),
};
export const ProcessSchema = object(ProcessShape);
export type Process = Infer<typeof ProcessSchema>;

// ---------------------------------------------------------------------------------------------
// §10 WorkflowSpec, ProcessGraph

export const WorkflowSpecShape = {
  colonyname: str(),
  functionspecs: list(struct(FunctionSpecShape)),
};
export const WorkflowSpecSchema = object(WorkflowSpecShape);
export type WorkflowSpec = Infer<typeof WorkflowSpecSchema>;

export const GraphNodeShape = {
  id: str(),
  data: struct({ label: str() }),
  position: struct({ x: int(), y: int() }),
  type: str(),
  style: struct({ color: str(), background: str() }),
};
export const GraphNodeSchema = object(GraphNodeShape);
export type GraphNode = Infer<typeof GraphNodeSchema>;

export const EdgeShape = {
  id: str(),
  source: str(),
  target: str(),
  animated: bool(),
};
export const EdgeSchema = object(EdgeShape);
export type Edge = Infer<typeof EdgeSchema>;

export const ProcessGraphShape = {
  processgraphid: str(),
  initiatorid: str(),
  initiatorname: str(),
  colonyname: str(),
  rootprocessids: strings(),
  state: int(),
  submissiontime: str(),
  starttime: str(),
  endtime: str(),
  processids: strings(),
  nodes: list(struct(GraphNodeShape)),
  edges: list(struct(EdgeShape)),
};
export const ProcessGraphSchema = object(ProcessGraphShape);
export type ProcessGraph = Infer<typeof ProcessGraphSchema>;

// ---------------------------------------------------------------------------------------------
// §11 Function

export const FunctionArgShape = {
  name: str(),
  type: str(),
  description: omitempty(str()),
  required: omitempty(bool()),
  enum: omitempty(strings()),
};
export const FunctionArgSchema = object(FunctionArgShape);
export type FunctionArg = Infer<typeof FunctionArgSchema>;

export const FunctionShape = {
  functionid: str(),
  executorname: str(),
  executortype: str(),
  colonyname: str(),
  funcname: str(),
  description: omitempty(str()),
  args: omitempty(list(struct(FunctionArgShape))),
  counter: int(),
  minwaittime: float(),
  maxwaittime: float(),
  minexectime: float(),
  maxexectime: float(),
  avgwaittime: float(),
  avgexectime: float(),
  locationname: omitempty(str()),
};
export const FunctionSchema = object(FunctionShape);
export type Function = Infer<typeof FunctionSchema>;

// ---------------------------------------------------------------------------------------------
// §12 Log, §13 Cron, §14 Generator

export const LogShape = {
  processid: str(),
  colonyname: str(),
  executorname: str(),
  message: str(),
  timestamp: int64(),
};
export const LogSchema = object(LogShape);
export type Log = Infer<typeof LogSchema>;

export const CronShape = {
  cronid: str(),
  initiatorid: str(),
  initiatorname: str(),
  colonyname: str(),
  name: str(),
  cronexpression: str(),
  interval: int(),
  random: bool(),
  nextrun: str(),
  lastrun: str(),
  workflowspec: str(),
  prevprocessgraphid: str(),
  waitforprevprocessgraph: bool(),
  checkerperiod: int(),
};
export const CronSchema = object(CronShape);
export type Cron = Infer<typeof CronSchema>;

export const GeneratorShape = {
  generatorid: str(),
  initiatorid: str(),
  initiatorname: str(),
  colonyname: str(),
  name: str(),
  workflowspec: str(),
  trigger: int(),
  timeout: int(),
  firstpack: str(),
  lastrun: str(),
  queuesize: int(),
  checkerperiod: int(),
};
export const GeneratorSchema = object(GeneratorShape);
export type Generator = Infer<typeof GeneratorSchema>;

// ---------------------------------------------------------------------------------------------
// §15 File, FileData, Label, Snapshot

export const S3ObjectShape = {
  server: str(),
  port: int(),
  tls: bool(),
  accesskey: str(),
  secretkey: str(),
  region: str(),
  encryptionkey: str(),
  encryptionalg: str(),
  object: str(),
  bucket: str(),
};
export const S3ObjectSchema = object(S3ObjectShape);
export type S3Object = Infer<typeof S3ObjectSchema>;

export const RefShape = {
  protocol: str(),
  s3object: struct(S3ObjectShape),
};
export const RefSchema = object(RefShape);
export type Ref = Infer<typeof RefSchema>;

export const FileShape = {
  fileid: str(),
  colonyname: str(),
  label: str(),
  name: str(),
  size: int64(),
  sequencenr: int64(),
  checksum: str(),
  checksumalg: str(),
  ref: struct(RefShape),
  added: str(),
};
export const FileSchema = object(FileShape);
export type File = Infer<typeof FileSchema>;

export const FileDataShape = {
  name: str(),
  checksum: str(),
  size: int64(),
  s3filename: str(),
};
export const FileDataSchema = object(FileDataShape);
export type FileData = Infer<typeof FileDataSchema>;

export const LabelShape = {
  name: str(),
  files: int(),
};
export const LabelSchema = object(LabelShape);
export type Label = Infer<typeof LabelSchema>;

export const SnapshotShape = {
  snapshotid: str(),
  colonyname: str(),
  label: str(),
  name: str(),
  fileids: strings(),
  added: str(),
};
export const SnapshotSchema = object(SnapshotShape);
export type Snapshot = Infer<typeof SnapshotSchema>;

// ---------------------------------------------------------------------------------------------
// §16 Statistics, §17 Failure

export const StatisticsShape = {
  colonies: int(),
  executors: int(),
  activeexecutors: int(),
  unregisteredexecutors: int(),
  waitingprocesses: int(),
  runningprocesses: int(),
  successfulprocesses: int(),
  failedprocesses: int(),
  cancelledprocesses: int(),
  waitingworkflows: int(),
  runningworkflows: int(),
  successfulworkflows: int(),
  failedworkflows: int(),
  cancelledworkflows: int(),
};
export const StatisticsSchema = object(StatisticsShape);
export type Statistics = Infer<typeof StatisticsSchema>;

export const FailureShape = {
  status: int(),
  message: str(),
};
export const FailureSchema = object(FailureShape);
export type Failure = Infer<typeof FailureSchema>;

// ---------------------------------------------------------------------------------------------
// §18 ServerInfo, version, pause status, cluster

export const BackendShape = {
  type: str(),
  port: int(),
  host: omitempty(str()),
  tls: omitempty(bool()),
  insecure: omitempty(bool()),
};
export const BackendSchema = object(BackendShape);
export type Backend = Infer<typeof BackendSchema>;

export const ServerInfoShape = {
  buildversion: str(),
  buildtime: str(),
  backends: list(struct(BackendShape)),
};
export const ServerInfoSchema = object(ServerInfoShape);
export type ServerInfo = Infer<typeof ServerInfoSchema>;

export const VersionReplyShape = {
  buildversion: str(),
  buildtime: str(),
  msgtype: str(),
};
export const VersionReplySchema = object(VersionReplyShape);
export type VersionReply = Infer<typeof VersionReplySchema>;

export const PauseStatusReplyShape = {
  msgtype: str(),
  colonyname: str(),
  ispaused: bool(),
};
export const PauseStatusReplySchema = object(PauseStatusReplyShape);
export type PauseStatusReply = Infer<typeof PauseStatusReplySchema>;

export const NodeShape = {
  name: str(),
  host: str(),
  port: int(),
  peerport: int(),
  relayport: int(),
  apiport: int(),
};
export const NodeSchema = object(NodeShape);
export type Node = Infer<typeof NodeSchema>;

export const ClusterShape = {
  nodes: list(struct(NodeShape)),
  leader: struct(NodeShape),
};
export const ClusterSchema = object(ClusterShape);
export type Cluster = Infer<typeof ClusterSchema>;

// ---------------------------------------------------------------------------------------------
// §19 Channel MsgEntry

export const MsgEntryShape = {
  sequence: int64(),
  inreplyto: omitempty(int64()),
  timestamp: str(),
  senderid: str(),
  payload: bytes(),
  type: omitempty(str()),
  error: omitempty(str()),
};
export const MsgEntrySchema = object(MsgEntryShape);
export type MsgEntry = Infer<typeof MsgEntrySchema>;

// ---------------------------------------------------------------------------------------------
// §20 Blueprints

export const BlueprintMetadataShape = {
  name: str(),
  colonyname: str(),
  locationname: omitempty(str()),
  labels: omitempty(map(str())),
  annotations: omitempty(map(str())),
  generation: omitempty(int64()),
  createdAt: str(),
  updatedAt: str(),
  lastReconciliationProcess: omitempty(str()),
  lastReconciliationTime: str(),
};
export const BlueprintMetadataSchema = object(BlueprintMetadataShape);
export type BlueprintMetadata = Infer<typeof BlueprintMetadataSchema>;

export const BlueprintShape = {
  blueprintid: str(),
  kind: str(),
  metadata: struct(BlueprintMetadataShape),
  spec: map(anyValue()),
  status: omitempty(map(anyValue())),
};
export const BlueprintSchema = object(BlueprintShape);
export type Blueprint = Infer<typeof BlueprintSchema>;

/** JSON-schema-like property of a BlueprintDefinition (recursive; every field omitempty). */
export interface SchemaProperty {
  type?: string;
  description?: string;
  enum?: unknown[];
  default?: unknown;
  properties?: Record<string, SchemaProperty>;
  items?: SchemaProperty;
}

export const SchemaPropertySchema: z.ZodType<SchemaProperty, unknown> = z.lazy(() =>
  struct({
    type: omitempty(str()),
    description: omitempty(str()),
    enum: omitempty(list(anyValue())),
    default: omitnil(anyValue()),
    properties: omitempty(map(SchemaPropertySchema)),
    // *SchemaProperty: null stays nil (left out)
    items: omitnil(z.union([z.null(), SchemaPropertySchema]).optional()),
  }),
);

export const ValidationSchemaShape = {
  type: omitempty(str()),
  properties: omitempty(map(SchemaPropertySchema)),
  required: omitempty(strings()),
};
export const ValidationSchemaSchema = object(ValidationSchemaShape);
export type ValidationSchema = Infer<typeof ValidationSchemaSchema>;

export const BlueprintDefinitionNamesShape = {
  kind: str(),
  listKind: str(),
  singular: str(),
  plural: str(),
  shortNames: omitempty(strings()),
};
export const BlueprintDefinitionNamesSchema = object(BlueprintDefinitionNamesShape);
export type BlueprintDefinitionNames = Infer<typeof BlueprintDefinitionNamesSchema>;

export const HandlerSpecShape = {
  executorType: str(),
  functionName: str(),
  reconcileInterval: omitempty(int()),
};
export const HandlerSpecSchema = object(HandlerSpecShape);
export type HandlerSpec = Infer<typeof HandlerSpecSchema>;

export const BlueprintDefinitionSpecShape = {
  group: str(),
  version: str(),
  names: struct(BlueprintDefinitionNamesShape),
  scope: str(),
  schema: omitnil(nullable(ValidationSchemaShape)),
  handler: struct(HandlerSpecShape),
};
export const BlueprintDefinitionSpecSchema = object(BlueprintDefinitionSpecShape);
export type BlueprintDefinitionSpec = Infer<typeof BlueprintDefinitionSpecSchema>;

export const BlueprintDefinitionShape = {
  blueprintdefinitionid: str(),
  kind: str(),
  metadata: struct(BlueprintMetadataShape),
  spec: struct(BlueprintDefinitionSpecShape),
};
export const BlueprintDefinitionSchema = object(BlueprintDefinitionShape);
export type BlueprintDefinition = Infer<typeof BlueprintDefinitionSchema>;

export const BlueprintHistoryShape = {
  historyid: str(),
  blueprintid: str(),
  kind: str(),
  namespace: str(),
  name: str(),
  generation: int64(),
  spec: map(anyValue()),
  status: omitempty(map(anyValue())),
  timestamp: str(),
  changedby: str(),
  changetype: str(),
};
export const BlueprintHistorySchema = object(BlueprintHistoryShape);
export type BlueprintHistory = Infer<typeof BlueprintHistorySchema>;
