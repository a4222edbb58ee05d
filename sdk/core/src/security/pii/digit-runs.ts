/**
 * Whether a candidate starting at `start` is the tail of a longer space-separated number: the token before it is
 * a group of 1-5 digits ("ref 2625 9146 0300 1000 3770": "0300 1000 3770" is not a phone or card number).
 */
export function continuesDigitRun(text: string, start: number): boolean {
  const c = text.charCodeAt(start);
  if (c === 43 || c === 40 || text.charCodeAt(start - 1) !== 32) return false;
  let i = start - 2;
  while (i >= 0 && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i--;
  const groupLength = start - 2 - i;
  if (groupLength < 1 || groupLength > 5) return false;
  // "+49 152 0746...": the country code group counts as part of the run too.
  return i < 0 || text.charCodeAt(i) === 32 || text.charCodeAt(i) === 43;
}
