import { describe, expect, it } from "vitest";
import { apiError, fakeFetch, invoke, json } from "./helpers";

const info = {
  id: "u_2",
  email: "ops@example.com",
  role: "operator",
  createdAt: "2026-11-27T20:00:00Z",
  disabledAt: null,
  mustChangePassword: false,
  inviteExpiresAt: null,
  lastSeenAt: "2026-11-27T21:58:00Z",
};

describe("users", () => {
  it("ls shows role, state and last use", async () => {
    const disabled = { ...info, id: "u_3", email: "gone@example.com", disabledAt: "2026-11-27T21:00:00Z" };
    const { fetch, calls } = fakeFetch(() => json(200, { users: [info, disabled] }));
    const result = await invoke(["users", "ls"], { fetch });
    expect(calls[0]).toMatchObject({ method: "GET", path: "/api/v1/users" });
    expect(result.stdout).toBe(
      [
        "EMAIL             ROLE      STATE            LAST SEEN  ID",
        "ops@example.com   operator  active           2m ago     u_2",
        "gone@example.com  operator  disabled 1h ago  2m ago     u_3",
        "",
      ].join("\n"),
    );
  });

  it("add prints the one-time password once; --invite the link; --password-stdin sets one", async () => {
    const issued = {
      user: { ...info, mustChangePassword: true },
      oneTimePassword: "otp-1234567890abcdefg",
      invite: null,
    };
    const { fetch, calls } = fakeFetch(() => json(201, issued));
    const result = await invoke(["users", "add", "ops@example.com", "--role", "operator"], { fetch });
    expect(calls[0]).toMatchObject({
      method: "POST",
      path: "/api/v1/users",
      body: { email: "ops@example.com", role: "operator", delivery: "one_time_password" },
    });
    expect(result.stdout).toContain(
      "One-time password (shown once; changed at first sign-in): otp-1234567890abcdefg",
    );

    const invite = {
      token: "syi_x",
      url: "http://yard.test:3000/invite#syi_x",
      expiresAt: "2026-11-30T22:00:00Z",
    };
    const link = fakeFetch(() => json(201, { user: info, oneTimePassword: null, invite }));
    const invited = await invoke(["users", "add", "ops@example.com", "--role", "operator", "--invite"], link);
    expect(link.calls[0]?.body).toMatchObject({ delivery: "invite" });
    expect(invited.stdout).toContain("http://yard.test:3000/invite#syi_x\n");

    const set = fakeFetch(() => json(201, { user: info, oneTimePassword: null, invite: null }));
    await invoke(["users", "add", "ops@example.com", "--role", "operator", "--password-stdin"], {
      ...set,
      stdin: "a-long-password\n",
    });
    expect(set.calls[0]?.body).toEqual({
      email: "ops@example.com",
      role: "operator",
      password: "a-long-password",
    });
  });

  it("add without --role, or with an unknown role, is a usage error (exit 2) and calls nothing", async () => {
    const { fetch, calls } = fakeFetch(() => json(500, {}));
    expect((await invoke(["users", "add", "x@example.com"], { fetch })).code).toBe(2);
    const bad = await invoke(["users", "add", "x@example.com", "--role", "root"], { fetch });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("admin, operator or viewer");
    expect(calls).toHaveLength(0);
  });

  it("role, disable, enable and rm send PATCH and DELETE to the user", async () => {
    const { fetch, calls } = fakeFetch((call) =>
      json(200, call.method === "DELETE" ? info : { ...info, role: "viewer" }),
    );
    expect((await invoke(["users", "role", "ops@example.com", "viewer"], { fetch })).stdout).toBe(
      "ops@example.com is now viewer.\n",
    );
    await invoke(["users", "disable", "ops@example.com"], { fetch });
    await invoke(["users", "enable", "ops@example.com"], { fetch });
    await invoke(["users", "rm", "ops@example.com"], { fetch });
    expect(calls.map((c) => [c.method, c.path, c.body])).toEqual([
      ["PATCH", "/api/v1/users/ops%40example.com", { role: "viewer" }],
      ["PATCH", "/api/v1/users/ops%40example.com", { disabled: true }],
      ["PATCH", "/api/v1/users/ops%40example.com", { disabled: false }],
      ["DELETE", "/api/v1/users/ops%40example.com", undefined],
    ]);
  });

  it("the last admin's 409 is an error with the server's message (exit 1)", async () => {
    const { fetch } = fakeFetch(() =>
      apiError(
        409,
        "conflict",
        "admin@example.com is the last active admin; make another user admin first",
        "id",
      ),
    );
    const result = await invoke(["users", "role", "admin@example.com", "viewer"], { fetch });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("last active admin");
  });

  it("reset-password --invite asks for a link", async () => {
    const invite = {
      token: "syi_y",
      url: "http://yard.test:3000/invite#syi_y",
      expiresAt: "2026-11-30T22:00:00Z",
    };
    const { fetch, calls } = fakeFetch(() => json(200, { user: info, oneTimePassword: null, invite }));
    const result = await invoke(["users", "reset-password", "ops@example.com", "--invite"], { fetch });
    expect(calls[0]).toMatchObject({
      method: "POST",
      path: "/api/v1/users/ops%40example.com/reset-password",
      body: { delivery: "invite" },
    });
    expect(result.stdout).toContain("Reset the password of ops@example.com");
  });
});

describe("passwd", () => {
  it("signs in with the current password and changes it over that session", async () => {
    const { fetch, calls } = fakeFetch((call) => {
      if (call.path === "/api/v1/auth/me")
        return json(200, { id: "u_2", email: "ops@example.com", role: "operator" });
      if (call.path === "/api/v1/auth/sign-in")
        return json(
          200,
          { user: { id: "u_2", email: "ops@example.com", role: "operator" } },
          {
            "set-cookie": "sy_session=sys_abc; Path=/; HttpOnly",
          },
        );
      if (call.path === "/api/v1/auth/sign-out") return json(200, { ok: true });
      return json(200, { id: "u_2", email: "ops@example.com", role: "operator", mustChangePassword: false });
    });
    const result = await invoke(["passwd", "--password-stdin"], {
      fetch,
      stdin: "old-password\nnew-password-1\n",
    });
    expect(result).toMatchObject({ code: 0, stdout: "Password of ops@example.com changed.\n" });
    expect(calls.map((c) => c.path)).toEqual([
      "/api/v1/auth/me",
      "/api/v1/auth/sign-in",
      "/api/v1/auth/password",
      "/api/v1/auth/sign-out",
    ]);
    expect(calls[1]?.body).toEqual({ email: "ops@example.com", password: "old-password" });
    expect(calls[2]?.headers.get("cookie")).toBe("sy_session=sys_abc");
    expect(calls[2]?.body).toEqual({ currentPassword: "old-password", newPassword: "new-password-1" });
  });

  it("--password-stdin needs two lines", async () => {
    const result = await invoke(["passwd", "--email", "ops@example.com", "--password-stdin"], {
      stdin: "only-one\n",
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("two lines");
  });
});
