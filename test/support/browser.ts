import { existsSync } from 'node:fs';

/** Debian's package (`apt-get install -y chromium`; .ci/run installs it). Never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Why a browser suite is skipped, printed; undefined when it runs. `.ci/run` installs Chromium and
 * sets REQUIRE_BROWSER_TESTS=1: there a missing browser fails the suite (in `requireChromium`)
 * instead of skipping it.
 */
export function browserSkipReason(suite: string): string | undefined {
  const reason =
    process.env.SKIP_BROWSER_TESTS === '1'
      ? 'SKIP_BROWSER_TESTS=1'
      : !existsSync(CHROMIUM) && process.env.REQUIRE_BROWSER_TESTS !== '1'
        ? `Chromium is not installed at ${CHROMIUM} (apt-get install -y chromium; .ci/run does it)`
        : undefined;
  if (reason) console.log(`SKIP ${suite} in headless Chromium: ${reason}`);
  return reason;
}

export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: run "apt-get update && apt-get install -y chromium" (.ci/run does it), ` +
        'or set SKIP_BROWSER_TESTS=1 to skip the browser tests deliberately.',
    );
  }
}
