import { RefusalSampler } from './refusal-sampler';

describe('RefusalSampler', () => {
  let now: number;
  let reported: Array<[string, number]>;
  let sampler: RefusalSampler;

  beforeEach(() => {
    now = 1_000_000;
    reported = [];
    sampler = new RefusalSampler(3, (reason, count) => reported.push([reason, count]), () => now);
  });
  afterEach(() => sampler.flush());

  it('admits the first lines of a second per reason, counts the rest and reports the count once', () => {
    const admitted = Array.from({ length: 10 }, () => sampler.admit('scim:wrong-secret'));

    expect(admitted).toEqual([true, true, true, false, false, false, false, false, false, false]);
    expect(reported).toEqual([]);
    sampler.flush();
    sampler.flush();
    expect(reported).toEqual([['scim:wrong-secret', 7]]);
  });

  it('keeps reasons apart', () => {
    for (let i = 0; i < 5; i++) sampler.admit('scim:missing');

    expect(sampler.admit('admin:wrong-key')).toBe(true);
    sampler.flush();
    expect(reported).toEqual([['scim:missing', 2]]);
  });

  it('opens a new window after a second, reporting what the last one left out', () => {
    for (let i = 0; i < 5; i++) sampler.admit('audit:wrong-key');
    now += 999;
    expect(sampler.admit('audit:wrong-key')).toBe(false);
    now += 1;

    expect(sampler.admit('audit:wrong-key')).toBe(true);
    expect(reported).toEqual([['audit:wrong-key', 3]]);
  });
});
