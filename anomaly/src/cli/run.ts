import type { Command } from 'commander';
import { loadConfig } from '../service/config.js';
import { serve } from '../service/server.js';
import { AnomalyService } from '../service/service.js';

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run the service: back-fill from Prometheus, evaluate every interval, alert, serve /metrics')
    .requiredOption('-c, --config <file>', 'configuration file (YAML or JSON)')
    .action(async (o: { config: string }) => {
      const config = loadConfig(o.config);
      const service = new AnomalyService(config);
      const server = await serve(service, config.listen.host, config.listen.port);
      console.error(`[anomaly] serving ${server.url}/metrics, watching ${config.series.length} series`);
      await service.start();
      const shutdown = async () => {
        await service.stop();
        await server.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown());
      process.once('SIGTERM', () => void shutdown());
    });
}
