import type { Logger } from 'pino';
import type { ComfyUiConfig } from '../../config.ts';
import { ComfyUiEngine } from './comfyui-engine.ts';
import { ComfyUiServerPool } from './comfyui-server-pool.ts';
import { SocketHub } from './comfyui-socket.ts';
import { TemplateRegistry } from './workflows/template-registry.ts';

/**
 * The `comfyui` engine for a configuration: the server pool (health checks start with the first
 * job), the process's sockets, and the built-in plus operator templates (read now, so a broken
 * template file stops the start with a clear line).
 */
export function createComfyUiEngine(config: ComfyUiConfig, logger: Logger): ComfyUiEngine {
  const pool = new ComfyUiServerPool({
    urls: config.urls,
    slotsPerServer: config.slotsPerServer,
    healthIntervalMs: config.healthIntervalMs,
    logger,
  });
  return new ComfyUiEngine({
    pool,
    templates: TemplateRegistry.load(config.templatesDir),
    sockets: new SocketHub(logger),
    clientId: config.clientId,
    stallMs: config.stallMs,
  });
}
