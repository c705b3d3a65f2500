/** A colour as 0–255 red, green, blue. */
export type Rgb = readonly [number, number, number];

/** Every look the animatic engine paints. */
export const paletteNames = [
  'golden-hour',
  'sunset',
  'dawn',
  'night',
  'neon',
  'overcast',
  'underwater',
  'forest',
  'snow',
  'desert',
  'daylight',
] as const;
/** One of {@link paletteNames}. */
export type PaletteName = (typeof paletteNames)[number];

/** What drifts in front of the camera; it keeps even a locked-off shot alive. */
export type ParticleKind = 'dust' | 'fireflies' | 'bokeh' | 'mist' | 'bubbles' | 'snow' | 'rain';

/** The chord family the ambience drone is built on. */
export type Mood = 'warm' | 'tender' | 'dark' | 'electric' | 'muted' | 'deep' | 'bright';

/** Colours and light of one look, picked from the prompt's mood words. */
export interface Palette {
  readonly name: PaletteName;
  /** The light in words, recorded in the job metadata. */
  readonly light: string;
  /** Sky from the top of the frame, through the middle, to the horizon. */
  readonly sky: readonly [Rgb, Rgb, Rgb];
  readonly celestial: {
    readonly kind: 'sun' | 'moon' | 'none';
    readonly color: Rgb;
    /** Disc radius as a share of the frame height. */
    readonly radius: number;
    /** Height above the horizon as a share of the sky (0 on the horizon, 1 at the top). */
    readonly altitude: number;
    /** Strength of the halo, 0–1. */
    readonly glow: number;
  };
  /** Distant silhouettes (mixed with the horizon colour for haze). */
  readonly far: Rgb;
  /** Near silhouettes. */
  readonly near: Rgb;
  /** Ground or water below the horizon. */
  readonly ground: Rgb;
  /** Lit windows, particles, highlights. */
  readonly accent: Rgb;
  /** A second accent, used by neon signs and bokeh. */
  readonly accentAlternate: Rgb;
  readonly stars: boolean;
  readonly clouds: number;
  readonly particles: ParticleKind;
  readonly mood: Mood;
}

/** The colours and light of each look. */
export const palettes: Readonly<Record<PaletteName, Palette>> = {
  'golden-hour': {
    name: 'golden-hour',
    light: 'low warm sun, long soft shadows',
    sky: [
      [78, 118, 178],
      [232, 172, 112],
      [255, 208, 138],
    ],
    celestial: { kind: 'sun', color: [255, 232, 170], radius: 0.055, altitude: 0.2, glow: 0.9 },
    far: [160, 112, 98],
    near: [48, 34, 36],
    ground: [128, 86, 52],
    accent: [255, 214, 150],
    accentAlternate: [255, 180, 110],
    stars: false,
    clouds: 0.35,
    particles: 'dust',
    mood: 'warm',
  },
  sunset: {
    name: 'sunset',
    light: 'sun on the horizon, red-orange sky',
    sky: [
      [42, 40, 98],
      [204, 82, 94],
      [255, 144, 64],
    ],
    celestial: { kind: 'sun', color: [255, 130, 70], radius: 0.08, altitude: 0.04, glow: 1 },
    far: [96, 52, 74],
    near: [26, 15, 26],
    ground: [74, 36, 48],
    accent: [255, 168, 96],
    accentAlternate: [255, 110, 120],
    stars: false,
    clouds: 0.45,
    particles: 'dust',
    mood: 'warm',
  },
  dawn: {
    name: 'dawn',
    light: 'first light, pale pink and lilac',
    sky: [
      [62, 82, 142],
      [228, 162, 172],
      [255, 214, 184],
    ],
    celestial: { kind: 'sun', color: [255, 238, 206], radius: 0.05, altitude: 0.08, glow: 0.7 },
    far: [124, 112, 146],
    near: [42, 40, 62],
    ground: [104, 96, 124],
    accent: [255, 224, 204],
    accentAlternate: [220, 200, 255],
    stars: false,
    clouds: 0.3,
    particles: 'dust',
    mood: 'tender',
  },
  night: {
    name: 'night',
    light: 'moonlight, deep blue, warm practicals',
    sky: [
      [5, 8, 26],
      [16, 26, 62],
      [36, 52, 94],
    ],
    celestial: { kind: 'moon', color: [232, 236, 255], radius: 0.04, altitude: 0.65, glow: 0.35 },
    far: [22, 28, 50],
    near: [6, 7, 14],
    ground: [12, 16, 30],
    accent: [252, 222, 150],
    accentAlternate: [160, 200, 255],
    stars: true,
    clouds: 0.1,
    particles: 'fireflies',
    mood: 'dark',
  },
  neon: {
    name: 'neon',
    light: 'magenta and cyan neon, wet reflections',
    sky: [
      [18, 6, 40],
      [88, 20, 112],
      [240, 62, 160],
    ],
    celestial: { kind: 'none', color: [0, 0, 0], radius: 0, altitude: 0, glow: 0 },
    far: [44, 16, 74],
    near: [10, 5, 22],
    ground: [26, 10, 42],
    accent: [0, 236, 255],
    accentAlternate: [255, 48, 200],
    stars: false,
    clouds: 0,
    particles: 'bokeh',
    mood: 'electric',
  },
  overcast: {
    name: 'overcast',
    light: 'flat grey overcast light',
    sky: [
      [118, 126, 138],
      [158, 164, 172],
      [192, 194, 198],
    ],
    celestial: { kind: 'none', color: [0, 0, 0], radius: 0, altitude: 0, glow: 0 },
    far: [112, 118, 126],
    near: [54, 60, 64],
    ground: [96, 102, 100],
    accent: [222, 226, 232],
    accentAlternate: [200, 210, 220],
    stars: false,
    clouds: 0.8,
    particles: 'mist',
    mood: 'muted',
  },
  underwater: {
    name: 'underwater',
    light: 'caustic light shafts from the surface',
    sky: [
      [14, 128, 156],
      [6, 72, 112],
      [2, 32, 62],
    ],
    celestial: { kind: 'none', color: [0, 0, 0], radius: 0, altitude: 0, glow: 0 },
    far: [8, 54, 84],
    near: [2, 20, 36],
    ground: [26, 66, 76],
    accent: [186, 242, 255],
    accentAlternate: [120, 220, 230],
    stars: false,
    clouds: 0,
    particles: 'bubbles',
    mood: 'deep',
  },
  forest: {
    name: 'forest',
    light: 'green canopy light with sun shafts',
    sky: [
      [154, 194, 172],
      [94, 144, 104],
      [62, 104, 72],
    ],
    celestial: { kind: 'sun', color: [255, 250, 214], radius: 0.045, altitude: 0.72, glow: 0.6 },
    far: [42, 78, 52],
    near: [12, 28, 16],
    ground: [36, 62, 30],
    accent: [232, 255, 176],
    accentAlternate: [255, 240, 180],
    stars: false,
    clouds: 0,
    particles: 'dust',
    mood: 'tender',
  },
  snow: {
    name: 'snow',
    light: 'cold bright winter light',
    sky: [
      [150, 180, 216],
      [206, 220, 238],
      [236, 240, 248],
    ],
    celestial: { kind: 'sun', color: [255, 255, 246], radius: 0.045, altitude: 0.45, glow: 0.5 },
    far: [172, 186, 206],
    near: [88, 98, 120],
    ground: [238, 242, 250],
    accent: [255, 255, 255],
    accentAlternate: [210, 230, 255],
    stars: false,
    clouds: 0.4,
    particles: 'snow',
    mood: 'bright',
  },
  desert: {
    name: 'desert',
    light: 'hard high sun, bleached sky',
    sky: [
      [70, 140, 210],
      [172, 202, 226],
      [246, 222, 182],
    ],
    celestial: { kind: 'sun', color: [255, 250, 230], radius: 0.05, altitude: 0.62, glow: 0.8 },
    far: [204, 152, 104],
    near: [150, 94, 54],
    ground: [222, 176, 122],
    accent: [255, 240, 204],
    accentAlternate: [255, 220, 160],
    stars: false,
    clouds: 0.05,
    particles: 'dust',
    mood: 'warm',
  },
  daylight: {
    name: 'daylight',
    light: 'clear midday daylight',
    sky: [
      [40, 110, 200],
      [120, 176, 230],
      [202, 226, 246],
    ],
    celestial: { kind: 'sun', color: [255, 255, 240], radius: 0.045, altitude: 0.72, glow: 0.6 },
    far: [92, 132, 152],
    near: [40, 80, 46],
    ground: [92, 142, 72],
    accent: [255, 255, 255],
    accentAlternate: [255, 244, 200],
    stars: false,
    clouds: 0.5,
    particles: 'dust',
    mood: 'bright',
  },
};

/** Looks chosen from the seed when the prompt names none: natural light that suits most scenes. */
export const defaultPaletteChoices: readonly PaletteName[] = [
  'golden-hour',
  'dawn',
  'daylight',
  'sunset',
  'overcast',
  'night',
];
