export {
  type CollectorCounters,
  DEFAULT_RESYNC_INTERVAL_MS,
  InventoryCollector,
  type InventoryCollectorOptions,
} from "./collector";
export { canonicalJson, digestInventory, normalizeInventory } from "./digest";
export {
  compareAddresses,
  containerInterfaces,
  hostInterfaces,
  type IpLink,
  linuxBridges,
  parseIpAddrs,
  parseIpLinks,
  parseNetnsList,
  vethPeerIndex,
} from "./ip";
export {
  buildOvsBridges,
  OVS_LIST_ARGS,
  type OvsRow,
  ovsMap,
  ovsSet,
  ovsUuid,
  parseOvsList,
  parseOvsTable,
  parseOvsTables,
} from "./ovs";
export {
  DEFAULT_DOCKER_SOCKET,
  DEFAULT_NETNS_DIR,
  DEFAULT_OVS_DB,
  type DockerReader,
  type InventoryReaderOptions,
  readDocker,
  readHostInterfaces,
  readInventory,
  readNamedNetns,
  readOvs,
  readOvsDb,
  readProcessInterfaces,
} from "./read";
