import path from 'node:path';
import type { Logger } from 'pino';
import type { GenerationTask } from '../engines/engine.ts';
import type { FfmpegBinaries } from '../media/ffmpeg-binaries.ts';
import { runFfmpeg, untrustedProtocolWhitelist } from '../media/run-ffmpeg.ts';
import type { ContractBreach, ContractProblem, VideoFacts } from './output-check.ts';
import { checkOutput, contractProblems } from './output-check.ts';
import type { WatermarkPlacement } from './watermark.ts';
import { watermarkFilter, watermarkPlacement } from './watermark.ts';

/** What post-processing is given: the engine's video as probed, the task it had to meet, the mark. */
export interface PostProcessRequest {
  readonly videoPath: string;
  readonly facts: VideoFacts;
  readonly task: GenerationTask;
  readonly watermark: boolean;
  readonly workdir: string;
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

/** One thing post-processing did, as the job's `post_processing` metadata lists it. */
export type PostProcessingStep =
  | {
      readonly step: 'conform';
      /** Why: every way the engine's output broke the contract. */
      readonly reasons: readonly string[];
      readonly video: 're-encoded' | 'copied';
      readonly audio: AudioTreatment;
    }
  | ({ readonly step: 'watermark' } & WatermarkPlacement);

/** What becomes of the audio: kept as is, re-encoded, replaced by silence, or dropped. */
export type AudioTreatment = 'copied' | 're-encoded' | 'silence added' | 'removed' | 'none';

export interface PostProcessResult {
  /** The video to check and publish: the engine's own file when nothing had to change. */
  readonly videoPath: string;
  /** Empty when the engine's output was published untouched. */
  readonly steps: readonly PostProcessingStep[];
}

/** What one ffmpeg pass must do to an output; see {@link planPostProcessing}. */
export interface PostProcessPlan {
  readonly problems: readonly ContractProblem[];
  readonly encodeVideo: boolean;
  readonly audio: AudioTreatment;
  readonly watermark: WatermarkPlacement | undefined;
}

const videoBreaches: ReadonlySet<ContractBreach> = new Set([
  'codec',
  'pixel_format',
  'size',
  'fps',
  'duration',
]);
const audioSampleRate = 48_000;
/** The same deterministic x264 settings as the animatic engine: fixed threads, bit-exact output. */
const encoderThreads = '2';
const timeoutMs = 600_000;

/**
 * Decides what to do with an engine's output: the video is re-encoded only when it breaks the
 * contract or a watermark must be drawn; the audio only when it is missing (silence is added),
 * unwanted (dropped), not AAC, or must follow a duration fix. A compliant output without a
 * watermark is left alone.
 */
export function planPostProcessing(
  task: GenerationTask,
  facts: VideoFacts,
  watermark: boolean,
): PostProcessPlan {
  const problems = contractProblems(task, facts);
  const breaches = new Set(problems.map((problem) => problem.breach));
  const encodeVideo = watermark || problems.some((problem) => videoBreaches.has(problem.breach));
  let audio: AudioTreatment;
  if (!task.generateAudio) audio = facts.hasAudio ? 'removed' : 'none';
  else if (!facts.hasAudio) audio = 'silence added';
  else audio = breaches.has('audio_codec') || breaches.has('duration') ? 're-encoded' : 'copied';
  return {
    problems,
    encodeVideo,
    audio,
    watermark: watermark ? watermarkPlacement(task.width, task.height) : undefined,
  };
}

/** What the pipeline injects: reading a video's facts, and the ffmpeg pass of post-processing. */
export interface ConformOptions {
  readonly probeVideo: (file: string, signal: AbortSignal) => Promise<VideoFacts>;
  readonly postProcess: (request: PostProcessRequest) => Promise<PostProcessResult>;
}

/** A video ready to publish, and what the job's metadata says about how it got there. */
export interface ConformedOutput {
  readonly videoPath: string;
  readonly facts: VideoFacts;
  readonly metadata: {
    readonly post_processing: readonly PostProcessingStep[];
    readonly output_facts: Readonly<Record<string, unknown>>;
    readonly engine_output_facts?: Readonly<Record<string, unknown>>;
  };
}

/**
 * The post-processing stage, for every engine: probe the engine's output, conform what breaks the
 * contract and draw the watermark (one ffmpeg pass, only when needed), probe again, and fail with
 * `output_invalid` only when the result still breaks the contract. The probed facts and every step
 * taken go into the job's metadata.
 */
export async function conformOutput(
  options: ConformOptions,
  request: Omit<PostProcessRequest, 'facts'>,
): Promise<ConformedOutput> {
  const engineFacts = await options.probeVideo(request.videoPath, request.signal);
  const processed = await options.postProcess({ ...request, facts: engineFacts });
  const facts =
    processed.steps.length === 0
      ? engineFacts
      : await options.probeVideo(processed.videoPath, request.signal);
  checkOutput(request.task, facts);
  return {
    videoPath: processed.videoPath,
    facts,
    metadata: {
      post_processing: processed.steps,
      output_facts: describeFacts(facts),
      ...(processed.steps.length === 0 ? {} : { engine_output_facts: describeFacts(engineFacts) }),
    },
  };
}

/** The probed facts in the metadata's snake_case. */
function describeFacts(facts: VideoFacts): Record<string, unknown> {
  return {
    width: facts.width,
    height: facts.height,
    fps: facts.fps,
    duration_seconds: facts.durationSeconds,
    video_codec: facts.videoCodec,
    pixel_format: facts.pixelFormat,
    has_audio: facts.hasAudio,
    audio_codec: facts.audioCodec ?? null,
    bytes: facts.bytes,
  };
}

/**
 * The ffmpeg pass of post-processing: conforms an output that breaks the contract (size, frame
 * rate, codec, pixel format, duration, audio) and draws the watermark, in ONE run, and says why in
 * the job log. Returns the engine's own file untouched when there is nothing to do.
 */
export async function runPostProcessing(
  binaries: FfmpegBinaries,
  fontFile: string,
  request: PostProcessRequest,
): Promise<PostProcessResult> {
  const plan = planPostProcessing(request.task, request.facts, request.watermark);
  if (plan.problems.length === 0 && plan.watermark === undefined) {
    return { videoPath: request.videoPath, steps: [] };
  }
  const steps: PostProcessingStep[] = [];
  if (plan.problems.length > 0) {
    const reasons = plan.problems.map((problem) => problem.message);
    steps.push({
      step: 'conform',
      reasons,
      video: plan.encodeVideo ? 're-encoded' : 'copied',
      audio: plan.audio,
    });
    request.logger.warn({ reasons, audio: plan.audio }, "post-processing: conforming the engine's output");
  }
  if (plan.watermark !== undefined) steps.push({ step: 'watermark', ...plan.watermark });

  const output = path.join(request.workdir, 'post-processed.mp4');
  await runFfmpeg(binaries.ffmpeg, postProcessArguments(plan, request, fontFile, output), {
    timeoutMs,
    signal: request.signal,
    errorCode: 'output_invalid',
  });
  return { videoPath: output, steps };
}

/** The ffmpeg arguments of the one pass a plan needs. Pure, so the graph is unit-tested. */
export function postProcessArguments(
  plan: PostProcessPlan,
  request: Pick<PostProcessRequest, 'videoPath' | 'task' | 'facts'>,
  fontFile: string,
  output: string,
): string[] {
  const { task } = request;
  const frames = task.frameCount;
  const samples = Math.round((frames / task.fps) * audioSampleRate);
  const graphs: string[] = [];
  if (plan.encodeVideo) graphs.push(`[0:v]${videoFilters(plan, request, fontFile).join(',')}[video]`);
  if (plan.audio === 'silence added') graphs.push(`[1:a]atrim=end_sample=${samples}[audio]`);
  if (plan.audio === 're-encoded') {
    // Padded with silence and cut at the video's last frame: exactly the video's duration.
    graphs.push(
      `[0:a]asetpts=PTS-STARTPTS,aresample=${audioSampleRate},apad,atrim=end_sample=${samples}[audio]`,
    );
  }
  const audioEncoded = plan.audio === 'silence added' || plan.audio === 're-encoded';
  return [
    ...['-loglevel', 'error', '-protocol_whitelist', untrustedProtocolWhitelist, '-i', request.videoPath],
    ...(plan.audio === 'silence added'
      ? ['-f', 'lavfi', '-i', `anullsrc=r=${audioSampleRate}:cl=stereo`]
      : []),
    ...(graphs.length === 0 ? [] : ['-filter_complex', graphs.join(';')]),
    ...(plan.encodeVideo
      ? ['-map', '[video]', '-c:v', 'libx264', '-preset', 'superfast', '-crf', '20', '-pix_fmt', 'yuv420p']
      : ['-map', '0:v:0', '-c:v', 'copy']),
    ...(plan.encodeVideo
      ? ['-threads', encoderThreads, '-r', String(task.fps), '-g', String(task.fps * 2)]
      : []),
    ...(audioEncoded
      ? ['-map', '[audio]', '-c:a', 'aac', '-b:a', '128k', '-ar', String(audioSampleRate), '-ac', '2']
      : plan.audio === 'copied'
        ? ['-map', '0:a:0', '-c:a', 'copy']
        : ['-an']),
    ...['-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact'],
    ...['-map_metadata', '-1', '-map_chapters', '-1', '-sn', '-dn'],
    ...['-movflags', '+faststart', '-f', 'mp4', '-y', output],
  ];
}

/**
 * Timestamps from zero; the exact size by filling the frame and cropping the overflow (no
 * distortion, no bars); the task's frame rate; the last frame held when the video is short; cut
 * at exactly the task's frame count; yuv420p; then the mark on top. `tpad` and every other filter
 * here exist in the 2018 static ffmpeg as well as in 5.1.
 */
function videoFilters(
  plan: PostProcessPlan,
  request: Pick<PostProcessRequest, 'task' | 'facts'>,
  fontFile: string,
): string[] {
  const { task, facts } = request;
  const filters = ['setpts=PTS-STARTPTS'];
  if (facts.width !== task.width || facts.height !== task.height) {
    filters.push(
      `scale=${task.width}:${task.height}:force_original_aspect_ratio=increase`,
      `crop=${task.width}:${task.height}`,
    );
  }
  filters.push('setsar=1', `fps=${task.fps}`);
  const shortBy = task.frameCount - Math.floor(facts.durationSeconds * task.fps);
  if (shortBy > 0) filters.push(`tpad=stop_mode=clone:stop=${shortBy + task.fps}`);
  filters.push(`trim=end_frame=${task.frameCount}`, 'format=yuv420p');
  if (plan.watermark !== undefined) filters.push(watermarkFilter(fontFile, plan.watermark));
  return filters;
}
