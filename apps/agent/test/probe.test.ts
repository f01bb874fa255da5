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

  it("a failing arping is an error, not an answer", async () => {
    const ack = await runProbe({ address: "10.99.0.5", iface: "nope0" }, async (argv) => {
      throw new ExecError(argv, 2, "arping: nope0: No such device", false);
    });
    expect(ack).toMatchObject({ ok: false });
    expect(await runProbe({ address: "x", iface: "br0" })).toMatchObject({ ok: false });
  });
});
