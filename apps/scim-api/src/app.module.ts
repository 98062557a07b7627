import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { DataFolderLock } from '@scim/event-store';
import type { AppConfig } from './config/app-config';
import type { Logger } from './observability/logger';
import { ObservabilityModule } from './observability/observability.module';
import { PersistenceModule } from './persistence/persistence.module';
import { AdminModule } from './admin/admin.module';
import { AuditModule } from './audit/audit.module';
import { SupportModule } from './support/support.module';
import { ConsoleModule } from './console/console.module';
import { DiscoveryController } from './discovery/discovery.controller';
import { UnsupportedController } from './discovery/unsupported.controller';
import { ScimModule } from './scim/scim.module';
import { UsersModule } from './users/users.module';
import { GroupsModule } from './groups/groups.module';
import { RootSearchModule } from './root-search/root-search.module';
import { BulkModule } from './bulk/bulk.module';
import { ProcessManagersModule } from './processes/process-managers.module';
import { EdgeModule } from './edge/edge.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logger: Logger, dataFolder?: DataFolderLock): DynamicModule {
    return {
      module: AppModule,
      // SCIM resources before the admin API: Express tries routes in the order they were registered,
      // and the IdPs' requests are most of the traffic.
      imports: [
        CqrsModule.forRoot(),
        ObservabilityModule.forRoot(logger),
        PersistenceModule.forRoot(config, dataFolder),
        EdgeModule,
        ScimModule,
        UsersModule,
        GroupsModule,
        RootSearchModule,
        BulkModule,
        AdminModule,
        ProcessManagersModule.forRoot(config),
        AuditModule,
        SupportModule,
        WebhooksModule,
        ConsoleModule,
      ],
      controllers: [DiscoveryController, UnsupportedController],
    };
  }
}
