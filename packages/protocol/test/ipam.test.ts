import { describe, expect, it } from "vitest";
import { allocateBodySchema, createPoolBodySchema, isAddressText, releaseBodySchema } from "../src/ipam";

const issues = (value: unknown) => {
  const r = createPoolBodySchema.safeParse(value);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("createPoolBodySchema", () => {
  it("fills defaults", () => {
    expect(createPoolBodySchema.parse({ name: "lan", cidr: "10.10.103.0/24" })).toEqual({
      name: "lan",
      cidr: "10.10.103.0/24",
      blockSize: 16,
      reserved: [],
      allowBorrow: false,
      cooldownSeconds: 60,
      blockGraceSeconds: 300,
    });
  });
  it("names the failing field", () => {
    expect(issues({ name: "lan", cidr: "10.10.103.5/24" })).toEqual([
      "cidr: 10.10.103.5/24 has host bits set; the network is 10.10.103.0/24",
    ]);
    expect(issues({ name: "lan", cidr: "10.0.0.0/24", gateway: "10.0.1.1" })).toEqual([
      "gateway: gateway 10.0.1.1 is outside 10.0.0.0/24",
    ]);
    expect(issues({ name: "lan", cidr: "10.0.0.0/24", blockSize: 24 })).toEqual([
      "blockSize: block size must be a power of two",
    ]);
    expect(issues({ name: "lan", cidr: "10.0.0.0/30", blockSize: 16 })).toEqual([
      "blockSize: block size must be at most the pool size (4)",
    ]);
    expect(
      issues({
        name: "lan",
        cidr: "10.0.0.0/24",
        reserved: [{ first: "10.0.0.1" }, { first: "10.0.0.9", last: "10.0.0.3" }],
      }),
    ).toEqual(["reserved.1: a reserved range must start before it ends"]);
    expect(issues({ name: "lan", cidr: "2001:db8::/64", gateway: "10.0.0.1" })[0]).toMatch(/^gateway: /);
    expect(issues({ name: "lan", cidr: "nope" })[0]).toMatch(/^cidr: /);
    expect(issues({ name: "lan", cidr: "2001:db8::/128", blockSize: 1 })).toEqual([]);
  });
});

it("allocate and release bodies", () => {
  expect(allocateBodySchema.safeParse({ hostId: "h1", address: "10.0.0.300" }).success).toBe(false);
  expect(allocateBodySchema.parse({ hostId: "h1", address: "2001:db8::1", stickyKey: "con1" })).toMatchObject(
    {
      stickyKey: "con1",
    },
  );
  expect(releaseBodySchema.safeParse({}).success).toBe(false);
  expect(releaseBodySchema.safeParse({ reason: "" }).success).toBe(false);
  expect(isAddressText("fe80::1")).toBe(true);
  expect(isAddressText("fe80::1::2")).toBe(false);
});
