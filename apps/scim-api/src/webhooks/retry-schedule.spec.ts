import { nextRetryDelay, type RetryPolicy } from './retry-schedule';

const policy: RetryPolicy = { initialDelayMs: 1000, maxDelayMs: 60_000, windowMs: 24 * 3_600_000 };
const noJitter = () => 1;
const minJitter = () => 0;

describe('webhook retry schedule', () => {
  it('starts at about a second and doubles', () => {
    expect([1, 2, 3, 4].map((failures) => nextRetryDelay(policy, failures, 0, noJitter))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('jitters between half and all of the exponential delay', () => {
    expect(nextRetryDelay(policy, 3, 0, minJitter)).toBe(2000);
    expect(nextRetryDelay(policy, 3, 0, () => 0.5)).toBe(3000);
  });

  it('waits at most a minute during the first hour, so a short outage is caught up within a minute of the recovery', () => {
    expect(nextRetryDelay(policy, 20, 30 * 60_000, noJitter)).toBe(60_000);
    expect(nextRetryDelay(policy, 1000, 59 * 60_000, noJitter)).toBe(60_000);
  });

  it('backs off to ten minutes after the first hour, and gives up when the window ends', () => {
    expect(nextRetryDelay(policy, 30, 2 * 3_600_000, noJitter)).toBe(600_000);
    expect(nextRetryDelay(policy, 30, policy.windowMs - 5000, noJitter)).toBe(5000);
    expect(nextRetryDelay(policy, 30, policy.windowMs, noJitter)).toBeUndefined();
  });
});
