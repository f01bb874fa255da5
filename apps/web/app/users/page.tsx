import type { Metadata } from "next";
import { UsersPage } from "../../src/ui/users/users-page";

export const metadata: Metadata = { title: "Users · Switchyard" };

export default function Page() {
  return <UsersPage />;
}
