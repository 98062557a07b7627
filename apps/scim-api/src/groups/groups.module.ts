import { Module } from '@nestjs/common';
import { CreateGroupController } from './create-group/create-group.controller';
import { CreateGroupHandler } from './create-group/create-group.handler';
import { DeleteGroupController } from './delete-group/delete-group.controller';
import { DeleteGroupHandler } from './delete-group/delete-group.handler';
import { GetGroupController } from './get-group/get-group.controller';
import { GetGroupHandler } from './get-group/get-group.handler';
import { GroupMembersHandler } from './group-members/group-members.query';
import { ListGroupsController } from './list-groups/list-groups.controller';
import { ListGroupsHandler } from './list-groups/list-groups.handler';
import { PatchGroupController } from './patch-group/patch-group.controller';
import { PatchGroupHandler } from './patch-group/patch-group.handler';
import { ReplaceGroupController } from './replace-group/replace-group.controller';
import { ReplaceGroupHandler } from './replace-group/replace-group.handler';
import { WrittenGroupResponse } from './written-group-response';

@Module({
  // The list controller comes first so that POST /Groups/.search is not taken for anything else.
  controllers: [
    ListGroupsController,
    CreateGroupController,
    GetGroupController,
    ReplaceGroupController,
    PatchGroupController,
    DeleteGroupController,
  ],
  providers: [
    CreateGroupHandler,
    GetGroupHandler,
    ListGroupsHandler,
    GroupMembersHandler,
    ReplaceGroupHandler,
    PatchGroupHandler,
    DeleteGroupHandler,
    WrittenGroupResponse,
  ],
})
export class GroupsModule {}
