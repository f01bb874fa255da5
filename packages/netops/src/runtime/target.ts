/** A container's network namespace, as a path every tool accepts (`ip link set X netns PATH`, `nsenter --net=PATH`). */
export interface NetnsTarget {
  path: string;
  /** For messages: "docker container con1 (pid 1234)" or "netns con1". */
  label: string;
}
