// Where the NAB reference data lives (never copied into the repo): ../shared/data/nab next to the repository.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const NAB_DIR = fileURLToPath(new URL('../../../shared/data/nab', import.meta.url));
export const NAB_PRESENT = existsSync(`${NAB_DIR}/labels/combined_windows.json`);
export const NAB_MISSING_REASON = `NAB data not found at ${NAB_DIR} (see ../shared/data/README.md): skipped`;
if (!NAB_PRESENT) console.warn(NAB_MISSING_REASON);
