import type { FunnelStage } from './funnel';

/**
 * Interactions as read from a file, in file order. User and item ids are interned into dense codes
 * (`userIds[code]`, `itemIds[code]` give the raw ids back).
 */
export interface InteractionLog {
  /** Where the events came from (a path), for messages and fingerprints. */
  readonly source: string;
  readonly userIds: string[];
  readonly itemIds: string[];
  readonly user: Int32Array;
  readonly item: Int32Array;
  /** Ratings, when the format has them. */
  readonly rating: Float32Array | null;
  /** Timestamps, when the format has them; otherwise the file order is the time order. */
  readonly time: Float64Array | null;
  /** Which columns were read as user, item, rating and time, in words (formats that choose). */
  readonly layout?: string;
  /** Adapters that filter while reading (event-log): what each of their steps kept. */
  readonly funnel?: readonly FunnelStage[];
}

export class InteractionLogBuilder {
  private readonly userCodes = new Map<string, number>();
  private readonly itemCodes = new Map<string, number>();
  private readonly users: number[] = [];
  private readonly items: number[] = [];
  private readonly ratings: number[] = [];
  private readonly times: number[] = [];

  constructor(
    private readonly source: string,
    private readonly hasRating: boolean,
    private readonly hasTime: boolean,
  ) {}

  add(user: string, item: string, rating?: number, time?: number): void {
    this.users.push(intern(this.userCodes, user));
    this.items.push(intern(this.itemCodes, item));
    if (this.hasRating) this.ratings.push(rating ?? NaN);
    if (this.hasTime) this.times.push(time ?? NaN);
  }

  get size(): number {
    return this.users.length;
  }

  build(): InteractionLog {
    return {
      source: this.source,
      userIds: [...this.userCodes.keys()],
      itemIds: [...this.itemCodes.keys()],
      user: Int32Array.from(this.users),
      item: Int32Array.from(this.items),
      rating: this.hasRating ? Float32Array.from(this.ratings) : null,
      time: this.hasTime ? Float64Array.from(this.times) : null,
    };
  }
}

function intern(codes: Map<string, number>, id: string): number {
  let code = codes.get(id);
  if (code === undefined) {
    code = codes.size;
    codes.set(id, code);
  }
  return code;
}
