import { deriveMac } from "@switchyard/netops";
import {
  type AgentAckError,
  CNI_LATEST_VERSION,
  CNI_SUPPORTED_VERSIONS,
  type CniAttachAck,
  type CniAttachment,
  type CniAttachRequestInput,
  type CniDetachAck,
  type CniDetachRequest,
  CniErrorCode,
  type CniGcRequest,
  type CniNetConf,
  type CniReply,
  cniCommandSchema,
  cniContainerIdSchema,
  cniError,
  cniFrameSchema,
  cniIfnameSchema,
  cniNetConfSchema,
  containerRefProblem,
  type DesiredEndpoint,
  type EndpointResult,
  isValidNetnsName,
  netnsNameOf,
  parseCniArgs,
} from "@switchyard/protocol";
import type { z } from "zod";

/**
 * What the agent does for one plugin call: validates the runtime's environment and config (the plugin
 * forwarded them untouched), asks the control plane through the agent's connection, waits for its own
 * reconciler to apply the endpoint, and answers with the CNI result or a CNI error object. No I/O of its
 * own: everything goes through `CniBackend`, so the rules are tested without a socket or a server.
 */
export interface CniBackend {
  /** Whether the agent is connected to the control plane (it cannot allocate otherwise). */
  connected(): boolean;
  attach(request: CniAttachRequestInput): Promise<CniAttachAck>;
  detach(request: CniDetachRequest): Promise<CniDetachAck>;
  gc(request: CniGcRequest): Promise<CniDetachAck>;
  /** The agent's result for an endpoint: the latest known, or the first to come within timeoutMs (null). */
  waitEndpoint(endpointId: string, timeoutMs: number): Promise<EndpointResult | null>;
  /** Resolves true once a desired state of at least this serial was applied, false after timeoutMs. */
  waitSerial(serial: number, timeoutMs: number): Promise<boolean>;
  /** The host's desired endpoints and their latest results (CHECK). */
  endpoints(): readonly { endpoint: DesiredEndpoint; result: EndpointResult | null }[];
}

/** How long a DEL waits for the agent to remove the endpoint before it answers anyway (the intent is kept). */
const DEL_WAIT_MS = 30_000;

class CniFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly details?: string,
  ) {
    super(message);
  }
}

const issueOf = (error: z.ZodError): { path: string; message: string } => {
  const issue = error.issues[0];
  return { path: issue?.path.join(".") ?? "", message: issue?.message ?? "invalid" };
};

function parseOr<T>(schema: z.ZodType<T>, value: unknown, code: number, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = issueOf(parsed.error);
  throw new CniFailure(code, `${what}${issue.path ? `.${issue.path}` : ""}: ${issue.message}`);
}

/** The control plane's refusal as a CNI error an operator can act on. */
function fromAck(error: AgentAckError, network: string): CniFailure {
  const field = error.field ? ` (${error.field})` : "";
  switch (error.code) {
    case "not_found":
    case "validation_failed":
      return new CniFailure(CniErrorCode.invalidConfig, `network ${network}: ${error.message}${field}`);
    case "pool_exhausted":
      return new CniFailure(
        CniErrorCode.attachFailed,
        `network ${network} has no free address: ${error.message}`,
      );
    case "timeout":
    case "not_connected":
      return new CniFailure(CniErrorCode.tryAgainLater, error.message);
    default:
      return new CniFailure(
        CniErrorCode.attachFailed,
        `the control plane refused the attach: ${error.message}${field}`,
        error.code,
      );
  }
}

/** The sticky key: runtimeConfig (capability), then args.cni, then the Kubernetes pod in CNI_ARGS. */
function stickyKeyOf(conf: CniNetConf, args: Record<string, string>): string | undefined {
  const explicit = conf.runtimeConfig?.stickyKey ?? conf.args?.cni.stickyKey;
  if (explicit) return explicit;
  const pod = args.K8S_POD_NAME;
  if (!pod) return undefined;
  const namespace = args.K8S_POD_NAMESPACE;
  return `pod:${namespace ? `${namespace}/` : ""}${pod}`.slice(0, 253);
}

const isV6 = (address: string) => address.includes(":");

/** SPEC.md ADD result (0.4.0 adds `version` to each ip; 1.1.0 knows interface MTUs). */
function cniResultOf(
  cniVersion: string,
  attachment: CniAttachment,
  ifname: string,
  sandbox: string,
): Record<string, unknown> {
  const interfaces: Record<string, unknown>[] = [];
  if (attachment.hostIfname) interfaces.push({ name: attachment.hostIfname });
  interfaces.push({
    name: ifname,
    mac: attachment.mac ?? deriveMac(attachment.id),
    ...(cniVersion === "1.1.0" && attachment.mtu ? { mtu: attachment.mtu } : {}),
    sandbox,
  });
  const v6 = isV6(attachment.address);
  const ip = {
    ...(cniVersion === "0.4.0" ? { version: v6 ? "6" : "4" } : {}),
    address: `${attachment.address}/${attachment.prefixLength}`,
    ...(attachment.gateway ? { gateway: attachment.gateway } : {}),
    interface: interfaces.length - 1,
  };
  const routes =
    attachment.setDefaultRoute && attachment.gateway
      ? [{ dst: v6 ? "::/0" : "0.0.0.0/0", gw: attachment.gateway }]
      : [];
  return { cniVersion, interfaces, ips: [ip], routes, dns: {} };
}

interface Call {
  conf: CniNetConf;
  env: Record<string, string>;
}

const requireEnv = (env: Record<string, string>, key: string): string => {
  const value = env[key];
  if (!value) throw new CniFailure(CniErrorCode.invalidEnvironment, `${key} is required`);
  return value;
};

const containerOf = (env: Record<string, string>) => ({
  containerId: parseOr(
    cniContainerIdSchema,
    env.CNI_CONTAINERID,
    CniErrorCode.invalidEnvironment,
    "CNI_CONTAINERID",
  ),
  ifname: parseOr(cniIfnameSchema, env.CNI_IFNAME, CniErrorCode.invalidEnvironment, "CNI_IFNAME"),
});

function netnsOf(env: Record<string, string>): { path: string; name: string } {
  const path = requireEnv(env, "CNI_NETNS");
  const name = netnsNameOf(path);
  if (name && !isValidNetnsName(name)) {
    throw new CniFailure(
      CniErrorCode.invalidEnvironment,
      `CNI_NETNS ${path}: ${containerRefProblem("netns", name)}`,
    );
  }
  if (!name) {
    throw new CniFailure(
      CniErrorCode.invalidEnvironment,
      `CNI_NETNS ${path}: Switchyard attaches namespaces pinned under /run/netns (containerd, CRI-O and podman pin them there); configure the runtime to do so`,
    );
  }
  return { path, name };
}

async function add({ conf, env }: Call, backend: CniBackend): Promise<unknown> {
  const { containerId, ifname } = containerOf(env);
  const netns = netnsOf(env);
  const args = parseCniArgs(env.CNI_ARGS);
  if ("bad" in args)
    throw new CniFailure(
      CniErrorCode.invalidEnvironment,
      `CNI_ARGS: "${args.bad}" is not KEY=VALUE (pairs are separated by ';')`,
    );
  if (!backend.connected()) {
    throw new CniFailure(
      CniErrorCode.tryAgainLater,
      "the Switchyard agent is not connected to the control plane, so it cannot allocate an address; check the agent's log and the control plane, then retry",
    );
  }
  const stickyKey = stickyKeyOf(conf, args);
  const ack = await backend.attach({
    network: conf.network,
    containerId,
    netns: netns.name,
    ifname,
    ...(stickyKey ? { stickyKey } : {}),
    ...(conf.runtimeConfig?.mac ? { mac: conf.runtimeConfig.mac } : {}),
    ...(conf.mtu ? { mtu: conf.mtu } : {}),
    setDefaultRoute: conf.defaultRoute,
  });
  if (!ack.ok) throw fromAck(ack.error, conf.network);
  const attachment = ack.attachment;
  const result =
    attachment.status === "applied"
      ? { status: "applied" as const, error: null, hostIfname: attachment.hostIfname }
      : await backend.waitEndpoint(attachment.id, conf.timeoutMs);
  if (result?.status === "applied") {
    return cniResultOf(conf.cniVersion, { ...attachment, hostIfname: result.hostIfname }, ifname, netns.path);
  }
  // Nothing half made: the attach goes again (its address with it) before the runtime hears of the failure.
  await backend.detach({ containerId, ifname }).catch(() => undefined);
  if (!result) {
    throw new CniFailure(
      CniErrorCode.tryAgainLater,
      `the agent did not apply ${ifname} for container ${containerId} within ${conf.timeoutMs} ms (attachment ${attachment.id}); it was detached again, retry`,
    );
  }
  throw new CniFailure(
    CniErrorCode.attachFailed,
    `configuring ${ifname} in ${netns.path} failed: ${result.error ?? "unknown error"} (attachment ${attachment.id}, detached again)`,
  );
}

async function del({ env }: Call, backend: CniBackend): Promise<undefined> {
  const { containerId, ifname } = containerOf(env);
  if (!backend.connected()) {
    throw new CniFailure(
      CniErrorCode.tryAgainLater,
      "the Switchyard agent is not connected to the control plane, so the address cannot be released yet; retry when it is (the leak check reports it meanwhile)",
    );
  }
  const ack = await backend.detach({ containerId, ifname });
  if (!ack.ok)
    throw new CniFailure(
      CniErrorCode.tryAgainLater,
      `the control plane refused the detach: ${ack.error.message}`,
      ack.error.code,
    );
  if (ack.detached.length > 0) await backend.waitSerial(ack.serial, DEL_WAIT_MS);
  return undefined;
}

function check({ conf, env }: Call, backend: CniBackend): undefined {
  const { containerId, ifname } = containerOf(env);
  const netns = netnsOf(env);
  const found = backend
    .endpoints()
    .find(
      (e) =>
        e.endpoint.container.runtime === "netns" &&
        e.endpoint.container.ref === netns.name &&
        e.endpoint.ifname === ifname,
    );
  if (!found)
    throw new CniFailure(
      CniErrorCode.unknownContainer,
      `container ${containerId} has no Switchyard endpoint ${ifname} on network ${conf.network} on this host`,
    );
  if (found.result?.status !== "applied") {
    throw new CniFailure(
      CniErrorCode.checkFailed,
      `endpoint ${ifname} of container ${containerId} is not applied: ${found.result?.error ?? "not yet applied"}`,
    );
  }
  const prev = conf.prevResult as { ips?: { address?: unknown }[] } | undefined;
  const wanted = `${found.endpoint.address}/${found.endpoint.prefixLength ?? ""}`;
  const addresses = (prev?.ips ?? []).map((i) => i.address);
  if (
    prev &&
    !addresses.some(
      (a) => typeof a === "string" && (a === wanted || a.split("/")[0] === found.endpoint.address),
    )
  ) {
    throw new CniFailure(
      CniErrorCode.checkFailed,
      `container ${containerId} ${ifname}: the runtime's result says ${addresses.join(", ") || "no address"}, Switchyard's endpoint has ${found.endpoint.address}`,
    );
  }
  return undefined;
}

async function gc({ conf }: Call, backend: CniBackend): Promise<undefined> {
  if (!backend.connected())
    throw new CniFailure(
      CniErrorCode.tryAgainLater,
      "the Switchyard agent is not connected to the control plane; GC later",
    );
  const valid = (conf["cni.dev/valid-attachments"] ?? []).map((a) => ({
    containerId: a.containerID,
    ifname: a.ifname,
  }));
  const ack = await backend.gc({ network: conf.network, valid });
  if (!ack.ok)
    throw new CniFailure(CniErrorCode.tryAgainLater, `the control plane refused GC: ${ack.error.message}`);
  if (ack.detached.length > 0) await backend.waitSerial(ack.serial, DEL_WAIT_MS);
  return undefined;
}

/** One frame from the plugin (unvalidated) -> the reply the plugin prints. Never throws. */
export async function handleCniFrame(raw: unknown, backend: CniBackend): Promise<CniReply> {
  let version: string = CNI_LATEST_VERSION;
  try {
    const frame = parseOr(cniFrameSchema, raw, CniErrorCode.decodeFailure, "plugin frame");
    let json: unknown;
    try {
      json = JSON.parse(frame.config);
    } catch (error) {
      throw new CniFailure(
        CniErrorCode.decodeFailure,
        "the network configuration is not JSON",
        (error as Error).message,
      );
    }
    const claimed = (json as { cniVersion?: unknown } | null)?.cniVersion;
    if (typeof claimed === "string") version = claimed;
    if (!CNI_SUPPORTED_VERSIONS.includes(claimed as never)) {
      version = CNI_LATEST_VERSION;
      throw new CniFailure(
        CniErrorCode.incompatibleVersion,
        `cniVersion ${JSON.stringify(claimed ?? null)} is not supported; use one of ${CNI_SUPPORTED_VERSIONS.join(", ")}`,
      );
    }
    const command = parseOr(
      cniCommandSchema,
      frame.env.CNI_COMMAND,
      CniErrorCode.invalidEnvironment,
      "CNI_COMMAND",
    );
    if (command === "VERSION")
      return { ok: true, output: { cniVersion: version, supportedVersions: [...CNI_SUPPORTED_VERSIONS] } };
    const conf = parseOr(cniNetConfSchema, json, CniErrorCode.invalidConfig, "network configuration");
    const call = { conf, env: frame.env };
    switch (command) {
      case "ADD":
        return { ok: true, output: await add(call, backend) };
      case "DEL":
        return { ok: true, output: await del(call, backend) };
      case "CHECK":
        return { ok: true, output: check(call, backend) };
      case "GC":
        return { ok: true, output: await gc(call, backend) };
      case "STATUS":
        if (backend.connected()) return { ok: true, output: undefined };
        throw new CniFailure(
          CniErrorCode.notAvailable,
          "the Switchyard agent is not connected to the control plane: ADD cannot allocate addresses until it is",
        );
    }
  } catch (error) {
    if (error instanceof CniFailure)
      return { ok: false, error: cniError(version, error.code, error.message, error.details) };
    return {
      ok: false,
      error: cniError(version, CniErrorCode.ioFailure, `the agent failed: ${(error as Error).message}`),
    };
  }
}
