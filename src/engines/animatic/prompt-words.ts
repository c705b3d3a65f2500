import type { PaletteName } from './palettes.ts';
import type { CameraMove } from './prompt-plan.ts';
import type { SettingName, Weather } from './scene-settings.ts';

/**
 * The words the animatic engine listens for in a prompt. Matching is on whole words of the
 * lower-cased prompt with hyphens read as spaces, so `locked-off` matches `locked off`.
 */
export type WordTable<T> = readonly (readonly [T, readonly string[]])[];

function table<T>(rows: readonly (readonly [T, string])[]): WordTable<T> {
  return rows.map(([value, list]) => [value, list.split(',').map((word) => word.trim())] as const);
}

/**
 * Mood words per palette, in priority order: when a prompt names several ("a neon street at
 * night"), the first palette here that matches wins, because the more specific look (neon) says
 * more than the time of day (night).
 */
export const paletteWords: WordTable<PaletteName> = table<PaletteName>([
  [
    'underwater',
    'underwater, under water, under the sea, ocean floor, seabed, coral, reef, submarine, diver',
  ],
  ['underwater', 'scuba, deep sea, aquarium'],
  ['neon', 'neon, cyberpunk, synthwave, vaporwave, nightclub, arcade, city lights, blade runner, rgb lights'],
  ['golden-hour', 'golden hour, golden light, magic hour, late afternoon, warm light, golden'],
  ['sunset', 'sunset, sundown, dusk, twilight, evening, setting sun'],
  ['dawn', 'dawn, sunrise, daybreak, first light, morning, early light'],
  ['night', 'night, midnight, moonlit, moonlight, moon, starry, stars, nocturnal, dark sky'],
  ['overcast', 'overcast, cloudy, grey sky, gray sky, rain, rainy, storm, stormy, fog, foggy, mist, misty'],
  ['overcast', 'gloomy, drizzle'],
  ['snow', 'snow, snowy, snowfall, winter, blizzard, frost, frozen, icy, arctic, glacier'],
  ['desert', 'desert, dunes, dune, sahara, arid, canyon, badlands'],
  ['forest', 'forest, woods, woodland, jungle, rainforest, grove, moss, mossy, canopy'],
  ['daylight', 'daylight, sunny, noon, midday, blue sky, bright day, summer, clear sky'],
]);

/** Setting words in priority order (the first setting with a match wins). */
export const settingWords: WordTable<SettingName> = table<SettingName>([
  ['underwater', 'underwater, under water, under the sea, ocean floor, seabed, coral, reef, scuba, diver'],
  ['underwater', 'submarine'],
  ['city', 'city, street, alley, downtown, skyline, rooftop, skyscraper, building, urban, traffic'],
  ['city', 'metropolis, avenue, neon, cyberpunk, tokyo, new york'],
  ['sea', 'ocean, sea, beach, shore, coast, waves, harbor, harbour, lighthouse, lake, pier, sailboat, boat'],
  ['forest', 'forest, woods, woodland, jungle, rainforest, grove, trees, pine'],
  ['desert', 'desert, dunes, dune, sahara, sand, canyon, badlands, arid'],
  ['mountains', 'mountain, mountains, peak, summit, cliff, alps, ridge, glacier, snowy, valley'],
  ['meadow', 'meadow, field, fields, hills, countryside, farm, prairie, grassland, garden, park'],
]);

/** Weather words add falling particles in place of the palette's own. */
export const weatherWords: WordTable<Exclude<Weather, 'clear'>> = table<Exclude<Weather, 'clear'>>([
  ['rain', 'rain, rainy, raining, rainfall, downpour, drizzle, storm, stormy, thunderstorm'],
  ['snow', 'snow, snowing, snowfall, snowflakes, blizzard'],
]);

/** A camera word: a move, or a bare "pan" whose direction the seed decides. */
export type CameraWord = CameraMove | 'pan';

/** Camera words; when a text names several moves, the one written first wins. */
export const cameraWords: WordTable<CameraWord> = table<CameraWord>([
  ['static', 'static shot, static camera, static, locked off, lock off, tripod, fixed camera, still camera'],
  ['static', 'no camera movement, camera remains still, camera is still, stationary camera'],
  ['push-in', 'push in, pushes in, pushing in, push forward, dolly in, dollies in, dolly forward'],
  ['push-in', 'zoom in, zooms in, zooming in, slow zoom, moves in, move in, creeps in'],
  ['pull-out', 'pull out, pulls out, pulling out, pull back, pulls back, pulling back, dolly out'],
  ['pull-out', 'dollies out, dolly back, zoom out, zooms out, zooming out, widens'],
  ['pan-left', 'pan left, pans left, panning left, pan to the left, pans to the left'],
  ['pan-right', 'pan right, pans right, panning right, pan to the right, pans to the right'],
  ['pan', 'pan, pans, panning, panoramic, whip pan, sweeping'],
  ['tracking', 'tracking, tracks, track shot, follows, following, follow shot, truck left, truck right'],
  ['tracking', 'trucking, side scrolling, lateral move, alongside, steadicam'],
  ['orbit', 'orbit, orbits, orbiting, arc shot, arcs around, circles around, circling, 360'],
  ['orbit', 'revolves around, rotates around'],
]);
