import { describe, expect, expectTypeOf, it } from 'vitest';
import { decodeMessage, encodePayload, orderMessage } from '../../src/protocol/envelope.js';
import { catalogue, payloadTypes, type Msg, type PayloadType, type PayloadTypeOf } from '../../src/protocol/messages.js';
import type { Colony, FunctionSpec } from '../../src/protocol/objects.js';
import { stringifyWire } from '../../src/protocol/wire.js';
import { samples } from './samples.js';

// PROTOCOL.md §6, in the order of the catalogue tables.
const SPEC_TYPES = {
  api: [
    'getstatisticsmsg', 'getclustermsg', 'changeserveridmsg',
    'addcolonymsg', 'removecolonymsg', 'getcoloniesmsg', 'getcolonymsg', 'getcolonystatsmsg', 'changecolonyidmsg',
    'pauseassignmentsmsg', 'resumeassignmentsmsg', 'getpausestatusmsg',
    'addexecutormsg', 'getexecutorsmsg', 'getexecutormsg', 'getexecutorbyidmsg', 'approveexecutormsg', 'rejectexecutormsg',
    'removeexecutormsg', 'reportallocationmsg', 'updateexecutormsg', 'changeexecutoridmsg',
    'addusermsg', 'getusersmsg', 'getusermsg', 'getuserbyidmsg', 'removeusermsg', 'changeuseridmsg',
    'addlocationmsg', 'getlocationsmsg', 'getlocationmsg', 'removelocationmsg',
    'addfunctionmsg', 'getfunctionsmsg', 'removefunctionmsg',
    'submitfuncspecmsg', 'assignprocessmsg', 'getprocessesmsg', 'getprocessmsg', 'getprocesshistmsg', 'removeprocessmsg',
    'removeallprocessesmsg', 'closesuccessfulmsg', 'closefailedmsg', 'setoutputmsg', 'cancelprocessmsg',
    'addattributemsg', 'getattributemsg',
    'submitworkflowspecmsg', 'getprocessgraphmsg', 'getprocessgraphsmsg', 'removeprocessgraphmsg', 'removeallprocessgraphsmsg',
    'cancelprocessgraphmsg', 'addchildmsg',
    'addlogmsg', 'addexecutorlogmsg', 'getlogsmsg', 'searchlogsmsg',
    'addgeneratormsg', 'getgeneratormsg', 'resolvegeneratormsg', 'getgeneratorsmsg', 'packgeneratormsg', 'removegeneratormsg',
    'addcronmsg', 'getcronmsg', 'getcronsmsg', 'runcronmsg', 'removecronmsg',
    'addfilemsg', 'getfilemsg', 'getfilesmsg', 'getfilelabelsmsg', 'removefilemsg',
    'createsnapshotmsg', 'getsnapshotmsg', 'getsnapshotsmsg', 'removesnapshotmsg', 'removeallsnapshotmsg',
    'channelappendmsg', 'channelreadmsg',
    'addblueprintdefinitionmsg', 'getblueprintdefinitionmsg', 'getblueprintdefinitionsmsg', 'removeblueprintdefinitionmsg',
    'addblueprintmsg', 'getblueprintmsg', 'getblueprintsmsg', 'updateblueprintmsg', 'removeblueprintmsg',
    'getblueprinthistorymsg', 'updateblueprintstatusmsg', 'reconcileblueprintmsg',
  ],
  unauthenticated: ['versionmsg', 'getserverinfomsg'],
  websocket: ['subscribeprocessmsg', 'subscribeprocessesmsg', 'subscribechannelmsg'],
  unhandled: ['getnodemsg', 'getnodesmsg', 'getnodesbylocationmsg'],
} as const;

describe('catalogue', () => {
  it('has exactly the 102 payloadtypes of PROTOCOL.md §6 with the right kinds', () => {
    expect(SPEC_TYPES.api).toHaveLength(94);
    const all = Object.values(SPEC_TYPES).flat();
    expect(all).toHaveLength(102);
    expect(new Set(all).size).toBe(102);
    expect([...payloadTypes].sort()).toEqual([...all].sort());
    for (const [kind, types] of Object.entries(SPEC_TYPES)) {
      for (const t of types) expect(catalogue[t as PayloadType].kind, t).toBe(kind);
    }
  });

  it('has a distinct Go-style action phrase per type', () => {
    const actions = payloadTypes.map((t) => catalogue[t].action);
    expect(new Set(actions).size).toBe(actions.length);
    for (const a of actions) expect(a).toMatch(/^[a-z][a-z ]+[a-z]$/);
  });

  it('has precise static types', () => {
    expectTypeOf(catalogue.addcolonymsg.kind).toEqualTypeOf<'api'>();
    expectTypeOf(catalogue.addcolonymsg.action).toEqualTypeOf<'add colony'>();
    expectTypeOf<Msg<'addcolonymsg'>['colony']>().toEqualTypeOf<Colony | null>();
    expectTypeOf<Msg<'submitfuncspecmsg'>['spec']>().toEqualTypeOf<FunctionSpec | null>();
    expectTypeOf<Msg<'getlogsmsg'>['since']>().toEqualTypeOf<bigint>();
    expectTypeOf<Msg<'getlogsmsg'>['count']>().toEqualTypeOf<number>();
    expectTypeOf<Msg<'channelappendmsg'>['payload']>().toExtend<Uint8Array>();
    expectTypeOf<Msg<'channelappendmsg'>['inreplyto']>().toEqualTypeOf<bigint | undefined>();
    expectTypeOf<Msg<'closesuccessfulmsg'>['out']>().toExtend<unknown[] | null>();
    expectTypeOf<PayloadTypeOf<'websocket'>>().toEqualTypeOf<'subscribeprocessmsg' | 'subscribeprocessesmsg' | 'subscribechannelmsg'>();
  });

  it('has a sample for every payloadtype', () => {
    expect(Object.keys(samples).sort()).toEqual([...payloadTypes].sort());
  });
});

describe.each([...payloadTypes])('%s round trip', (t) => {
  it('encodePayload → decodeMessage gives the same message', () => {
    const sample = samples[t];
    const msg = { ...sample, msgtype: t };
    const decoded = decodeMessage(t, encodePayload(msg)) as Record<string, unknown>;
    // the sample sets every field of the message
    expect(Object.keys(decoded).sort()).toEqual(Object.keys(msg).sort());
    expect(decoded).toEqual(msg);
    // and writing it again gives the same bytes, in Go's key order
    const wire = stringifyWire(orderMessage(t, sample));
    expect(stringifyWire(decoded)).toBe(wire);
    expect(Object.keys(JSON.parse(wire))).toEqual(catalogue[t].keys);
  });
});
