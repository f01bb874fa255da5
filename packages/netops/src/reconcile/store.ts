import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { ContainerRef, NetworkDriver } from "@switchyard/protocol";

/** What the agent remembers about an endpoint it applied, to find it again when it is no longer desired. */
export interface AppliedEndpoint {
  endpointId: string;
  networkId: string;
  driver: NetworkDriver;
  container: ContainerRef;
  ifname: string;
  hostIfname: string | null;
}

export interface EndpointStore {
  get(endpointId: string): AppliedEndpoint | undefined;
  all(): AppliedEndpoint[];
  put(record: AppliedEndpoint): void;
  delete(endpointId: string): void;
}

export class MemoryEndpointStore implements EndpointStore {
  protected readonly records = new Map<string, AppliedEndpoint>();

  get(endpointId: string): AppliedEndpoint | undefined {
    return this.records.get(endpointId);
  }

  all(): AppliedEndpoint[] {
    return [...this.records.values()];
  }

  put(record: AppliedEndpoint): void {
    this.records.set(record.endpointId, record);
  }

  delete(endpointId: string): void {
    this.records.delete(endpointId);
  }
}

/** A store kept in a JSON file (written atomically on every change) so an agent restart remembers. */
export class FileEndpointStore extends MemoryEndpointStore {
  constructor(private readonly path: string) {
    super();
    try {
      const parsed = JSON.parse(readFileSync(path, "utf8")) as AppliedEndpoint[];
      for (const record of parsed) this.records.set(record.endpointId, record);
    } catch {
      // no file yet, or unreadable: start empty; names and OVS external_ids still identify our links
    }
  }

  override put(record: AppliedEndpoint): void {
    super.put(record);
    this.save();
  }

  override delete(endpointId: string): void {
    super.delete(endpointId);
    this.save();
  }

  private save(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.all(), null, 2), { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}
