import { Module } from '@nestjs/common';
import { ActivitiesModule } from '../activities/activities.module';
import { ReviewsController } from './reviews.controller';

@Module({ imports: [ActivitiesModule], controllers: [ReviewsController] })
export class ReviewsModule {}
