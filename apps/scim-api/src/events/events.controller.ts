import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { PublicEvent } from '@scim/public-events';
import { EventsKeyGuard } from './events-key.guard';
import { DEFAULT_EVENTS_PAGE, EventsQueryDto } from './events-query.dto';
import { PublicEventLog } from './public-event-log';

/** Recorded events looked at per page at most: a rare type over a long history still answers (with a cursor). */
const SCAN_LIMIT = 20_000;

interface EventsPage {
  readonly accountId: string;
  readonly events: readonly PublicEvent[];
  /** Pass as `after` for the next page, also when the page was empty (polling). */
  readonly nextCursor: string;
  /** True when the log held more after nextCursor; false means caught up. */
  readonly hasMore: boolean;
}

/** What changed in an account, in the public vocabulary, for the account's own application. */
@ApiTags('events')
@ApiBearerAuth()
@Controller('api/v1/accounts/:accountId/events')
@UseGuards(EventsKeyGuard)
export class EventsController {
  constructor(private readonly log: PublicEventLog) {}

  @Get()
  @ApiOperation({ summary: "The account's public events in log order, after a cursor (the whole history)" })
  async list(@Param('accountId') accountId: string, @Query() query: EventsQueryDto): Promise<EventsPage> {
    const after = Number(query.after ?? 0);
    const read = await this.log.read(accountId, after, {
      limit: query.limit ?? DEFAULT_EVENTS_PAGE,
      scanLimit: SCAN_LIMIT,
      ...(query.types ? { types: new Set(query.types) } : {}),
    });
    return { accountId, events: read.events, nextCursor: String(read.nextCursor), hasMore: read.hasMore };
  }
}
