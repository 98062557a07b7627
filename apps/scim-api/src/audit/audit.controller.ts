import { Controller, Get, Logger, Param, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { RecordedEvent } from '@scim/event-store';
import { writeNdjson } from '@scim/event-store/ndjson';
import { type AuditEvent, filterHistory, readHistoryPage, toAuditEvent } from './audit-history';
import { AuditLog, historyFilterOf } from './audit-log';
import { AuditFilterQueryDto, AuditPageQueryDto, DEFAULT_PAGE_SIZE } from './audit-query.dto';
import { AuditGuard } from './audit.guard';

/** Events looked at per page at most, so a rare type over a long history answers quickly (with a cursor). */
const SCAN_LIMIT = 20_000;

interface AuditHistoryResponse {
  readonly accountId: string;
  readonly userId?: string;
  readonly groupId?: string;
  readonly events: readonly AuditEvent[];
  /** Pass as `cursor` to continue; null when the log held nothing more. */
  readonly nextCursor: number | null;
}

/** Read-only event history for auditors, in commit order, cursor-paged by global position. */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit/accounts/:accountId')
@UseGuards(AuditGuard)
export class AuditController {
  private readonly logger = new Logger('Audit');

  constructor(private readonly audit: AuditLog) {}

  @Get('events')
  @ApiOperation({ summary: "The account's events, filtered by type and time, cursor-paged in commit order" })
  async accountHistory(@Param('accountId') accountId: string, @Query() query: AuditPageQueryDto): Promise<AuditHistoryResponse> {
    return { accountId, ...(await this.page(query, (cursor) => this.audit.accountHistory(accountId, cursor))) };
  }

  @Get('users/:userId/events')
  @ApiOperation({ summary: "A user's events (its own stream), filtered by type and time, cursor-paged in commit order" })
  async userHistory(
    @Param('accountId') accountId: string,
    @Param('userId') userId: string,
    @Query() query: AuditPageQueryDto,
  ): Promise<AuditHistoryResponse> {
    return { accountId, userId, ...(await this.page(query, (cursor) => this.audit.userHistory(accountId, userId, cursor))) };
  }

  @Get('groups/:groupId/events')
  @ApiOperation({ summary: "A group's events (lifecycle and membership deltas), filtered by type and time, cursor-paged in commit order" })
  async groupHistory(
    @Param('accountId') accountId: string,
    @Param('groupId') groupId: string,
    @Query() query: AuditPageQueryDto,
  ): Promise<AuditHistoryResponse> {
    return { accountId, groupId, ...(await this.page(query, (cursor) => this.audit.groupHistory(accountId, groupId, cursor))) };
  }

  /** One page of a history: the query is validated before the history is read (400 before 404). */
  private async page(query: AuditPageQueryDto, read: (cursor: number) => Promise<AsyncIterable<readonly RecordedEvent[]>>) {
    const filter = historyFilterOf(query);
    const page = await readHistoryPage(await read(query.cursor ?? 0), filter, query.limit ?? DEFAULT_PAGE_SIZE, SCAN_LIMIT);
    return { events: page.events.map(toAuditEvent), nextCursor: page.nextCursor };
  }

  /** The whole (filtered) history as NDJSON, streamed: the log is read as fast as the client takes it. */
  @Get('events.ndjson')
  @ApiOperation({ summary: "The account's events as NDJSON (one event per line), streamed" })
  async exportAccount(
    @Param('accountId') accountId: string,
    @Query() query: AuditFilterQueryDto,
    @Res() response: Response,
  ): Promise<void> {
    // Everything that can be refused is checked before the first byte, so errors keep their status.
    const filter = historyFilterOf(query);
    const source = await this.audit.accountHistory(accountId, query.cursor ?? 0);
    response.status(200);
    response.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
    response.setHeader('Content-Disposition', `attachment; filename="account-${encodeURIComponent(accountId)}-events.ndjson"`);
    try {
      if (await writeNdjson(response, filterHistory(source, filter), toAuditEvent)) response.end();
    } catch (error) {
      // Half-sent: the status cannot change any more. Cutting the connection tells the client the
      // export is incomplete, which a clean end would hide.
      this.logger.error(`Export of account ${accountId} failed midway: ${error instanceof Error ? error.stack : String(error)}`);
      response.destroy();
    }
  }
}
