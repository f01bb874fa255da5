import Link from "next/link";

/** A block owner in a pool's tables: a link to its host, or "(host removed)" once the host is gone. */
export function HostLink({ hostId, hostName }: { hostId: string | null; hostName: string | null }) {
  return hostId ? (
    <Link href={`/hosts/${hostId}`} className="mono">
      {hostName}
    </Link>
  ) : (
    <span className="muted">(host removed)</span>
  );
}
