type BundleName = "cli" | "agent" | "cni";
export declare const BUNDLES: Record<BundleName, { entry: string; out: string; standalone?: boolean }>;
export interface BuiltBundle {
  name: string;
  out: string;
  /** How many source files (outside node_modules) went into it. */
  inputs: number;
  ms: number;
}
export declare function buildBundle(name: BundleName): Promise<BuiltBundle>;
export declare function buildBundles(names?: readonly BundleName[]): Promise<BuiltBundle[]>;
