import type { Metadata } from "next";
import { HostDetailView } from "../../../src/ui/host-detail/host-detail-view";

export const metadata: Metadata = { title: "Host · Switchyard" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <HostDetailView id={id} />;
}
