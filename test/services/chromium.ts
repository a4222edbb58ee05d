// Debian's chromium (installed by apt-get when missing, like the server binaries) driven by playwright-core,
// with the flags this machine needs. playwright's launch() gives every browser a fresh temporary profile
// (its own --user-data-dir, removed on close).
import { type Browser, chromium } from 'playwright-core';
import { ensureDebianPackages, requireExecutable } from './debian-packages.js';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

export async function ensureChromium(): Promise<string> {
  await ensureDebianPackages([{ binary: 'chromium', pkg: 'chromium' }]);
  return requireExecutable('chromium');
}

export interface ChromiumHandle {
  readonly browser: Browser;
  close(): Promise<void>;
}

/** Launches headless Debian chromium. */
export async function launchChromium(): Promise<ChromiumHandle> {
  const executablePath = await ensureChromium();
  const browser = await chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_FLAGS] });
  return { browser, close: () => browser.close().catch(() => undefined) };
}
