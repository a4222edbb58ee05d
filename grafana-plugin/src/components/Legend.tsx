import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

export interface LegendItem {
  readonly label: string;
  readonly color: string;
  /** Formatted value (the last sample). */
  readonly value: string;
}

export function Legend({ items }: { items: readonly LegendItem[] }) {
  const styles = useStyles2(getStyles);
  return (
    <ul className={styles.legend} aria-label="legend">
      {items.map((i) => (
        <li key={i.label} className={styles.item} data-legend={i.label}>
          <span className={styles.swatch} style={{ background: i.color }} />
          <span>{i.label}</span> <strong data-testid="legend-value">{i.value}</strong>
        </li>
      ))}
    </ul>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  legend: css({
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(0.5, 2),
    listStyle: 'none',
    margin: 0,
    padding: theme.spacing(0.5, 0),
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.primary,
  }),
  item: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(0.5) }),
  swatch: css({ display: 'inline-block', width: 10, height: 10, borderRadius: 2 }),
});
