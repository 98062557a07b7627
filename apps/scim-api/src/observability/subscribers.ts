import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { EventStore } from '@scim/event-store';
import type { ProjectionRunner, ProjectionState } from '@scim/read-models';
import { ProcessManager } from '@scim/provisioning';
import { Metrics, type SubscriberReport, type SubscriberSource, type SubscriberState } from './metrics';

const STATE_OF: Readonly<Record<ProjectionState, SubscriberState>> = { running: 'running', stopped: 'stopped', failed: 'failing' };

/**
 * What this process runs off the event log: the projections (when they run in-process) and the
 * process managers, with their state and position. Readiness and the metrics read it.
 */
@Injectable()
export class Subscribers implements SubscriberSource, OnApplicationBootstrap {
  private runner?: ProjectionRunner;
  private managers: readonly ProcessManager[] = [];

  constructor(
    private readonly eventStore: EventStore,
    private readonly discovery: DiscoveryService,
    metrics: Metrics,
  ) {
    metrics.reportSubscribersFrom(this);
  }

  /** The persistence layer hands over its runner; an API whose projections run in apps/projector has none. */
  watchProjections(runner: ProjectionRunner): void {
    this.runner = runner;
  }

  onApplicationBootstrap(): void {
    this.managers = this.discovery
      .getProviders()
      .map((wrapper) => wrapper.instance as unknown)
      .filter((instance): instance is ProcessManager => instance instanceof ProcessManager);
  }

  headPosition(): Promise<number> {
    return this.eventStore.headPosition();
  }

  projections(): readonly SubscriberReport[] {
    return (this.runner?.status() ?? []).map(({ projection, state, readThrough }) => ({ name: projection, state: STATE_OF[state], position: readThrough }));
  }

  processManagers(): readonly SubscriberReport[] {
    return this.managers.map((manager) => manager.report());
  }
}
