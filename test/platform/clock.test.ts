// today() keeps the last Paris day it computed with the instants it spans: it must give the same
// day as a full luxon conversion for any instant, in any order, across midnights and DST changes.
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { FixedClock, TIME_ZONE, today } from '../../src/platform/clock.js';

describe('today', () => {
  it('gives the Paris day of any instant, around midnights and both DST changes, moving back and forth', () => {
    const clock = new FixedClock('2026-01-01T00:00:00Z');
    const instants = [
      '2026-03-28T22:59:59.999Z',
      '2026-03-28T23:00:00Z', // 23:59:59 then midnight CET
      '2026-03-29T00:30:00Z',
      '2026-03-29T01:00:00Z', // the hour that does not exist
      '2026-03-29T21:59:59.999Z',
      '2026-03-29T22:00:00Z', // a 23-hour day ends at 22:00 UTC
      '2026-10-24T21:59:59.999Z',
      '2026-10-24T22:00:00Z', // midnight CEST
      '2026-10-25T00:30:00Z',
      '2026-10-25T01:30:00Z', // the hour that happens twice
      '2026-10-25T22:59:59.999Z',
      '2026-10-25T23:00:00Z', // a 25-hour day ends at 23:00 UTC
      '2026-03-28T23:00:00Z',
      '2026-03-28T22:59:59.999Z', // back in time
    ];
    const seen: string[] = [];
    for (const at of instants) {
      clock.set(at);
      const expected = DateTime.fromISO(at, { zone: TIME_ZONE }).toISODate();
      expect([at, today(clock)]).toEqual([at, expected]);
      seen.push(today(clock));
    }
    expect(seen.slice(0, 6)).toEqual([
      '2026-03-28',
      '2026-03-29',
      '2026-03-29',
      '2026-03-29',
      '2026-03-29',
      '2026-03-30',
    ]);
    expect(seen.slice(6, 12)).toEqual([
      '2026-10-24',
      '2026-10-25',
      '2026-10-25',
      '2026-10-25',
      '2026-10-25',
      '2026-10-26',
    ]);
  });

  it('agrees with luxon every 17 minutes over a year', () => {
    const clock = new FixedClock('2026-01-01T00:00:00Z');
    for (
      let ms = Date.parse('2026-01-01T00:00:00Z');
      ms < Date.parse('2027-01-01T00:00:00Z');
      ms += 17 * 60_000
    ) {
      clock.set(new Date(ms));
      const expected = DateTime.fromMillis(ms, { zone: TIME_ZONE }).toISODate();
      if (today(clock) !== expected)
        expect([new Date(ms).toISOString(), today(clock)]).toEqual([new Date(ms).toISOString(), expected]);
    }
  });
});
