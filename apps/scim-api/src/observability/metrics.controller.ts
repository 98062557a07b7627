import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { AdminGuard, OperatorOnly } from '../admin/admin.guard';
import { Metrics } from './metrics';

/**
 * Prometheus text exposition (docs/OPERATIONS.md lists the metrics). They name the routes and
 * volumes of every account: the operator key only (or the credential-free METRICS_PORT).
 */
@Controller('metrics')
@UseGuards(AdminGuard)
@OperatorOnly()
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get()
  async scrape(@Res() response: Response): Promise<void> {
    const body = await this.metrics.exposition();
    response.status(200).setHeader('Cache-Control', 'no-store').setHeader('Content-Type', this.metrics.contentType).send(body);
  }
}
