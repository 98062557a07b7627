import { Body, Controller, Delete, Get, Header, HttpCode, Inject, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { DomainError, type AccountCommand, type AccountState, type WebhookEndpointState } from '@scim/domain';
import { publicEventTypes, PUBLIC_EVENT_VERSION, type TestEvent } from '@scim/public-events';
import { badRequest } from '@scim/scim-protocol';
import { RunAccountCommand } from '../admin/account-command';
import { AdminGuard } from '../admin/admin.guard';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { PublicEventLog } from '../events/public-event-log';
import { AdminContext, type AdminCommandContext } from '../shared/request-context';
import { DeliveryLog, type DeliveryAttempt } from './delivery-log';
import { resolveTarget } from './target-address';
import { WebhookDispatcher } from './webhook-dispatcher';
import { ChangeWebhookDto, DeliveriesQueryDto, RegisterWebhookDto } from './webhooks.dto';
import { DeliveryAttemptDto, RegisteredWebhookDto, RotatedWebhookSecretDto, WebhookEndpointDto } from './webhooks-responses.dto';

/** An endpoint as the admin API shows it: never its secret (that is shown once, on registration and rotation). */
const endpointView = ({ endpointId, url, eventTypes, description, enabled, disabledReason, createdAt, updatedAt }: WebhookEndpointState) => ({
  id: endpointId,
  url,
  events: eventTypes,
  description,
  enabled,
  ...(disabledReason ? { disabledReason } : {}),
  createdAt,
  updatedAt,
});

const attemptView = ({ _id, eventId, eventType, cursor, trigger, attemptedAt, ok, status, latencyMs, error, responseBody }: DeliveryAttempt) => ({
  id: _id,
  eventId,
  eventType,
  cursor,
  trigger,
  attemptedAt,
  ok,
  status,
  latencyMs,
  ...(error ? { error } : {}),
  ...(responseBody ? { responseBody } : {}),
});

/** An account's webhook endpoints: registration, settings, secret rotation, delivery log, redelivery and test events. */
@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('admin/accounts/:accountId/webhooks')
@UseGuards(AdminGuard)
export class WebhooksController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly dispatcher: WebhookDispatcher,
    private readonly deliveries: DeliveryLog,
    private readonly events: PublicEventLog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The secret is in this response only. */
  @Post()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Register a webhook endpoint; answers its id and signing secret (whsec_…, shown once)' })
  @ApiCreatedResponse({ type: RegisteredWebhookDto })
  async register(@AdminContext() context: AdminCommandContext, @Param('accountId') accountId: string, @Body() body: RegisterWebhookDto) {
    await this.assertReachable(body.url);
    const endpointId = randomUUID();
    const settings = { url: body.url, eventTypes: body.events ?? null, description: body.description ?? '' };
    const state = await this.run(context, accountId, { type: 'RegisterWebhook', endpointId, settings, knownEventTypes: publicEventTypes, at: context.at });
    const endpoint = this.endpointIn(state, endpointId);
    await this.dispatcher.refresh(accountId);
    return { ...endpointView(endpoint), secret: this.dispatcher.secretOf(endpoint) };
  }

  @Get()
  @ApiOperation({ summary: "The account's webhook endpoints" })
  @ApiOkResponse({ type: [WebhookEndpointDto] })
  async list(@Param('accountId') accountId: string) {
    return (await this.accountState(accountId)).webhooks.map(endpointView);
  }

  @Get(':endpointId')
  @ApiOperation({ summary: 'One webhook endpoint (never its secret)' })
  @ApiOkResponse({ type: WebhookEndpointDto })
  async get(@Param('accountId') accountId: string, @Param('endpointId') endpointId: string) {
    return endpointView(this.endpointIn(await this.accountState(accountId), endpointId));
  }

  @Patch(':endpointId')
  @ApiOperation({ summary: 'Change the URL, event types, description, or enable/disable deliveries' })
  @ApiOkResponse({ type: WebhookEndpointDto })
  async change(@AdminContext() context: AdminCommandContext, @Param('accountId') accountId: string, @Param('endpointId') endpointId: string, @Body() body: ChangeWebhookDto) {
    if (body.url !== undefined) await this.assertReachable(body.url);
    const settings = {
      ...(body.url !== undefined ? { url: body.url } : {}),
      ...(body.events !== undefined ? { eventTypes: body.events } : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
    };
    const command: AccountCommand = { type: 'ChangeWebhook', endpointId, settings, ...(body.enabled !== undefined ? { enabled: body.enabled } : {}), knownEventTypes: publicEventTypes, at: context.at };
    const state = await this.run(context, accountId, command);
    await this.dispatcher.refresh(accountId);
    return endpointView(this.endpointIn(state, endpointId));
  }

  @Delete(':endpointId')
  @HttpCode(204)
  async remove(@AdminContext() context: AdminCommandContext, @Param('accountId') accountId: string, @Param('endpointId') endpointId: string) {
    await this.run(context, accountId, { type: 'DeleteWebhook', endpointId, at: context.at });
    await this.dispatcher.refresh(accountId);
    await this.deliveries.forget(endpointId);
  }

  /** Takes effect at once: the next attempt is signed with the new secret only. */
  @Post(':endpointId/rotate-secret')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Replace the signing secret; answers the new one (shown once)' })
  @ApiOkResponse({ type: RotatedWebhookSecretDto })
  async rotate(@AdminContext() context: AdminCommandContext, @Param('accountId') accountId: string, @Param('endpointId') endpointId: string) {
    const state = await this.run(context, accountId, { type: 'RotateWebhookSecret', endpointId, at: context.at });
    const endpoint = this.endpointIn(state, endpointId);
    return { id: endpointId, secret: this.dispatcher.secretOf(endpoint) };
  }

  @Get(':endpointId/deliveries')
  @ApiOperation({ summary: 'Delivery attempts, newest first: time, status, latency, error, the start of the response body' })
  @ApiOkResponse({ type: [DeliveryAttemptDto] })
  async deliveryLog(@Param('accountId') accountId: string, @Param('endpointId') endpointId: string, @Query() query: DeliveriesQueryDto) {
    this.endpointIn(await this.accountState(accountId), endpointId);
    return (await this.deliveries.list(endpointId, query.limit ?? 50, query.before)).map(attemptView);
  }

  @Post(':endpointId/deliveries/:attemptId/redeliver')
  @HttpCode(200)
  @ApiOperation({ summary: "Sends an attempt's event again now, with the same webhook-id; answers the new attempt" })
  @ApiOkResponse({ type: DeliveryAttemptDto })
  async redeliver(@Param('accountId') accountId: string, @Param('endpointId') endpointId: string, @Param('attemptId') attemptId: string) {
    const endpoint = this.endpointIn(await this.accountState(accountId), endpointId);
    const attempt = await this.deliveries.get(endpointId, attemptId);
    if (!attempt || attempt.cursor === null) throw new DomainError('webhook_not_found', 'No redeliverable attempt with this id for this endpoint');
    const event = await this.events.at(accountId, Number(attempt.cursor));
    if (!event) throw new DomainError('webhook_not_found', 'The event of this attempt is no longer in the log');
    return attemptView(await this.dispatcher.sendNow(accountId, endpoint, event, 'manual-redelivery'));
  }

  @Post(':endpointId/test')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sends a webhook.test event now, signed like every delivery; answers the attempt' })
  @ApiOkResponse({ type: DeliveryAttemptDto })
  async test(@AdminContext() context: AdminCommandContext, @Param('accountId') accountId: string, @Param('endpointId') endpointId: string) {
    const endpoint = this.endpointIn(await this.accountState(accountId), endpointId);
    const event: TestEvent = {
      id: `evt_test_${randomUUID()}`,
      type: 'webhook.test',
      version: PUBLIC_EVENT_VERSION,
      accountId,
      occurredAt: context.at,
      requestId: context.requestId,
      cursor: '0',
      data: { endpointId },
    };
    return attemptView(await this.dispatcher.sendNow(accountId, endpoint, event, 'test'));
  }

  /** Refused before anything is recorded: a URL whose host resolves to a private address (SSRF), or to nothing. */
  private async assertReachable(url: string): Promise<void> {
    let parsed: URL;
    try {
      parsed = new URL(url.trim());
    } catch {
      throw badRequest('invalidValue', `Not an absolute URL: "${url.slice(0, 100)}"`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw badRequest('invalidValue', 'A webhook URL must be http or https');
    try {
      await resolveTarget(parsed, this.config.webhooks.allowPrivateTargets);
    } catch (error) {
      throw badRequest('invalidValue', `Webhook URL refused: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private endpointIn(state: AccountState, endpointId: string): WebhookEndpointState {
    const endpoint = state.status === 'open' ? state.webhooks.find((w) => w.endpointId === endpointId) : undefined;
    if (!endpoint) throw new DomainError('webhook_not_found', 'Webhook endpoint not found');
    return endpoint;
  }

  /** The account from its stream, not the read model: a registration is listed at once. */
  private async accountState(accountId: string): Promise<Extract<AccountState, { status: 'open' }>> {
    const state = await this.dispatcher.accountState(accountId);
    if (state.status !== 'open') throw new DomainError('account_not_found', 'Account not found');
    return state;
  }

  private run(context: AdminCommandContext, accountId: string, command: AccountCommand): Promise<AccountState> {
    return this.commandBus.execute(new RunAccountCommand({ ...context, accountId }, command));
  }
}
