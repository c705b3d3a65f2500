/**
 * Progress of one prompt across its sampler nodes (reference pitfall 5): ComfyUI's `progress.max`
 * is per node, so a graph with two samplers would run 0→100 % twice. Each sampler node gets the
 * template's weight; other nodes (model loads, VAE decode, saving) have no steps and show only as
 * the current stage.
 */
export class SamplerProgress {
  private readonly done = new Map<string, number>();

  constructor(private readonly weights: Readonly<Record<string, number>>) {}

  /** A `progress` event (or one node of `progress_state`); ignored for non-sampler nodes. */
  update(node: string | null | undefined, value: number, max: number): void {
    if (node === null || node === undefined || this.weights[node] === undefined || max <= 0) return;
    const fraction = Math.min(1, Math.max(0, value / max));
    this.done.set(node, Math.max(this.done.get(node) ?? 0, fraction));
  }

  /** A node finished (or was served from cache): its share is complete. */
  finish(node: string): void {
    if (this.weights[node] !== undefined) this.done.set(node, 1);
  }

  /** 0…1 over all sampler nodes, weighted. */
  fraction(): number {
    let total = 0;
    for (const [node, weight] of Object.entries(this.weights)) total += weight * (this.done.get(node) ?? 0);
    return Math.min(1, total);
  }
}
