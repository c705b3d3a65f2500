// A separate program, never imported by the server: it runs eSpeak NG (the `espeak-ng` npm
// package, GPL-3.0-or-later, eSpeak NG compiled to WebAssembly with its voices inside) in its own
// Node process, so Reelgate (Apache-2.0) only talks to it as it talks to ffmpeg: arguments in,
// a file out. See docs/decisions/0011-dialogue-speech-as-a-separate-program.md.
//
// Usage: node speech-program.mjs <output.wav> <voice> <words-per-minute>   (the text on stdin)
//
// The text arrives on stdin, not in the arguments, so a line that starts with "-" can never be
// read as an option and no length limit of the command line applies. The WAV (22 050 Hz mono,
// 16-bit PCM) is written to the given path; the exit code says whether it worked.
import { writeFile } from 'node:fs/promises';

const [outputPath, voice, wordsPerMinute] = process.argv.slice(2);
if (
  outputPath === undefined ||
  voice === undefined ||
  !/^[a-z][a-z0-9-]{1,30}(\+[a-z0-9]{1,8})?$/i.test(voice)
) {
  process.stderr.write('usage: speech-program.mjs <output.wav> <voice> <words-per-minute>\n');
  process.exit(2);
}
const speed = Number(wordsPerMinute ?? '175');
if (!Number.isInteger(speed) || speed < 80 || speed > 450) {
  process.stderr.write(`words per minute must be a whole number from 80 to 450, got ${wordsPerMinute}\n`);
  process.exit(2);
}

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const text = Buffer.concat(chunks).toString('utf8');
if (text.trim() === '') {
  process.stderr.write('no text on stdin\n');
  process.exit(2);
}

// eSpeak NG seeds its random numbers (breath noise, pitch flutter) from time(), which the WASM
// build reads from Date.now(): two renders a second apart would speak differently. This process
// does nothing else, so its clock is pinned to the epoch and every run gives the same samples.
Date.now = () => 0;
const { default: loadEspeak } = await import('espeak-ng');
const messages = [];
const espeak = await loadEspeak({
  // The text goes in through the in-memory file system before eSpeak's main() runs.
  arguments: ['-w', '/speech.wav', '-v', voice, '-s', String(speed), '-f', '/text.txt'],
  preRun: [(module) => module.FS.writeFile('/text.txt', text)],
  print: (line) => messages.push(line),
  printErr: (line) => messages.push(line),
});
let wav;
try {
  wav = espeak.FS.readFile('/speech.wav');
} catch {
  process.stderr.write(`eSpeak NG wrote no audio: ${messages.join(' ').slice(0, 500)}\n`);
  process.exit(1);
}
await writeFile(outputPath, wav);
