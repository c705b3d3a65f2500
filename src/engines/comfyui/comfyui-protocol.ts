import { z } from 'zod';

/**
 * ComfyUI's wire shapes (reference/comfyui.md §1–2), parsed, never trusted. Only the fields the
 * engine reads are declared; everything else ComfyUI sends is allowed and ignored.
 */

/** `POST /prompt` 200: the prompt is queued; `node_errors` may list outputs that were dropped. */
export const promptAcceptedSchema = z.object({
  prompt_id: z.string(),
  number: z.number(),
  node_errors: z.record(z.string(), z.unknown()).default({}),
});

const inputErrorSchema = z.object({
  type: z.string(),
  message: z.string(),
  details: z.string().optional(),
  extra_info: z.object({ input_name: z.string().optional() }).loose().optional(),
});

const nodeErrorSchema = z.object({
  errors: z.array(inputErrorSchema).default([]),
  class_type: z.string().optional(),
});

/** `POST /prompt` 400: the whole prompt was refused (`error`) with per-node detail (`node_errors`). */
export const promptRejectedSchema = z.object({
  error: z.union([
    z.object({ type: z.string(), message: z.string(), details: z.string().optional() }).loose(),
    z.string(),
  ]),
  node_errors: z.record(z.string(), nodeErrorSchema).default({}),
});

export type PromptRejected = z.infer<typeof promptRejectedSchema>;

/** `GET /queue`: items are `[number, prompt_id, prompt, extra_data, outputs_to_execute]`. */
export const queueSchema = z.object({
  queue_running: z.array(z.array(z.unknown())),
  queue_pending: z.array(z.array(z.unknown())),
});

/** A saved file as ComfyUI lists it in outputs (`/view` takes the same three fields). */
export const outputFileSchema = z.object({
  filename: z.string(),
  subfolder: z.string().default(''),
  type: z.string().default('output'),
});

export type OutputFile = z.infer<typeof outputFileSchema>;

export const historyEntrySchema = z.object({
  outputs: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  status: z
    .object({
      status_str: z.string(),
      completed: z.boolean(),
      messages: z.array(z.tuple([z.string(), z.unknown()])).default([]),
    })
    .optional(),
});

export type HistoryEntry = z.infer<typeof historyEntrySchema>;

/** `GET /history/{id}`: `{}` until the prompt finished. */
export const historySchema = z.record(z.string(), historyEntrySchema);

export const uploadResponseSchema = z.object({
  name: z.string().min(1),
  subfolder: z.string().default(''),
  type: z.string().default('input'),
});

export const systemStatsSchema = z.object({
  system: z.object({ comfyui_version: z.string().optional() }).loose(),
  devices: z.array(z.object({ name: z.string() }).loose()).default([]),
});

export const modelListSchema = z.array(z.string());

/** A text frame of the `/ws` socket. Binary frames (previews) are ignored. */
export const socketMessageSchema = z.object({ type: z.string(), data: z.unknown() });

const promptScoped = { prompt_id: z.string().optional() };

/** The prompt-scoped events the engine follows, by type. */
export const socketEventSchemas = {
  execution_start: z.object(promptScoped),
  execution_cached: z.object({ ...promptScoped, nodes: z.array(z.string()).default([]) }),
  executing: z.object({ ...promptScoped, node: z.string().nullable() }),
  progress: z.object({
    ...promptScoped,
    node: z.string().nullable().optional(),
    value: z.number(),
    max: z.number(),
  }),
  progress_state: z.object({
    ...promptScoped,
    nodes: z.record(z.string(), z.object({ value: z.number(), max: z.number(), state: z.string() }).loose()),
  }),
  executed: z.object({ ...promptScoped, node: z.string() }),
  execution_success: z.object(promptScoped),
  execution_error: z.object({
    ...promptScoped,
    node_id: z.string().nullable().optional(),
    node_type: z.string().nullable().optional(),
    exception_message: z.string().default(''),
    exception_type: z.string().optional(),
  }),
  execution_interrupted: z.object({
    ...promptScoped,
    node_id: z.string().nullable().optional(),
    node_type: z.string().nullable().optional(),
  }),
} as const;

export type SocketEventType = keyof typeof socketEventSchemas;

/** One parsed prompt-scoped event. */
export type SocketEvent = {
  [Type in SocketEventType]: {
    readonly type: Type;
    readonly data: z.infer<(typeof socketEventSchemas)[Type]>;
  };
}[SocketEventType];

/** Parses a text frame into a prompt-scoped event, or undefined for anything else. */
export function parseSocketEvent(text: string): SocketEvent | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const message = socketMessageSchema.safeParse(json);
  if (!message.success || !(message.data.type in socketEventSchemas)) return undefined;
  const type = message.data.type as SocketEventType;
  const data = socketEventSchemas[type].safeParse(message.data.data);
  return data.success ? ({ type, data: data.data } as SocketEvent) : undefined;
}

/** Every saved file in one node's outputs: any array item with a `filename`, whatever the key. */
export function outputFiles(nodeOutput: Readonly<Record<string, unknown>>): OutputFile[] {
  const files: OutputFile[] = [];
  for (const [key, value] of Object.entries(nodeOutput)) {
    if (key === 'animated' || !Array.isArray(value)) continue;
    for (const item of value) {
      const parsed = outputFileSchema.safeParse(item);
      if (parsed.success) files.push(parsed.data);
    }
  }
  return files;
}
