/** Process exit codes of switchyard-agent (documented in --help and README). */
export const ExitCode = {
  ok: 0,
  /** Unexpected failure (a bug, an unwritable credential file, ...). */
  failure: 1,
  /** Bad command line or configuration. */
  usage: 2,
  /** Agent and control plane speak different protocol versions. */
  protocolMismatch: 3,
  /** The control plane refuses the credential or enrollment token (revoked, unknown, used, expired). */
  refused: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error that ends the agent with a given exit code and a message meant for the operator. */
export class FatalError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = "FatalError";
  }
}
