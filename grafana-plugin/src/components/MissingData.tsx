import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

export interface MissingDataProps {
  /** What the view shows, e.g. "ARC adaptation". */
  view: string;
  /** Series or fields the data lacks. */
  missing: readonly string[];
  /** What the user can do about it. */
  hint: string;
}

/** Shown instead of an empty box when the query returns none (or only some) of the series a view needs. */
export function MissingData({ view, missing, hint }: MissingDataProps) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.box} role="alert" data-testid="omnicache-missing">
      <div className={styles.title}>
        {view}: no data for {missing.length === 1 ? 'this series' : 'these series'}
      </div>
      <ul className={styles.list}>
        {missing.map((m) => (
          <li key={m}>
            <code>{m}</code>
          </li>
        ))}
      </ul>
      <div className={styles.hint}>{hint}</div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  box: css({
    padding: theme.spacing(2),
    color: theme.colors.text.primary,
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.warning.border}`,
    borderRadius: theme.shape.radius.default,
    overflow: 'auto',
    height: '100%',
  }),
  title: css({ fontWeight: theme.typography.fontWeightMedium, marginBottom: theme.spacing(1) }),
  list: css({ margin: theme.spacing(0, 0, 1, 2) }),
  hint: css({ color: theme.colors.text.secondary }),
});
