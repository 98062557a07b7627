import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditGuard } from './audit.guard';
import { AuditLog } from './audit-log';

/**
 * The audit API (/audit): read-only histories from the event log for the auditor's key or the
 * operator's. Needs the EventStore and APP_CONFIG of the global PersistenceModule.
 */
@Module({
  controllers: [AuditController],
  providers: [AuditLog, AuditGuard],
})
export class AuditModule {}
