/** A mistake in how the CLI was called: exit code 2, usage on stderr. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  /** The usage text to print under the message; the dispatcher fills it in when empty. */
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
  }
}

/** The command ran and failed: exit code 1, `error: <message>` on stderr. */
export class CliError extends Error {
  override readonly name: string = "CliError";
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** A non-2xx answer from the API, carrying its `{error:{code,message,field?}}` body. */
export class ApiRequestError extends CliError {
  override readonly name = "ApiRequestError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    hint?: string,
  ) {
    super(message, hint);
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
