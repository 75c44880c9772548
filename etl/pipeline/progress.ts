/**
 * Progress of a run for the person watching: a bar redrawn in place on a terminal, plain lines every few
 * seconds otherwise (CI logs, files), never both.
 */
export interface Progress {
  /** a new stretch of work: a file or an API entity */
  stage(label: string, total?: number): void;
  advance(rows: number): void;
  done(): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr, options: { intervalMs?: number } = {}): Progress {
  const tty = Boolean(stream.isTTY);
  const interval = options.intervalMs ?? (tty ? 100 : 5000);
  let label = '';
  let total: number | undefined;
  let rows = 0;
  let startedAt = Date.now();
  let lastDrawn = 0;

  const rate = () => Math.round(rows / Math.max(0.001, (Date.now() - startedAt) / 1000));
  const draw = (final: boolean) => {
    const now = Date.now();
    if (!final && now - lastDrawn < interval) return;
    lastDrawn = now;
    if (tty) {
      const width = 24;
      const share = total ? Math.min(1, rows / total) : 0;
      const bar = total ? '█'.repeat(Math.round(share * width)).padEnd(width, '░') : '';
      const of = total ? `/${total}` : '';
      stream.write(`\r\x1b[K${label} ${bar} ${rows}${of} 行 · ${rate()} 行/秒`);
      if (final) stream.write('\n');
    } else {
      stream.write(`${label}: ${rows}${total ? `/${total}` : ''} 行, ${rate()} 行/秒${final ? ' — 完成' : ''}\n`);
    }
  };

  let open = false;
  return {
    stage(next, nextTotal) {
      if (open) draw(true);
      label = next;
      total = nextTotal;
      rows = 0;
      startedAt = Date.now();
      lastDrawn = 0;
      open = true;
    },
    advance(count) {
      rows += count;
      draw(false);
    },
    done() {
      if (open) draw(true);
      open = false;
    },
  };
}

/** For runs nobody watches (scheduled jobs, tests). */
export const silentProgress: Progress = { stage() {}, advance() {}, done() {} };
