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

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, operatorKey: string): DynamicModule {
    return {
      module: AppModule,
      imports: [CqrsModule.forRoot(), PersistenceModule.forRoot(config), ScimModule, AdminModule.forRoot(operatorKey), UsersModule, GroupsModule, RolesModule, AuditModule, SupportModule.forRoot(operatorKey)],
      controllers: [DiscoveryController, UnsupportedController],
    };
  }
}
