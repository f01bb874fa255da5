import { describe, expect, it } from "vitest";
import { operationDuration } from "../../src/ui/operations/operation-format";
import {
  describeOperation,
  isFinished,
  newerOperation,
  operationSteps,
  patchOperationList,
} from "../../src/ui/queries/operations";
import { operation } from "./networks-fixtures";

const at = (second: number) => `2026-11-27T22:00:${String(second).padStart(2, "0")}.000Z`;

describe("operation status helpers", () => {
  it("knows which statuses are finished", () => {
    expect(["pending", "sent", "applied", "failed"].map((s) => isFinished(s as never))).toEqual([
      false,
      false,
      true,
      true,
    ]);
  });

  it("shows recorded -> sent -> applied as steps", () => {
    const states = (op: Parameters<typeof operationSteps>[0]) => operationSteps(op).map((s) => s.state);
    expect(states(operation("a", { status: "pending" }))).toEqual(["current", "todo", "todo"]);
    expect(states(operation("a", { status: "sent", sentAt: at(1) }))).toEqual(["done", "current", "todo"]);
    expect(states(operation("a", { status: "applied", sentAt: at(1) }))).toEqual(["done", "done", "done"]);
    expect(operationSteps(operation("a", { status: "applied" }))[2]?.label).toBe("Applied");
    expect(operationSteps(operation("a", { status: "applied", kind: "detach" }))[2]?.label).toBe("Removed");
  });

  it("marks a failure on the last step, and the send step only if it was sent", () => {
    const sent = operationSteps(operation("a", { status: "failed", sentAt: at(1) }));
    expect(sent.map((s) => s.state)).toEqual(["done", "done", "failed"]);
    expect(sent[2]?.label).toBe("Failed");
    const unsent = operationSteps(operation("a", { status: "failed", sentAt: null }));
    expect(unsent.map((s) => s.state)).toEqual(["done", "todo", "failed"]);
  });

  it("describes an operation for a notice, with the agent's error when it failed", () => {
    expect(describeOperation(operation("a", { status: "applied" }), "docker:con1")).toBe(
      "attach docker:con1 to net on host1: applied",
    );
    expect(
      describeOperation(
        operation("a", { kind: "detach", status: "failed", error: "RTNETLINK answers: File exists" }),
      ),
    ).toBe("detach from net on host1: failed: RTNETLINK answers: File exists");
  });

  it("formats request-to-finish time with the agent's own time", () => {
    expect(operationDuration(operation("a"))).toBe("—");
    expect(
      operationDuration(operation("a", { finishedAt: "2026-11-27T22:00:00.820Z", durationMs: 95 })),
    ).toBe("820 ms (agent 95 ms)");
    expect(operationDuration(operation("a", { finishedAt: "2026-11-27T22:00:03.400Z" }))).toBe("3.4 s");
  });
});

describe("operation:changed cache patches", () => {
  it("never moves a cached operation back to an earlier status", () => {
    const applied = operation("a", { status: "applied" });
    expect(newerOperation(applied, operation("a", { status: "sent" }))).toBe(applied);
    const sent = operation("a", { status: "sent" });
    expect(newerOperation(sent, applied)).toBe(applied);
    expect(newerOperation(undefined, sent)).toBe(sent);
  });

  it("adds a new operation in newest-first order and replaces a known one in place", () => {
    const list = [operation("c", { createdAt: at(3) }), operation("a", { createdAt: at(1) })];
    const withB = patchOperationList(list, operation("b", { createdAt: at(2) }), {});
    expect(withB?.map((op) => op.id)).toEqual(["c", "b", "a"]);
    const withD = patchOperationList(withB, operation("d", { createdAt: at(4) }), {});
    expect(withD?.map((op) => op.id)).toEqual(["d", "c", "b", "a"]);
    const applied = patchOperationList(withD, operation("b", { createdAt: at(2), status: "applied" }), {});
    expect(applied?.map((op) => `${op.id}:${op.status}`)).toEqual([
      "d:pending",
      "c:pending",
      "b:applied",
      "a:pending",
    ]);
  });

  it("keeps a status-filtered list true: an operation leaves the `sent` list once applied", () => {
    const sentList = [operation("a", { status: "sent" })];
    expect(patchOperationList(sentList, operation("a", { status: "applied" }), { status: "sent" })).toEqual(
      [],
    );
    expect(
      patchOperationList([], operation("b", { status: "failed" }), { status: "failed" })?.map((op) => op.id),
    ).toEqual(["b"]);
    const unrelated = patchOperationList(sentList, operation("c", { status: "pending" }), { status: "sent" });
    expect(unrelated).toBe(sentList);
  });

  it("filters by host and network by id or name, and caps the list", () => {
    const other = operation("x", { hostId: "hid-host2", hostName: "host2" });
    expect(patchOperationList([], other, { host: "host1" })).toEqual([]);
    expect(patchOperationList([], other, { host: "host2" })).toHaveLength(1);
    expect(patchOperationList([], other, { network: "nid-net" })).toHaveLength(1);
    const full = [operation("b", { createdAt: at(2) }), operation("a", { createdAt: at(1) })];
    expect(patchOperationList(full, operation("c", { createdAt: at(3) }), {}, 2)?.map((op) => op.id)).toEqual(
      ["c", "b"],
    );
    expect(patchOperationList(undefined, other, {})).toBeUndefined();
  });
});
