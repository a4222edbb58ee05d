/**
 * libphonenumber-js's numbering plans (its max metadata, read through its own `Metadata` accessors) with every
 * pattern compiled once. libphonenumber-js builds a `new RegExp` from the metadata strings on each use, which is
 * most of the ~10 µs a parse + isValid() costs; these are the same patterns, compiled the same way
 * (`^(?:p)$` for an entire match, `^(?:p)` for a national prefix, the raw pattern where it searches).
 */
import { Metadata } from './libphonenumber.js';

/** The parts of libphonenumber-js's Metadata / NumberingPlan / Format / Type objects read here (not in its typings). */
interface LibFormat {
  pattern(): string;
  format(): string;
  leadingDigitsPatterns(): string[];
  nationalPrefixFormattingRule(): string | 0 | undefined;
  internationalFormat(): string;
}
interface LibType {
  pattern(): string;
  possibleLengths(): number[] | undefined;
}
interface LibPlan {
  callingCode(): string;
  IDDPrefix(): string;
  nationalNumberPattern(): string;
  possibleLengths(): number[] | undefined;
  formats(): LibFormat[];
  nationalPrefixForParsing(): string | 0 | undefined;
  nationalPrefixTransformRule(): string | 0 | undefined;
  leadingDigits(): string | 0 | undefined;
  hasTypes(): boolean;
  type(type: string): LibType | undefined;
}
interface LibMetadata {
  numberingPlan?: LibPlan;
  selectNumberingPlan(countryOrCallingCode: string): LibMetadata;
  hasCountry(country: string): boolean;
  hasCallingCode(callingCode: string): boolean;
  getCountryCodesForCallingCode(callingCode: string): string[] | undefined;
}

/** Every number type libphonenumber-js's getNumberType() tries (FIXED_LINE first, then the others). */
const NUMBER_TYPES = [
  'FIXED_LINE',
  'MOBILE',
  'PREMIUM_RATE',
  'TOLL_FREE',
  'SHARED_COST',
  'VOIP',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
] as const;

/** libphonenumber-js's FIRST_GROUP_PATTERN (formatNationalNumberUsingFormat). */
const FIRST_GROUP = /(\$\d)/;

export interface PlanFormat {
  /** The last leading-digits pattern, used as libphonenumber-js does: `nationalNumber.search(p) === 0`. */
  readonly leadingDigits: RegExp | undefined;
  readonly entire: RegExp;
  /** The format pattern as given to String#replace (not anchored, like libphonenumber-js). */
  readonly pattern: RegExp;
  /** The national format with the national prefix formatting rule applied to its first group. */
  readonly national: string;
  readonly international: string;
}

interface PlanType {
  readonly entire: RegExp;
  readonly lengths: readonly number[] | undefined;
}

export interface NumberingPlan {
  readonly callingCode: string;
  readonly iddPrefix: RegExp;
  readonly nationalNumber: RegExp;
  readonly possibleLengths: readonly number[] | undefined;
  readonly nationalPrefixForParsing: RegExp | undefined;
  readonly nationalPrefixTransformRule: string | undefined;
  readonly leadingDigits: RegExp | undefined;
  /** undefined when the plan has no per-type patterns (then validity is the national number pattern alone). */
  readonly types: readonly PlanType[] | undefined;
  formats(): readonly PlanFormat[];
}

const entire = (p: string) => new RegExp(`^(?:${p})$`);
const orUndefined = <T>(v: T | 0 | undefined | null | ''): T | undefined => (v ? v : undefined);

function compilePlan(plan: LibPlan): NumberingPlan {
  let formats: PlanFormat[] | undefined;
  const npfp = orUndefined(plan.nationalPrefixForParsing());
  const leading = orUndefined(plan.leadingDigits());
  return {
    callingCode: plan.callingCode(),
    iddPrefix: new RegExp(plan.IDDPrefix()),
    nationalNumber: entire(plan.nationalNumberPattern()),
    possibleLengths: plan.possibleLengths(),
    nationalPrefixForParsing: npfp === undefined ? undefined : new RegExp(`^(?:${npfp})`),
    nationalPrefixTransformRule: orUndefined(plan.nationalPrefixTransformRule()),
    leadingDigits: leading === undefined ? undefined : new RegExp(leading),
    types: plan.hasTypes()
      ? NUMBER_TYPES.flatMap((t) => {
          const def = plan.type(t);
          const p = def?.pattern();
          return def === undefined || !p ? [] : [{ entire: entire(p), lengths: def.possibleLengths() }];
        })
      : undefined,
    formats() {
      formats ??= plan.formats().map((f) => {
        const leadingPatterns = f.leadingDigitsPatterns();
        const last = leadingPatterns[leadingPatterns.length - 1];
        const rule = orUndefined(f.nationalPrefixFormattingRule());
        return {
          leadingDigits: last === undefined ? undefined : new RegExp(last),
          entire: entire(f.pattern()),
          pattern: new RegExp(f.pattern()),
          national: rule === undefined ? f.format() : f.format().replace(FIRST_GROUP, rule),
          international: f.internationalFormat(),
        };
      });
      return formats;
    },
  };
}

/** The numbering plans of libphonenumber-js's metadata, compiled on first use and kept (about 250 at most). */
export class NumberingPlans {
  readonly #metadata = new Metadata() as unknown as LibMetadata;
  readonly #byKey = new Map<string, NumberingPlan>();
  readonly #countries = new Map<string, readonly string[] | undefined>();

  /** A country's plan ('GB'), or a calling code's main country's plan ('44'); undefined when unknown. */
  plan(countryOrCallingCode: string): NumberingPlan | undefined {
    let p = this.#byKey.get(countryOrCallingCode);
    if (p !== undefined) return p;
    const m = this.#metadata;
    const known = /^\d+$/.test(countryOrCallingCode)
      ? m.hasCallingCode(countryOrCallingCode)
      : m.hasCountry(countryOrCallingCode);
    if (!known) return undefined;
    const plan = m.selectNumberingPlan(countryOrCallingCode).numberingPlan;
    if (plan === undefined) return undefined;
    p = compilePlan(plan);
    this.#byKey.set(countryOrCallingCode, p);
    return p;
  }

  /** Countries on a calling code (main country first); undefined for unknown and non-geographic codes. */
  countries(callingCode: string): readonly string[] | undefined {
    if (this.#countries.has(callingCode)) return this.#countries.get(callingCode);
    const c = this.#metadata.getCountryCodesForCallingCode(callingCode);
    this.#countries.set(callingCode, c);
    return c;
  }

  /** Whether libphonenumber-js knows the calling code (geographic or not). */
  hasCallingCode(callingCode: string): boolean {
    return this.countries(callingCode) !== undefined || this.#metadata.hasCallingCode(callingCode);
  }
}
