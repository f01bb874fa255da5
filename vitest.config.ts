import { defineConfig } from "vitest/config";

const exclude = ["**/node_modules/**", "**/.next/**", "e2e/**"];

/**
 * Three suites, named by file suffix:
 *   unit  *.test.ts      pure logic, no services
 *   int   *.int.test.ts  real PostgreSQL (embedded, or DATABASE_URL)
 *   net   *.net.test.ts  root: network namespaces, Open vSwitch, Docker
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["{apps,packages}/*/test/**/*.test.ts"],
          exclude: [...exclude, "**/*.int.test.ts", "**/*.net.test.ts"],
        },
      },
      {
        test: {
          name: "int",
          env: { VALIDATE_RESPONSES: "1" },
          include: ["{apps,packages}/*/test/**/*.int.test.ts"],
          exclude,
          globalSetup: ["packages/db/test/global-setup.ts", "scripts/bundle/vitest-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "net",
          env: { VALIDATE_RESPONSES: "1" },
          include: ["{apps,packages}/*/test/**/*.net.test.ts"],
          exclude,
          globalSetup: ["packages/db/test/global-setup.ts", "scripts/bundle/vitest-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
