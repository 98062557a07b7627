import { Module } from '@nestjs/common';
import { GroupsModule } from '../groups/groups.module';
import { UsersModule } from '../users/users.module';
import { RolesViaGroupsProcess } from './roles-via-groups.process';

@Module({
  imports: [UsersModule, GroupsModule],
  providers: [RolesViaGroupsProcess],
  exports: [RolesViaGroupsProcess],
})
export class RolesModule {}
