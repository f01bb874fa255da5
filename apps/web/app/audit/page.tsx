import type { Metadata } from "next";
import { AuditPage } from "../../src/ui/audit/audit-page";
import { AUDIT_FILTER_KEYS, type AuditFilter } from "../../src/ui/queries/audit";

export const metadata: Metadata = { title: "Audit · Switchyard" };

const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export default async function Page({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const filter: AuditFilter = {};
  for (const key of [...AUDIT_FILTER_KEYS, "cursor"] as const) {
    const value = one(params[key]);
    if (value) filter[key] = value;
  }
  // The key remounts the page when the URL changes, so the filter form shows the URL's values.
  return <AuditPage key={JSON.stringify(filter)} filter={filter} />;
}
