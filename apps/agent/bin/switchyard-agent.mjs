#!/usr/bin/env node
// Launcher: registers tsx (TypeScript consumed as source) and runs the agent.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
