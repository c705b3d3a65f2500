import { AppError } from '../domain/app-error.ts';
import type { FfmpegBinaries } from '../media/ffmpeg-binaries.ts';
import { locateFont } from '../media/font.ts';
import { AnimaticEngine } from './animatic/animatic-engine.ts';
import type { Engine } from './engine.ts';

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

/** The built-in engines: the CPU animatic engine, which needs only ffmpeg. */
export function createEngines(options: { binaries: FfmpegBinaries }): EngineRegistry {
  return new EngineRegistry([new AnimaticEngine({ binaries: options.binaries, fontFile: locateFont() })]);
}
