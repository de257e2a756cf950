// One schema per request payloadtype (PROTOCOL.md §6): all 102 types of Go's pkg/rpc.
// Each message is a Go struct: `msgtype` plus the fields of §6, decoded with Go's rules
// (fields.ts). Keys are in Go's field order (msgtype last unless Go puts it elsewhere),
// which buildRequest (envelope.ts) follows so our client emits the same bytes as Go's.
import { anyValue, bool, bytes, int, int64, list, map, nullable, object, str, struct, z, type Infer } from './fields.js';
import {
  AllocationsShape,
  AttributeShape,
  BlueprintDefinitionShape,
  BlueprintShape,
  CapabilitiesShape,
  ColonyShape,
  CronShape,
  ExecutorShape,
  FileShape,
  FunctionShape,
  FunctionSpecShape,
  GeneratorShape,
  LocationShape,
  UserShape,
  WorkflowSpecShape,
  omitempty,
} from './objects.js';

/**
 * How a payloadtype reaches the server:
 * * `api` — signed `POST /api`;
 * * `unauthenticated` — `POST /api`, no signature check (versionmsg, getserverinfomsg);
 * * `websocket` — first frame on `/pubsub` (subscribe types);
 * * `unhandled` — defined by Go but not served (Go answers 403 unknown payloadtype).
 */
export type MsgKind = 'api' | 'unauthenticated' | 'websocket' | 'unhandled';

interface Entry<S extends z.ZodTypeAny, A extends string, K extends MsgKind> {
  readonly schema: S;
  /** Go-style phrase of the error texts: `Failed to <action>, invalid JSON` */
  readonly action: A;
  readonly kind: K;
  /** top-level JSON keys in Go's order (incl. msgtype) */
  readonly keys: readonly string[];
}

function def<const A extends string, const K extends MsgKind, S extends z.ZodRawShape>(action: A, kind: K, shape: S) {
  // msgtype goes last unless the shape already placed it (spread keeps an existing key's position)
  const full = { ...shape, msgtype: str() };
  const entry: Entry<ReturnType<typeof object<typeof full>>, A, K> = {
    schema: object(full),
    action,
    kind,
    keys: Object.freeze(Object.keys(full)),
  };
  return entry;
}

const api = <const A extends string, S extends z.ZodRawShape>(action: A, shape: S) => def(action, 'api', shape);

const none = {};

export const catalogue = {
  // §6.1 Server / meta
  versionmsg: def('get version', 'unauthenticated', { buildversion: str(), buildtime: str() }),
  getserverinfomsg: def('get server info', 'unauthenticated', none),
  getstatisticsmsg: api('get statistics', none),
  getclustermsg: api('get cluster', none),
  changeserveridmsg: api('change server id', { serverid: str() }),

  // §6.2 Colonies
  addcolonymsg: api('add colony', { colony: nullable(ColonyShape) }),
  removecolonymsg: api('remove colony', { colonyname: str() }),
  getcoloniesmsg: api('get colonies', none),
  getcolonymsg: api('get colony', { colonyname: str() }),
  getcolonystatsmsg: api('get colony statistics', { colonyname: str() }),
  changecolonyidmsg: api('change colony id', { colonyname: str(), colonyid: str() }),
  pauseassignmentsmsg: api('pause assignments', { colonyname: str() }),
  resumeassignmentsmsg: api('resume assignments', { colonyname: str() }),
  getpausestatusmsg: api('get pause status', { colonyname: str() }),

  // §6.3 Executors
  addexecutormsg: api('add executor', { executor: nullable(ExecutorShape) }),
  getexecutorsmsg: api('get executors', { colonyname: str() }),
  getexecutormsg: api('get executor', { colonyname: str(), executorname: str() }),
  getexecutorbyidmsg: api('get executor by id', { colonyname: str(), executorid: str() }),
  approveexecutormsg: api('approve executor', { colonyname: str(), executorname: str() }),
  rejectexecutormsg: api('reject executor', { colonyname: str(), executorname: str() }),
  removeexecutormsg: api('remove executor', { colonyname: str(), executorname: str() }),
  reportallocationmsg: api('report allocations', {
    colonyname: str(),
    executorname: str(),
    allocations: struct(AllocationsShape),
  }),
  updateexecutormsg: api('update executor', {
    colonyname: str(),
    executorname: str(),
    capabilities: struct(CapabilitiesShape),
  }),
  changeexecutoridmsg: api('change executor id', { colonyname: str(), executorid: str() }),

  // §6.4 Users
  addusermsg: api('add user', { user: nullable(UserShape) }),
  getusersmsg: api('get users', { colonyname: str() }),
  getusermsg: api('get user', { colonyname: str(), name: str() }),
  getuserbyidmsg: api('get user by id', { colonyname: str(), userid: str() }),
  removeusermsg: api('remove user', { colonyname: str(), name: str() }),
  changeuseridmsg: api('change user id', { colonyname: str(), userid: str() }),

  // §6.5 Locations
  addlocationmsg: api('add location', { location: nullable(LocationShape) }),
  getlocationsmsg: api('get locations', { colonyname: str() }),
  getlocationmsg: api('get location', { colonyname: str(), name: str() }),
  removelocationmsg: api('remove location', { colonyname: str(), name: str() }),

  // §6.6 Functions
  addfunctionmsg: api('add function', { fun: nullable(FunctionShape) }),
  getfunctionsmsg: api('get functions', { executorname: str(), colonyname: str() }),
  removefunctionmsg: api('remove function', { functionid: str() }),

  // §6.7 Processes
  submitfuncspecmsg: api('submit function spec', { spec: nullable(FunctionSpecShape) }),
  assignprocessmsg: api('assign process', {
    colonyname: str(),
    timeout: int(),
    availablecpu: str(),
    availablemem: str(),
  }),
  getprocessesmsg: api('get processes', {
    colonyname: str(),
    count: int(),
    state: int(),
    executortype: str(),
    label: str(),
    initiator: str(),
  }),
  getprocessmsg: api('get process', { processid: str() }),
  getprocesshistmsg: api('get process history', {
    colonyname: str(),
    executorid: str(),
    seconds: int(),
    state: int(),
  }),
  removeprocessmsg: api('remove process', { processid: str(), all: bool() }),
  removeallprocessesmsg: api('remove all processes', { colonyname: str(), state: int() }),
  closesuccessfulmsg: api('close process as successful', { processid: str(), msgtype: str(), out: list(anyValue()) }),
  closefailedmsg: api('close process as failed', { processid: str(), msgtype: str(), errors: list(str()) }),
  setoutputmsg: api('set output', { processid: str(), msgtype: str(), out: list(anyValue()) }),
  cancelprocessmsg: api('cancel process', { processid: str() }),

  // §6.8 Attributes
  addattributemsg: api('add attribute', { attribute: nullable(AttributeShape) }),
  getattributemsg: api('get attribute', { attributeid: str() }),

  // §6.9 Workflows
  submitworkflowspecmsg: api('submit workflow', { spec: nullable(WorkflowSpecShape) }),
  getprocessgraphmsg: api('get process graph', { processgraphid: str() }),
  getprocessgraphsmsg: api('get process graphs', { colonyname: str(), count: int(), state: int() }),
  removeprocessgraphmsg: api('remove process graph', { processgraphid: str(), all: bool() }),
  removeallprocessgraphsmsg: api('remove all process graphs', { colonyname: str(), state: int() }),
  cancelprocessgraphmsg: api('cancel process graph', { processgraphid: str() }),
  addchildmsg: api('add child', {
    processgraphid: str(),
    parentprocessid: str(),
    childprocessid: str(),
    spec: nullable(FunctionSpecShape),
    insert: bool(),
  }),

  // §6.10 Logs
  addlogmsg: api('add log', { processid: str(), message: str() }),
  addexecutorlogmsg: api('add executor log', { colonyname: str(), executorname: str(), message: str() }),
  getlogsmsg: api('get logs', {
    colonyname: str(),
    processid: str(),
    executorname: str(),
    count: int(),
    since: int64(),
    latest: bool(),
  }),
  searchlogsmsg: api('search logs', { colonyname: str(), text: str(), days: int(), count: int() }),

  // §6.11 Generators
  addgeneratormsg: api('add generator', { generator: nullable(GeneratorShape) }),
  getgeneratormsg: api('get generator', { generatorid: str() }),
  resolvegeneratormsg: api('resolve generator', { colonyname: str(), generatorname: str() }),
  getgeneratorsmsg: api('get generators', { colonyname: str(), count: int() }),
  packgeneratormsg: api('pack generator', { generatorid: str(), arg: str() }),
  removegeneratormsg: api('remove generator', { generatorid: str(), all: bool() }),

  // §6.12 Crons
  addcronmsg: api('add cron', { cron: nullable(CronShape) }),
  getcronmsg: api('get cron', { cronid: str() }),
  getcronsmsg: api('get crons', { colonyname: str(), count: int() }),
  runcronmsg: api('run cron', { cronid: str() }),
  removecronmsg: api('remove cron', { cronid: str(), all: bool() }),

  // §6.13 Files and snapshots
  addfilemsg: api('add file', { file: nullable(FileShape) }),
  getfilemsg: api('get file', { colonyname: str(), fileid: str(), label: str(), name: str(), latest: bool() }),
  getfilesmsg: api('get files', { colonyname: str(), label: str() }),
  getfilelabelsmsg: api('get file labels', { colonyname: str(), name: str(), exact: bool() }),
  removefilemsg: api('remove file', { colonyname: str(), fileid: str(), label: str(), name: str() }),
  createsnapshotmsg: api('create snapshot', { colonyname: str(), label: str(), name: str() }),
  getsnapshotmsg: api('get snapshot', { colonyname: str(), snapshotid: str(), name: str() }),
  getsnapshotsmsg: api('get snapshots', { colonyname: str() }),
  removesnapshotmsg: api('remove snapshot', { colonyname: str(), snapshotid: str(), name: str() }),
  removeallsnapshotmsg: api('remove all snapshots', { colonyname: str() }),

  // §6.14 Channels
  channelappendmsg: api('append to channel', {
    processid: str(),
    name: str(),
    sequence: int64(),
    inreplyto: omitempty(int64()),
    payload: bytes(),
    payloadtype: omitempty(str()),
  }),
  channelreadmsg: api('read channel', { processid: str(), name: str(), afterseq: int64(), limit: int() }),

  // §6.15 Blueprints
  addblueprintdefinitionmsg: api('add blueprint definition', { blueprintdefinition: nullable(BlueprintDefinitionShape) }),
  getblueprintdefinitionmsg: api('get blueprint definition', { colonyname: str(), name: str() }),
  getblueprintdefinitionsmsg: api('get blueprint definitions', { colonyname: str() }),
  removeblueprintdefinitionmsg: api('remove blueprint definition', { namespace: str(), name: str() }),
  addblueprintmsg: api('add blueprint', { blueprint: nullable(BlueprintShape) }),
  getblueprintmsg: api('get blueprint', { namespace: str(), name: str() }),
  getblueprintsmsg: api('get blueprints', { namespace: str(), kind: str(), locationname: str() }),
  updateblueprintmsg: api('update blueprint', { blueprint: nullable(BlueprintShape), forcegeneration: bool() }),
  removeblueprintmsg: api('remove blueprint', { namespace: str(), name: str() }),
  getblueprinthistorymsg: api('get blueprint history', { blueprintid: str(), limit: omitempty(int()) }),
  updateblueprintstatusmsg: api('update blueprint status', {
    colonyname: str(),
    blueprintname: str(),
    status: map(anyValue()),
  }),
  reconcileblueprintmsg: api('reconcile blueprint', { namespace: str(), name: str(), force: bool() }),

  // §6.16 Realtime (WebSocket /pubsub)
  subscribeprocessmsg: def('subscribe to process', 'websocket', {
    colonyname: str(),
    processid: str(),
    executortype: str(),
    state: int(),
    timeout: int(),
  }),
  subscribeprocessesmsg: def('subscribe to processes', 'websocket', {
    colonyname: str(),
    executortype: str(),
    state: int(),
    timeout: int(),
  }),
  subscribechannelmsg: def('subscribe to channel', 'websocket', {
    processid: str(),
    name: str(),
    afterseq: int64(),
    timeout: int(),
  }),

  // §6.17 Defined but unhandled by Go (403 unknown payloadtype)
  getnodemsg: def('get node', 'unhandled', { colonyname: str(), nodename: str() }),
  getnodesmsg: def('get nodes', 'unhandled', { colonyname: str() }),
  getnodesbylocationmsg: def('get nodes by location', 'unhandled', { colonyname: str(), location: str() }),
} as const;

export type Catalogue = typeof catalogue;
export type PayloadType = keyof Catalogue;
/** The decoded message of a payloadtype. */
export type Msg<T extends PayloadType> = Infer<Catalogue[T]['schema']>;
/** Every decoded message. */
export type AnyMsg = { [T in PayloadType]: Msg<T> }[PayloadType];
/** Payloadtypes of one kind. */
export type PayloadTypeOf<K extends MsgKind> = { [T in PayloadType]: Catalogue[T]['kind'] extends K ? T : never }[PayloadType];

/** All 102 request payloadtypes, in catalogue order. */
export const payloadTypes = Object.freeze(Object.keys(catalogue)) as readonly PayloadType[];

const hasOwn = Object.prototype.hasOwnProperty;

export function isPayloadType(t: string): t is PayloadType {
  return hasOwn.call(catalogue, t);
}

/** Reply-only payloadtypes (never sent by clients). */
export const ERROR_PAYLOAD_TYPE = 'error';
export const PAUSE_STATUS_REPLY_TYPE = 'pausestatusreplymsg';
