// Every alert is documented (summary, description, runbook in docs/runbooks/), routed (severity known to
// alertmanager.yml) and unit-tested by promtool both firing and not firing (rules/tests/).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readYaml, repoRoot, rules, ruleTestFiles } from './config-files.js';

const RUNBOOK_BASE = 'https://github.com/omnicache/omnicache/blob/main/docs/runbooks/';
const alerts = rules('rules/alerts.yml').filter((r) => r.alert);
const alertNames = [...new Set(alerts.map((r) => r.alert as string))];

interface AlertRuleTest {
  alertname: string;
  exp_alerts?: unknown[];
}
interface RuleTestFile {
  rule_files: string[];
  tests: { alert_rule_test?: AlertRuleTest[] }[];
}

describe('alert rules', () => {
  it('defines the alerts the observability issue asks for', () => {
    for (const name of [
      'OmniCacheHitRatioDrop',
      'OmniCacheRemoteTierErrors',
      'OmniCacheCircuitOpen',
      'OmniCacheEvictionStorm',
      'OmniCacheLoaderLatencySLOBurn',
      'OmniCacheArcGhostHitSurge',
    ]) {
      expect(alertNames).toContain(name);
    }
  });

  it.each(alerts.map((a) => [a.alert, a] as const))(
    '%s has severity, summary, description and a runbook',
    (_n, a) => {
      expect(['critical', 'warning']).toContain(a.labels?.severity);
      expect(a.for).toMatch(/^\d+[smh]$/);
      expect(a.annotations?.summary?.length).toBeGreaterThan(10);
      expect(a.annotations?.description?.length).toBeGreaterThan(40);
      expect(a.annotations?.runbook_url).toBe(`${RUNBOOK_BASE}${a.alert}.md`);
      const runbook = join(repoRoot, 'docs', 'runbooks', `${a.alert}.md`);
      expect(existsSync(runbook), runbook).toBe(true);
      const text = readFileSync(runbook, 'utf8');
      for (const section of ['## Meaning', '## Impact', '## Diagnosis', '## Mitigation'])
        expect(text).toContain(section);
      expect(text).toMatch(/omnicache[_:][a-z_:0-9]+/); // diagnosis with PromQL over the conventions
    },
  );

  it.each(alertNames)('%s has promtool tests where it fires and where it does not', (name) => {
    let fires = false;
    let silent = false;
    for (const file of ruleTestFiles()) {
      const doc = readYaml(file) as RuleTestFile;
      for (const t of doc.tests) {
        for (const a of t.alert_rule_test ?? []) {
          if (a.alertname !== name) continue;
          if ((a.exp_alerts ?? []).length > 0) fires = true;
          else silent = true;
        }
      }
    }
    expect({ fires, silent }).toEqual({ fires: true, silent: true });
  });

  it('routes every severity in alertmanager.yml', () => {
    const am = readYaml('alertmanager.yml') as {
      route: { routes: { matchers: string[]; receiver: string }[] };
    };
    const routed = am.route.routes.flatMap((r) => r.matchers);
    for (const a of alerts) expect(routed).toContain(`severity="${a.labels?.severity}"`);
  });
});
