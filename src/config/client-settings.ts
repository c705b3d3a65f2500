import path from 'node:path';
import { ConfigError } from './config-error.ts';

/** Where the client commands find a server and key, before flags and the config file are applied. */
export interface ClientSettings {
  /** REELGATE_URL: the server's base URL, without a trailing slash. */
  readonly url: string | undefined;
  /** REELGATE_API_KEY. */
  readonly apiKey: string | undefined;
  /** REELGATE_CONFIG, else `$XDG_CONFIG_HOME/reelgate/config.json`, else `~/.config/reelgate/config.json`. */
  readonly configFile: string;
  /** Where `reelgate serve` would listen with this environment: loopback on PORT (default 8080). */
  readonly defaultUrl: string;
}

/** Reads the client commands' variables; a bad REELGATE_URL is one ConfigError line. */
export function clientSettingsFrom(
  environment: Readonly<Record<string, string | undefined>>,
): ClientSettings {
  const url = environment['REELGATE_URL']?.trim() || undefined;
  if (url !== undefined && (!/^https?:\/\//.test(url) || !URL.canParse(url))) {
    throw new ConfigError(
      `invalid configuration: REELGATE_URL must be an absolute http(s) URL, got "${url}"`,
    );
  }
  const home = environment['HOME'] ?? environment['USERPROFILE'] ?? '.';
  const configHome = environment['XDG_CONFIG_HOME']?.trim() || path.join(home, '.config');
  return {
    url: url?.replace(/\/+$/, ''),
    apiKey: environment['REELGATE_API_KEY']?.trim() || undefined,
    configFile: path.resolve(
      environment['REELGATE_CONFIG']?.trim() || path.join(configHome, 'reelgate', 'config.json'),
    ),
    defaultUrl: `http://127.0.0.1:${/^\d{1,5}$/.test(environment['PORT'] ?? '') ? environment['PORT'] : '8080'}`,
  };
}
