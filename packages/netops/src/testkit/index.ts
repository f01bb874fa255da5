/** Reusable pieces for root-only network tests (namespaces, a private OVS, a private dockerd, a busybox image). */
export { type BuildBusyboxImageOptions, buildBusyboxImage } from "./busybox";
export { type PrivateDockerd, type StartPrivateDockerdOptions, startPrivateDockerd } from "./dockerd";
export { createNetns, type NetnsHandle, runPrefix } from "./netns";
export { type PrivateOvs, type StartPrivateOvsOptions, startPrivateOvs } from "./ovs";
export { findProgram, isAlive, readPidFile, requirePrerequisites, sleep, stopPid, waitFor } from "./process";
