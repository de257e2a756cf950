// Executors, users, locations and the function registry (PROTOCOL.md §6.3–§6.6).
import type * as O from '../protocol/objects.js';
import { ColonyClient } from './colonies.js';
import type { Allocations, Capabilities, ColonyFunction, Executor, Input, Location, User } from './types.js';

export type ExecutorInput = Input<O.Executor> & { executorid: string; executortype: string; executorname: string; colonyname: string };
export type UserInput = Input<O.User> & { colonyname: string; userid: string; name: string };
export type LocationInput = Input<O.Location> & { colonyname: string; name: string };
export type FunctionInput = Input<O.Function> & { executorname: string; colonyname: string; funcname: string };

export class MemberClient extends ColonyClient {
  // §6.3 Executors ----------------------------------------------------------------------

  /** Registers an executor (colony owner); it starts PENDING until approved. */
  addExecutor(executor: ExecutorInput, prvKey?: string): Promise<Executor> {
    return this.call('addexecutormsg', { executor }, prvKey);
  }

  approveExecutor(colonyName: string, executorName: string, prvKey?: string): Promise<void> {
    return this.done('approveexecutormsg', { colonyname: colonyName, executorname: executorName }, prvKey);
  }

  rejectExecutor(colonyName: string, executorName: string, prvKey?: string): Promise<void> {
    return this.done('rejectexecutormsg', { colonyname: colonyName, executorname: executorName }, prvKey);
  }

  /** Unregisters an executor (colony owner); its running processes go back to the queue. */
  removeExecutor(colonyName: string, executorName: string, prvKey?: string): Promise<void> {
    return this.done('removeexecutormsg', { colonyname: colonyName, executorname: executorName }, prvKey);
  }

  /** All executors of a colony, in every state (member). */
  getExecutors(colonyName: string, prvKey?: string): Promise<Executor[]> {
    return this.list('getexecutorsmsg', { colonyname: colonyName }, prvKey);
  }

  getExecutor(colonyName: string, executorName: string, prvKey?: string): Promise<Executor> {
    return this.call('getexecutormsg', { colonyname: colonyName, executorname: executorName }, prvKey);
  }

  getExecutorById(colonyName: string, executorId: string, prvKey?: string): Promise<Executor> {
    return this.call('getexecutorbyidmsg', { colonyname: colonyName, executorid: executorId }, prvKey);
  }

  /** An executor reports its own resource allocations. */
  reportAllocation(colonyName: string, executorName: string, allocations: Input<O.Allocations> | Allocations, prvKey?: string): Promise<void> {
    return this.done('reportallocationmsg', { colonyname: colonyName, executorname: executorName, allocations: allocations as Input<O.Allocations> }, prvKey);
  }

  /** An executor updates its own capabilities. */
  updateExecutor(colonyName: string, executorName: string, capabilities: Input<O.Capabilities> | Capabilities, prvKey?: string): Promise<void> {
    return this.done('updateexecutormsg', { colonyname: colonyName, executorname: executorName, capabilities: capabilities as Input<O.Capabilities> }, prvKey);
  }

  /** Moves the calling executor to a new key id. */
  async changeExecutorId(colonyName: string, executorId: string, prvKey?: string): Promise<void> {
    await this.call('changeexecutoridmsg', { colonyname: colonyName, executorid: executorId }, prvKey);
  }

  // §6.4 Users --------------------------------------------------------------------------

  /** Registers a user (colony owner); users need no approval. */
  addUser(user: UserInput, prvKey?: string): Promise<User> {
    return this.call('addusermsg', { user: { email: '', phone: '', ...user } }, prvKey);
  }

  getUsers(colonyName: string, prvKey?: string): Promise<User[]> {
    return this.list('getusersmsg', { colonyname: colonyName }, prvKey);
  }

  getUser(colonyName: string, name: string, prvKey?: string): Promise<User> {
    return this.call('getusermsg', { colonyname: colonyName, name }, prvKey);
  }

  getUserById(colonyName: string, userId: string, prvKey?: string): Promise<User> {
    return this.call('getuserbyidmsg', { colonyname: colonyName, userid: userId }, prvKey);
  }

  removeUser(colonyName: string, name: string, prvKey?: string): Promise<void> {
    return this.done('removeusermsg', { colonyname: colonyName, name }, prvKey);
  }

  /** Moves the calling user to a new key id. */
  async changeUserId(colonyName: string, userId: string, prvKey?: string): Promise<void> {
    await this.call('changeuseridmsg', { colonyname: colonyName, userid: userId }, prvKey);
  }

  // §6.5 Locations ----------------------------------------------------------------------

  /** Adds a location (colony owner); a random id is used when none is given. */
  addLocation(location: LocationInput, prvKey?: string): Promise<Location> {
    const locationid = location.locationid || this.crypto.sha3Hex(`${location.colonyname}/${location.name}/${Math.random()}/${Date.now()}`);
    return this.call('addlocationmsg', { location: { ...location, locationid } }, prvKey);
  }

  getLocations(colonyName: string, prvKey?: string): Promise<Location[]> {
    return this.list('getlocationsmsg', { colonyname: colonyName }, prvKey);
  }

  getLocation(colonyName: string, name: string, prvKey?: string): Promise<Location> {
    return this.call('getlocationmsg', { colonyname: colonyName, name }, prvKey);
  }

  removeLocation(colonyName: string, name: string, prvKey?: string): Promise<void> {
    return this.done('removelocationmsg', { colonyname: colonyName, name }, prvKey);
  }

  // §6.6 Functions ----------------------------------------------------------------------

  /** Registers a function the calling executor can run. */
  addFunction(fn: FunctionInput, prvKey?: string): Promise<ColonyFunction> {
    return this.call('addfunctionmsg', { fun: fn }, prvKey);
  }

  /** Functions of a colony, or of one executor when `executorName` is given (member). */
  getFunctions(colonyName: string, executorName = '', prvKey?: string): Promise<ColonyFunction[]> {
    return this.list('getfunctionsmsg', { colonyname: colonyName, executorname: executorName }, prvKey);
  }

  /** Removes a function registered by the calling executor. */
  removeFunction(functionId: string, prvKey?: string): Promise<void> {
    return this.done('removefunctionmsg', { functionid: functionId }, prvKey);
  }
}
