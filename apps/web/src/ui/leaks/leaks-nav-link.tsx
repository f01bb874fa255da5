"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { leaksQuery } from "../queries/leaks";
import { leaksNavLabel } from "./leak-rows";

/** "Leaks (N)" in the navigation: N open findings, kept live by the leaks:changed socket event. */
export function LeaksNavLink({ active }: { active: boolean }) {
  const leaks = useQuery(leaksQuery());
  const open = leaks.data?.open;
  return (
    <Link
      href="/leaks"
      data-testid="nav-leaks"
      data-open={open ?? 0}
      className={`${active ? "nav-link active" : "nav-link"}${open ? " alert" : ""}`}
      aria-current={active ? "page" : undefined}
    >
      {leaksNavLabel(open)}
    </Link>
  );
}
