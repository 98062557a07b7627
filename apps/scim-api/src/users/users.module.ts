import { Module } from '@nestjs/common';
import { CreateUserController } from './create-user/create-user.controller';
import { CreateUserHandler } from './create-user/create-user.handler';
import { DeleteUserController } from './delete-user/delete-user.controller';
import { DeleteUserHandler } from './delete-user/delete-user.handler';
import { GetUserController } from './get-user/get-user.controller';
import { GetUserHandler } from './get-user/get-user.handler';
import { ListUsersController } from './list-users/list-users.controller';
import { ListUsersHandler } from './list-users/list-users.handler';
import { PatchUserController } from './patch-user/patch-user.controller';
import { PatchUserHandler } from './patch-user/patch-user.handler';
import { ReplaceUserController } from './replace-user/replace-user.controller';
import { ReplaceUserHandler } from './replace-user/replace-user.handler';
import { UserGroupsHandler } from './user-groups/user-groups.query';
import { WrittenUserResponse } from './written-user-response';

@Module({
  // The list controller comes first so that POST /Users/.search is not taken for anything else.
  controllers: [
    ListUsersController,
    CreateUserController,
    GetUserController,
    ReplaceUserController,
    PatchUserController,
    DeleteUserController,
  ],
  providers: [
    CreateUserHandler,
    GetUserHandler,
    ListUsersHandler,
    UserGroupsHandler,
    ReplaceUserHandler,
    PatchUserHandler,
    DeleteUserHandler,
    WrittenUserResponse,
  ],
})
export class UsersModule {}
