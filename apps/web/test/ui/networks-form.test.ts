import { createNetworkBodySchema } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import { ApiRequestError } from "../../src/ui/api/api-request-error";
import { fieldErrorsOf, placeErrors, validateWith } from "../../src/ui/networks/field-errors";
import {
  buildNetworkBody,
  emptyNetworkForm,
  type NetworkFormValues,
  parseHostOverrides,
  segmentLabel,
} from "../../src/ui/networks/network-form-values";
import { patchNetworkList } from "../../src/ui/queries/networks";
import { network } from "./networks-fixtures";

const form = (extra: Partial<NetworkFormValues>): NetworkFormValues => ({ ...emptyNetworkForm, ...extra });

describe("network create form", () => {
  it("sends only the fields the driver takes, blanks left for the server's defaults", () => {
    const values = form({
      name: " vlan100 ",
      driver: "ovs",
      subnet: "192.168.0.0/24",
      vlan: "100",
      vni: "42",
      uplink: "eth1",
      bridgeName: "",
      mtu: "",
    });
    expect(buildNetworkBody(values)).toEqual({
      name: "vlan100",
      driver: "ovs",
      subnet: "192.168.0.0/24",
      vlan: 100,
      uplink: "eth1",
    });
    const vxlan = buildNetworkBody(
      form({ name: "ov", driver: "vxlan", subnet: "10.9.0.0/24", vni: "42", vlan: "7", uplink: "eth1" }),
    );
    expect(vxlan).toEqual({ name: "ov", driver: "vxlan", subnet: "10.9.0.0/24", vni: 42 });
    const macvlan = buildNetworkBody(
      form({
        name: "mv",
        driver: "macvlan",
        subnet: "10.8.0.0/24",
        bridgeName: "br0",
        uplink: "eth1",
        mtu: "1400",
      }),
    );
    expect(macvlan).toEqual({
      name: "mv",
      driver: "macvlan",
      subnet: "10.8.0.0/24",
      uplink: "eth1",
      mtu: 1400,
    });
  });

  it("parses per-host overrides, one host a line", () => {
    expect(parseHostOverrides("host1 underlay=10.0.1.10\n\n  host2 uplink=eth2 bridge=br9  \n")).toEqual({
      host1: { underlayAddress: "10.0.1.10" },
      host2: { uplink: "eth2", bridgeName: "br9" },
    });
    const body = buildNetworkBody(
      form({ name: "n", subnet: "10.0.0.0/24", hostOverrides: "h1 uplink=eth3" }),
    );
    expect(body.hostOverrides).toEqual({ h1: { uplink: "eth3" } });
  });

  it("finds every field's problem in the browser with the protocol schema", () => {
    const errors = validateWith(
      createNetworkBodySchema,
      buildNetworkBody(
        form({ name: "bad name", driver: "ovs", subnet: "10.0.0.0/33", vlan: "4095", mtu: "abc" }),
      ),
    );
    expect(Object.keys(errors).sort()).toEqual(["mtu", "name", "vlan"]);
    expect(errors.vlan).toMatch(/4094/);
    // The cross-field checks (subnet, gateway inside it) run once the fields themselves are fine.
    const cross = validateWith(
      createNetworkBodySchema,
      buildNetworkBody(form({ name: "n", driver: "bridge", subnet: "10.0.0.0/24", gateway: "10.0.1.1" })),
    );
    expect(Object.keys(cross)).toEqual(["gateway"]);
    expect(
      Object.keys(
        validateWith(createNetworkBodySchema, buildNetworkBody(form({ name: "n", subnet: "10.0.0.0/33" }))),
      ),
    ).toEqual(["subnet"]);
    expect(
      validateWith(createNetworkBodySchema, buildNetworkBody(form({ name: "ok", subnet: "10.0.0.0/24" }))),
    ).toEqual({});
  });

  it("puts the server's error next to the field it names, the rest on the form", () => {
    const vlan = new ApiRequestError(422, "validation_failed", "vlan: VLAN 4095 is reserved", "vlan");
    expect(fieldErrorsOf(vlan)).toEqual({ vlan: "VLAN 4095 is reserved" });
    const nested = new ApiRequestError(
      422,
      "validation_failed",
      "hostOverrides.h1.uplink: too long",
      "hostOverrides.h1.uplink",
    );
    expect(fieldErrorsOf(nested)).toEqual({ hostOverrides: "h1.uplink: too long" });
    const conflict = new ApiRequestError(409, "conflict", "network vlan100 still has 2 attachments");
    expect(fieldErrorsOf(conflict)).toEqual({ "": "network vlan100 still has 2 attachments" });
    expect(fieldErrorsOf(null)).toEqual({});
    expect(placeErrors({ subnet: "overlaps net2", vni: "no", "": "x" }, ["subnet"])).toEqual({
      subnet: "overlaps net2",
      "": "x; vni: no",
    });
  });

  it("labels the L2 segment of a network", () => {
    expect(segmentLabel(network("a", { driver: "ovs", vlan: 100 }))).toBe("vlan 100");
    expect(segmentLabel(network("a", { driver: "ovs", vlan: null }))).toBe("untagged");
    expect(segmentLabel(network("a", { driver: "vxlan", vni: 42 }))).toBe("vni 42");
    expect(segmentLabel(network("a", { driver: "bridge" }))).toBe("—");
  });
});

describe("network:changed cache patch", () => {
  it("adds (sorted by name), replaces, and removes a deleted network", () => {
    const list = [network("b"), network("d")];
    expect(patchNetworkList(list, "nid-c", network("c"))?.map((n) => n.name)).toEqual(["b", "c", "d"]);
    const replaced = patchNetworkList(list, "nid-b", network("b", { attachmentCount: 3 }));
    expect(replaced?.find((n) => n.name === "b")?.attachmentCount).toBe(3);
    expect(patchNetworkList(list, "nid-b", null)?.map((n) => n.name)).toEqual(["d"]);
    expect(patchNetworkList(undefined, "nid-b", null)).toBeUndefined();
  });
});
