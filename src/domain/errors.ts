/**
 * A value that a domain rule rejects (bad USCC, unknown region code, ...). Its message is written for the
 * clerk who has to fix the source — it names the value and why — so it is safe to show; `code` is the stable
 * reason for machines (quarantine reasons, API error codes).
 */
export class InvalidValueError extends Error {
  override readonly name = 'InvalidValueError';

  constructor(
    readonly code: string,
    readonly value: unknown,
    message: string,
  ) {
    super(message);
  }
}
