import {
  type MetricFamily,
  type OutlookSettings,
  renderHostMetrics,
  renderIpamMetrics,
  renderLeakMetrics,
} from "@switchyard/control";
import type { PrismaClient } from "@switchyard/db";
import { Counter, Gauge, Registry } from "prom-client";
import { runtimeRegistry } from "./runtime";

/** A registry of its own per scrape for the families read from the database (no state between scrapes). */
function registryOf(families: readonly MetricFamily[]): Registry {
  const registry = new Registry();
  for (const f of families) {
    const labelNames = [...new Set(f.samples.flatMap((s) => Object.keys(s.labels)))];
    const spec = { name: f.name, help: f.help, labelNames, registers: [registry] };
    if (f.type === "counter") {
      const counter = new Counter(spec);
      for (const s of f.samples) counter.inc(s.labels, s.value);
    } else {
      const gauge = new Gauge(spec);
      for (const s of f.samples) gauge.set(s.labels, s.value);
    }
  }
  return registry;
}

/**
 * The whole /metrics page: this process's runtime metrics, then hosts, IPAM and leaks from the
 * database (a fixed number of queries, however many hosts and pools).
 */
export async function renderMetrics(
  prisma: PrismaClient,
  now: Date,
  outlook?: OutlookSettings,
): Promise<{ contentType: string; text: string }> {
  const families = (
    await Promise.all([
      renderHostMetrics(prisma),
      renderIpamMetrics(prisma, now, outlook),
      renderLeakMetrics(prisma, now),
    ])
  ).flat();
  const registry = Registry.merge([runtimeRegistry, registryOf(families)]);
  return { contentType: registry.contentType, text: await registry.metrics() };
}
