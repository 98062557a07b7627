import { Injectable } from '@nestjs/common';

/**
 * When each SCIM token last authenticated a request, for the tokens list's "last used". Kept in
 * this process's memory, not in the event log: an event per IdP request would multiply the log
 * by the traffic for a value nobody audits. So it is per API process and starts empty after a
 * restart (the list then says "not since the service started"); the writes a token caused stay
 * in the history, with the token as their actor.
 */
@Injectable()
export class TokenUsage {
  private readonly lastUsed = new Map<string, number>();

  record(tokenId: string, at: number = Date.now()): void {
    this.lastUsed.set(tokenId, at);
  }

  lastUsedAt(tokenId: string): string | null {
    const at = this.lastUsed.get(tokenId);
    return at === undefined ? null : new Date(at).toISOString();
  }
}
