import type { Metadata } from "next";
import { NetworkDetailView } from "../../../src/ui/networks/network-detail-view";

export const metadata: Metadata = { title: "Network · Switchyard" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <NetworkDetailView id={id} />;
}
