/**
 * OpenAPI documentation of the OpenAI Videos routes (shown at `/docs`). Documentation only: the
 * server's validator compiler passes bodies through, and zod in the translators does the checking.
 */

const tags = ['OpenAI Videos'];
const security = [{ bearerAuth: [] }];

const videoIdParams = {
  type: 'object',
  properties: { video_id: { type: 'string', description: 'The video id (a job id of any dialect)' } },
  required: ['video_id'],
} as const;

const createBody = {
  type: 'object',
  required: ['prompt'],
  properties: {
    prompt: { type: 'string', minLength: 1, maxLength: 32000 },
    model: {
      type: 'string',
      default: 'sora-2',
      description: 'sora-2 (Seedance 2.0 Fast), sora-2-pro (Seedance 2.0 Pro) or any catalog model id',
    },
    seconds: {
      type: 'string',
      default: '4',
      description: 'Whole seconds the model allows ("4", "8", "12", …)',
    },
    size: {
      type: 'string',
      default: '720x1280',
      description:
        'WIDTHxHEIGHT: a pixel-table size of the model, or 1024x1792 / 1792x1024 (the nearest size the model offers)',
    },
    input_reference: {
      description: 'A first-frame image: a multipart file, or {image_url} / {file_id}',
      type: 'object',
      properties: { image_url: { type: 'string' }, file_id: { type: 'string' } },
    },
  },
} as const;

export const videoSchemas = {
  create: {
    tags,
    security,
    summary: 'Create a video (JSON or multipart/form-data)',
    consumes: ['application/json', 'multipart/form-data'],
    body: createBody,
  },
  list: {
    tags,
    security,
    summary: 'List videos, newest first',
    querystring: {
      type: 'object',
      properties: {
        after: { type: 'string' },
        limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
        order: { type: 'string', enum: ['asc', 'desc'], default: 'desc' },
      },
    },
  },
  retrieve: { tags, security, summary: 'Retrieve a video', params: videoIdParams },
  delete: { tags, security, summary: 'Delete a completed or failed video', params: videoIdParams },
  remix: {
    tags,
    security,
    summary: 'Remix a completed video with a new prompt',
    params: videoIdParams,
    body: {
      type: 'object',
      required: ['prompt'],
      properties: { prompt: { type: 'string', minLength: 1, maxLength: 32000 } },
    },
  },
  content: {
    tags,
    security,
    summary: 'Download the video, its thumbnail or its spritesheet (supports single byte ranges)',
    params: videoIdParams,
    querystring: {
      type: 'object',
      properties: {
        variant: { type: 'string', enum: ['video', 'thumbnail', 'spritesheet'], default: 'video' },
      },
    },
  },
} as const;
