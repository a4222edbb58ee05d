import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { FilterPill, useStyles2, useTheme2 } from '@grafana/ui';
import { useMemo, useState } from 'react';
import {
  type AuditRecord,
  auditTimeline,
  type ChainStatus,
  chainStatus,
  distinct,
  filterAudit,
} from '../transforms/audit.js';
import { MissingData } from './MissingData.js';

export interface AuditViewProps {
  records: readonly AuditRecord[];
  /** Audit fields the data lacks (the view shows a message instead). */
  missing: readonly string[];
  from: number;
  to: number;
  width: number;
  height: number;
  maxRows: number;
}

export function chainText(s: ChainStatus): string {
  if (s.state === 'empty') return 'chain: no records in range';
  if (s.state === 'linked') return `chain: linked, ${s.count} records (#${s.first}–#${s.last})`;
  const why = {
    'sequence-gap': 'sequence gap',
    'hash-mismatch': 'prev hash does not match',
    'duplicate-sequence': 'duplicate sequence',
  }[s.reason];
  return `chain: BROKEN at #${s.at} (${why})`;
}

function toggle(list: readonly string[], v: string): string[] {
  return list.includes(v) ? list.filter((x) => x !== v) : [...list, v];
}

const BUCKETS = 60;

/** Audit events: chain status, filters by action and outcome, a timeline by outcome and the newest records. */
export function AuditView({ records, missing, from, to, width, height, maxRows }: AuditViewProps) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const [actions, setActions] = useState<string[]>([]);
  const [outcomes, setOutcomes] = useState<string[]>([]);
  const chain = useMemo(() => chainStatus(records), [records]);
  const shown = useMemo(() => filterAudit(records, { actions, outcomes }), [records, actions, outcomes]);
  if (missing.length > 0) {
    return (
      <MissingData
        view="Audit events"
        missing={missing}
        hint="Use a table or logs query that returns the audit record fields (e.g. a JSON API over the audit file)."
      />
    );
  }
  const outcomeColor = (o: string) =>
    theme.visualization.getColorByName(
      o === 'success' || o === 'allowed' ? 'green' : o === 'denied' ? 'orange' : 'red',
    );
  const timeline = auditTimeline(shown, from, to, BUCKETS);
  const tlH = 60;
  const barW = width / BUCKETS;
  const maxCount = Math.max(1, ...timeline.map((b) => Object.values(b.byOutcome).reduce((a, n) => a + n, 0)));
  const rows = [...shown].reverse().slice(0, maxRows);
  return (
    <div className={styles.view} style={{ height }} data-testid="omnicache-audit-view">
      <div
        className={chain.state === 'broken' ? styles.broken : styles.linked}
        data-testid="audit-chain"
        data-state={chain.state}
      >
        {chainText(chain)}
      </div>
      <div className={styles.filters}>
        <span>action</span>
        {distinct(records, 'action').map((a) => (
          <FilterPill
            key={a}
            label={a}
            selected={actions.includes(a)}
            onClick={() => setActions(toggle(actions, a))}
          />
        ))}
        <span>outcome</span>
        {distinct(records, 'outcome').map((o) => (
          <FilterPill
            key={o}
            label={o}
            selected={outcomes.includes(o)}
            onClick={() => setOutcomes(toggle(outcomes, o))}
          />
        ))}
      </div>
      <svg width={width} height={tlH} role="img" aria-label="audit timeline">
        {timeline.map((b, i) => {
          let y = tlH;
          return Object.entries(b.byOutcome).map(([o, n]) => {
            const h = (n / maxCount) * (tlH - 4);
            y -= h;
            return (
              <rect
                key={`${b.start}-${o}`}
                x={i * barW + 0.5}
                y={y}
                width={Math.max(1, barW - 1)}
                height={h}
                fill={outcomeColor(o)}
              >
                <title>{`${new Date(b.start).toISOString()}: ${n} ${o}`}</title>
              </rect>
            );
          });
        })}
      </svg>
      <div className={styles.count} data-testid="audit-count">
        {shown.length} of {records.length} events
      </div>
      <table className={styles.table} aria-label="audit events">
        <thead>
          <tr>
            <th>#</th>
            <th>time</th>
            <th>actor</th>
            <th>action</th>
            <th>target</th>
            <th>outcome</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.sequence} data-sequence={r.sequence}>
              <td>{r.sequence}</td>
              <td>{new Date(r.time).toISOString().replace('T', ' ').slice(0, 23)}</td>
              <td>{r.actor}</td>
              <td>{r.action}</td>
              <td className={styles.target}>{r.target}</td>
              <td style={{ color: outcomeColor(r.outcome) }}>{r.outcome}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  view: css({
    color: theme.colors.text.primary,
    overflow: 'auto',
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  linked: css({ color: theme.colors.success.text, fontWeight: theme.typography.fontWeightMedium }),
  broken: css({ color: theme.colors.error.text, fontWeight: theme.typography.fontWeightMedium }),
  filters: css({
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(0.5),
    margin: theme.spacing(0.5, 0),
  }),
  count: css({ color: theme.colors.text.secondary }),
  table: css({
    borderCollapse: 'collapse',
    width: '100%',
    'th, td': {
      padding: theme.spacing(0.25, 1),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
      textAlign: 'left',
    },
  }),
  target: css({ fontFamily: theme.typography.fontFamilyMonospace }),
});
