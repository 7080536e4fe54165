import { Global, Module } from '@nestjs/common';
import { type IsoDate, assertIsoDate, todayIn } from '@app/compliance';

/**
 * Today's calendar date in Asia/Shanghai, where activity dates and pace live (SPEC §3). Injected rather
 * than read from the system so tests can pin "today".
 */
export abstract class Clock {
  abstract today(): IsoDate;

  /** The current instant (sign-in throttle windows). */
  now(): Date {
    return new Date();
  }
}

export class SystemClock extends Clock {
  today(): IsoDate {
    return todayIn();
  }
}

/**
 * A clock standing still on one date; tests may move it by assigning `date`. `now()` runs with the
 * system time, moved by `offsetMs` (tests jump past a time window by raising it).
 */
export class FixedClock extends Clock {
  offsetMs = 0;

  constructor(public date: IsoDate) {
    super();
    assertIsoDate(date, 'FixedClock date');
  }

  today(): IsoDate {
    return this.date;
  }

  override now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

@Global()
@Module({ providers: [{ provide: Clock, useValue: new SystemClock() }], exports: [Clock] })
export class ClockModule {}
