"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { networksQuery } from "../queries/networks";
import { useHasRole, VIEWER_TITLE } from "../shell/permissions";
import { QueryState } from "../shell/query-state";
import { CreateNetworkForm } from "./create-network-form";
import { NetworksTable } from "./networks-table";

export function NetworksPage() {
  const networks = useQuery(networksQuery());
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  const canChange = useHasRole("operator");

  return (
    <div className="stack">
      <div className="page-header">
        <h1>Networks</h1>
        <div className="header-actions">
          <Link href="/operations" className="button small">
            Operations
          </Link>
          <button
            type="button"
            className="button small primary"
            onClick={() => setCreating((value) => !value)}
            disabled={!canChange}
            title={canChange ? undefined : VIEWER_TITLE}
            data-testid="new-network"
            aria-expanded={creating}
          >
            {creating ? "Close" : "New network"}
          </button>
        </div>
      </div>
      {creating && (
        <CreateNetworkForm
          onCreated={(name) => {
            setCreated(name);
            setCreating(false);
          }}
        />
      )}
      {created && (
        <p className="notice-line" role="status" data-testid="network-created">
          Network <span className="mono">{created}</span> created.
        </p>
      )}
      {networks.data ? <NetworksTable networks={networks.data} /> : <QueryState error={networks.error} />}
    </div>
  );
}
