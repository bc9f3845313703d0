/** A command line the CLI cannot act on; exits 2 with the message. */
export class CliUsageError extends Error {
  override name = "CliUsageError";
}
