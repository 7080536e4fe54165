import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow, CurrentUser, type Principal } from '@app/auth';
import { ActivitiesService } from '../activities/activities.service';
import { BulkReviewDto, ReviewQueueQuery } from '../activities/dto/review.dto';

/** The reviewer's side: what waits for review, and reviewing many at once. */
@ApiTags('reviews')
@Allow('activities:review')
@Controller('api/v1/reviews')
export class ReviewsController {
  constructor(private readonly activities: ActivitiesService) {}

  @Get('queue')
  queue(@CurrentUser() p: Principal, @Query() q: ReviewQueueQuery) {
    return this.activities.reviewQueue(p, q);
  }

  @Post('bulk')
  @HttpCode(200)
  bulk(@CurrentUser() p: Principal, @Body() dto: BulkReviewDto) {
    return this.activities.bulkReview(p, dto);
  }
}
