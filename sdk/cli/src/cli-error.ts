/**
 * An error the CLI reports as `omnicache: <message>` with a documented exit code:
 * 2 bad usage or input, 3 a target (URL, tier) could not be reached or read.
 */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: 2 | 3) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Colours only on a terminal, and never with NO_COLOR set (https://no-color.org) or for --json. */
export function useColour(stream: NodeJS.WriteStream, json: boolean | undefined): boolean {
  return stream.isTTY === true && !json && (process.env.NO_COLOR ?? '') === '';
}

export function positiveInt(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new CliError(`${flag} must be a positive integer, got "${text}"`, 2);
  return n;
}
