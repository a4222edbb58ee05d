/**
 * Extracts the metric names and label names a PromQL expression refers to. Not a full parser: enough for the
 * expressions in rules and dashboards (selectors, functions, aggregations with by/without, binary operators with
 * on/ignoring/group_*, offsets, ranges and subqueries, Grafana's $variables).
 */
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'inf',
  'nan',
  'atan2',
]);

export interface PromqlNames {
  metrics: Set<string>;
  labels: Set<string>;
}

export function promqlNames(expr: string): PromqlNames {
  const metrics = new Set<string>();
  const labels = new Set<string>();
  // Label matchers: collect label names, then drop the braces (their values may contain anything).
  let text = expr.replace(/\{([^}]*)\}/g, (_m, inner: string) => {
    for (const m of inner.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)/g)) if (m[1]) labels.add(m[1]);
    return ' ';
  });
  // Strings, ranges/subqueries.
  text = text.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ').replace(/\[[^\]]*\]/g, ' ');
  // Grouping clauses: label lists.
  text = text.replace(
    /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g,
    (_m, _kw: string, list: string) => {
      for (const l of list.split(',')) {
        const name = l.trim();
        if (name) labels.add(name);
      }
      return ' ';
    },
  );
  for (const m of text.matchAll(/(?<![\w.:$])([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?/g)) {
    const name = m[1];
    if (!name || m[2] || KEYWORDS.has(name.toLowerCase())) continue;
    metrics.add(name);
  }
  return { metrics, labels };
}

/** Grafana template queries such as `label_values(metric, label)`. */
export function grafanaQueryNames(query: string): PromqlNames {
  const m = /^\s*label_values\(\s*(.*),\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$/.exec(query);
  if (!m?.[1] || !m[2]) return promqlNames(query);
  const inner = promqlNames(m[1]);
  inner.labels.add(m[2]);
  return inner;
}
