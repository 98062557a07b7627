import { formatDuration, ProgressBar, renderProgress } from './progress';

describe('renderProgress', () => {
  test('shows the bar, the share of the log, the events, events/s and the time left', () => {
    expect(renderProgress('rebuild', { events: 250_000, position: 250_000, head: 1_000_000 }, 2)).toBe(
      'rebuild [########......................]  25.0%  250,000 events  125,000 events/s  ETA 6.0s',
    );
  });

  test('shows no time left once done, and copes with an empty log', () => {
    expect(renderProgress('verify', { events: 10, position: 10, head: 10 }, 0.5)).toBe(
      'verify [##############################] 100.0%  10 events  20 events/s',
    );
    expect(renderProgress('verify', { events: 0, position: 0, head: 0 }, 0)).toContain('100.0%  0 events  0 events/s');
  });
});

test('formatDuration', () => {
  expect([formatDuration(3.21), formatDuration(42), formatDuration(125), formatDuration(7_380)]).toEqual(['3.2s', '42s', '2m05s', '2h03m']);
});

describe('ProgressBar', () => {
  const output = (isTTY: boolean) => {
    const written: string[] = [];
    return { written, out: { isTTY, write: (text: string) => written.push(text) } };
  };

  test('on a terminal, redraws one line in place at most every 100 ms', () => {
    const { written, out } = output(true);
    let now = 0;
    const bar = new ProgressBar(out, 'rebuild', () => now);

    for (let step = 1; step <= 10; step++) {
      now = step * 30;
      bar.update({ events: step, position: step, head: 10 });
    }
    bar.finish();

    expect(written.filter((text) => text.startsWith('\r'))).toHaveLength(4);
    expect(written.at(-1)).toBe('\n');
    expect(written.at(-2)).toContain('100.0%  10 events');
  });

  test('elsewhere, prints a full line every 2 s', () => {
    const { written, out } = output(false);
    let now = 0;
    const bar = new ProgressBar(out, 'verify', () => now);

    for (let second = 0; second <= 5; second++) {
      now = second * 1000;
      bar.update({ events: second, position: second, head: 5 });
    }
    bar.finish();

    expect(written.every((text) => text.endsWith('\n') && !text.includes('\r'))).toBe(true);
    expect(written).toHaveLength(4);
  });
});
