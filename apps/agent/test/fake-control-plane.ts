import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { AgentRefusal, DesiredStateResult, Heartbeat, InventoryReport } from "@switchyard/protocol";
import { Server } from "socket.io";

/** A stand-in control plane for agent tests: the enroll route and the /agent namespace, recording what arrives. */
export interface FakeControlPlane {
  url: string;
  io: Server;
  tokens: Map<string, string>;
  credentials: Set<string>;
  revoked: Set<string>;
  enrollCalls: number;
  handshakes: Record<string, unknown>[];
  inventories: InventoryReport[];
  heartbeats: Heartbeat[];
  welcomes: number;
  /** Desired-state results as they arrived (resends included). */
  results: DesiredStateResult[];
  /** Acknowledgements for the next results, in order (then ok); "none" never answers (an ack timeout). */
  resultAcks: ("ok" | "refuse" | "none")[];
  /** Sends a desired state to every connected agent. */
  pushDesiredState(state: unknown): void;
  waitFor(what: string, check: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeControlPlane(
  options: { heartbeatIntervalMs?: number } = {},
): Promise<FakeControlPlane> {
  const http: HttpServer = createServer();
  const io = new Server(http);
  const fake: FakeControlPlane = {
    url: "",
    io,
    tokens: new Map(),
    credentials: new Set(),
    revoked: new Set(),
    enrollCalls: 0,
    handshakes: [],
    inventories: [],
    heartbeats: [],
    welcomes: 0,
    results: [],
    resultAcks: [],
    pushDesiredState(state) {
      io.of("/agent").emit("server:desired-state", state);
    },
    async waitFor(what, check, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      http.closeAllConnections();
    },
  };
  http.on("request", (req, res) => {
    if (req.method !== "POST" || req.url !== "/api/v1/agent/enroll") return;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      fake.enrollCalls++;
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { token: string; hostname: string };
      const hostName = fake.tokens.get(body.token);
      res.setHeader("content-type", "application/json");
      if (!hostName) {
        res.statusCode = 401;
        res.end(
          JSON.stringify({ error: { code: "unauthorized", message: "enrollment token is not valid" } }),
        );
        return;
      }
      fake.tokens.delete(body.token);
      const credential = `shc_${hostName}_${fake.credentials.size}`;
      fake.credentials.add(credential);
      res.statusCode = 201;
      res.end(JSON.stringify({ hostId: `id-${hostName}`, hostName, credential }));
    });
  });
  const refuse = (data: AgentRefusal) => Object.assign(new Error(data.message), { data });
  const agents = io.of("/agent");
  agents.use((socket, next) => {
    const auth = socket.handshake.auth as { credential?: string; protocolVersion?: number };
    fake.handshakes.push({ ...auth });
    if (auth.protocolVersion !== 1) {
      return next(
        refuse({
          code: "protocol_mismatch",
          message: `agent speaks protocol version ${auth.protocolVersion} but this control plane speaks 1`,
          serverProtocolVersion: 1,
        }),
      );
    }
    if (auth.credential && fake.revoked.has(auth.credential)) {
      return next(refuse({ code: "revoked", message: "host has been revoked", serverProtocolVersion: 1 }));
    }
    if (!auth.credential || !fake.credentials.has(auth.credential)) {
      return next(
        refuse({ code: "unauthorized", message: "host credential is not valid", serverProtocolVersion: 1 }),
      );
    }
    next();
  });
  agents.on("connection", (socket) => {
    socket.on("agent:inventory", (payload: InventoryReport, ack: (r: unknown) => void) => {
      fake.inventories.push(payload);
      ack({ ok: true });
    });
    socket.on("agent:heartbeat", (payload: Heartbeat, ack: (r: unknown) => void) => {
      fake.heartbeats.push(payload);
      ack({ ok: true });
    });
    socket.on("agent:desired-state-result", (payload: DesiredStateResult, ack: (r: unknown) => void) => {
      fake.results.push(payload);
      const answer = fake.resultAcks.shift() ?? "ok";
      if (answer === "ok") ack({ ok: true });
      else if (answer === "refuse")
        ack({ ok: false, error: { code: "internal", message: "internal error" } });
    });
    fake.welcomes++;
    socket.emit("server:welcome", {
      hostId: "id",
      hostName: "box",
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 200,
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return fake;
}
