import { Controller, Get, Logger, Param, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { RecordedEvent } from '@scim/event-store';
import { writeNdjson } from '@scim/event-store/ndjson';
import { type AuditEvent, filterHistory, readHistoryPage, toAuditEvent } from './audit-history';
import { AuditLog, historyFilterOf } from './audit-log';
import { AuditFilterQueryDto, AuditPageQueryDto, DEFAULT_PAGE_SIZE } from './audit-query.dto';
import { AuditGuard } from './audit.guard';

const AUDIT_EVENT_SCHEMA = {
  type: 'object',
  properties: {
    position: { type: 'number', description: 'global position (commit order)' },
    eventId: { type: 'string' },
    streamId: { type: 'string' },
    revision: { type: 'number' },
    type: { type: 'string', example: 'UserProvisioned' },
    schemaVersion: { type: 'number', nullable: true },
    data: { type: 'object', additionalProperties: true },
    recordedAt: { type: 'string', format: 'date-time' },
    occurredAt: { type: 'string', format: 'date-time', nullable: true },
    actor: { type: 'object', additionalProperties: true, description: 'scim-token, account-admin, operator or system' },
    correlationId: { type: 'string', nullable: true, description: 'X-Request-Id of the request that caused it' },
    causationId: { type: 'string', nullable: true },
    normalizations: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
};
const HISTORY_PAGE = {
  schema: {
    type: 'object',
    properties: {
      accountId: { type: 'string' },
      userId: { type: 'string' },
      groupId: { type: 'string' },
      events: { type: 'array', items: AUDIT_EVENT_SCHEMA },
      nextCursor: { type: 'number', nullable: true, description: 'pass as cursor to continue; null when the log held nothing more' },
    },
  },
};

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
  @ApiOkResponse(HISTORY_PAGE)
  async accountHistory(@Param('accountId') accountId: string, @Query() query: AuditPageQueryDto): Promise<AuditHistoryResponse> {
    return { accountId, ...(await this.page(query, (cursor) => this.audit.accountHistory(accountId, cursor))) };
  }

  @Get('users/:userId/events')
  @ApiOperation({ summary: "A user's events (its own stream), filtered by type and time, cursor-paged in commit order" })
  @ApiOkResponse(HISTORY_PAGE)
  async userHistory(
    @Param('accountId') accountId: string,
    @Param('userId') userId: string,
    @Query() query: AuditPageQueryDto,
  ): Promise<AuditHistoryResponse> {
    return { accountId, userId, ...(await this.page(query, (cursor) => this.audit.userHistory(accountId, userId, cursor))) };
  }

  @Get('groups/:groupId/events')
  @ApiOperation({ summary: "A group's events (lifecycle and membership deltas), filtered by type and time, cursor-paged in commit order" })
  @ApiOkResponse(HISTORY_PAGE)
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
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({ description: 'one audit event (as in the paged history) per line', schema: AUDIT_EVENT_SCHEMA })
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
