import { describe, expect, it } from "vitest";
import { fakeFetch, invoke, json } from "./helpers";

describe("whoami", () => {
  const user = { id: "u1", email: "admin@example.com", role: "admin" };

  it("shows the token's user and where the token came from", async () => {
    const { fetch, calls } = fakeFetch(() => json(200, user));
    const result = await invoke(["whoami"], { fetch });
    expect(calls[0]).toMatchObject({ method: "GET", path: "/api/v1/auth/me" });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Email:       admin@example.com\n");
    expect(result.stdout).toContain("Server:      http://yard.test:3000\n");
  });

  it("--json prints the user", async () => {
    const { fetch } = fakeFetch(() => json(200, user));
    expect(JSON.parse((await invoke(["whoami", "--json"], { fetch })).stdout)).toEqual({
      ...user,
      mustChangePassword: false,
    });
  });
});
