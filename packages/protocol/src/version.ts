/** Bumped whenever an agent and a control plane of different values could misunderstand each other. */
export const PROTOCOL_VERSION = 1;

/** The product version, reported by /api/v1/health and by agents. */
export const SWITCHYARD_VERSION = "0.1.0";
