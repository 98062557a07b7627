import { Module } from '@nestjs/common';
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
import { AdminGuard } from './admin.guard';
import { AdminReadModel } from './admin-read-model';
import { EraseUserController } from './erase-user/erase-user.controller';
import { EraseUserHandler } from './erase-user/erase-user.handler';
import { RetentionController } from './retention/retention.controller';
import { SessionController } from './session.controller';

@Module({
  imports: [UsersModule, GroupsModule],
  controllers: [SessionController, AccountsController, AccountDirectoryController, EraseUserController, RetentionController],
  providers: [
    RunAccountCommandHandler,
    CreateDefaultGroupsHandler,
    CreateManualUserHandler,
    ChangeManualRoleHandler,
    CreatePlatformGroupHandler,
    MapGroupToRolesHandler,
    ChangePlatformGroupHandler,
    EraseUserHandler,
    AdminReadModel,
    AdminGuard,
  ],
})
export class AdminModule {}
