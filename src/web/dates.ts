// Dates typed in forms or written in URLs: a real calendar day (no 2026-02-30) in a range the
// portal has any use for, checked before anything reaches a rule or PostgreSQL.
import { DateTime } from 'luxon';
import { z } from 'zod';

const DAY_SHAPE = /^\d{4}-\d{2}-\d{2}$/;
const MONTH_SHAPE = /^\d{4}-(0[1-9]|1[0-2])$/;
const FIRST_YEAR = 1900;
const LAST_YEAR = 2100;

const yearInRange = (value: string) => {
  const year = Number(value.slice(0, 4));
  return year >= FIRST_YEAR && year <= LAST_YEAR;
};

/** 'YYYY-MM-DD', a day that exists, between 1900 and 2100. */
export const isRealDay = (value: unknown): value is string =>
  typeof value === 'string' && DAY_SHAPE.test(value) && yearInRange(value) && DateTime.fromISO(value).isValid;

/** 'YYYY-MM', between 1900 and 2100. */
export const isRealMonth = (value: unknown): value is string =>
  typeof value === 'string' && MONTH_SHAPE.test(value) && yearInRange(value);

/** A date field (what `<input type="date">` sends); `message` is a catalogue key. */
export const isoDate = (message: string) => z.string({ message }).trim().refine(isRealDay, message);

/** A month field ('YYYY-MM', `<input type="month">`). */
export const isoMonth = (message: string) => z.string({ message }).trim().refine(isRealMonth, message);
