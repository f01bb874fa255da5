import { attachBodySchema } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import { buildAttachBody, containerText, initialAttachValues } from "../../src/ui/attach/attach-form-values";
import { validateWith } from "../../src/ui/networks/field-errors";
import { patchAttachmentList } from "../../src/ui/queries/attachments";
import { attachment } from "./networks-fixtures";

describe("attach form", () => {
  it("starts from the selection, with eth1 and no default route", () => {
    expect(initialAttachValues({ host: "hid-1", container: "docker:con1" })).toMatchObject({
      host: "hid-1",
      container: "docker:con1",
      network: "",
      ifname: "eth1",
      setDefaultRoute: false,
    });
    expect(containerText({ runtime: "netns", name: "con3" })).toBe("netns:con3");
  });

  it("builds the body: optional blanks left out, MAC lower-cased, ifname defaulted", () => {
    const values = {
      ...initialAttachValues({ host: "h", container: "docker:con1", network: "n" }),
      ifname: " ",
      mac: "02:AA:BB:CC:DD:EE",
      setDefaultRoute: true,
    };
    expect(buildAttachBody(values)).toEqual({
      host: "h",
      container: "docker:con1",
      network: "n",
      ifname: "eth1",
      mac: "02:aa:bb:cc:dd:ee",
      setDefaultRoute: true,
    });
    expect(buildAttachBody({ ...values, address: "10.0.0.9", reason: "ticket 42" })).toMatchObject({
      address: "10.0.0.9",
      reason: "ticket 42",
    });
  });

  it("names the bad field before sending", () => {
    const values = {
      ...initialAttachValues({ host: "h", container: "c", network: "" }),
      mac: "zz",
      ifname: "a-very-long-interface",
    };
    const errors = validateWith(attachBodySchema, buildAttachBody(values));
    expect(Object.keys(errors).sort()).toEqual(["ifname", "mac", "network"]);
  });
});

describe("attachment:changed cache patch", () => {
  it("replaces a known attachment and adds a new one that matches the list", () => {
    const list = [attachment("a1")];
    const failed = patchAttachmentList(
      list,
      attachment("a1", { status: "failed", error: "no such container" }),
      {},
    );
    expect(failed?.[0]?.status).toBe("failed");
    const added = patchAttachmentList(list, attachment("a2", { createdAt: "2026-11-27T22:05:00.000Z" }), {
      network: "nid-net",
    });
    expect(added?.map((a) => a.id)).toEqual(["a2", "a1"]);
  });

  it("leaves lists of other networks and hosts alone, and drops a detached attachment", () => {
    const list = [attachment("a1")];
    expect(
      patchAttachmentList(list, attachment("a9", { networkId: "nid-other", networkName: "other" }), {
        network: "net",
      }),
    ).toBe(list);
    expect(patchAttachmentList(list, attachment("a9"), { host: "host2" })).toBe(list);
    expect(patchAttachmentList(list, attachment("a1", { status: "detached" }), {})).toEqual([]);
    expect(
      patchAttachmentList(list, attachment("a1", { status: "detached" }), { all: true })?.[0]?.status,
    ).toBe("detached");
    expect(patchAttachmentList(undefined, attachment("a1"), {})).toBeUndefined();
  });
});
