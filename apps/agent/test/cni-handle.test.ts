/**
 * The agent's CNI rules (handleCniFrame) against a fake backend: environment, config and CNI_ARGS
 * parsing, sticky keys, error objects with the spec's codes, the ADD result against SPEC.md's result
 * schemas (1.0.0 and 0.4.0, and the spec's own example), and "nothing half made" on failure.
 */
import {
  type CniAttachAck,
  type CniAttachRequestInput,
  type CniDetachAck,
  type CniReply,
  cniErrorSchema,
  cniResult040Schema,
  cniResult100Schema,
  type DesiredEndpoint,
  type EndpointResult,
  netnsNameOf,
  parseCniArgs,
} from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import { type CniBackend, handleCniFrame } from "../src/cni/handle";

const ATT_ID = "7b7d2c7e-6a43-4c8e-9d0a-0c1f0e7d1a11";

function fakeBackend(overrides: Partial<CniBackend> = {}) {
  const calls: { attach: CniAttachRequestInput[]; detach: unknown[]; gc: unknown[] } = {
    attach: [],
    detach: [],
    gc: [],
  };
  const backend: CniBackend = {
    connected: () => true,
    attach: async (request): Promise<CniAttachAck> => {
      calls.attach.push(request);
      return {
        ok: true,
        attachment: {
          id: ATT_ID,
          network: "v100",
          address: "10.77.0.5",
          prefixLength: 24,
          gateway: "10.77.0.1",
          mtu: null,
          mac: null,
          setDefaultRoute: request.setDefaultRoute ?? false,
          status: "pending",
          hostIfname: null,
          error: null,
        },
      };
    },
    detach: async (request): Promise<CniDetachAck> => {
      calls.detach.push(request);
      return { ok: true, detached: [], serial: 3 };
    },
    gc: async (request): Promise<CniDetachAck> => {
      calls.gc.push(request);
      return { ok: true, detached: [], serial: 3 };
    },
    waitEndpoint: async (id): Promise<EndpointResult | null> => ({
      endpointId: id,
      status: "applied",
      error: null,
      hostIfname: "sy12345678h",
    }),
    waitSerial: async () => true,
    endpoints: () => [],
    ...overrides,
  };
  return { backend, calls };
}

const conf = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ cniVersion: "1.0.0", name: "yard", type: "switchyard", network: "v100", ...extra });
const env = (command: string, extra: Record<string, string> = {}) => ({
  CNI_COMMAND: command,
  CNI_CONTAINERID: "abc123",
  CNI_NETNS: "/run/netns/netns-1234",
  CNI_IFNAME: "eth0",
  CNI_PATH: "/opt/cni/bin",
  ...extra,
});
const frame = (e: Record<string, string>, config = conf()) => ({ v: 1, env: e, config });
const errorOf = (reply: CniReply) => {
  if (reply.ok) throw new Error(`expected an error, got ${JSON.stringify(reply.output)}`);
  expect(cniErrorSchema.safeParse(reply.error).success).toBe(true);
  return reply.error;
};
const outputOf = (reply: CniReply) => {
  if (!reply.ok) throw new Error(`expected success, got ${JSON.stringify(reply.error)}`);
  return reply.output;
};

describe("CNI_ARGS and CNI_NETNS", () => {
  it("parses KEY=VALUE pairs, names a bad pair", () => {
    expect(parseCniArgs("IgnoreUnknown=1;K8S_POD_NAMESPACE=web;K8S_POD_NAME=api-0")).toEqual({
      IgnoreUnknown: "1",
      K8S_POD_NAMESPACE: "web",
      K8S_POD_NAME: "api-0",
    });
    expect(parseCniArgs(undefined)).toEqual({});
    expect(parseCniArgs("A=1;;B=x=y")).toEqual({ A: "1", B: "x=y" });
    expect(parseCniArgs("A=1;oops")).toEqual({ bad: "oops" });
    expect(parseCniArgs("=1")).toEqual({ bad: "=1" });
  });
  it("takes namespaces pinned under /run/netns only", () => {
    expect(netnsNameOf("/run/netns/netns-1234")).toBe("netns-1234");
    expect(netnsNameOf("/var/run/netns/cni-5e6f")).toBe("cni-5e6f");
    expect(netnsNameOf("/proc/4242/ns/net")).toBeNull();
    expect(netnsNameOf("/run/netns/..")).toBeNull();
    expect(netnsNameOf("/run/netns/a/b")).toBeNull();
  });
});

describe("result schemas against SPEC.md", () => {
  it("accept the spec's 1.0.0 example and refuse a 0.4.0 ip without version", () => {
    const example = {
      cniVersion: "1.0.0",
      interfaces: [
        { name: "cni0", mac: "00:11:22:33:44:55" },
        { name: "veth3243", mac: "55:44:33:22:11:11" },
        { name: "eth0", mac: "99:88:77:66:55:44", sandbox: "/var/run/netns/blue" },
      ],
      ips: [{ address: "10.1.0.5/16", gateway: "10.1.0.1", interface: 2 }],
      routes: [{ dst: "0.0.0.0/0" }],
      dns: { nameservers: ["10.1.0.1"] },
    };
    expect(cniResult100Schema.safeParse(example).success).toBe(true);
    expect(cniResult040Schema.safeParse({ ...example, cniVersion: "0.4.0" }).success).toBe(false);
    expect(
      cniErrorSchema.safeParse({
        cniVersion: "1.1.0",
        code: 7,
        msg: "Invalid Configuration",
        details: "Network 192.168.0.0/31 too small to allocate from.",
      }).success,
    ).toBe(true);
  });
});

describe("ADD", () => {
  it("answers a 1.0.0 result once the endpoint is applied: interfaces, ips, routes, dns", async () => {
    const { backend, calls } = fakeBackend();
    const reply = await handleCniFrame(frame(env("ADD")), backend);
    const out = outputOf(reply);
    expect(cniResult100Schema.safeParse(out).success).toBe(true);
    expect(out).toEqual({
      cniVersion: "1.0.0",
      interfaces: [
        { name: "sy12345678h" },
        {
          name: "eth0",
          mac: expect.stringMatching(/^02(:[0-9a-f]{2}){5}$/),
          sandbox: "/run/netns/netns-1234",
        },
      ],
      ips: [{ address: "10.77.0.5/24", gateway: "10.77.0.1", interface: 1 }],
      routes: [],
      dns: {},
    });
    expect(calls.attach).toEqual([
      { network: "v100", containerId: "abc123", netns: "netns-1234", ifname: "eth0", setDefaultRoute: false },
    ]);
  });

  it("0.4.0 results carry each ip's version; defaultRoute adds the route through the gateway", async () => {
    const { backend } = fakeBackend();
    const out = outputOf(
      await handleCniFrame(frame(env("ADD"), conf({ cniVersion: "0.4.0", defaultRoute: true })), backend),
    ) as { ips: { version: string }[]; routes: unknown[]; cniVersion: string };
    expect(cniResult040Schema.safeParse(out).success).toBe(true);
    expect(out.cniVersion).toBe("0.4.0");
    expect(out.ips[0]?.version).toBe("4");
    expect(out.routes).toEqual([{ dst: "0.0.0.0/0", gw: "10.77.0.1" }]);
  });

  it("sticky key: runtimeConfig first, then args.cni, then the pod in CNI_ARGS", async () => {
    const run = async (e: Record<string, string>, c: string) => {
      const { backend, calls } = fakeBackend();
      outputOf(await handleCniFrame(frame(e, c), backend));
      return calls.attach[0]?.stickyKey;
    };
    const pod = env("ADD", { CNI_ARGS: "IgnoreUnknown=1;K8S_POD_NAMESPACE=web;K8S_POD_NAME=api-0" });
    expect(await run(pod, conf())).toBe("pod:web/api-0");
    expect(await run(env("ADD", { CNI_ARGS: "IgnoreUnknown=1;K8S_POD_NAME=c1" }), conf())).toBe("pod:c1");
    expect(await run(pod, conf({ args: { cni: { stickyKey: "db-main" } } }))).toBe("db-main");
    expect(
      await run(pod, conf({ runtimeConfig: { stickyKey: "rt" }, args: { cni: { stickyKey: "x" } } })),
    ).toBe("rt");
    expect(await run(env("ADD"), conf())).toBeUndefined();
  });

  it("refuses bad input with the spec's codes, naming what is wrong, before asking anyone", async () => {
    const { backend, calls } = fakeBackend();
    const cases: [Record<string, string>, string, number, RegExp][] = [
      [env("ADD"), conf({ cniVersion: "0.3.1" }), 1, /cniVersion "0.3.1" is not supported/],
      [env("ADD"), "{not json", 6, /not JSON/],
      [env("ADD"), conf({ network: undefined }), 7, /network is required/],
      [env("ADD"), conf({ mtu: 20 }), 7, /mtu/],
      [env("ADD", { CNI_CONTAINERID: "" }), conf(), 4, /CNI_CONTAINERID is required/],
      [env("ADD", { CNI_CONTAINERID: "-x" }), conf(), 4, /CNI_CONTAINERID must begin/],
      [env("ADD", { CNI_IFNAME: "-eth0" }), conf(), 4, /CNI_IFNAME/],
      [env("ADD", { CNI_NETNS: "/proc/42/ns/net" }), conf(), 4, /pinned under \/run\/netns/],
      [
        env("ADD", { CNI_NETNS: "/run/netns/-x" }),
        conf(),
        4,
        /CNI_NETNS \/run\/netns\/-x: a network namespace name/,
      ],
      [env("ADD", { CNI_ARGS: "K8S_POD_NAME" }), conf(), 4, /CNI_ARGS: "K8S_POD_NAME" is not KEY=VALUE/],
      [env("FROB"), conf(), 4, /CNI_COMMAND must be one of/],
    ];
    for (const [e, c, code, msg] of cases) {
      const error = errorOf(await handleCniFrame(frame(e, c), backend));
      expect({ code: error.code, msg: error.msg }).toEqual({ code, msg: expect.stringMatching(msg) });
    }
    expect(calls.attach).toEqual([]);
    expect(errorOf(await handleCniFrame({ v: 2, env: {}, config: "{}" }, backend)).code).toBe(6);
  });

  it("the agent without a control plane: 11, nothing asked", async () => {
    const { backend, calls } = fakeBackend({ connected: () => false });
    const error = errorOf(await handleCniFrame(frame(env("ADD")), backend));
    expect(error.code).toBe(11);
    expect(error.msg).toMatch(/not connected to the control plane/);
    expect(calls.attach).toEqual([]);
  });

  it("the control plane refuses: 7 for the config, 100 for an exhausted pool", async () => {
    const refuse = (code: string, message: string) =>
      fakeBackend({ attach: async () => ({ ok: false, error: { code, message } }) }).backend;
    const missing = errorOf(
      await handleCniFrame(frame(env("ADD")), refuse("not_found", "network v100 not found")),
    );
    expect(missing).toMatchObject({
      cniVersion: "1.0.0",
      code: 7,
      msg: "network v100: network v100 not found",
    });
    const full = errorOf(await handleCniFrame(frame(env("ADD")), refuse("pool_exhausted", "pool p is full")));
    expect(full.code).toBe(100);
  });

  it("a failed or late apply is detached again before the runtime hears of it", async () => {
    const failed = fakeBackend({
      waitEndpoint: async (id) => ({
        endpointId: id,
        status: "failed",
        error: "RTNETLINK: File exists",
        hostIfname: null,
      }),
    });
    const error = errorOf(await handleCniFrame(frame(env("ADD")), failed.backend));
    expect(error.code).toBe(100);
    expect(error.msg).toMatch(/RTNETLINK: File exists/);
    expect(failed.calls.detach).toEqual([{ containerId: "abc123", ifname: "eth0" }]);

    const late = fakeBackend({ waitEndpoint: async () => null });
    expect(
      errorOf(await handleCniFrame(frame(env("ADD"), conf({ timeoutMs: 1000 })), late.backend)).code,
    ).toBe(11);
    expect(late.calls.detach).toHaveLength(1);
  });
});

describe("DEL, CHECK, STATUS, GC, VERSION", () => {
  it("DEL of something already gone succeeds; without CNI_NETNS too", async () => {
    const { backend, calls } = fakeBackend();
    expect(outputOf(await handleCniFrame(frame(env("DEL", { CNI_NETNS: "" })), backend))).toBeUndefined();
    expect(calls.detach).toEqual([{ containerId: "abc123", ifname: "eth0" }]);
  });

  it("DEL waits for the removal's serial; a lost control plane is 11 (the address is not released yet)", async () => {
    const waited: number[] = [];
    const { backend } = fakeBackend({
      detach: async () => ({ ok: true, detached: [ATT_ID], serial: 9 }),
      waitSerial: async (serial) => {
        waited.push(serial);
        return true;
      },
    });
    outputOf(await handleCniFrame(frame(env("DEL")), backend));
    expect(waited).toEqual([9]);
    expect(
      errorOf(await handleCniFrame(frame(env("DEL")), fakeBackend({ connected: () => false }).backend)).code,
    ).toBe(11);
  });

  it("CHECK: 3 for an unknown container, 101 when the address differs from prevResult", async () => {
    const endpoint: DesiredEndpoint = {
      id: ATT_ID,
      networkId: "n1",
      container: { runtime: "netns", ref: "netns-1234" },
      ifname: "eth0",
      address: "10.77.0.5",
      prefixLength: 24,
      setDefaultRoute: false,
    };
    const applied: EndpointResult = { endpointId: ATT_ID, status: "applied", error: null, hostIfname: "syh" };
    const { backend } = fakeBackend({ endpoints: () => [{ endpoint, result: applied }] });
    const prev = (address: string) => conf({ prevResult: { cniVersion: "1.0.0", ips: [{ address }] } });
    expect(
      outputOf(await handleCniFrame(frame(env("CHECK"), prev("10.77.0.5/24")), backend)),
    ).toBeUndefined();
    expect(errorOf(await handleCniFrame(frame(env("CHECK"), prev("10.77.0.9/24")), backend)).code).toBe(101);
    const other = env("CHECK", { CNI_NETNS: "/run/netns/other" });
    expect(errorOf(await handleCniFrame(frame(other), backend)).code).toBe(3);
  });

  it("STATUS is 50 without a control plane; GC sends the runtime's valid attachments", async () => {
    expect(outputOf(await handleCniFrame(frame(env("STATUS")), fakeBackend().backend))).toBeUndefined();
    const down = errorOf(
      await handleCniFrame(frame(env("STATUS")), fakeBackend({ connected: () => false }).backend),
    );
    expect(down.code).toBe(50);
    const { backend, calls } = fakeBackend();
    const valid = [{ containerID: "c1", ifname: "eth0" }];
    outputOf(
      await handleCniFrame(
        frame({ CNI_COMMAND: "GC" }, conf({ cniVersion: "1.1.0", "cni.dev/valid-attachments": valid })),
        backend,
      ),
    );
    expect(calls.gc).toEqual([{ network: "v100", valid: [{ containerId: "c1", ifname: "eth0" }] }]);
  });

  it("VERSION lists what the plugin speaks", async () => {
    expect(outputOf(await handleCniFrame(frame({ CNI_COMMAND: "VERSION" }), fakeBackend().backend))).toEqual({
      cniVersion: "1.0.0",
      supportedVersions: ["0.4.0", "1.0.0", "1.1.0"],
    });
  });
});
