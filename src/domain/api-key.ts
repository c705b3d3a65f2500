/** An API key as stored: only the SHA-256 of the secret is kept, never the secret. */
export interface ApiKey {
  readonly id: string;
  readonly name: string;
  /** The first characters of the secret, shown in listings so a person can tell keys apart. */
  readonly prefix: string;
  readonly secretHash: string;
  readonly createdAt: number;
  readonly revokedAt: number | null;
}
