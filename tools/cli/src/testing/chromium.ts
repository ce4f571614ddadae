import * as fs from 'fs';

/**
 * The Chromium (or Chrome) to drive in browser tests: $CHROME_PATH, else Debian's / Ubuntu's
 * packages. Undefined when none is installed; with FARZI_REQUIRE_BROWSER=1 (CI) that is an error
 * instead of a skipped test.
 */
export function findChromium(): string | undefined {
  const candidates = [
    process.env.CHROME_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
  ].filter((c): c is string => Boolean(c));
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found && process.env.FARZI_REQUIRE_BROWSER === '1')
    throw new Error(
      `FARZI_REQUIRE_BROWSER=1 but no Chromium at ${candidates.join(', ')} (apt-get install chromium)`,
    );
  return found;
}

/** Flags for headless Chromium in a container (no sandbox as root, software WebGL). */
export const CHROMIUM_ARGS = ['--no-sandbox', '--enable-unsafe-swiftshader'];
