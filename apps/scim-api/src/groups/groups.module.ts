import { Module } from '@nestjs/common';
import { CreateGroupHandler, DeleteGroupHandler, PatchGroupHandler, ReplaceGroupHandler } from './group-commands';
import { GetGroupHandler, GroupMembersHandler, ListGroupsHandler } from './group-queries';
import { GroupWriteModel } from './group-write-model';
import { GroupsController } from './groups.controller';
import { DeletedUsersLeaveGroupsProcess } from './deleted-users-leave-groups.process';

@Module({
  controllers: [GroupsController],
  providers: [GroupWriteModel, CreateGroupHandler, ReplaceGroupHandler, PatchGroupHandler, DeleteGroupHandler, GetGroupHandler, GroupMembersHandler, ListGroupsHandler, DeletedUsersLeaveGroupsProcess],
  exports: [GroupWriteModel],
})
export class GroupsModule {}
