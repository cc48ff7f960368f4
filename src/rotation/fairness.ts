// Fairness: who should be asked next, so that nobody gets every kernel.

export interface PastAssignment { person: string; at: number }

/**
 * Available members ordered by fewest assignments within the window, then by
 * longest since their last one (never first), then by rotation order.
 */
export function fairOrder(members: string[], history: PastAssignment[], now: number, windowMs: number, available: (p: string) => boolean): string[] {
  const since = now - windowMs;
  const stats = new Map(members.map((m, i) => [m, { count: 0, last: -Infinity, order: i }]));
  for (const h of history) {
    const s = stats.get(h.person);
    if (!s) continue;
    if (h.at >= since) s.count += 1;
    s.last = Math.max(s.last, h.at);
  }
  return members.filter(available).sort((a, b) => {
    const x = stats.get(a)!;
    const y = stats.get(b)!;
    return x.count - y.count || x.last - y.last || x.order - y.order;
  });
}
