import { Module } from '@nestjs/common';
import { AdminGuard } from '../admin/admin.guard';
import { EventsKeyGuard } from '../events/events-key.guard';
import { EventsKeysController } from '../events/events-keys.controller';
import { EventsController } from '../events/events.controller';
import { PublicEventLog } from '../events/public-event-log';
import { DeliveryLog } from './delivery-log';
import { TokenExpiryWatch } from './token-expiry-watch';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhooksController } from './webhooks.controller';

/**
 * Telling the account's application what changed: the events API (its own read-only keys) and
 * webhooks (managed with the admin API's credentials, delivered by WebhookDispatcher).
 */
@Module({
  controllers: [EventsController, EventsKeysController, WebhooksController],
  providers: [PublicEventLog, EventsKeyGuard, DeliveryLog, WebhookDispatcher, TokenExpiryWatch, AdminGuard],
})
export class WebhooksModule {}
