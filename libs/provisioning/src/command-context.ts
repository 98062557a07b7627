import type { Actor } from '@scim/domain';

/** What every command carries about the request (or the event) that caused it, for event metadata. */
export interface CommandContext {
  readonly accountId: string;
  readonly actor: Actor;
  /** The request id: correlation id of every event the request causes. */
  readonly requestId: string;
  /** Time enters the domain with the command (shared/STYLE.md habit 4). */
  readonly at: string;
  /** The event that caused this command, when a process reacts to one; else the request. */
  readonly causationId?: string;
}

/** Where the write side reports what an operator should see (Nest's Logger fits). */
export interface ProvisioningLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}
