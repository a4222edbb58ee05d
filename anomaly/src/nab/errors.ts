/** Bad NAB input (a missing file or column, an unreadable timestamp): the message says which file and what to fix. */
export class NabInputError extends Error {
  override readonly name = 'NabInputError';
}
