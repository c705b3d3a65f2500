/**
 * Where a shot takes place: it picks the shape of the land (the silhouettes the painter draws) and
 * the ambience bed, independently of the light, so "a forest at dawn" gets trees and dawn colours.
 */
export const settingNames = ['underwater', 'city', 'sea', 'forest', 'desert', 'mountains', 'meadow'] as const;
/** One of {@link settingNames}. */
export type SettingName = (typeof settingNames)[number];

/** Weather words in the prompt bring rain or snow in place of the palette's own particles. */
export type Weather = 'clear' | 'rain' | 'snow';
