/** An event the Grafana panel can draw on a time axis (Grafana annotation fields). */
export interface AnnotationEvent {
  /** Epoch ms. */
  readonly time: number;
  /** Set when the event covers a span (an alert from fire to resolve). */
  timeEnd?: number;
  readonly title: string;
  text: string;
  readonly tags: readonly string[];
  readonly series: string;
  readonly labels: string;
  score: number;
  state: 'firing' | 'resolved';
}

/** The last `capacity` annotation events (bounded). */
export class AnnotationLog {
  private readonly events: AnnotationEvent[] = [];
  constructor(private readonly capacity = 1000) {}

  add(e: AnnotationEvent): AnnotationEvent {
    this.events.push(e);
    if (this.events.length > this.capacity) this.events.splice(0, this.events.length - this.capacity);
    return e;
  }

  /** Events overlapping [from, to] (epoch ms), oldest first. */
  list(from = 0, to = Number.POSITIVE_INFINITY): AnnotationEvent[] {
    return this.events.filter((e) => e.time <= to && (e.timeEnd ?? Number.POSITIVE_INFINITY) >= from);
  }
}
