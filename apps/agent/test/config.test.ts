import { describe, expect, it } from "vitest";
import { DEFAULT_CREDENTIAL_FILE, parseConfig, UsageError } from "../src/config";

const defaults = { hostname: "box1" };

describe("parseConfig", () => {
  it("applies defaults", () => {
    const cmd = parseConfig(["--server", "http://cp:3000/", "--token", "tok"], {}, defaults);
    expect(cmd).toEqual({
      action: "run",
      config: {
        server: "http://cp:3000",
        token: "tok",
        credentialFile: DEFAULT_CREDENTIAL_FILE,
        ovsDb: "unix:/var/run/openvswitch/db.sock",
        dockerSocket: "/var/run/docker.sock",
        datapathType: "system",
        pollIntervalMs: 2000,
        garpCount: 1,
        stateDir: "/var/lib/switchyard",
        reconcileIntervalMs: 300_000,
        inventoryResyncMs: 60_000,
        driftRepair: "auto",
        hostname: "box1",
        netnsPrefix: null,
        cniSocket: null,
        logLevel: "info",
      },
    });
  });

  it("parses --drift-repair and SWITCHYARD_DRIFT_REPAIR, refusing other modes by flag name", () => {
    const cmd = parseConfig(["--server", "http://cp", "--drift-repair", "report"], {}, defaults);
    expect(cmd.action === "run" && cmd.config.driftRepair).toBe("report");
    const fromEnv = parseConfig(["--server", "http://cp"], { SWITCHYARD_DRIFT_REPAIR: "report" }, defaults);
    expect(fromEnv.action === "run" && fromEnv.config.driftRepair).toBe("report");
    expect(() => parseConfig(["--server", "http://cp", "--drift-repair", "never"], {}, defaults)).toThrow(
      /^--drift-repair: /,
    );
  });

  it("parses --cni-socket (an absolute path) and SWITCHYARD_CNI_SOCKET", () => {
    const cmd = parseConfig(
      ["--server", "http://cp", "--cni-socket", "/run/switchyard/cni.sock"],
      {},
      defaults,
    );
    expect(cmd.action === "run" && cmd.config.cniSocket).toBe("/run/switchyard/cni.sock");
    const fromEnv = parseConfig(
      ["--server", "http://cp"],
      { SWITCHYARD_CNI_SOCKET: "/run/x.sock" },
      defaults,
    );
    expect(fromEnv.action === "run" && fromEnv.config.cniSocket).toBe("/run/x.sock");
    expect(() => parseConfig(["--server", "http://cp", "--cni-socket", "cni.sock"], {}, defaults)).toThrow(
      "--cni-socket: must be an absolute path",
    );
  });

  it("parses --garp-count, --state-dir and --reconcile-interval, refusing bad values by flag name", () => {
    const cmd = parseConfig(
      ["--server", "http://cp", "--garp-count", "3", "--state-dir", "/tmp/st", "--reconcile-interval", "0"],
      {},
      defaults,
    );
    expect(cmd.action === "run" && cmd.config).toMatchObject({
      garpCount: 3,
      stateDir: "/tmp/st",
      reconcileIntervalMs: 0,
    });
    const resync = parseConfig(["--server", "http://cp", "--inventory-resync", "5m"], {}, defaults);
    expect(resync.action === "run" && resync.config.inventoryResyncMs).toBe(300_000);
    expect(() => parseConfig(["--server", "http://cp", "--inventory-resync", "10ms"], {}, defaults)).toThrow(
      /--inventory-resync/,
    );
    const env = { SWITCHYARD_CREDENTIAL_FILE: "/etc/sy/cred.json" };
    const fromEnv = parseConfig(["--server", "http://cp"], env, defaults);
    expect(fromEnv.action === "run" && fromEnv.config.stateDir).toBe("/etc/sy");
    expect(() => parseConfig(["--server", "http://cp", "--garp-count", "11"], {}, defaults)).toThrow(
      /--garp-count/,
    );
    expect(() => parseConfig(["--server", "http://cp", "--garp-count", "x"], {}, defaults)).toThrow(
      /--garp-count/,
    );
    expect(() =>
      parseConfig(["--server", "http://cp", "--reconcile-interval", "10ms"], {}, defaults),
    ).toThrow(/--reconcile-interval/);
  });

  it("falls back to SWITCHYARD_* variables; flags win", () => {
    const env = {
      SWITCHYARD_SERVER: "https://cp.example",
      SWITCHYARD_TOKEN: "envtok",
      SWITCHYARD_CREDENTIAL_FILE: "/tmp/c.json",
      SWITCHYARD_OVS_DB: "unix:/tmp/db.sock",
      SWITCHYARD_DOCKER_SOCKET: "/tmp/d.sock",
      SWITCHYARD_POLL_INTERVAL: "500ms",
      SWITCHYARD_DATAPATH_TYPE: "netdev",
      SWITCHYARD_HOSTNAME: "h-env",
      SWITCHYARD_NETNS_PREFIX: "lab-",
      SWITCHYARD_LOG_LEVEL: "DEBUG",
    };
    const fromEnv = parseConfig([], env, defaults);
    expect(fromEnv.action === "run" && fromEnv.config).toMatchObject({
      server: "https://cp.example",
      token: "envtok",
      credentialFile: "/tmp/c.json",
      ovsDb: "unix:/tmp/db.sock",
      dockerSocket: "/tmp/d.sock",
      pollIntervalMs: 500,
      datapathType: "netdev",
      hostname: "h-env",
      netnsPrefix: "lab-",
      logLevel: "debug",
    });
    const flags = parseConfig(["--hostname", "h-flag", "--poll-interval", "1m"], env, defaults);
    expect(flags.action === "run" && flags.config).toMatchObject({
      hostname: "h-flag",
      pollIntervalMs: 60_000,
    });
  });

  it("treats an empty token as none (already enrolled hosts need no token)", () => {
    const cmd = parseConfig(["--server", "http://cp"], { SWITCHYARD_TOKEN: "" }, defaults);
    expect(cmd.action === "run" && cmd.config.token).toBeNull();
  });

  it("names the flag in usage errors", () => {
    expect(() => parseConfig([], {}, defaults)).toThrow(new UsageError("--server: is required"));
    expect(() => parseConfig(["--server", "cp:3000"], {}, defaults)).toThrow(/--server: must be/);
    expect(() => parseConfig(["--server", "ftp://cp"], {}, defaults)).toThrow(/--server: must be an http/);
    expect(() => parseConfig(["--server", "http://cp", "--poll-interval", "soon"], {}, defaults)).toThrow(
      /--poll-interval: "soon" is not a duration/,
    );
    expect(() => parseConfig(["--server", "http://cp", "--poll-interval", "10ms"], {}, defaults)).toThrow(
      /--poll-interval: must be at least 100ms/,
    );
    expect(() => parseConfig(["--server", "http://cp", "--log-level", "loud"], {}, defaults)).toThrow(
      /--log-level/,
    );
    expect(() => parseConfig(["--server", "http://cp", "--datapath-type", "kernel"], {}, defaults)).toThrow(
      /--datapath-type: must be system or netdev/,
    );
    expect(() => parseConfig(["--bogus"], {}, defaults)).toThrow(UsageError);
  });

  it("knows --help, --version and --print-inventory (no server needed)", () => {
    expect(parseConfig(["--help"], {}, defaults)).toEqual({ action: "help" });
    expect(parseConfig(["--version"], {}, defaults)).toEqual({ action: "version" });
    const cmd = parseConfig(["--print-inventory"], {}, defaults);
    expect(cmd.action).toBe("print-inventory");
    expect(cmd.action === "print-inventory" && cmd.config.server).toBeNull();
  });
});
