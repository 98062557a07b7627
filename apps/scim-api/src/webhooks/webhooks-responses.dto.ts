import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Response schemas of the webhooks and events API routes, for the OpenAPI document (/admin/docs-json). */

export class WebhookEndpointDto {
  @ApiProperty() id!: string;
  @ApiProperty({ format: 'uri' }) url!: string;
  @ApiProperty({ type: [String], nullable: true, description: 'event types delivered; null: all' }) events!: string[] | null;
  @ApiProperty() description!: string;
  @ApiProperty() enabled!: boolean;
  @ApiPropertyOptional({ description: 'why deliveries stopped (e.g. the retry window ended)' }) disabledReason?: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class RegisteredWebhookDto extends WebhookEndpointDto {
  @ApiProperty({ example: 'whsec_…', description: 'the signing secret, shown in this response only' }) secret!: string;
}

export class RotatedWebhookSecretDto {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'whsec_…', description: 'the new signing secret, shown in this response only' }) secret!: string;
}

export class DeliveryAttemptDto {
  @ApiProperty() id!: string;
  @ApiProperty() eventId!: string;
  @ApiProperty() eventType!: string;
  @ApiProperty({ nullable: true, description: 'the event\'s position in the log; null for a test event' }) cursor!: string | null;
  @ApiProperty({ enum: ['automatic', 'manual-redelivery', 'test'] }) trigger!: string;
  @ApiProperty({ format: 'date-time' }) attemptedAt!: string;
  @ApiProperty() ok!: boolean;
  @ApiProperty({ nullable: true, description: 'the endpoint\'s HTTP status; null when it did not answer' }) status!: number | null;
  @ApiProperty() latencyMs!: number;
  @ApiPropertyOptional() error?: string;
  @ApiPropertyOptional({ description: 'the first 1 KB of the answer' }) responseBody?: string;
}

export class EventsKeyDto {
  @ApiProperty() keyId!: string;
  @ApiProperty() label!: string;
  @ApiProperty({ format: 'date-time' }) issuedAt!: string;
  @ApiPropertyOptional({ format: 'date-time' }) revokedAt?: string;
  @ApiProperty({ enum: ['active', 'revoked'] }) status!: string;
}

export class IssuedEventsKeyDto {
  @ApiProperty() keyId!: string;
  @ApiProperty({ example: 'events.<id>.<secret>', description: 'shown in this response only' }) key!: string;
  @ApiProperty() label!: string;
}

export class PublicEventDto {
  @ApiProperty({ example: 'evt_…', description: 'stable across redeliveries (the webhook-id)' }) id!: string;
  @ApiProperty({ example: 'user.created' }) type!: string;
  @ApiProperty() version!: number;
  @ApiProperty() accountId!: string;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ nullable: true }) requestId!: string | null;
  @ApiProperty() cursor!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'per type: docs/events/<type>.schema.json' }) data!: Record<string, unknown>;
}

export class EventsPageDto {
  @ApiProperty() accountId!: string;
  @ApiProperty({ type: [PublicEventDto] }) events!: PublicEventDto[];
  @ApiProperty({ description: 'pass as `after` for the next page, also when this one was empty' }) nextCursor!: string;
  @ApiProperty({ description: 'false: caught up' }) hasMore!: boolean;
}
