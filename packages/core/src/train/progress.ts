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
  | { type: 'epoch'; label: string; epoch: number; loss: number; seconds: number; metrics?: Record<string, number> }
  | { type: 'message'; label: string; text: string }
  | { type: 'end'; label: string; seconds: number };

export type ProgressListener = (event: ProgressEvent) => void;
