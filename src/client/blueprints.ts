// Blueprints: desired-state objects reconciled by executors (PROTOCOL.md §6.15).
import type * as O from '../protocol/objects.js';
import { StorageClient } from './storage.js';
import type { Blueprint, BlueprintDefinition, BlueprintHistory, Input, Process } from './types.js';

export type BlueprintDefinitionInput = Input<O.BlueprintDefinition>;
export type BlueprintInput = Input<O.Blueprint> & { kind: string };

export class BlueprintClient extends StorageClient {
  /** Adds a definition (a kind with its schema and reconciler) (colony owner of metadata.colonyname). */
  addBlueprintDefinition(definition: BlueprintDefinitionInput, prvKey?: string): Promise<BlueprintDefinition> {
    return this.call('addblueprintdefinitionmsg', { blueprintdefinition: { kind: 'BlueprintDefinition', ...definition } }, prvKey);
  }

  getBlueprintDefinition(colonyName: string, name: string, prvKey?: string): Promise<BlueprintDefinition> {
    return this.call('getblueprintdefinitionmsg', { colonyname: colonyName, name }, prvKey);
  }

  getBlueprintDefinitions(colonyName: string, prvKey?: string): Promise<BlueprintDefinition[]> {
    return this.list('getblueprintdefinitionsmsg', { colonyname: colonyName }, prvKey);
  }

  /** Removes a definition no blueprint uses any more (colony owner). */
  removeBlueprintDefinition(colonyName: string, name: string, prvKey?: string): Promise<void> {
    return this.done('removeblueprintdefinitionmsg', { namespace: colonyName, name }, prvKey);
  }

  /** Adds a blueprint of a defined kind (validated against the definition's schema). */
  addBlueprint(blueprint: BlueprintInput, prvKey?: string): Promise<Blueprint> {
    return this.call('addblueprintmsg', { blueprint }, prvKey);
  }

  getBlueprint(colonyName: string, name: string, prvKey?: string): Promise<Blueprint> {
    return this.call('getblueprintmsg', { namespace: colonyName, name }, prvKey);
  }

  /** Blueprints of a colony, optionally of one kind (and then one location). */
  getBlueprints(colonyName: string, kind = '', locationName = '', prvKey?: string): Promise<Blueprint[]> {
    return this.list('getblueprintsmsg', { namespace: colonyName, kind, locationname: locationName }, prvKey);
  }

  /** Replaces a blueprint's spec; the generation grows when the spec changed (or when forced). */
  updateBlueprint(blueprint: BlueprintInput, forceGeneration = false, prvKey?: string): Promise<Blueprint> {
    return this.call('updateblueprintmsg', { blueprint, forcegeneration: forceGeneration }, prvKey);
  }

  removeBlueprint(colonyName: string, name: string, prvKey?: string): Promise<void> {
    return this.done('removeblueprintmsg', { namespace: colonyName, name }, prvKey);
  }

  /** Change history of a blueprint, newest first (`limit` 0 = all). */
  getBlueprintHistory(blueprintId: string, limit = 0, prvKey?: string): Promise<BlueprintHistory[]> {
    return this.list('getblueprinthistorymsg', { blueprintid: blueprintId, limit: limit || undefined }, prvKey);
  }

  /** A reconciler reports the current state of a blueprint. */
  updateBlueprintStatus(colonyName: string, blueprintName: string, status: Record<string, unknown>, prvKey?: string): Promise<void> {
    return this.done('updateblueprintstatusmsg', { colonyname: colonyName, blueprintname: blueprintName, status: status as Record<string, NonNullable<unknown> | null> }, prvKey);
  }

  /** Submits a reconcile process for a blueprint now. */
  reconcileBlueprint(colonyName: string, name: string, force = false, prvKey?: string): Promise<Process> {
    return this.call('reconcileblueprintmsg', { namespace: colonyName, name, force }, prvKey);
  }
}
