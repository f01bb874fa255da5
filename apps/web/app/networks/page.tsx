import type { Metadata } from "next";
import { NetworksPage } from "../../src/ui/networks/networks-page";

export const metadata: Metadata = { title: "Networks · Switchyard" };

export default function Page() {
  return <NetworksPage />;
}
