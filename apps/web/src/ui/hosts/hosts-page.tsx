"use client";

import type { CreatedHost } from "@switchyard/protocol";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { hostsQuery } from "../queries/hosts";
import { QueryState } from "../shell/query-state";
import { AddHostForm } from "./add-host-form";
import { EnrollmentResult } from "./enrollment-result";
import { HostsTable } from "./hosts-table";

export function HostsPage() {
  const hosts = useQuery(hostsQuery());
  // The one-time token lives only in this component's state: it is gone once dismissed or left.
  const [created, setCreated] = useState<CreatedHost | null>(null);

  return (
    <div className="stack">
      <div className="page-header">
        <h1>Hosts</h1>
      </div>
      <AddHostForm onCreated={setCreated} />
      {created && <EnrollmentResult created={created} onDismiss={() => setCreated(null)} />}
      {hosts.data ? <HostsTable hosts={hosts.data} /> : <QueryState error={hosts.error} />}
    </div>
  );
}
