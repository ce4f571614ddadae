import { nativeEnvironment, nativeKernelsAvailable } from '@farzi/core';
import { parseFarziStep, parseSasrecStep, peerMarkdown, torchVersion } from './peers';

// Whether the environment this test started in named the setting (nothing has loaded OpenBLAS yet).
const userSetIt = process.env.OPENBLAS_THREAD_TIMEOUT !== undefined;

describe('the PyTorch twins', () => {
  it("reads the twins' outputs", () => {
    expect(
      parseSasrecStep(
        'pytorch 1.13.0 threads 2: SASRec step median 0.6470 s (min 0.6400, max 0.7000) loss 7.123',
      ),
    ).toBe(0.647);
    expect(parseSasrecStep('nothing')).toBeUndefined();
    expect(parseFarziStep('{"outer_step": 20, "outer_loss": 5.1, "s_per_step": 2.96}')).toBe(2.96);
    expect(parseFarziStep('{"student_lr": 0.001}')).toBeUndefined();
    expect(parseFarziStep('not json')).toBeUndefined();
  });

  it('says why they did not run', () => {
    expect(torchVersion('/nonexistent/python3')).toEqual({ why: 'no /nonexistent/python3' });
  });

  it('puts each twin beside our rows of the same case, with the ratio', () => {
    const lines = peerMarkdown(
      {
        note: 'PyTorch 1.13.0 …',
        rows: [
          {
            what: 'sasrec-step',
            setting: 'ml100k',
            seconds: 0.6,
            secondsOurSettings: 0.45,
            command: 'py a',
          },
          { what: 'farzi-outer-step', setting: 'ml100k-10x50', seconds: 3, command: 'py b' },
        ],
      },
      [
        { model: 'sasrec', backend: 'wasm-native', setting: 'ml-100k', secondsPerStep: 0.15 },
        { model: 'gru4rec', backend: 'wasm-native', setting: 'ml-100k', secondsPerStep: 0.1 },
      ] as never,
      [{ case: 'ml100k-10x50', backend: 'wasm-native', total: 1.5 }] as never,
    );
    expect(lines).toContain(
      '| sasrec-step ml100k | wasm-native | 0.150 | 0.600 | 4.00× | 0.450 | 3.00× |',
    );
    expect(lines).toContain(
      '| farzi-outer-step ml100k-10x50 | wasm-native | 1.500 | 3.000 | 2.00× | – | – |',
    );
    expect(lines.at(-1)).toBe('PyTorch commands: `py a`, `py b`.');
  });

  it('runs PyTorch without the OpenBLAS defaults our process added, unless the user set them', () => {
    const { defaults, userEnvironment } = nativeEnvironment({
      PATH: '/bin',
      OPENBLAS_THREAD_TIMEOUT: '4',
      OTHER: 'x',
    });
    if (!nativeKernelsAvailable() && process.env.FARZI_REQUIRE_NATIVE !== '1') return;
    expect(defaults).toEqual({ OPENBLAS_THREAD_TIMEOUT: '4' });
    expect(userEnvironment).toEqual(
      userSetIt
        ? { PATH: '/bin', OPENBLAS_THREAD_TIMEOUT: '4', OTHER: 'x' }
        : { PATH: '/bin', OTHER: 'x' },
    );
  });
});
