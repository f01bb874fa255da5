import type { Metadata } from "next";
import { OperationsPage } from "../../src/ui/operations/operations-page";

export const metadata: Metadata = { title: "Operations · Switchyard" };

const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export default async function Page({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  return <OperationsPage status={one(params.status)} network={one(params.network)} host={one(params.host)} />;
}
