// Server / meta RPCs (PROTOCOL §6.1): version, server info, statistics, cluster, server id.
import { badRequest } from '../../protocol/errors.js';
import type { Node, ServerInfo } from '../../protocol/objects.js';
import { setServerId } from '../../store/colonies.js';
import { statistics } from '../../store/statistics.js';
import { none, serverOwner } from '../access.js';
import type { ServerContext } from '../context.js';
import { rpc } from '../registry.js';

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

/** One replica of our server is a one-node cluster and its own leader (there is no etcd). */
function thisNode(srv: ServerContext): Node {
  return { name: 'colonies', host: srv.config.host, port: srv.port(), peerport: 0, relayport: 0, apiport: srv.port() };
}

rpc('getclustermsg', {
  access: serverOwner,
  handle: async ({ srv }) => ({ nodes: [thisNode(srv)], leader: thisNode(srv) }),
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
