import { Module } from '@nestjs/common';
import { ConsoleController } from './console.controller';

/** The account console's page and assets at /console (its API is the admin and support APIs). */
@Module({ controllers: [ConsoleController] })
export class ConsoleModule {}
