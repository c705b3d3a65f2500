/**
 * Escapes a value for use as one option of one filter inside an ffmpeg filtergraph string, such
 * as a font path in `drawtext=fontfile=…`. ffmpeg unescapes twice (see "Notes on filtergraph
 * escaping" in its filters manual): the graph parser first, treating `\ ' [ ] , ;` as special,
 * then the filter's option parser, treating `\ ' :` as special. So the value is escaped for the
 * option level first and the result escaped again for the graph level.
 */
export function escapeFilterValue(value: string): string {
  const optionLevel = value.replace(/[\\':]/g, (character) => `\\${character}`);
  return optionLevel.replace(/[\\'[\],;]/g, (character) => `\\${character}`);
}
