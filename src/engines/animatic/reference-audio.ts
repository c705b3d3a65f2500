import { readFile } from 'node:fs/promises';
import { demuxerWhitelists } from '../../inputs/media-inspect.ts';
import { runFfmpeg, untrustedProtocolWhitelist } from '../../media/run-ffmpeg.ts';
import { ambienceSampleRate } from './ambience.ts';

/** A client's audio clip decoded by the engine to raw stereo float PCM, with its level. */
export interface DecodedAudio {
  readonly path: string;
  readonly sampleRate: number;
  readonly channels: 2;
  readonly durationSeconds: number;
  /** Largest absolute sample, 0–1 (or more, for a clip mastered past full scale). */
  readonly peak: number;
  /** Root mean square over both channels, 0–1. */
  readonly rms: number;
}

/** What {@link decodeReferenceAudio} reads and writes. */
export interface DecodeAudioRequest {
  readonly ffmpeg: string;
  /** The client's WAV or MP3, already sniffed and probed. */
  readonly inputPath: string;
  readonly outputPath: string;
  /** Nothing past this is decoded: the soundtrack is never longer than the video. */
  readonly maximumSeconds: number;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

/** The demuxers an accepted audio file (WAV or MP3) may be opened with. */
export const audioDemuxerWhitelist = [demuxerWhitelists.wav, demuxerWhitelists.mp3].join(',');

/**
 * Decodes a reference audio clip once, in its own short ffmpeg run with the protocols and
 * demuxers pinned, to 48 kHz stereo 32-bit float PCM (what the soundtrack mixes at), then reads
 * its level so the mix can bring every clip to the same loudness whatever it was mastered at.
 */
export async function decodeReferenceAudio(request: DecodeAudioRequest): Promise<DecodedAudio> {
  await runFfmpeg(
    request.ffmpeg,
    [
      ...['-loglevel', 'error', '-protocol_whitelist', untrustedProtocolWhitelist],
      ...['-format_whitelist', audioDemuxerWhitelist, '-i', request.inputPath],
      ...['-map', '0:a:0', '-t', request.maximumSeconds.toFixed(3), '-ac', '2'],
      ...['-ar', String(ambienceSampleRate), '-c:a', 'pcm_f32le', '-f', 'f32le'],
      ...['-fflags', '+bitexact', '-y', request.outputPath],
    ],
    { timeoutMs: request.timeoutMs, signal: request.signal },
  );
  const bytes = await readFile(request.outputPath);
  // A copy starts at offset 0 of its own buffer, as a Float32Array view needs (4-byte alignment).
  const samples = new Float32Array(new Uint8Array(bytes).buffer, 0, Math.floor(bytes.length / 4));
  let peak = 0;
  let squares = 0;
  for (const sample of samples) {
    const value = Math.abs(sample);
    if (value > peak) peak = value;
    squares += value * value;
  }
  return {
    path: request.outputPath,
    sampleRate: ambienceSampleRate,
    channels: 2,
    durationSeconds: samples.length / 2 / ambienceSampleRate,
    peak,
    rms: samples.length === 0 ? 0 : Math.sqrt(squares / samples.length),
  };
}
