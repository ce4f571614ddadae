// The live loss chart: an SVG polyline of the training loss by step, redrawn as steps arrive.

const NS = 'http://www.w3.org/2000/svg';
const W = 560;
const H = 180;
const PAD = 36;

export class LossChart {
  private readonly points: number[] = [];
  private readonly line: SVGPolylineElement;
  private readonly labels: SVGTextElement[];

  constructor(readonly svg: SVGSVGElement) {
    svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    svg.replaceChildren();
    const axes = document.createElementNS(NS, 'path');
    axes.setAttribute('d', `M${PAD},8 V${H - PAD} H${W - 8}`);
    axes.setAttribute('class', 'axes');
    this.line = document.createElementNS(NS, 'polyline');
    this.line.setAttribute('class', 'loss');
    this.labels = [0, 1, 2].map(() => {
      const t = document.createElementNS(NS, 'text');
      t.setAttribute('class', 'label');
      svg.append(t);
      return t;
    });
    svg.append(axes, this.line);
  }

  /** Adds the loss of the next step and redraws. */
  add(loss: number): void {
    if (!Number.isFinite(loss)) return;
    this.points.push(loss);
    const n = this.points.length;
    const max = Math.max(...this.points);
    const min = Math.min(...this.points);
    const span = max - min || 1;
    const x = (i: number) => PAD + ((W - 8 - PAD) * i) / Math.max(1, n - 1);
    const y = (v: number) => 8 + ((H - PAD - 8) * (max - v)) / span;
    this.line.setAttribute(
      'points',
      this.points.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' '),
    );
    const [top, bottom, steps] = this.labels;
    top.textContent = max.toFixed(2);
    top.setAttribute('x', '2');
    top.setAttribute('y', '14');
    bottom.textContent = min.toFixed(2);
    bottom.setAttribute('x', '2');
    bottom.setAttribute('y', String(H - PAD));
    steps.textContent = `${n} steps`;
    steps.setAttribute('x', String(W - 80));
    steps.setAttribute('y', String(H - PAD + 18));
  }

  get length(): number {
    return this.points.length;
  }
}
