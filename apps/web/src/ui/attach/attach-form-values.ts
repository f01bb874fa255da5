import type { AttachInput, Container } from "@switchyard/protocol";

export interface AttachFormValues {
  host: string;
  container: string;
  network: string;
  address: string;
  mac: string;
  ifname: string;
  setDefaultRoute: boolean;
  reason: string;
}

export interface AttachPrefill {
  /** Host id. */
  host?: string;
  /** Container text: `docker:NAME`, `netns:NAME` or a bare name. */
  container?: string;
  /** Network id. */
  network?: string;
}

export function initialAttachValues(prefill: AttachPrefill): AttachFormValues {
  return {
    host: prefill.host ?? "",
    container: prefill.container ?? "",
    network: prefill.network ?? "",
    address: "",
    mac: "",
    ifname: "eth1",
    setDefaultRoute: false,
    reason: "",
  };
}

/** How a container of the inventory is named in an attach request. */
export function containerText(container: Pick<Container, "runtime" | "name">): string {
  return `${container.runtime}:${container.name}`;
}

/** The POST body; optional blanks left out (ifname falls back to eth1). */
export function buildAttachBody(values: AttachFormValues): AttachInput {
  const body: AttachInput = {
    host: values.host.trim(),
    container: values.container.trim(),
    network: values.network.trim(),
    ifname: values.ifname.trim() || "eth1",
    setDefaultRoute: values.setDefaultRoute,
  };
  const address = values.address.trim();
  const mac = values.mac.trim().toLowerCase();
  const reason = values.reason.trim();
  if (address) body.address = address;
  if (mac) body.mac = mac;
  if (reason) body.reason = reason;
  return body;
}
