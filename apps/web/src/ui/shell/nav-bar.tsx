"use client";

import type { User } from "@switchyard/protocol";
import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { LeaksNavLink } from "../leaks/leaks-nav-link";
import { signOut } from "../queries/me";
import { SIGN_IN_PATH } from "./sign-in-path";

const links = [
  { href: "/", label: "Topology" },
  { href: "/hosts", label: "Hosts" },
  { href: "/networks", label: "Networks" },
  { href: "/operations", label: "Operations" },
  { href: "/pools", label: "Pools" },
  { href: "/audit", label: "Audit" },
];

function isActive(pathname: string, href: string): boolean {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
}

export function NavBar({ user }: { user: User }) {
  const pathname = usePathname();
  const queryClient = useQueryClient();

  async function handleSignOut() {
    try {
      await signOut();
    } finally {
      queryClient.clear();
      window.location.assign(SIGN_IN_PATH);
    }
  }

  return (
    <header className="nav-bar">
      <Link href="/" className="nav-brand">
        Switchyard
      </Link>
      <nav aria-label="Main">
        {links.map((link) => (
          <Link
            key={link.href}
            href={link.href}
            className={isActive(pathname, link.href) ? "nav-link active" : "nav-link"}
            aria-current={isActive(pathname, link.href) ? "page" : undefined}
          >
            {link.label}
          </Link>
        ))}
        <LeaksNavLink active={isActive(pathname, "/leaks")} />
      </nav>
      <div className="nav-user">
        <span data-testid="current-user" data-role={user.role}>
          {user.email} <span className="muted">({user.role})</span>
        </span>
        {user.role === "admin" && (
          <Link
            href="/users"
            className={isActive(pathname, "/users") ? "nav-link active" : "nav-link"}
            data-testid="nav-users"
          >
            Users
          </Link>
        )}
        <Link href="/account" className={isActive(pathname, "/account") ? "nav-link active" : "nav-link"}>
          Password
        </Link>
        <button type="button" className="button small" onClick={handleSignOut}>
          Sign out
        </button>
      </div>
    </header>
  );
}
