import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CreatedGroupDto, GroupDto, GroupPageDto, MemberPageDto, RoleMappingResultDto, UserDetailDto, UserPageDto } from './admin-responses.dto';
import { AdminContext, type AdminCommandContext } from '../shared/request-context';
import { AdminListQueryDto, AssignRoleDto, CreateManualUserDto, CreatePlatformGroupDto, GroupListQueryDto, MembersDto, PageQueryDto, RoleMappingDto } from './admin.dto';
import { ChangeManualRoleCommand, ChangePlatformGroupCommand, CreateManualUserCommand, CreatePlatformGroupCommand, MapGroupToRolesCommand } from './admin-commands';
import { AdminGuard } from './admin.guard';
import { AdminReadModel } from './admin-read-model';

/** An account's users (manual and SCIM), groups (Platform and SCIM) and roles. */
@ApiTags('users and groups')
@ApiBearerAuth()
@Controller('admin/accounts/:accountId')
@UseGuards(AdminGuard)
export class AccountDirectoryController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly reads: AdminReadModel,
  ) {}

  @Get('users')
  @ApiOperation({ summary: 'All users of the account, manual and SCIM, with source and status' })
  @ApiOkResponse({ type: UserPageDto })
  users(@Param('accountId') accountId: string, @Query() params: AdminListQueryDto) {
    return this.reads.users(accountId, params);
  }

  @Post('users')
  @ApiOperation({ summary: 'Create a manual user (converted to SCIM if the IdP later creates the same userName)' })
  @ApiCreatedResponse({ type: UserDetailDto })
  async createUser(@AdminContext() context: AdminCommandContext, @Param('accountId') accountId: string, @Body() body: CreateManualUserDto) {
    const written = await this.commandBus.execute(new CreateManualUserCommand({ ...context, accountId }, body));
    return this.reads.user(accountId, written.user.userId);
  }

  @Get('users/:userId')
  @ApiOperation({ summary: 'A user with every role and where it comes from (manual, pre-existing at conversion, via group)' })
  @ApiOkResponse({ type: UserDetailDto })
  user(@Param('accountId') accountId: string, @Param('userId') userId: string) {
    return this.reads.user(accountId, userId);
  }

  @Post('users/:userId/roles')
  @ApiOperation({ summary: 'Assign a catalogue role manually' })
  @ApiCreatedResponse({ type: UserDetailDto })
  async assignRole(@AdminContext() context: AdminCommandContext, @Param('accountId') accountId: string, @Param('userId') userId: string, @Body() body: AssignRoleDto) {
    await this.commandBus.execute(new ChangeManualRoleCommand({ ...context, accountId }, userId, body.role, 'assign'));
    return this.reads.user(accountId, userId);
  }

  @Delete('users/:userId/roles/:role')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a manual role; a role granted through a group is refused, naming the group' })
  @ApiNoContentResponse({ description: 'removed; 409 naming the group(s) when the role comes from a group' })
  async removeRole(@AdminContext() context: AdminCommandContext, @Param('accountId') accountId: string, @Param('userId') userId: string, @Param('role') role: string) {
    await this.commandBus.execute(new ChangeManualRoleCommand({ ...context, accountId }, userId, role, 'remove'));
  }

  @Get('groups')
  @ApiOperation({ summary: 'Groups with their source (Platform or SCIM), role mapping and member count; search is a prefix of the name' })
  @ApiOkResponse({ type: GroupPageDto })
  groups(@Param('accountId') accountId: string, @Query() params: GroupListQueryDto) {
    return this.reads.groups(accountId, params);
  }

  @Get('groups/:groupId')
  @ApiOperation({ summary: 'A group with its source, role mapping and member count' })
  @ApiOkResponse({ type: GroupDto })
  group(@Param('accountId') accountId: string, @Param('groupId') groupId: string) {
    return this.reads.group(accountId, groupId);
  }

  @Get('groups/:groupId/members')
  @ApiOperation({ summary: "A page of the group's members with their user names" })
  @ApiOkResponse({ type: MemberPageDto })
  members(@Param('accountId') accountId: string, @Param('groupId') groupId: string, @Query() params: PageQueryDto) {
    return this.reads.members(accountId, groupId, params);
  }

  @Post('groups')
  @ApiOperation({ summary: 'Create a built-in Platform group' })
  @ApiCreatedResponse({ type: CreatedGroupDto })
  async createGroup(@AdminContext() context: AdminCommandContext, @Param('accountId') accountId: string, @Body() body: CreatePlatformGroupDto) {
    const written = await this.commandBus.execute(new CreatePlatformGroupCommand({ ...context, accountId }, body.displayName));
    return { id: written.group.groupId, displayName: written.group.displayName, source: written.group.source };
  }

  @Put('groups/:groupId/roles')
  @ApiOperation({ summary: "Set the group's role mapping (SCIM or Platform group); members gain and lose roles accordingly" })
  @ApiOkResponse({ type: RoleMappingResultDto })
  async mapRoles(@AdminContext() context: AdminCommandContext, @Param('accountId') accountId: string, @Param('groupId') groupId: string, @Body() body: RoleMappingDto) {
    const written = await this.commandBus.execute(new MapGroupToRolesCommand({ ...context, accountId }, groupId, body.roles));
    return { id: groupId, roles: written.group.roles };
  }

  @Post('groups/:groupId/members')
  @HttpCode(204)
  @ApiOperation({ summary: 'Add members to a Platform group' })
  @ApiNoContentResponse({ description: 'added' })
  async addMembers(@AdminContext() context: AdminCommandContext, @Param('accountId') accountId: string, @Param('groupId') groupId: string, @Body() body: MembersDto) {
    await this.commandBus.execute(new ChangePlatformGroupCommand({ ...context, accountId }, groupId, { add: body.members, remove: [] }));
  }

  @Delete('groups/:groupId/members/:userId')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'removed' })
  async removeMember(@AdminContext() context: AdminCommandContext, @Param('accountId') accountId: string, @Param('groupId') groupId: string, @Param('userId') userId: string) {
    await this.commandBus.execute(new ChangePlatformGroupCommand({ ...context, accountId }, groupId, { add: [], remove: [userId] }));
  }

  @Delete('groups/:groupId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a Platform group (SCIM groups are deleted by the IdP)' })
  @ApiNoContentResponse({ description: 'deleted' })
  async deleteGroup(@AdminContext() context: AdminCommandContext, @Param('accountId') accountId: string, @Param('groupId') groupId: string) {
    await this.commandBus.execute(new ChangePlatformGroupCommand({ ...context, accountId }, groupId, 'delete'));
  }
}
