export declare const BUNDLES: Record<"cli" | "agent", { entry: string; out: string }>;
export interface BuiltBundle {
  name: string;
  out: string;
  /** How many source files (outside node_modules) went into it. */
  inputs: number;
  ms: number;
}
export declare function buildBundle(name: "cli" | "agent"): Promise<BuiltBundle>;
export declare function buildBundles(names?: readonly ("cli" | "agent")[]): Promise<BuiltBundle[]>;
