import { PROTOCOL_VERSION, SWITCHYARD_VERSION } from "@switchyard/protocol";
import { defineCommand } from "../define";
import { writeJson, writeLine } from "../io";

export const commands = [
  defineCommand({
    path: ["version"],
    summary: "print the CLI's version and protocol version",
    options: {},
    args: [],
    async run(ctx) {
      const info = { version: SWITCHYARD_VERSION, protocolVersion: PROTOCOL_VERSION };
      if (ctx.json) writeJson(ctx.io.stdout, info);
      else writeLine(ctx.io.stdout, `yardctl ${info.version} (protocol ${info.protocolVersion})`);
      return 0;
    },
  }),
];
