import { PiiRedactor } from './redactor.js';

let shared: PiiRedactor | undefined;

/** The redactor telemetry uses when none is given: every type but phone, one random key per process. */
export function defaultRedactor(): PiiRedactor {
  shared ??= new PiiRedactor();
  return shared;
}

/**
 * What an exception looks like once it reaches telemetry: same name, message and stack with PII replaced by
 * markers (the stack repeats the message). The original error is untouched (the caller still gets it).
 */
export function redactError(r: PiiRedactor, error: Error): { name: string; message: string; stack?: string } {
  const out: { name: string; message: string; stack?: string } = {
    name: error.name,
    message: r.redact(error.message),
  };
  if (error.stack !== undefined) out.stack = r.redact(error.stack);
  return out;
}
