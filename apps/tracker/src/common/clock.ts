import { Global, Module } from '@nestjs/common';
import { type IsoDate, assertIsoDate, todayIn } from '@app/compliance';

/**
 * Today's calendar date in Asia/Shanghai, where activity dates and pace live (SPEC §3). Injected rather
 * than read from the system so tests can pin "today".
 */
export abstract class Clock {
  abstract today(): IsoDate;
}

export class SystemClock extends Clock {
  today(): IsoDate {
    return todayIn();
  }
}

/** A clock standing still on one date; tests may move it by assigning `date`. */
export class FixedClock extends Clock {
  constructor(public date: IsoDate) {
    super();
    assertIsoDate(date, 'FixedClock date');
  }

  today(): IsoDate {
    return this.date;
  }
}

@Global()
@Module({ providers: [{ provide: Clock, useValue: new SystemClock() }], exports: [Clock] })
export class ClockModule {}
