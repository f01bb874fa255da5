import type { Metadata } from "next";
import { LeaksPage } from "../../src/ui/leaks/leaks-page";

export const metadata: Metadata = { title: "Leaks · Switchyard" };

export default function Page() {
  return <LeaksPage />;
}
