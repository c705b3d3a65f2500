import { execFile } from 'node:child_process';
import { copyFile, open, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Real media files for the input tests, each made by ffmpeg so the facts are known: every
 * accepted format, and files that break one rule each. Test support only; nothing in the server
 * imports it.
 */
export interface MediaFixtures {
  /** 640×480 stills of each accepted image format. */
  readonly jpeg: string;
  readonly png: string;
  readonly webp: string;
  readonly bmp: string;
  readonly tiff: string;
  readonly gif: string;
  /** 7000×3000: too wide on one side, aspect 2.33 within range. */
  readonly wideImage: string;
  /** 1800×600: aspect 3, sides within range. */
  readonly panoramaImage: string;
  /** 640×480 H.264, 24 fps, 3 s, with and without a 44.1 kHz AAC track. */
  readonly mp4: string;
  readonly silentMp4: string;
  readonly mov: string;
  readonly silentMov: string;
  /** Silent H.264 at 24 fps of 1 s, 8 s and 16 s. */
  readonly oneSecondMp4: string;
  readonly eightSecondMp4: string;
  readonly sixteenSecondMp4: string;
  /** 3 s at 12 fps. */
  readonly twelveFpsMp4: string;
  /** 3 s of a 440 Hz tone. */
  readonly wav: string;
  readonly mp3: string;
  /** An MP3 with no ID3 tag and no Xing frame: it starts with a bare frame header. */
  readonly bareMp3: string;
  /** 1.4 s WAV. */
  readonly shortWav: string;
  /** 2.8 s of 8-channel 32-bit 192 kHz PCM: 17 MB, over the audio cap, duration fine. */
  readonly largeWav: string;
  /** A PNG under a video's name. */
  readonly pngNamedMp4: string;
  /** Text under a JPEG's name. */
  readonly textNamedJpeg: string;
  /** The first 2 KB of the MP4: an `ftyp` box but no `moov`. */
  readonly truncatedMp4: string;
  /** An HLS playlist and an ffconcat list that both point at the MP4. */
  readonly playlist: string;
  readonly concatList: string;
}

const h264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];

/**
 * Writes the fixtures into `folder` with three ffmpeg runs in parallel (images, videos, audio),
 * each run encoding all its outputs from one synthetic source. About a second on a laptop.
 */
export async function createMediaFixtures(ffmpeg: string, folder: string): Promise<MediaFixtures> {
  const file = (name: string) => path.join(folder, name);
  const fixtures: MediaFixtures = {
    jpeg: file('still.jpg'),
    png: file('still.png'),
    webp: file('still.webp'),
    bmp: file('still.bmp'),
    tiff: file('still.tiff'),
    gif: file('still.gif'),
    wideImage: file('wide.png'),
    panoramaImage: file('panorama.png'),
    mp4: file('clip.mp4'),
    silentMp4: file('silent.mp4'),
    mov: file('clip.mov'),
    silentMov: file('silent.mov'),
    oneSecondMp4: file('one-second.mp4'),
    eightSecondMp4: file('eight-seconds.mp4'),
    sixteenSecondMp4: file('sixteen-seconds.mp4'),
    twelveFpsMp4: file('twelve-fps.mp4'),
    wav: file('tone.wav'),
    mp3: file('tone.mp3'),
    bareMp3: file('bare.mp3'),
    shortWav: file('short.wav'),
    largeWav: file('large.wav'),
    pngNamedMp4: file('picture.mp4'),
    textNamedJpeg: file('notes.jpg'),
    truncatedMp4: file('truncated.mp4'),
    playlist: file('list.m3u8'),
    concatList: file('list.ffconcat'),
  };
  const one = ['-frames:v', '1'];
  const images = [
    ...['-f', 'lavfi', '-i', 'testsrc2=size=640x480:rate=1'],
    ...['-f', 'lavfi', '-i', 'color=c=gray:size=7000x3000:rate=1'],
    ...['-f', 'lavfi', '-i', 'color=c=gray:size=1800x600:rate=1'],
    ...[fixtures.jpeg, fixtures.png, fixtures.webp, fixtures.bmp, fixtures.tiff, fixtures.gif].flatMap(
      (output) => ['-map', '0:v', ...one, output],
    ),
    ...['-map', '1:v', ...one, fixtures.wideImage, '-map', '2:v', ...one, fixtures.panoramaImage],
  ];
  const withAudio = ['-map', '0:v', '-map', '1:a', '-t', '3', ...h264, '-c:a', 'aac'];
  const silent = (seconds: number) => ['-map', '0:v', '-t', String(seconds), ...h264];
  const videos = [
    ...['-f', 'lavfi', '-i', 'testsrc2=size=640x480:rate=24'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100'],
    ...[...withAudio, fixtures.mp4, ...silent(3), fixtures.silentMp4],
    ...[...withAudio, fixtures.mov, ...silent(3), fixtures.silentMov],
    ...[...silent(1), fixtures.oneSecondMp4, ...silent(8), fixtures.eightSecondMp4],
    ...[...silent(16), fixtures.sixteenSecondMp4, ...silent(3), '-r', '12', fixtures.twelveFpsMp4],
  ];
  const audio = [
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100'],
    ...['-t', '3', fixtures.wav, '-t', '3', '-c:a', 'libmp3lame', fixtures.mp3],
    ...['-t', '3', '-c:a', 'libmp3lame', '-id3v2_version', '0', '-write_xing', '0', fixtures.bareMp3],
    ...['-t', '1.4', fixtures.shortWav],
    ...['-t', '2.8', '-ar', '192000', '-ac', '8', '-c:a', 'pcm_s32le', fixtures.largeWav],
  ];
  const ffmpegRun = (commandArguments: string[]) =>
    run(ffmpeg, ['-nostdin', '-v', 'error', '-y', ...commandArguments]);
  await Promise.all([ffmpegRun(images), ffmpegRun(videos), ffmpegRun(audio)]);

  await copyFile(fixtures.png, fixtures.pngNamedMp4);
  await writeFile(fixtures.textNamedJpeg, 'These are notes, not a photograph.\n');
  await writeFile(fixtures.truncatedMp4, await readStart(fixtures.mp4, 2048));
  const clip = path.basename(fixtures.mp4);
  await writeFile(
    fixtures.playlist,
    `#EXTM3U\n#EXT-X-TARGETDURATION:3\n#EXTINF:3,\n${clip}\n#EXT-X-ENDLIST\n`,
  );
  await writeFile(fixtures.concatList, `ffconcat version 1.0\nfile ${clip}\n`);
  return fixtures;
}

async function readStart(file: string, length: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
