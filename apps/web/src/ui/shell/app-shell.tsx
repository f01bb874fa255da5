"use client";

import { useQuery } from "@tanstack/react-query";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { ChangePasswordForm } from "../account/change-password-form";
import { errorMessage, isUnauthorized } from "../api/api-request-error";
import { LiveUpdates } from "../live-updates";
import { meQuery } from "../queries/me";
import { NavBar } from "./nav-bar";
import { SIGNED_OUT_PATHS } from "./sign-in-path";

/** Signed-in pages get the navigation and live updates; the sign-in page is shown bare. */
export function AppShell({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  if (SIGNED_OUT_PATHS.includes(pathname)) return <main className="page-bare">{children}</main>;
  return <SignedInShell>{children}</SignedInShell>;
}

function SignedInShell({ children }: { children: ReactNode }) {
  const me = useQuery(meQuery());

  if (me.isPending || isUnauthorized(me.error)) {
    // A 401 redirects to the sign-in page (see Providers); until then show nothing of the app.
    return <div className="page-status">Loading…</div>;
  }
  if (me.isError) {
    return (
      <div className="page-status error" role="alert">
        {errorMessage(me.error)}
      </div>
    );
  }
  if (me.data.mustChangePassword) {
    // The server refuses everything else until then; ask for nothing else.
    return (
      <main className="page-bare">
        <ChangePasswordForm forced />
      </main>
    );
  }
  return (
    <>
      <NavBar user={me.data} />
      <LiveUpdates />
      <main className="page">{children}</main>
    </>
  );
}
