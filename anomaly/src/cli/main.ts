import { Command } from 'commander';
import { registerNabCommands } from './nab.js';
import { registerPrefetchCommand } from './prefetch.js';
import { registerRunCommand } from './run.js';

const program = new Command('omnicache-anomaly')
  .description(
    'OmniCache anomaly service: detectors over Prometheus metrics, Alertmanager alerts, NAB scoring',
  )
  .showHelpAfterError();
registerRunCommand(program);
registerNabCommands(program);
registerPrefetchCommand(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`omnicache-anomaly: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
