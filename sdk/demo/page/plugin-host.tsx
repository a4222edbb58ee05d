// What Grafana does for a panel plugin before rendering it: the modules it shares with plugins registered in
// SystemJS (AMD extra), the standard option editors, the plugin's BUILT module.js loaded once per URL, the panel
// drawn in Grafana's panel chrome with PanelProps built from frames. Shared by the test host page (page.tsx) and
// the demo's live dashboard (live.tsx).
import 'systemjs/dist/system.js';
import 'systemjs/dist/extras/amd.js';
import { type GrafanaTheme2, type PanelPlugin, type PanelProps, ThemeContext } from '@grafana/data';
import { GlobalStyles } from '@grafana/ui';
import type { ComponentType, ReactNode } from 'react';
import { registerOptionEditors } from './option-editors.js';
import { type PanelPropsInput, panelProps } from './panel-props.js';
import { registerSharedModules } from './shared-modules.js';

declare const System: {
  set(id: string, ns: object): unknown;
  addImportMap(map: { imports: Record<string, string> }, base?: string): void;
  import(url: string): Promise<{ default?: { plugin?: PanelPlugin }; plugin?: PanelPlugin }>;
};

registerSharedModules(System);
registerOptionEditors();

const plugins = new Map<string, Promise<PanelPlugin>>();

export async function loadPlugin(moduleUrl: string): Promise<PanelPlugin> {
  let p = plugins.get(moduleUrl);
  if (!p) {
    p = System.import(moduleUrl).then((ns) => {
      const plugin = ns.plugin ?? ns.default?.plugin;
      if (!plugin?.panel) throw new Error(`${moduleUrl} does not export a panel plugin as "plugin"`);
      return plugin;
    });
    plugins.set(moduleUrl, p);
  }
  return p;
}

export function Chrome({
  theme,
  title,
  width,
  children,
}: {
  theme: GrafanaTheme2;
  title: string;
  width: number;
  children: ReactNode;
}) {
  return (
    <ThemeContext.Provider value={theme}>
      <GlobalStyles />
      <div
        data-testid="panel"
        style={{
          width: width + 16,
          background: theme.colors.background.primary,
          border: `1px solid ${theme.colors.border.weak}`,
          borderRadius: 2,
          padding: 8,
          margin: 8,
        }}
      >
        <div style={{ color: theme.colors.text.primary, fontWeight: 500, marginBottom: 6 }}>{title}</div>
        {children}
      </div>
    </ThemeContext.Provider>
  );
}

export type AnyPanelProps = PanelProps<Record<string, unknown>>;

/** The plugin's panel component and its props: the plugin's default options overlaid with `options`. */
export function panelOf(
  plugin: PanelPlugin,
  options: Record<string, unknown>,
  input: Omit<PanelPropsInput<Record<string, unknown>>, 'options'>,
): { Panel: ComponentType<AnyPanelProps>; props: AnyPanelProps } {
  const merged = { ...(plugin.defaults as Record<string, unknown>), ...options };
  return {
    Panel: plugin.panel as ComponentType<AnyPanelProps>,
    props: panelProps({ ...input, options: merged }),
  };
}
