import type { Logger } from 'pino';
import { pino } from 'pino';
import type { ComfyUiConfig } from '../config.ts';
import { AppError } from '../domain/app-error.ts';
import type { FfmpegBinaries } from '../media/ffmpeg-binaries.ts';
import { locateFont } from '../media/font.ts';
import { AnimaticEngine } from './animatic/animatic-engine.ts';
import { createComfyUiEngine } from './comfyui/create-comfyui-engine.ts';
import type { Engine } from './engine.ts';
import type { UpstreamEngineDependencies } from './upstream/create-upstream-engines.ts';
import { createUpstreamEngines } from './upstream/create-upstream-engines.ts';
import type { UpstreamSettings } from './upstream/upstream-settings.ts';

/** The engines this process can run, by id. */
export class EngineRegistry {
  private readonly engines = new Map<string, Engine>();

  constructor(engines: readonly Engine[]) {
    for (const engine of engines) this.engines.set(engine.id, engine);
  }

  get(id: string): Engine {
    const engine = this.engines.get(id);
    if (engine === undefined) {
      throw new AppError('engine_unavailable', `engine "${id}" is not configured on this worker`);
    }
    return engine;
  }
}

/**
 * The engines of this process: the CPU animatic engine, which needs only ffmpeg, and the ComfyUI
 * engine when servers are configured (REELGATE_COMFYUI_URLS), and the upstream engines of the
 * hosted providers that have an API key.
 */
export function createEngines(options: {
  binaries: FfmpegBinaries;
  comfyui?: ComfyUiConfig | undefined;
  logger?: Logger;
  /** Hosted providers as engines (one per provider with an API key). */
  upstream?: { settings: UpstreamSettings; dependencies: UpstreamEngineDependencies } | undefined;
}): EngineRegistry {
  const engines: Engine[] = [new AnimaticEngine({ binaries: options.binaries, fontFile: locateFont() })];
  if (options.comfyui !== undefined) {
    engines.push(createComfyUiEngine(options.comfyui, options.logger ?? pino({ level: 'silent' })));
  }
  if (options.upstream !== undefined) {
    engines.push(...createUpstreamEngines(options.upstream.settings, options.upstream.dependencies));
  }
  return new EngineRegistry(engines);
}
