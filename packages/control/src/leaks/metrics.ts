import { leakKinds } from "@switchyard/protocol";
import type { Db } from "../context";
import type { MetricFamily } from "../metrics";
import { LEAK_CHECK_JOB } from "./check";

const STATES = ["open", "pending"] as const;

/** Leak findings by kind and state, the last check, the webhook backlog, releases. Four queries. */
export async function renderLeakMetrics(db: Db, now: Date = new Date()): Promise<MetricFamily[]> {
  const [rows, job, backlog, released] = await Promise.all([
    db.leakFinding.groupBy({
      by: ["kind", "state"],
      where: { state: { in: [...STATES] } },
      _count: { _all: true },
    }),
    db.jobRun.findUnique({ where: { name: LEAK_CHECK_JOB } }),
    db.webhookDelivery.aggregate({
      where: { deliveredAt: null },
      _count: { _all: true },
      _min: { createdAt: true },
    }),
    db.leakRelease.count(),
  ]);
  const n = (kind: string, state: string) =>
    rows.find((r) => r.kind === kind && r.state === state)?._count._all ?? 0;
  const oldest = backlog._min.createdAt;
  return [
    {
      name: "switchyard_leak_findings",
      help: "Leak findings not yet resolved or released, by kind and state (open = alerted).",
      type: "gauge",
      samples: leakKinds.flatMap((kind) =>
        STATES.map((state) => ({ labels: { kind, state }, value: n(kind, state) })),
      ),
    },
    {
      name: "switchyard_leak_check_last_run_timestamp_seconds",
      help: "When the leak check last ran (any replica).",
      type: "gauge",
      samples: [{ labels: {}, value: job ? job.lastRunAt.getTime() / 1000 : 0 }],
    },
    {
      name: "switchyard_leak_check_duration_seconds",
      help: "How long the last leak check took.",
      type: "gauge",
      samples: [{ labels: {}, value: job ? job.durationMs / 1000 : 0 }],
    },
    {
      name: "switchyard_leak_webhook_pending",
      help: "Webhook deliveries not yet accepted (2xx) by the receiver.",
      type: "gauge",
      samples: [{ labels: {}, value: backlog._count._all }],
    },
    {
      name: "switchyard_leak_webhook_oldest_pending_age_seconds",
      help: "Age of the oldest webhook delivery not yet accepted (0 when none is waiting).",
      type: "gauge",
      samples: [{ labels: {}, value: oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 1000) : 0 }],
    },
    {
      name: "switchyard_leak_releases_total",
      help: "Leaked addresses released, ever (an undone release still counts).",
      type: "counter",
      samples: [{ labels: {}, value: released }],
    },
  ];
}
