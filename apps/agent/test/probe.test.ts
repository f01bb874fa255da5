import { ExecError } from "@switchyard/netops";
import { describe, expect, it } from "vitest";
import { parseArpingMacs, runProbe } from "../src/probe";

const REPLY = `ARPING 10.99.0.5 from 0.0.0.0 x
Unicast reply from 10.99.0.5 [9E:E4:A9:81:56:A2]  0.525ms
Sent 1 probes (1 broadcast(s))
Received 1 response(s)
`;

describe("leak probe (arping -D)", () => {
  it("parses answering MACs", () => {
    expect(parseArpingMacs(`${REPLY}${REPLY}`)).toEqual(["9e:e4:a9:81:56:a2"]);
  });

  it("nothing answered: exit 0 of arping -D", async () => {
    const argvs: string[][] = [];
    const ack = await runProbe({ address: "10.99.0.6", iface: "br0" }, async (argv) => {
      argvs.push([...argv]);
      return { stdout: "Received 0 response(s)\n", stderr: "" };
    });
    expect(ack).toMatchObject({ ok: true, answered: false, macs: [] });
    expect(argvs).toEqual([["arping", "-D", "-c", "2", "-w", "5", "-I", "br0", "10.99.0.6"]]);
  });

  it("something answered: exit 1, then the MAC from a second arping", async () => {
    const ack = await runProbe({ address: "10.99.0.5", iface: "br0", timeoutMs: 2000 }, async (argv) => {
      if (argv.includes("-D")) throw new ExecError(argv, 1, "", false);
      return { stdout: REPLY, stderr: "" };
    });
    expect(ack).toMatchObject({ ok: true, answered: true, macs: ["9e:e4:a9:81:56:a2"] });
  });

  it("an OVS VLAN: probes from a temporary tagged internal port, removed afterwards", async () => {
    const argvs: string[] = [];
    const ack = await runProbe(
      { address: "10.77.0.1", iface: "ovs0", vlan: 100, timeoutMs: 1000 },
      async (argv) => {
        argvs.push(argv.join(" "));
        return { stdout: "", stderr: "" };
      },
      { ovsDb: "unix:/tmp/db.sock" },
    );
    expect(ack).toMatchObject({ ok: true, answered: false });
    expect(argvs).toEqual([
      "ovs-vsctl --db=unix:/tmp/db.sock --timeout=10 --may-exist add-port ovs0 syprobe100 tag=100 -- set interface syprobe100 type=internal",
      "ip link show syprobe100",
      "ip link set syprobe100 up",
      "arping -D -c 2 -w 1 -I syprobe100 10.77.0.1",
      "ovs-vsctl --db=unix:/tmp/db.sock --timeout=10 --if-exists del-port ovs0 syprobe100",
    ]);
  });

  it("a failing arping is an error, not an answer", async () => {
    const ack = await runProbe({ address: "10.99.0.5", iface: "nope0" }, async (argv) => {
      throw new ExecError(argv, 2, "arping: nope0: No such device", false);
    });
    expect(ack).toMatchObject({ ok: false });
    expect(await runProbe({ address: "x", iface: "br0" })).toMatchObject({ ok: false });
  });
});
