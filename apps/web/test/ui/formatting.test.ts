import { describe, expect, it } from "vitest";
import { formatRelativeTime } from "../../src/ui/format/relative-time";
import { agentCommand } from "../../src/ui/hosts/agent-command";
import { safeReturnPath, signInUrl } from "../../src/ui/shell/sign-in-path";

const now = Date.parse("2026-11-27T22:00:00.000Z");

describe("formatRelativeTime", () => {
  it("reads compactly", () => {
    expect(formatRelativeTime(null, now)).toBe("never");
    expect(formatRelativeTime("2026-11-27T21:59:58.000Z", now)).toBe("just now");
    expect(formatRelativeTime("2026-11-27T21:59:48.000Z", now)).toBe("12 s ago");
    expect(formatRelativeTime("2026-11-27T21:57:00.000Z", now)).toBe("3 min ago");
    expect(formatRelativeTime("2026-11-27T19:00:00.000Z", now)).toBe("3 h ago");
    expect(formatRelativeTime("2026-11-25T22:00:00.000Z", now)).toBe("2 d ago");
    expect(formatRelativeTime("not a date", now)).toBe("unknown");
  });
});

describe("sign-in redirects", () => {
  it("returns to the page the visitor wanted, never to another site", () => {
    expect(signInUrl("/hosts/abc")).toBe("/sign-in?next=%2Fhosts%2Fabc");
    expect(signInUrl("/")).toBe("/sign-in");
    expect(safeReturnPath("/hosts")).toBe("/hosts");
    expect(safeReturnPath("//evil.example")).toBe("/");
    expect(safeReturnPath("https://evil.example")).toBe("/");
    expect(safeReturnPath(null)).toBe("/");
  });
});

describe("agentCommand", () => {
  it("is the exact enrollment command", () => {
    expect(agentCommand("http://cp:3000", "tok")).toBe(
      "switchyard-agent --server http://cp:3000 --token tok",
    );
  });
});
