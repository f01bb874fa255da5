import { describe, expect, it } from "vitest";
import { fakeFetch, invoke, json } from "./helpers";

const saved = {
  id: "t_saved",
  name: "yardctl@testbox",
  prefix: "syt_abcd",
  createdAt: "2026-11-27T21:00:00Z",
  lastUsedAt: "2026-11-27T21:59:00Z",
  revokedAt: null,
};
const old = {
  ...saved,
  id: "t_old",
  name: "ci",
  prefix: "syt_wxyz",
  lastUsedAt: null,
  revokedAt: "2026-11-27T20:00:00Z",
};

describe("tokens", () => {
  it("ls marks the token this CLI uses", async () => {
    const { fetch, calls } = fakeFetch(() => json(200, { tokens: [saved, old] }));
    const result = await invoke(["tokens", "ls"], { fetch });
    expect(calls[0]).toMatchObject({ method: "GET", path: "/api/v1/tokens" });
    expect(result.stdout).toBe(
      [
        "ID         NAME             PREFIX    CREATED  LAST USED  STATE",
        "t_saved *  yardctl@testbox  syt_abcd  1h ago   1m ago     active",
        "t_old      ci               syt_wxyz  1h ago   -          revoked 2h ago",
        "* the token this CLI uses",
        "",
      ].join("\n"),
    );
  });

  it("revoke sends DELETE", async () => {
    const { fetch, calls } = fakeFetch(() => json(200, { ...old, revokedAt: "2026-11-27T22:00:00Z" }));
    const result = await invoke(["tokens", "revoke", "t_old"], { fetch });
    expect(calls[0]).toMatchObject({ method: "DELETE", path: "/api/v1/tokens/t_old" });
    expect(result).toMatchObject({ code: 0, stdout: "Revoked token ci (t_old).\n" });
  });
});

describe("tokens create", () => {
  it("--expires and --read-only become expiresAt and scope; the secret is printed once", async () => {
    const created = {
      ...saved,
      id: "t_new",
      name: "grafana",
      lastUsedAt: null,
      expiresAt: "2026-12-27T22:00:00.000Z",
      scope: "read_only",
      token: "syt_secret",
    };
    const { fetch, calls } = fakeFetch(() => json(201, created));
    const result = await invoke(["tokens", "create", "grafana", "--expires", "30d", "--read-only"], {
      fetch,
    });
    expect(calls[0]).toMatchObject({
      method: "POST",
      path: "/api/v1/tokens",
      body: { name: "grafana", scope: "read_only", expiresAt: "2026-12-27T22:00:00.000Z" },
    });
    expect(result.stdout).toBe(
      [
        "Created token grafana (t_new): active, read-only, until 2026-12-27T22:00:00.000Z.",
        "Token (shown once): syt_secret",
        "",
      ].join("\n"),
    );
  });

  it("a bad --expires is a usage error", async () => {
    const result = await invoke(["tokens", "create", "x", "--expires", "soon"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--expires");
  });
});
