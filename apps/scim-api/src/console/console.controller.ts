import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ScimError } from '@scim/scim-protocol';
import { consoleAssetsDir } from './console-assets';

/** Scripts and styles from this origin only; the API calls go to this origin too. Nothing inline. */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = { 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' };

// Vite's hashed file names: letters, digits, '-', '_' and one extension. Nothing else is served.
const ASSET = /^[\w-]+\.(js|css|svg|png|woff2)$/;

/**
 * The account console (apps/console), built into dist/console. The page and its assets hold no
 * data, so they need no credential; every API call the page makes does.
 */
@ApiExcludeController()
@Controller('console')
export class ConsoleController {
  private readonly dir = consoleAssetsDir();

  @Get()
  page(@Res() response: Response): void {
    const index = join(this.dir, 'index.html');
    if (!existsSync(index)) throw new ScimError(404, 'The console is not built: run "npm run build" (it builds the console into dist/console)');
    response.set({ ...SECURITY_HEADERS, 'Cache-Control': 'no-store' }).sendFile(index);
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() response: Response): void {
    const path = join(this.dir, 'assets', file);
    if (!ASSET.test(file) || !existsSync(path)) throw new ScimError(404, 'No such console asset');
    // Hashed names change with their content: cache them for good.
    response.set({ ...SECURITY_HEADERS, 'Cache-Control': 'public, max-age=31536000, immutable' }).sendFile(path);
  }
}
