import { DynamicModule, Module } from '@nestjs/common';
import { GroupsModule } from '../groups/groups.module';
import { UsersModule } from '../users/users.module';
import { AccountDirectoryController } from './account-directory.controller';
import { AccountsController } from './accounts.controller';
import { RunAccountCommandHandler } from './account-command';
import {
  ChangeManualRoleHandler,
  ChangePlatformGroupHandler,
  CreateDefaultGroupsHandler,
  CreateManualUserHandler,
  CreatePlatformGroupHandler,
  MapGroupToRolesHandler,
} from './admin-commands';
import { AdminGuard, OPERATOR_KEY } from './admin.guard';
import { AdminReadModel } from './admin-read-model';
import { AuditGuard, auditKeysProvider } from '../audit/audit.guard';
import { SessionController } from './session.controller';

@Module({})
export class AdminModule {
  static forRoot(operatorKey: string): DynamicModule {
    return {
      module: AdminModule,
      imports: [UsersModule, GroupsModule],
      controllers: [SessionController, AccountsController, AccountDirectoryController],
      providers: [
        RunAccountCommandHandler,
        CreateDefaultGroupsHandler,
        CreateManualUserHandler,
        ChangeManualRoleHandler,
        CreatePlatformGroupHandler,
        MapGroupToRolesHandler,
        ChangePlatformGroupHandler,
        AdminReadModel,
        AdminGuard,
        { provide: OPERATOR_KEY, useValue: operatorKey },
        AuditGuard,
        auditKeysProvider,
      ],
    };
  }
}
