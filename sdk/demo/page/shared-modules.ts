// The modules Grafana shares with plugins (their externals), registered in SystemJS under `app:<name>` with an
// import map from the bare names, the way Grafana's plugin loader exposes them. This host provides the ones the
// OmniCache panel and Grafana's own components need; a plugin importing another gets SystemJS's "unresolved" error.
import * as emotionCss from '@emotion/css';
import * as emotionReact from '@emotion/react';
import * as grafanaData from '@grafana/data';
import * as grafanaUi from '@grafana/ui';
import lodash from 'lodash';
import * as react from 'react';
import * as jsxRuntime from 'react/jsx-runtime';
import * as reactDom from 'react-dom';
import * as rxjs from 'rxjs';

export const SHARED_MODULES: Readonly<Record<string, unknown>> = {
  react,
  'react-dom': reactDom,
  'react/jsx-runtime': jsxRuntime,
  '@grafana/data': grafanaData,
  '@grafana/ui': grafanaUi,
  '@emotion/css': emotionCss,
  '@emotion/react': emotionReact,
  rxjs,
  lodash,
};

interface SystemJsLike {
  set(id: string, ns: object): unknown;
  addImportMap(map: { imports: Record<string, string> }, base?: string): void;
}

export function registerSharedModules(system: SystemJsLike): void {
  const imports: Record<string, string> = {};
  for (const [name, mod] of Object.entries(SHARED_MODULES)) {
    const id = `app:${name}`;
    // AMD modules get `default` (the module object itself) when __useDefault is set.
    system.set(id, { default: mod, __useDefault: true });
    imports[name] = id;
  }
  system.addImportMap({ imports }, location.href);
}
