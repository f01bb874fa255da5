import type { Metadata } from "next";
import { HostsPage } from "../../src/ui/hosts/hosts-page";

export const metadata: Metadata = { title: "Hosts · Switchyard" };

export default function Page() {
  return <HostsPage />;
}
