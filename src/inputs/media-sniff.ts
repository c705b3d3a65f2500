/**
 * Media type detection from a file's first bytes (its magic numbers). A client's file name and
 * Content-Type are never trusted (DESIGN.md §6): the bytes decide what a file is, and ffprobe is
 * then pinned to the demuxer of exactly that type.
 */

/** The three kinds of media input a request can carry. */
export type MediaKind = 'image' | 'video' | 'audio';

/** Image formats the inputs accept. */
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'bmp' | 'tiff' | 'gif';
/** Video containers the inputs accept. */
export type VideoFormat = 'mp4' | 'mov';
/** Audio formats the inputs accept. */
export type AudioFormat = 'wav' | 'mp3';
/** Every accepted format. */
export type MediaFormat = ImageFormat | VideoFormat | AudioFormat;

/** What the first bytes of a file say it is. */
export type SniffedType =
  | { readonly kind: 'image'; readonly format: ImageFormat; readonly mime: string }
  | { readonly kind: 'video'; readonly format: VideoFormat; readonly mime: string }
  | { readonly kind: 'audio'; readonly format: AudioFormat; readonly mime: string };

/** The formats of each kind, in the order messages list them. */
export const acceptedFormats: {
  readonly image: readonly ImageFormat[];
  readonly video: readonly VideoFormat[];
  readonly audio: readonly AudioFormat[];
} = {
  image: ['jpeg', 'png', 'webp', 'bmp', 'tiff', 'gif'],
  video: ['mp4', 'mov'],
  audio: ['wav', 'mp3'],
};

/** Each kind as a noun phrase with its article, for messages: "an image", "an audio file". */
export const kindDescriptions: Readonly<Record<MediaKind, string>> = {
  image: 'an image',
  video: 'a video',
  audio: 'an audio file',
};

/** How many leading bytes {@link sniffMediaType} looks at; reading more never changes the answer. */
export const sniffHeaderBytes = 64;

/** How messages name each accepted format, and the MIME type responses give it. */
export interface MediaFormatInfo {
  /** The format's usual name: "PNG", "MP4". */
  readonly label: string;
  /** The format as a noun phrase with its article: "a PNG image", "an MP4 video". */
  readonly description: string;
  readonly mime: string;
}

/** Name, description and MIME type of each accepted format. */
export const mediaFormats: Readonly<Record<MediaFormat, MediaFormatInfo>> = {
  jpeg: { label: 'JPEG', description: 'a JPEG image', mime: 'image/jpeg' },
  png: { label: 'PNG', description: 'a PNG image', mime: 'image/png' },
  webp: { label: 'WebP', description: 'a WebP image', mime: 'image/webp' },
  bmp: { label: 'BMP', description: 'a BMP image', mime: 'image/bmp' },
  tiff: { label: 'TIFF', description: 'a TIFF image', mime: 'image/tiff' },
  gif: { label: 'GIF', description: 'a GIF image', mime: 'image/gif' },
  mp4: { label: 'MP4', description: 'an MP4 video', mime: 'video/mp4' },
  mov: { label: 'MOV', description: 'a QuickTime MOV video', mime: 'video/quicktime' },
  wav: { label: 'WAV', description: 'a WAV audio file', mime: 'audio/wav' },
  mp3: { label: 'MP3', description: 'an MP3 audio file', mime: 'audio/mpeg' },
};

/**
 * ISO-BMFF major brands of files that are not videos: HEIF/AVIF stills and iTunes audio. They
 * share MP4's `ftyp` box, so without this list a HEIC photo would pass for an MP4 video.
 */
const nonVideoBrands = new Set([
  'heic',
  'heix',
  'hevc',
  'hevx',
  'heim',
  'heis',
  'mif1',
  'msf1',
  'avif',
  'avis',
]);
const audioOnlyBrands = new Set(['M4A ', 'M4B ', 'M4P ']);
/** Top-level atoms that open QuickTime files written before the `ftyp` box existed. */
const legacyQuickTimeAtoms = new Set(['moov', 'mdat', 'wide']);
/** BITMAPINFOHEADER sizes of the BMP versions that exist (core, v2–v5, OS/2 2.x). */
const bitmapHeaderSizes = new Set([12, 16, 40, 52, 56, 64, 108, 124]);

/**
 * Identifies an accepted media format from the first bytes of a file (at least
 * {@link sniffHeaderBytes} when the file is that long). Returns `undefined` for everything else —
 * text, HLS playlists, ffconcat lists, HTML, archives, and media formats the inputs do not accept.
 */
export function sniffMediaType(header: Buffer): SniffedType | undefined {
  const image = sniffImage(header);
  if (image !== undefined) return { kind: 'image', format: image, mime: mediaFormats[image].mime };
  const video = sniffVideo(header);
  if (video !== undefined) return { kind: 'video', format: video, mime: mediaFormats[video].mime };
  const audio = sniffAudio(header);
  if (audio !== undefined) return { kind: 'audio', format: audio, mime: mediaFormats[audio].mime };
  return undefined;
}

function sniffImage(header: Buffer): ImageFormat | undefined {
  if (startsWith(header, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(header, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (ascii(header, 0, 4) === 'RIFF' && ascii(header, 8, 4) === 'WEBP') return 'webp';
  if (ascii(header, 0, 6) === 'GIF87a' || ascii(header, 0, 6) === 'GIF89a') return 'gif';
  if (startsWith(header, [0x49, 0x49, 0x2a, 0x00]) || startsWith(header, [0x4d, 0x4d, 0x00, 0x2a]))
    return 'tiff';
  // "BM" alone is two printable letters; the DIB header size makes a text file starting "BM" fail.
  if (ascii(header, 0, 2) === 'BM' && header.length >= 18 && bitmapHeaderSizes.has(header.readUInt32LE(14))) {
    return 'bmp';
  }
  return undefined;
}

function sniffVideo(header: Buffer): VideoFormat | undefined {
  if (header.length < 12) return undefined;
  const boxSize = header.readUInt32BE(0);
  const boxType = ascii(header, 4, 4);
  if (boxType === 'ftyp' && boxSize >= 12) {
    const brand = ascii(header, 8, 4);
    if (nonVideoBrands.has(brand) || audioOnlyBrands.has(brand)) return undefined;
    return brand === 'qt  ' ? 'mov' : 'mp4';
  }
  // Size 1 means a 64-bit size follows; any smaller value cannot hold an atom header.
  if (legacyQuickTimeAtoms.has(boxType) && (boxSize === 1 || boxSize >= 8)) return 'mov';
  return undefined;
}

function sniffAudio(header: Buffer): AudioFormat | undefined {
  if (ascii(header, 0, 4) === 'RIFF' && ascii(header, 8, 4) === 'WAVE') return 'wav';
  if (isId3Tag(header) || isMpegLayer3Frame(header)) return 'mp3';
  return undefined;
}

/** An ID3v2 tag: "ID3", a major version 2–4, then four size bytes that each keep bit 7 clear. */
function isId3Tag(header: Buffer): boolean {
  if (header.length < 10 || ascii(header, 0, 3) !== 'ID3') return false;
  const version = header[3] ?? 0;
  if (version < 2 || version > 4) return false;
  return [6, 7, 8, 9].every((index) => ((header[index] ?? 0x80) & 0x80) === 0);
}

/**
 * An MPEG audio frame header for layer III: 11 sync bits, a real version (1, 2 or 2.5), a bitrate
 * index that is neither "free" nor the forbidden 15, a real sample rate and a real emphasis. ADTS
 * AAC also starts with 0xFFF but has layer bits 00, so it does not match.
 */
function isMpegLayer3Frame(header: Buffer): boolean {
  if (header.length < 4) return false;
  const [first = 0, second = 0, third = 0, fourth = 0] = header;
  if (first !== 0xff || (second & 0xe0) !== 0xe0) return false;
  const version = (second >> 3) & 0b11;
  const layer = (second >> 1) & 0b11;
  const bitrateIndex = third >> 4;
  const sampleRateIndex = (third >> 2) & 0b11;
  const emphasis = fourth & 0b11;
  return (
    version !== 0b01 &&
    layer === 0b01 &&
    bitrateIndex !== 0 &&
    bitrateIndex !== 0b1111 &&
    sampleRateIndex !== 0b11 &&
    emphasis !== 0b10
  );
}

/**
 * A short phrase for bytes that {@link sniffMediaType} does not recognise, for error messages:
 * "an HLS playlist", "text", "an unrecognised binary file". It names what the file seems to be so a
 * client sees why it was refused; it never makes a file acceptable.
 */
export function describeUnrecognizedMedia(header: Buffer): string {
  if (header.length === 0) return 'an empty file';
  // A UTF-8 byte order mark reads as these three Latin-1 characters.
  const text = header.toString('latin1').replace(/^\xEF\xBB\xBF/, '');
  if (text.startsWith('#EXTM3U')) return 'an HLS playlist';
  if (text.startsWith('ffconcat version')) return 'an ffconcat list';
  if (startsWith(header, [0x50, 0x4b, 0x03, 0x04])) return 'a ZIP archive';
  if (/^\s*</.test(text)) return 'HTML or XML';
  // Printable ASCII, tabs and line breaks, or bytes of multi-byte UTF-8 sequences.
  if (header.every((byte) => byte >= 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d)) return 'text';
  return 'an unrecognised binary file';
}

function startsWith(header: Buffer, bytes: readonly number[]): boolean {
  return header.length >= bytes.length && bytes.every((byte, index) => header[index] === byte);
}

function ascii(header: Buffer, offset: number, length: number): string {
  if (header.length < offset + length) return '';
  return header.toString('latin1', offset, offset + length);
}
