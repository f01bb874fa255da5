import type { Metadata } from "next";
import { PoolsPage } from "../../src/ui/pools/pools-page";

export const metadata: Metadata = { title: "Pools · Switchyard" };

export default function Page() {
  return <PoolsPage />;
}
