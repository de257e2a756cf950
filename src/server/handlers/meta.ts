// Server / meta RPCs (PROTOCOL §6.1): version, server info, statistics, cluster, server id.
import { badRequest } from '../../protocol/errors.js';
import type { Node, ServerInfo } from '../../protocol/objects.js';
import { setServerId } from '../../store/colonies.js';
import { statistics } from '../../store/statistics.js';
import { none, serverOwner } from '../access.js';
import { rpc } from '../registry.js';
import { reachableHost } from '../config.js';

rpc('versionmsg', {
  access: none,
  handle: async ({ srv }) => ({ buildversion: srv.config.buildVersion, buildtime: srv.config.buildTime, msgtype: 'versionmsg' }),
});

rpc('getserverinfomsg', {
  access: none,
  handle: async ({ srv }): Promise<ServerInfo> => ({
    buildversion: srv.config.buildVersion,
    buildtime: srv.config.buildTime,
    backends: [{ type: 'http', port: srv.port(), host: srv.config.host || undefined, tls: srv.config.tls ? true : undefined }],
  }),
});

rpc('getstatisticsmsg', {
  access: serverOwner,
  handle: async ({ srv }) => statistics(srv.db, null),
});

function node(name: string, host: string, port: number): Node {
  return { name, host, port, peerport: 0, relayport: 0, apiport: port };
}

/**
 * A lone server is a one-node cluster and its own leader (there is no etcd). Replicas sharing
 * the database are the nodes they hear heartbeats from (named by replica id), and the leader is
 * the one holding the leader lock (crons, generators, cleanup), as its heartbeats say.
 */
rpc('getclustermsg', {
  access: serverOwner,
  handle: async ({ srv }) => {
    const peers = srv.bus.livePeerInfo();
    const name = (id: string) => `colonies-${id.slice(0, 8)}`;
    const self = node(peers.length === 0 ? 'colonies' : name(srv.bus.replicaId), reachableHost(srv.config.host), srv.port());
    const others = peers.map((p) => ({ n: node(name(p.id), p.host, p.port), leader: p.leader }));
    const nodes = [self, ...others.map((o) => o.n)].sort((a, b) => a.name.localeCompare(b.name));
    const leader = srv.isLeader() ? self : (others.find((o) => o.leader)?.n ?? self);
    return { nodes, leader };
  },
});

rpc('changeserveridmsg', {
  access: serverOwner,
  handle: async ({ msg, srv }) => {
    if (msg.serverid === '') throw badRequest('Failed to change server Id, server Id is empty');
    await setServerId(srv.db, msg.serverid);
    // Go echoes the request message.
    return { msgtype: msg.msgtype, serverid: msg.serverid };
  },
});
