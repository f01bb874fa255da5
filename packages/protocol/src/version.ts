/**
 * The agent protocol's major version: bumped when an agent and a control plane of different values could
 * misunderstand each other; a different major is refused at the handshake, naming both.
 */
export const PROTOCOL_VERSION = 1;
/**
 * Its minor version: bumped for additive changes (a new event, an optional field), which peers of another
 * minor simply do not use. 1: the agent's CNI events (agent:cni-add, -del, -gc). 2: server:ping (the map's
 * trace test).
 */
export const PROTOCOL_MINOR = 2;

/** The product version, reported by /api/v1/health and by agents. */
export const SWITCHYARD_VERSION = "0.1.0";
