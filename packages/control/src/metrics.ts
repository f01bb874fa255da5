import type { Db } from "./context";

/**
 * One Prometheus metric family as data: the services read the database, the web edge turns families
 * into prom-client metrics (names, escaping and the exposition format are the library's business).
 */
export interface MetricFamily {
  name: string;
  help: string;
  type: "gauge" | "counter";
  samples: { labels: Record<string, string>; value: number }[];
}

const HOST_STATUSES = ["pending", "online", "offline", "revoked"] as const;

/** Hosts by status; per enrolled host whether it is online and how many serials its agent is behind. One query. */
export async function renderHostMetrics(db: Db): Promise<MetricFamily[]> {
  const hosts = await db.host.findMany({
    select: { name: true, status: true, desiredSerial: true, appliedSerial: true },
    orderBy: { name: "asc" },
  });
  const live = hosts.filter((h) => h.status !== "revoked");
  return [
    {
      name: "switchyard_hosts",
      help: "Hosts by status.",
      type: "gauge",
      samples: HOST_STATUSES.map((status) => ({
        labels: { status },
        value: hosts.filter((h) => h.status === status).length,
      })),
    },
    {
      name: "switchyard_host_online",
      help: "1 while the enrolled host is online (its agent heartbeating), 0 while offline; pending and revoked hosts are left out.",
      type: "gauge",
      samples: hosts
        .filter((h) => h.status === "online" || h.status === "offline")
        .map((h) => ({ labels: { host: h.name }, value: h.status === "online" ? 1 : 0 })),
    },
    {
      name: "switchyard_host_serial_lag",
      help: "Desired-state serials the host's agent has not acknowledged yet (desired minus applied).",
      type: "gauge",
      samples: live.map((h) => ({
        labels: { host: h.name },
        value: Math.max(0, h.desiredSerial - h.appliedSerial),
      })),
    },
  ];
}
