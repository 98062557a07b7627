import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Where `npm run build` puts the console (Vite, apps/console): dist/console under the package
 * root. Found from this file by walking up to package.json, so the same code serves it from
 * dist/apps/… (npm start, the image) and from the sources (the tests, after building it).
 */
export function consoleAssetsDir(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'console');
}
