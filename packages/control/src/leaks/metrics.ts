import { leakKinds } from "@switchyard/protocol";
import type { Db } from "../context";
import { LEAK_CHECK_JOB } from "./check";

/** Leak gauges in the Prometheus text format: findings by kind and state, last check, webhook backlog. */
export async function renderLeakMetrics(db: Db): Promise<string> {
  const rows = await db.leakFinding.groupBy({
    by: ["kind", "state"],
    where: { state: { in: ["open", "pending"] } },
    _count: { _all: true },
  });
  const n = (kind: string, state: string) =>
    rows.find((r) => r.kind === kind && r.state === state)?._count._all ?? 0;
  const lines = [
    "# HELP switchyard_leak_findings Leak findings not yet resolved or released, by kind and state (open = alerted).",
    "# TYPE switchyard_leak_findings gauge",
  ];
  for (const kind of leakKinds)
    for (const state of ["open", "pending"])
      lines.push(`switchyard_leak_findings{kind="${kind}",state="${state}"} ${n(kind, state)}`);
  const job = await db.jobRun.findUnique({ where: { name: LEAK_CHECK_JOB } });
  lines.push(
    "# HELP switchyard_leak_check_last_run_timestamp_seconds When the leak check last ran (any replica).",
    "# TYPE switchyard_leak_check_last_run_timestamp_seconds gauge",
    `switchyard_leak_check_last_run_timestamp_seconds ${job ? job.lastRunAt.getTime() / 1000 : 0}`,
    "# HELP switchyard_leak_check_duration_seconds How long the last leak check took.",
    "# TYPE switchyard_leak_check_duration_seconds gauge",
    `switchyard_leak_check_duration_seconds ${job ? job.durationMs / 1000 : 0}`,
  );
  const pending = await db.webhookDelivery.count({ where: { deliveredAt: null } });
  const released = await db.leakRelease.count({ where: { undoneAt: null } });
  lines.push(
    "# HELP switchyard_leak_webhook_pending Webhook deliveries not yet accepted (2xx) by the receiver.",
    "# TYPE switchyard_leak_webhook_pending gauge",
    `switchyard_leak_webhook_pending ${pending}`,
    "# HELP switchyard_leak_releases_total Leaked addresses released (not undone).",
    "# TYPE switchyard_leak_releases_total counter",
    `switchyard_leak_releases_total ${released}`,
  );
  return `${lines.join("\n")}\n`;
}
