/** The padding index, reserved in every vocabulary. */
export const PAD = 0;
export const PAD_TOKEN = '<pad>';

/**
 * Maps raw item ids (or words) to dense indices 1..numTokens; index 0 is padding. `size` is the
 * dimension a model's embedding and output layers use (numTokens + 1).
 */
export class Vocabulary {
  private readonly index = new Map<string, number>();

  constructor(readonly tokens: readonly string[]) {
    if (tokens[0] !== PAD_TOKEN) throw new Error('a vocabulary starts with the padding token');
    tokens.forEach((t, i) => this.index.set(t, i));
  }

  static fromRaw(raw: Iterable<string>): Vocabulary {
    return new Vocabulary([PAD_TOKEN, ...raw]);
  }

  /** Rows of embedding/output tables, including padding. */
  get size(): number {
    return this.tokens.length;
  }

  /** Real tokens (items or words), excluding padding. */
  get numTokens(): number {
    return this.tokens.length - 1;
  }

  indexOf(token: string): number | undefined {
    return this.index.get(token);
  }

  tokenOf(index: number): string {
    const t = this.tokens[index];
    if (t === undefined) throw new RangeError(`token index ${index} outside 0..${this.size - 1}`);
    return t;
  }
}
