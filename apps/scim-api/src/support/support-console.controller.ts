import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { CONSOLE_CSP, CONSOLE_HTML } from './console/console-page';

/** The support console page. It holds no data, so it needs no credential; its API calls do. */
@ApiExcludeController()
@Controller('support')
export class SupportConsoleController {
  @Get('console')
  page(@Res() response: Response): void {
    response
      .status(200)
      .set({
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': CONSOLE_CSP,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': 'no-store',
      })
      .send(CONSOLE_HTML);
  }
}
