/** Stable cytoscape ids: the same thing on the same host always gets the same id across updates. */
export const elementIds = {
  host: (hostId: string) => `host/${hostId}`,
  linuxBridge: (hostId: string, name: string) => `host/${hostId}/bridge/${name}`,
  ovsBridge: (hostId: string, name: string) => `host/${hostId}/ovs/${name}`,
  hostInterface: (hostId: string, name: string) => `host/${hostId}/if/${name}`,
  container: (hostId: string, containerId: string) => `host/${hostId}/container/${containerId}`,
  edge: (source: string, target: string, via: string) => `edge/${source}->${target}/${via}`,
};
