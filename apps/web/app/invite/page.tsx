import type { Metadata } from "next";
import { InviteForm } from "../../src/ui/account/invite-form";

export const metadata: Metadata = { title: "Invite · Switchyard" };

export default function Page() {
  return <InviteForm />;
}
