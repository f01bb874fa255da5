import type { Metadata } from "next";
import { ChangePasswordForm } from "../../src/ui/account/change-password-form";

export const metadata: Metadata = { title: "Password · Switchyard" };

export default function Page() {
  return <ChangePasswordForm />;
}
