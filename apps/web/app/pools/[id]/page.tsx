import type { Metadata } from "next";
import { PoolDetailView } from "../../../src/ui/pools/pool-detail-view";

export const metadata: Metadata = { title: "Pool · Switchyard" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <PoolDetailView id={id} />;
}
