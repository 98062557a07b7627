import { Module } from '@nestjs/common';
import { GroupsModule } from '../groups/groups.module';
import { UsersModule } from '../users/users.module';
import { AccountDirectoryController } from './account-directory.controller';
import { AccountsController } from './accounts.controller';
import { RunAccountCommandHandler } from './account-command';
import {
  ChangeManualRoleHandler,
  ChangePlatformGroupHandler,
  CreateManualUserHandler,
  CreatePlatformGroupHandler,
  MapGroupToRolesHandler,
} from './admin-commands';
import { AdminGuard } from './admin.guard';
import { AdminReadModel } from './admin-read-model';

@Module({
  imports: [UsersModule, GroupsModule],
  controllers: [AccountsController, AccountDirectoryController],
  providers: [
    RunAccountCommandHandler,
    CreateManualUserHandler,
    ChangeManualRoleHandler,
    CreatePlatformGroupHandler,
    MapGroupToRolesHandler,
    ChangePlatformGroupHandler,
    AdminReadModel,
    AdminGuard,
  ],
})
export class AdminModule {}
