import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { AppConfig } from './config/app-config';
import { PersistenceModule } from './persistence/persistence.module';
import { AdminModule } from './admin/admin.module';
import { AuditModule } from './audit/audit.module';
import { SupportModule } from './support/support.module';
import { DiscoveryController } from './discovery/discovery.controller';
import { UnsupportedController } from './discovery/unsupported.controller';
import { ScimModule } from './scim/scim.module';
import { UsersModule } from './users/users.module';
import { GroupsModule } from './groups/groups.module';
import { RolesModule } from './roles/roles.module';
import { EdgeModule } from './edge/edge.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      // SCIM resources before the admin API: Express tries routes in the order they were registered,
      // and the IdPs' requests are most of the traffic.
      imports: [
        CqrsModule.forRoot(),
        PersistenceModule.forRoot(config),
        EdgeModule,
        ScimModule,
        UsersModule,
        GroupsModule,
        AdminModule,
        RolesModule,
        AuditModule,
        SupportModule,
      ],
      controllers: [DiscoveryController, UnsupportedController],
    };
  }
}
