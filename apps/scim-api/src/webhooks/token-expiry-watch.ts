import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { ReadStore } from '@scim/read-models';
import { Collections, type AccountView } from '@scim/read-models/projections';
import { RunAccountCommand } from '../admin/account-command';

/** How long before its expiry a SCIM token is announced (scim.token_expiring): time to renew it in the IdP. */
export const TOKEN_EXPIRY_NOTICE_DAYS = 14;
const CHECK_EVERY_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Looks once an hour for SCIM tokens about to expire and records each one's ScimTokenExpiring once
 * (the account decider refuses to notice a token twice, so several replicas doing this agree).
 */
@Injectable()
export class TokenExpiryWatch implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('TokenExpiryWatch');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly readStore: ReadStore,
    private readonly commandBus: CommandBus,
  ) {}

  onApplicationBootstrap(): void {
    const run = () => void this.check().catch((error) => this.logger.error(`Token expiry check failed: ${String(error)}`));
    this.timer = setInterval(run, CHECK_EVERY_MS);
    this.timer.unref();
    run();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Notices the tokens that expire within the notice period and were not noticed yet. */
  async check(now = new Date()): Promise<void> {
    const horizon = now.getTime() + TOKEN_EXPIRY_NOTICE_DAYS * DAY_MS;
    const accounts = await this.readStore.find<AccountView>(Collections.accounts, {}, { fields: ['tokens'] });
    for (const account of accounts) {
      const due = account.tokens.some((t) => !t.revokedAt && !t.expiringNoticedAt && Date.parse(t.expiresAt) <= horizon && Date.parse(t.expiresAt) > now.getTime());
      if (!due) continue;
      const at = now.toISOString();
      const context = { accountId: account._id, actor: { kind: 'system', process: 'token-expiry-watch' } as const, requestId: `token-expiry:${randomUUID()}`, at };
      await this.commandBus.execute(new RunAccountCommand(context, { type: 'NoticeExpiringTokens', withinDays: TOKEN_EXPIRY_NOTICE_DAYS, at }));
    }
  }
}
