export { type NetworkWithOverrides, networkInclude, toNetworkDto } from "./dto";
export {
  createNetwork,
  deleteNetwork,
  findNetwork,
  getNetwork,
  listNetworks,
} from "./networks";
export { findOrCreateSubnetPool, poolNameForSubnet } from "./pool";
export { type SegmentClash, type SegmentInfo, segmentClash } from "./segments";
