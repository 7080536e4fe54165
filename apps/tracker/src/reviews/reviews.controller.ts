import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentUser, type Principal } from '@app/auth';
import { ActivitiesService } from '../activities/activities.service';
import { BulkReviewResultsDto, ReviewQueueItemDto } from '../activities/dto/activity-view.dto';
import { BulkReviewDto, ReviewQueueQuery } from '../activities/dto/review.dto';
import { ApiPage } from '../common/api-docs';

/** The reviewer's side: what waits for review, and reviewing many at once. */
@ApiTags('reviews')
@Allow('activities:review')
@Controller('api/v1/reviews')
export class ReviewsController {
  constructor(private readonly activities: ActivitiesService) {}

  @Get('queue')
  @ApiPage(ReviewQueueItemDto, 'Submitted activities, oldest first, with their comment counts')
  queue(@CurrentUser() p: Principal, @Query() q: ReviewQueueQuery) {
    return this.activities.reviewQueue(p, q);
  }

  @Post('bulk')
  @HttpCode(200)
  @ApiOkResponse({ type: BulkReviewResultsDto })
  bulk(@CurrentUser() p: Principal, @Body() dto: BulkReviewDto) {
    return this.activities.bulkReview(p, dto);
  }
}
