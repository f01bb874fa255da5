"use client";

import type { IssuedCredential } from "@switchyard/protocol";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { meQuery } from "../queries/me";
import { usersQuery } from "../queries/users";
import { QueryState } from "../shell/query-state";
import { CreateUserForm } from "./create-user-form";
import { IssuedSecret } from "./issued-secret";
import { UserRow } from "./user-row";

/** Admins' user management: add, set roles, disable, reset passwords, delete. */
export function UsersPage() {
  const users = useQuery(usersQuery());
  const me = useQuery(meQuery());
  const [issued, setIssued] = useState<IssuedCredential | null>(null);

  return (
    <div className="stack">
      <div className="page-header">
        <div>
          <h1>Users</h1>
          <p className="muted small">
            Viewers see everything; operators also attach, detach and release addresses; admins also manage
            users. A role change or a disable signs the user out everywhere.
          </p>
        </div>
      </div>
      <CreateUserForm onIssued={setIssued} />
      {issued && <IssuedSecret issued={issued} onDismiss={() => setIssued(null)} />}
      {users.data ? (
        <table className="data-table" data-testid="users-table">
          <thead>
            <tr>
              <th>E-mail</th>
              <th>Role</th>
              <th>State</th>
              <th>Last seen</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {users.data.map((user) => (
              <UserRow key={user.id} user={user} isSelf={user.id === me.data?.id} onIssued={setIssued} />
            ))}
          </tbody>
        </table>
      ) : (
        <QueryState error={users.error} />
      )}
    </div>
  );
}
