export class CalendarUrlDto {
  /** The private feed: `<PUBLIC_URL>/calendar/<token>.ics`. Anyone with it can read the feed. */
  url: string;
}
