// Server-level and colony RPCs (PROTOCOL.md §6.1, §6.2).
import { BaseClient } from './base.js';
import type { Cluster, Colony, PauseStatus, ServerInfo, Statistics, VersionReply } from './types.js';

export class ColonyClient extends BaseClient {
  // §6.1 Server / meta ------------------------------------------------------------------

  /** Build version of the server (unauthenticated). */
  getVersion(): Promise<VersionReply> {
    return this.call('versionmsg', { buildversion: '', buildtime: '' });
  }

  /** Build info and listening backends (unauthenticated). */
  getServerInfo(): Promise<ServerInfo> {
    return this.call('getserverinfomsg', {});
  }

  /** Server-wide counters (server owner). */
  getStatistics(prvKey?: string): Promise<Statistics> {
    return this.call('getstatisticsmsg', {}, prvKey);
  }

  /** Cluster nodes and leader (server owner). */
  getCluster(prvKey?: string): Promise<Cluster> {
    return this.call('getclustermsg', {}, prvKey);
  }

  /** Hands the server-owner role to another key id (server owner). */
  async changeServerId(serverId: string, prvKey?: string): Promise<void> {
    await this.call('changeserveridmsg', { serverid: serverId }, prvKey);
  }

  // §6.2 Colonies -----------------------------------------------------------------------

  /** Registers a colony; `colonyid` is the id of the colony owner's key (server owner). */
  addColony(colony: { colonyid: string; name: string }, prvKey?: string): Promise<Colony> {
    return this.call('addcolonymsg', { colony }, prvKey);
  }

  /** Removes a colony and everything in it (server owner). */
  removeColony(colonyName: string, prvKey?: string): Promise<void> {
    return this.done('removecolonymsg', { colonyname: colonyName }, prvKey);
  }

  /** All colonies (server owner). */
  getColonies(prvKey?: string): Promise<Colony[]> {
    return this.list('getcoloniesmsg', {}, prvKey);
  }

  /** One colony (member). */
  getColony(colonyName: string, prvKey?: string): Promise<Colony> {
    return this.call('getcolonymsg', { colonyname: colonyName }, prvKey);
  }

  /** Process/workflow/executor counters of a colony (member). */
  getColonyStatistics(colonyName: string, prvKey?: string): Promise<Statistics> {
    return this.call('getcolonystatsmsg', { colonyname: colonyName }, prvKey);
  }

  /** Hands the colony-owner role to another key id (colony owner). */
  async changeColonyId(colonyName: string, colonyId: string, prvKey?: string): Promise<void> {
    await this.call('changecolonyidmsg', { colonyname: colonyName, colonyid: colonyId }, prvKey);
  }

  /** Stops handing out processes in a colony (colony owner). */
  pauseAssignments(colonyName: string, prvKey?: string): Promise<void> {
    return this.done('pauseassignmentsmsg', { colonyname: colonyName }, prvKey);
  }

  /** Resumes handing out processes (colony owner). */
  resumeAssignments(colonyName: string, prvKey?: string): Promise<void> {
    return this.done('resumeassignmentsmsg', { colonyname: colonyName }, prvKey);
  }

  /** Whether assignments are paused (member, any executor state). */
  getPauseStatus(colonyName: string, prvKey?: string): Promise<PauseStatus> {
    return this.call('getpausestatusmsg', { colonyname: colonyName }, prvKey);
  }
}
