import { request } from "node:http";
import { JsonStreamSplitter } from "./ovsdb/framing";

/** The slice of the Docker Engine API Switchyard needs, over the daemon's unix socket. */
export interface DockerContainerSummary {
  Id: string;
  Names: string[];
  State: string;
}

export interface DockerContainerInspect {
  Id: string;
  Name: string;
  State: { Status: string; Running: boolean; Pid: number };
}

/** One entry of `GET /events` (type container), reduced to what the cache needs. */
export interface DockerEvent {
  /** "create", "start", "die", "destroy", "rename", "exec_start: sh", "health_status: healthy", ... */
  action: string;
  /** The container's full id. */
  id: string;
  /** The container's name (without the leading slash), when the daemon gave it. */
  name: string | null;
}

function toDockerEvent(value: unknown): DockerEvent | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as {
    Action?: unknown;
    status?: unknown;
    id?: unknown;
    Actor?: { ID?: unknown; Attributes?: { name?: unknown } };
  };
  const action = typeof v.Action === "string" ? v.Action : typeof v.status === "string" ? v.status : null;
  const id = typeof v.Actor?.ID === "string" ? v.Actor.ID : typeof v.id === "string" ? v.id : null;
  if (!action || !id) return undefined;
  const name = v.Actor?.Attributes?.name;
  return { action, id, name: typeof name === "string" ? name : null };
}

export class DockerClient {
  constructor(
    readonly socketPath: string,
    private readonly timeoutMs = 5_000,
  ) {}

  listContainers(): Promise<DockerContainerSummary[]> {
    return this.get<DockerContainerSummary[]>("/containers/json?all=1");
  }

  /** `ref` is a container id, id prefix or name. Resolves null when no such container exists. */
  async inspect(ref: string): Promise<DockerContainerInspect | null> {
    try {
      return await this.get<DockerContainerInspect>(`/containers/${encodeURIComponent(ref)}/json`);
    } catch (error) {
      if (error instanceof DockerApiError && error.status === 404) return null;
      throw error;
    }
  }

  async ping(): Promise<boolean> {
    try {
      await this.get<unknown>("/_ping", false);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Follows the daemon's container events (create, start, die, destroy, ...): `onEvent` is called for
   * every event, parsed (undefined for a chunk that held no whole event). `onOpen` is called once the
   * daemon has accepted the stream: events from then on are not missed. `done` resolves when the stream
   * ends or fails (daemon stopped or absent); `stop()` ends it.
   */
  watchContainerEvents(
    onEvent: (event?: DockerEvent) => void,
    onOpen?: () => void,
  ): { stop(): void; done: Promise<void> } {
    const filters = encodeURIComponent(JSON.stringify({ type: ["container"] }));
    let stopRequest = () => {};
    const done = new Promise<void>((resolve) => {
      const req = request(
        { socketPath: this.socketPath, path: `/events?filters=${filters}`, method: "GET" },
        (res) => {
          if ((res.statusCode ?? 0) !== 200) {
            res.resume();
            resolve();
            return;
          }
          onOpen?.();
          const splitter = new JsonStreamSplitter();
          res.on("data", (chunk: Buffer) => {
            let events: unknown[] = [];
            try {
              events = splitter.push(chunk);
            } catch {
              req.destroy();
              return;
            }
            if (events.length === 0) onEvent(undefined);
            for (const e of events) onEvent(toDockerEvent(e));
          });
          res.on("end", () => resolve());
          res.on("error", () => resolve());
        },
      );
      req.on("error", () => resolve());
      req.end();
      stopRequest = () => req.destroy();
    });
    return { stop: () => stopRequest(), done };
  }

  private get<T>(path: string, json = true): Promise<T> {
    return new Promise((resolve, reject) => {
      const req = request(
        { socketPath: this.socketPath, path, method: "GET", timeout: this.timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const body = Buffer.concat(chunks).toString("utf8");
            const status = res.statusCode ?? 0;
            if (status < 200 || status >= 300) {
              reject(new DockerApiError(status, body.trim()));
              return;
            }
            try {
              resolve((json ? JSON.parse(body) : body) as T);
            } catch (error) {
              reject(error);
            }
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error(`docker API ${path} timed out`)));
      req.on("error", reject);
      req.end();
    });
  }
}

export class DockerApiError extends Error {
  constructor(
    readonly status: number,
    body: string,
  ) {
    super(`docker API answered ${status}: ${body}`);
    this.name = "DockerApiError";
  }
}
