/**
 * The subset of JSON Schema that the seeds' model input schemas use. The catalog keeps each
 * seed's schema as data, verbatim, so `GET /v1/models` serves exactly what the platforms publish;
 * the validator is derived from that same data (see `input-validator.ts`), so there is one source.
 */
export interface JsonSchemaProperty {
  readonly title?: string;
  readonly description?: string;
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'array';
  readonly enum?: readonly (string | number)[];
  readonly default?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly format?: string;
  readonly items?: JsonSchemaProperty;
  readonly maxItems?: number;
}

export interface JsonObjectSchema {
  readonly type: 'object';
  readonly title?: string;
  readonly required: readonly string[];
  readonly properties: Readonly<Record<string, JsonSchemaProperty>>;
}

/** The RunComfy output schema shared by the seed models: a single video URL among other shapes. */
export const runComfyOutputSchema = {
  output: {
    type: 'object',
    properties: {
      image: { type: 'string', format: 'uri', description: 'single image URL' },
      video: { type: 'string', format: 'uri', description: 'single video URL' },
      images: {
        type: 'array',
        description: 'multiple image URLs',
        items: { type: 'string', format: 'uri' },
      },
      videos: {
        type: 'array',
        description: 'multiple video URLs',
        items: { type: 'string', format: 'uri' },
      },
    },
  },
} as const;
