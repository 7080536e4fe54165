import { Module } from '@nestjs/common';
import { RemindersModule } from '../reminders/reminders.module';
import { CalendarFeedController, MyCalendarController } from './calendar.controller';
import { CalendarService } from './calendar.service';

/** Private iCalendar feeds of period ends and reminder dates. */
@Module({
  imports: [RemindersModule],
  controllers: [MyCalendarController, CalendarFeedController],
  providers: [CalendarService],
  exports: [CalendarService],
})
export class CalendarModule {}
