import { Module } from '@nestjs/common';
import { SupportConsoleController } from './support-console.controller';
import { SupportController } from './support.controller';
import { SupportHistory } from './support-history';
import { SupportQueries } from './support-queries';
import { SupportGuard } from './support.guard';

/**
 * Support: point-in-time access, "why this role", the provisioning activity log and the console
 * page, all read from the event history. SupportGuard admits the operator, the auditor and the
 * account's admin keys.
 */
@Module({
  controllers: [SupportController, SupportConsoleController],
  providers: [SupportHistory, SupportQueries, SupportGuard],
})
export class SupportModule {}
