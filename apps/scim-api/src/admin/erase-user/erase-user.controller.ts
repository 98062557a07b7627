import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminContext, type AdminCommandContext } from '../../shared/request-context';
import { AdminGuard } from '../admin.guard';
import { EraseUserCommand } from './erase-user.command';
import { EraseUserDto, ErasedUserDto } from './erase-user.dto';

@ApiTags('users and groups')
@ApiBearerAuth()
@Controller('admin/accounts/:accountId/users/:userId/erase')
@UseGuards(AdminGuard)
export class EraseUserController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Erase a person (GDPR Art. 17): deprovisions a live user, destroys its data key; its history keeps ids, roles and times with [erased] instead of personal values. Asking again answers the same.',
  })
  @ApiOkResponse({ type: ErasedUserDto })
  erase(@AdminContext() context: AdminCommandContext, @Param('accountId') accountId: string, @Param('userId') userId: string, @Body() body: EraseUserDto) {
    return this.commandBus.execute(new EraseUserCommand({ ...context, accountId }, userId, body.reason));
  }
}
