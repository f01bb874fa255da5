/** Thrown for malformed addresses, CIDRs and pool settings. Callers map it to their own error type. */
export class AddressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AddressError";
  }
}
