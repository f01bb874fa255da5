import { expect, it } from "vitest";
import { DomainError } from "../src/errors";
import { isRetryable, sqlStateOf } from "../src/ipam/retry";

it("finds the SQLSTATE in Prisma and driver-adapter error shapes", () => {
  expect(sqlStateOf({ code: "P2034" })).toBe("40001");
  expect(
    sqlStateOf({
      code: "P2010",
      meta: { driverAdapterError: { cause: { kind: "TransactionWriteConflict" } } },
    }),
  ).toBe("40001");
  expect(
    sqlStateOf({
      code: "P2010",
      meta: { driverAdapterError: { cause: { kind: "UniqueConstraintViolation" } } },
    }),
  ).toBe("23505");
  expect(
    sqlStateOf({
      code: "P2010",
      meta: { driverAdapterError: { cause: { kind: "postgres", code: "40P01" } } },
    }),
  ).toBe("40P01");
  expect(sqlStateOf(new Error("ERROR: deadlock detected"))).toBe("40P01");
  expect(
    sqlStateOf({ code: "P2010", meta: { driverAdapterError: { cause: { kind: "DatabaseNotReachable" } } } }),
  ).toBeNull();
  expect(isRetryable(new DomainError("pool_exhausted", "pool p is exhausted"))).toBe(false);
  expect(isRetryable(new DomainError("conflict", "10.0.0.1 is held by host a"))).toBe(false);
  expect(isRetryable({ code: "P2034" })).toBe(true);
});
