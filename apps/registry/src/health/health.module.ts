import { Module } from '@nestjs/common';
import { HomeController } from '../home/home.controller.js';
import { HealthController } from './health.controller.js';

/** The registry's routes outside /api/v1 and without auth: the probes and the page at `/`. */
@Module({ controllers: [HealthController, HomeController] })
export class HealthModule {}
