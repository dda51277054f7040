import { describe, expect, it } from 'vitest';
import { intervalStart } from './spending-interval.js';

// 2026-12-06 is a Sunday; the times are UTC whatever the machine's zone.
const sunday = new Date('2026-12-06T23:59:59.999Z');

describe('intervalStart', () => {
  it('a per-authorization limit has no interval', () => {
    expect(intervalStart('PER_AUTHORIZATION', sunday)).toBeNull();
  });

  it('a day starts at midnight UTC', () => {
    expect(intervalStart('DAILY', sunday)?.toISOString()).toBe('2026-12-06T00:00:00.000Z');
    expect(intervalStart('DAILY', new Date('2026-12-07T00:00:00.000Z'))?.toISOString()).toBe('2026-12-07T00:00:00.000Z');
  });

  it('a week starts on Monday, also when today is Monday or Sunday', () => {
    expect(intervalStart('WEEKLY', sunday)?.toISOString()).toBe('2026-11-30T00:00:00.000Z');
    expect(intervalStart('WEEKLY', new Date('2026-11-30T08:00:00Z'))?.toISOString()).toBe('2026-11-30T00:00:00.000Z');
    expect(intervalStart('WEEKLY', new Date('2026-12-02T12:00:00Z'))?.toISOString()).toBe('2026-11-30T00:00:00.000Z');
    // Across a month and a year.
    expect(intervalStart('WEEKLY', new Date('2027-01-01T10:00:00Z'))?.toISOString()).toBe('2026-12-28T00:00:00.000Z');
  });

  it('a month starts on its first day', () => {
    expect(intervalStart('MONTHLY', sunday)?.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(intervalStart('MONTHLY', new Date('2026-12-01T00:00:00Z'))?.toISOString()).toBe('2026-12-01T00:00:00.000Z');
  });

  it('all time starts at the epoch', () => {
    expect(intervalStart('ALL_TIME', sunday)?.getTime()).toBe(0);
  });

  it('reads the clock when no time is given', () => {
    const before = Date.now();
    const start = intervalStart('DAILY')!.getTime();
    expect(start).toBeLessThanOrEqual(before);
    expect(before - start).toBeLessThan(86_400_000 + 1000);
  });
});
