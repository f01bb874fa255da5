export declare const inputsFileOf: (bundleFile: string) => string;
/** The first source changed since the bundle was built, "(never built)", or null when it is current. */
export declare function staleInput(bundleFile: string): string | null;
