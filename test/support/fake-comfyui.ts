import { createReadStream } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import type { GraphNode } from './fake-comfyui-nodes.ts';
import {
  nodeClasses,
  outputClasses,
  renderVideo,
  samplerClasses,
  samplerSteps,
  validateNode,
} from './fake-comfyui-nodes.ts';
import { temporaryFolder } from './temporary-folders.ts';

const canonicalUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The model files of Reelgate's built-in templates, so a default fake can run all of them. */
export const builtInModelFiles: Record<string, string[]> = {
  diffusion_models: [
    'wan2.2_ti2v_5B_fp16.safetensors',
    'wan2.2_i2v_high_noise_14B_fp8_scaled.safetensors',
    'wan2.2_i2v_low_noise_14B_fp8_scaled.safetensors',
  ],
  text_encoders: ['umt5_xxl_fp8_e4m3fn_scaled.safetensors', 'gemma_3_12B_it_fp4_mixed.safetensors'],
  vae: ['wan2.2_vae.safetensors', 'wan_2.1_vae.safetensors'],
  checkpoints: ['ltx-2-19b-dev-fp8.safetensors'],
  loras: ['ltx-2-19b-distilled-lora-384.safetensors'],
  latent_upscale_models: ['ltx-2-spatial-upscaler-x2-1.0.safetensors'],
};

interface Prompt {
  readonly id: string;
  readonly number: number;
  readonly graph: Record<string, GraphNode>;
  readonly clientId: string | undefined;
  interrupted: boolean;
}

/**
 * A ComfyUI server for tests that speaks the documented protocol (reference/comfyui.md): HTTP
 * routes, the `/ws` socket with prompt-scoped events, one prompt executed at a time, history `{}`
 * until done, `images` + `animated` outputs, per-prompt interrupt and queue delete. It "renders"
 * with ffmpeg (testsrc2 at the graph's size, frames and fps; a sine track when the graph attaches
 * audio). The public fields are the test's controls and observations.
 */
export class FakeComfyUi {
  url = '';
  /** Delay of each sampler step. */
  stepDelayMs = 20;
  /** While true, the socket sends nothing (a stalled stream); HTTP keeps working. */
  stallSocket = false;
  /** While true, every route answers 500 and new sockets are refused (a sick server). */
  unhealthy = false;
  /** Tighter numeric bounds, e.g. `{'KSampler.steps': {max: 10}}`, checked by `/prompt`. */
  limits: Record<string, { min?: number; max?: number }> = {};
  /** Makes this node class raise during execution (an `execution_error`). */
  failClass: string | undefined;
  /** Observations. */
  promptPosts = 0;
  readonly interrupts: unknown[] = [];
  readonly deletes: string[] = [];
  readonly uploads: string[] = [];
  readonly submitted: Prompt[] = [];

  private readonly models: Record<string, string[]>;
  private readonly http = createServer((request, response) => void this.route(request, response));
  private readonly sockets = new WebSocketServer({ noServer: true });
  private readonly clients = new Map<string, WebSocket>();
  private readonly pending: Prompt[] = [];
  private running: Prompt | undefined;
  private readonly history = new Map<string, unknown>();
  private counter = 0;
  private directory = '';

  constructor(models: Record<string, string[]> = builtInModelFiles) {
    this.models = structuredClone(models);
  }

  static async start(models?: Record<string, string[]>): Promise<FakeComfyUi> {
    const fake = new FakeComfyUi(models);
    fake.directory = await temporaryFolder('fake-comfyui-');
    await mkdir(path.join(fake.directory, 'input'), { recursive: true });
    fake.http.on('upgrade', (request, socket, head) => {
      const url = new URL(request.url ?? '/', 'http://fake');
      if (url.pathname !== '/ws' || fake.unhealthy) socket.destroy();
      else fake.sockets.handleUpgrade(request, socket, head, (client) => fake.connected(client, url));
    });
    await new Promise<void>((resolve) => fake.http.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.http.address() as AddressInfo).port}`;
    return fake;
  }

  async close(): Promise<void> {
    for (const client of this.sockets.clients) client.terminate();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  /** Where a prompt is: `running`, `pending`, `done` (in history) or `unknown`. */
  placeOf(id: string): 'running' | 'pending' | 'done' | 'unknown' {
    if (this.running?.id === id) return 'running';
    if (this.pending.some((prompt) => prompt.id === id)) return 'pending';
    return this.history.has(id) ? 'done' : 'unknown';
  }

  private connected(client: WebSocket, url: URL): void {
    const id = url.searchParams.get('clientId') ?? crypto.randomUUID();
    // Reconnecting with the same id replaces the old socket, as ComfyUI does.
    this.clients.set(id, client);
    client.on('close', () => {
      if (this.clients.get(id) === client) this.clients.delete(id);
    });
    this.send(id, 'status', { status: { exec_info: { queue_remaining: this.remaining() } }, sid: id });
    // ComfyUI tells a reconnecting owner of the running prompt where it is, without a prompt id.
    if (this.running?.clientId === id)
      this.send(id, 'executing', { node: Object.keys(this.running.graph)[0] ?? null });
  }

  private send(clientId: string | undefined, type: string, data: unknown): void {
    if (this.stallSocket || clientId === undefined) return;
    const client = this.clients.get(clientId);
    if (client?.readyState === WebSocket.OPEN) client.send(JSON.stringify({ type, data }));
  }

  private broadcastStatus(): void {
    for (const id of this.clients.keys())
      this.send(id, 'status', { status: { exec_info: { queue_remaining: this.remaining() } } });
  }

  private remaining(): number {
    return this.pending.length + (this.running === undefined ? 0 : 1);
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fake');
    const route = url.pathname.replace(/^\/api(?=\/)/, '');
    const reply = (status: number, body?: unknown) => {
      response.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
      response.end(body === undefined ? '' : JSON.stringify(body));
    };
    if (this.unhealthy) return reply(500, { error: 'unhealthy' });
    try {
      if (route === '/system_stats') {
        return reply(200, {
          system: { comfyui_version: 'fake-0.3', ram_free: 1 },
          devices: [{ name: 'fake', vram_free: 1 }],
        });
      }
      if (route.startsWith('/models/'))
        return reply(200, this.models[decodeURIComponent(route.slice(8))] ?? []);
      if (route === '/upload/image' && request.method === 'POST')
        return reply(200, await this.upload(request));
      if (route === '/prompt' && request.method === 'POST') {
        const [status, body] = this.queuePrompt(await readJson(request));
        return reply(status, body);
      }
      if (route === '/queue' && request.method === 'GET') {
        const item = (prompt: Prompt) => [
          prompt.number,
          prompt.id,
          prompt.graph,
          { client_id: prompt.clientId },
          [],
        ];
        return reply(200, {
          queue_running: this.running === undefined ? [] : [item(this.running)],
          queue_pending: this.pending.map(item),
        });
      }
      if (route === '/queue' && request.method === 'POST') {
        const body = (await readJson(request)) as { delete?: string[] };
        for (const id of body.delete ?? []) {
          this.deletes.push(id);
          const index = this.pending.findIndex((prompt) => prompt.id === id);
          if (index >= 0) this.pending.splice(index, 1);
        }
        this.broadcastStatus();
        return reply(200);
      }
      if (route === '/interrupt' && request.method === 'POST') {
        const body = (await readJson(request)) as { prompt_id?: string };
        this.interrupts.push(body);
        // Only the named prompt, and only if it is the one running; no id means global.
        if (
          this.running !== undefined &&
          (body.prompt_id === undefined || body.prompt_id === this.running.id)
        ) {
          this.running.interrupted = true;
        }
        return reply(200);
      }
      if (route.startsWith('/history/')) {
        const id = decodeURIComponent(route.slice(9));
        const entry = this.history.get(id);
        return reply(200, entry === undefined ? {} : { [id]: entry });
      }
      if (route === '/view') return await this.view(url, response);
      return reply(404, { error: 'not found' });
    } catch (error) {
      return reply(500, { error: String(error) });
    }
  }

  private async upload(request: IncomingMessage): Promise<unknown> {
    const form = await new Request('http://fake/upload', {
      method: 'POST',
      headers: request.headers as Record<string, string>,
      body: request as unknown as ReadableStream,
      duplex: 'half',
    } as RequestInit).formData();
    const file = form.get('image');
    if (!(file instanceof File)) throw new Error('no image part');
    const subfolder = String(form.get('subfolder') ?? '');
    await mkdir(path.join(this.directory, 'input', subfolder), { recursive: true });
    await writeFile(
      path.join(this.directory, 'input', subfolder, file.name),
      Buffer.from(await file.arrayBuffer()),
    );
    this.uploads.push(file.name);
    return { name: file.name, subfolder, type: 'input' };
  }

  private queuePrompt(body: unknown): [number, unknown] {
    this.promptPosts += 1;
    const request = body as { prompt?: unknown; client_id?: string; prompt_id?: string };
    const invalid = (type: string, message: string, details = '') =>
      [400, { error: { type, message, details, extra_info: {} }, node_errors: {} }] as [number, unknown];
    if (typeof request.prompt !== 'object' || request.prompt === null)
      return invalid('no_prompt', 'No prompt provided');
    if (request.prompt_id !== undefined && !canonicalUuid.test(request.prompt_id)) {
      return invalid('invalid_prompt_id', 'Invalid prompt_id', request.prompt_id);
    }
    const graph = request.prompt as Record<string, GraphNode>;
    for (const [id, node] of Object.entries(graph)) {
      if (nodeClasses[node.class_type] === undefined) {
        return invalid(
          'invalid_prompt',
          `Cannot execute because node ${node.class_type} does not exist.`,
          `Node ID '#${id}'`,
        );
      }
    }
    if (!Object.values(graph).some((node) => outputClasses.has(node.class_type))) {
      return invalid('prompt_no_outputs', 'Prompt has no outputs');
    }
    const files = (folder: string) => (folder === 'input' ? this.uploads : (this.models[folder] ?? []));
    const nodeErrors: Record<string, unknown> = {};
    for (const [id, node] of Object.entries(graph)) {
      const errors = validateNode(graph, node, files, this.limits);
      if (errors.length > 0) nodeErrors[id] = { errors, dependent_outputs: [], class_type: node.class_type };
    }
    if (Object.keys(nodeErrors).length > 0) {
      return [
        400,
        {
          error: {
            type: 'prompt_outputs_failed_validation',
            message: 'Prompt outputs failed validation',
            details: '',
            extra_info: {},
          },
          node_errors: nodeErrors,
        },
      ];
    }
    const prompt: Prompt = {
      id: request.prompt_id ?? crypto.randomUUID(),
      number: this.submitted.length,
      graph,
      clientId: request.client_id,
      interrupted: false,
    };
    this.submitted.push(prompt);
    this.pending.push(prompt);
    this.broadcastStatus();
    void this.work();
    return [200, { prompt_id: prompt.id, number: prompt.number, node_errors: {} }];
  }

  /** Runs queued prompts one at a time, like ComfyUI's prompt worker. */
  private async work(): Promise<void> {
    if (this.running !== undefined) return;
    const prompt = this.pending.shift();
    if (prompt === undefined) return;
    this.running = prompt;
    try {
      await this.execute(prompt);
    } finally {
      this.running = undefined;
      this.broadcastStatus();
      this.send(prompt.clientId, 'executing', { node: null, prompt_id: prompt.id });
      void this.work();
    }
  }

  private async execute(prompt: Prompt): Promise<void> {
    const { id, clientId, graph } = prompt;
    const messages: unknown[] = [];
    const event = (type: string, data: Record<string, unknown>) => {
      const full = { ...data, prompt_id: id, timestamp: Date.now() };
      if (type.startsWith('execution_')) messages.push([type, full]);
      this.send(clientId, type, full);
    };
    const finish = (status: 'success' | 'error', outputs: Record<string, unknown>): void => {
      this.history.set(id, {
        prompt: [prompt.number, id, graph, { client_id: clientId }, []],
        outputs,
        status: { status_str: status, completed: status === 'success', messages },
        meta: {},
      });
    };
    event('execution_start', {});
    event('execution_cached', { nodes: [] });
    const outputs: Record<string, unknown> = {};
    const executed: string[] = [];
    for (const [node, definition] of Object.entries(graph)) {
      this.send(clientId, 'executing', { node, display_node: node, prompt_id: id });
      if (definition.class_type === this.failClass) {
        event('execution_error', {
          node_id: node,
          node_type: definition.class_type,
          executed,
          exception_message: 'CUDA out of memory (fake)',
          exception_type: 'torch.OutOfMemoryError',
          traceback: [],
          current_inputs: {},
          current_outputs: {},
        });
        return finish('error', outputs);
      }
      const steps = samplerClasses.has(definition.class_type) ? samplerSteps(graph, definition) : 0;
      for (let step = 1; step <= steps; step += 1) {
        await new Promise((resolve) => setTimeout(resolve, this.stepDelayMs));
        if (prompt.interrupted) break;
        this.send(clientId, 'progress', { value: step, max: steps, prompt_id: id, node });
      }
      if (prompt.interrupted) {
        event('execution_interrupted', { node_id: node, node_type: definition.class_type, executed });
        return finish('error', outputs);
      }
      if (outputClasses.has(definition.class_type)) {
        const saved = await this.render(graph, String(definition.inputs['filename_prefix']));
        outputs[node] = { images: [saved], animated: [true] };
        this.send(clientId, 'executed', { node, display_node: node, output: outputs[node], prompt_id: id });
      }
      executed.push(node);
    }
    event('execution_success', {});
    // ComfyUI writes history after execution_success (reference pitfall 2): leave that gap open.
    await new Promise((resolve) => setTimeout(resolve, 30));
    finish('success', outputs);
  }

  private async render(graph: Record<string, GraphNode>, prefix: string): Promise<unknown> {
    this.counter += 1;
    return renderVideo(graph, prefix, this.counter, path.join(this.directory, 'output'));
  }

  private async view(url: URL, response: ServerResponse): Promise<void> {
    const filename = url.searchParams.get('filename') ?? '';
    const subfolder = url.searchParams.get('subfolder') ?? '';
    const type = url.searchParams.get('type') ?? 'output';
    if (filename.startsWith('/') || filename.includes('..') || subfolder.includes('..')) {
      response.writeHead(400).end();
      return;
    }
    const file = path.join(this.directory, type, subfolder, filename);
    const found = await stat(file).catch(() => undefined);
    if (found === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(found.size) });
    createReadStream(file).pipe(response);
  }
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString();
  return text === '' ? {} : (JSON.parse(text) as unknown);
}
