import { DynamicModule, Module } from '@nestjs/common';
import { AdminGuard, OPERATOR_KEY } from '../admin/admin.guard';
import { AuditGuard, auditKeysProvider } from '../audit/audit.guard';
import { SupportConsoleController } from './support-console.controller';
import { SupportController } from './support.controller';
import { SupportHistory } from './support-history';
import { SupportQueries } from './support-queries';
import { SupportGuard } from './support.guard';

/**
 * Support: point-in-time access, "why this role", the provisioning activity log and the console
 * page, all read from the event history. SupportGuard reuses the admin API's AdminGuard (operator
 * key or the account's admin key; it needs the operator key here too) and the audit API's
 * AuditGuard (the auditor key).
 */
@Module({})
export class SupportModule {
  static forRoot(operatorKey: string): DynamicModule {
    return {
      module: SupportModule,
      controllers: [SupportController, SupportConsoleController],
      providers: [SupportHistory, SupportQueries, SupportGuard, AdminGuard, { provide: OPERATOR_KEY, useValue: operatorKey }, AuditGuard, auditKeysProvider],
    };
  }
}
