import type { Io } from './Io';
import { formatDuration, progressRenderer } from './progress';

function io(interactive: boolean): Io & { text: string } {
  const o = {
    text: '',
    interactive,
    columns: 80,
    out: () => undefined,
    err: (t: string) => (o.text += t),
  };
  return o;
}

describe('progress rendering', () => {
  const step = {
    type: 'step' as const,
    label: 'm',
    epoch: 1,
    step: 5,
    totalSteps: 10,
    loss: 1.5,
    sequencesPerSecond: 99.6,
    etaSeconds: 125,
  };

  it('prints plain lines when piped', () => {
    const o = io(false);
    const render = progressRenderer(o);
    render({ type: 'start', label: 'm', totalSteps: 10, epochs: 2, description: 'd' });
    render(step);
    expect(o.text).toContain('[m] epoch 1/2 step 5/10 loss 1.5000 100 seq/s ETA 2m05s\n');
    expect(o.text).not.toContain('\r');
  });

  it('counts in words that agree with the number ("1 epoch, 1 step", "2 epochs, 10 steps")', () => {
    const o = io(false);
    const render = progressRenderer(o);
    render({ type: 'start', label: 'm', totalSteps: 1, epochs: 1, description: 'd' });
    render({ type: 'start', label: 'm', totalSteps: 10, epochs: 2, description: 'd' });
    expect(o.text).toContain('[m] training on d: 1 epoch, 1 step\n');
    expect(o.text).toContain('[m] training on d: 2 epochs, 10 steps\n');
  });

  it('redraws a bar with ETA on a terminal and clears it before the next line', () => {
    const o = io(true);
    const render = progressRenderer(o);
    render({
      type: 'outer',
      label: 'farzi',
      step: 3,
      totalSteps: 12,
      loss: 7.25,
      etaSeconds: 30,
      details: { drift: 1e-7 },
    });
    expect(o.text).toMatch(
      /^\r\x1b\[2K█{6}░{18} \[farzi\] step 3\/12 outer loss 7\.2500 drift 1\.000e-7 ETA 30s/,
    );
    render({ type: 'message', label: 'farzi', text: 'hello' });
    expect(o.text.endsWith('\r\x1b[2K[farzi] hello\n')).toBe(true);
  });

  it('formats durations', () => {
    expect([
      formatDuration(5),
      formatDuration(65),
      formatDuration(3725),
      formatDuration(Infinity),
    ]).toEqual(['5s', '1m05s', '1h02m', '?']);
  });
});
