/** Events the trainer (and distillers) emit; the CLI renders them as a progress bar or lines. */
export type ProgressEvent =
  | { type: 'start'; label: string; totalSteps: number; epochs: number; description: string }
  | {
      type: 'step';
      label: string;
      epoch: number;
      step: number;
      totalSteps: number;
      loss: number;
      sequencesPerSecond: number;
      etaSeconds: number;
    }
  | {
      type: 'epoch';
      label: string;
      epoch: number;
      loss: number;
      seconds: number;
      metrics?: Record<string, number>;
    }
  | { type: 'message'; label: string; text: string }
  | {
      /** One outer step of a distillation (or any loop that is not epochs over data). */
      type: 'outer';
      label: string;
      step: number;
      totalSteps: number;
      loss: number;
      etaSeconds: number;
      details?: Record<string, number>;
    }
  | {
      /** Progress of an evaluation (users or tokens scored so far). */
      type: 'eval';
      label: string;
      part: 'valid' | 'test';
      done: number;
      total: number;
      etaSeconds: number;
    }
  | { type: 'end'; label: string; seconds: number };

export type ProgressListener = (event: ProgressEvent) => void;
