import { type Exec, exec as realExec } from "@switchyard/netops";
import { addNetns } from "./links";
import { containerNetns } from "./names";
import { type LabContainerState, type LabState, saveState } from "./state";
import { LAB_IMAGE } from "./up";

/** A "container" that is just a named network namespace (runtime netns). */
export async function addNetnsContainer(
  state: LabState,
  host: string,
  name: string,
  exec: Exec = realExec,
): Promise<LabContainerState> {
  const ns = containerNetns(state.prefix, name);
  await addNetns(ns, exec);
  state.namespaces.push(ns);
  const c: LabContainerState = { name, host, runtime: "netns", ref: ns };
  state.containers.push(c);
  await saveState(state);
  return c;
}

/** A Docker container on the lab's private dockerd (`--network none`, sleeping), like the seed's `docker run`. */
export async function addDockerContainer(
  state: LabState,
  host: string,
  name: string,
  exec: Exec = realExec,
): Promise<LabContainerState> {
  if (!state.docker?.image) throw new Error("this lab has no dockerd (up --docker)");
  const ref = `${state.prefix}-${name}`;
  const argv = [
    "docker",
    "-H",
    `unix://${state.docker.socketPath}`,
    "run",
    "-d",
    "--network",
    "none",
    "--name",
    ref,
  ];
  await exec([...argv, "--label", `switchyard-lab=${state.prefix}`, LAB_IMAGE, "sleep", "1000000"], {
    timeoutMs: 60_000,
  });
  const c: LabContainerState = { name, host, runtime: "docker", ref };
  state.containers.push(c);
  await saveState(state);
  return c;
}
