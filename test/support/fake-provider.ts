import { createReadStream } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A hosted provider speaking BytePlus ModelArk's task API (shared/reference/dialects.md §4) for
 * the failures a real Reelgate will not produce on demand: 5xx / 429 on submit, 5xx on polls,
 * tasks that fail, tasks that stay queued until cancelled. Tasks are driven by the script; the
 * result URL serves a real MP4 given by the test. Every request is recorded.
 */
export interface FakeProviderScript {
  /** Answers for the next submits, used up in order; once empty, submits are accepted. */
  submitReplies: { status: number; body: unknown }[];
  /** How many polls of a new task answer 500 before it answers properly. */
  failingPolls: number;
  /** Proper polls (after the failing ones) that report `running` before the task ends. */
  runningPolls: number;
  /** End the task with this error instead of the video. */
  taskError: { code: string; message: string } | undefined;
  /** Keep new tasks `queued` forever (until cancelled). */
  holdQueued: boolean;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: unknown;
}

interface FakeTask {
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  polls: number;
  script: FakeProviderScript;
}

export interface FakeProvider {
  /** Base URL to configure, including `/api/v3`. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  script: FakeProviderScript;
  /** Submits that reached the provider (accepted or not). */
  submits(): RecordedRequest[];
  /** Lets every task that is still queued or running succeed at its next poll. */
  finishTasks(): void;
  close(): Promise<void>;
}

const tasksPath = '/api/v3/contents/generations/tasks';

export function defaultScript(): FakeProviderScript {
  return { submitReplies: [], failingPolls: 0, runningPolls: 1, taskError: undefined, holdQueued: false };
}

/** Starts the fake on a random port; `videoFile` is what every succeeded task's URL serves. */
export async function startFakeProvider(videoFile: string): Promise<FakeProvider> {
  const requests: RecordedRequest[] = [];
  const tasks = new Map<string, FakeTask>();
  let nextId = 1;
  const provider: FakeProvider = {
    url: '',
    requests,
    script: defaultScript(),
    submits: () => requests.filter((request) => request.method === 'POST' && request.path === tasksPath),
    finishTasks: () => {
      for (const task of tasks.values()) {
        task.script = { ...task.script, holdQueued: false, failingPolls: 0, runningPolls: 0 };
        task.polls = 0;
      }
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '').split('?')[0] ?? '';
    const text = await readBody(request);
    requests.push({
      method: request.method ?? '',
      path,
      authorization: request.headers.authorization,
      body: text === '' ? undefined : (JSON.parse(text) as unknown),
    });
    if (path === '/files/video.mp4') {
      response.writeHead(200, { 'content-type': 'video/mp4' });
      createReadStream(videoFile).pipe(response);
      return;
    }
    if (request.method === 'POST' && path === tasksPath) {
      const reply = provider.script.submitReplies.shift();
      if (reply !== undefined) return json(response, reply.status, reply.body);
      const id = `cgt-fake-${nextId++}`;
      tasks.set(id, { status: 'queued', polls: 0, script: { ...provider.script } });
      return json(response, 200, { id });
    }
    const id = path.startsWith(`${tasksPath}/`) ? path.slice(tasksPath.length + 1) : undefined;
    const task = id === undefined ? undefined : tasks.get(id);
    if (id === undefined || task === undefined) {
      return json(response, 404, { error: { code: 'NotFound', message: `task ${id ?? path} not found` } });
    }
    if (request.method === 'DELETE') {
      if (task.status !== 'queued') {
        return json(response, 400, {
          error: { code: 'InvalidParameter', message: 'only queued tasks can be cancelled' },
        });
      }
      task.status = 'cancelled';
      return json(response, 200, undefined);
    }
    task.polls += 1;
    if (task.polls <= task.script.failingPolls) {
      return json(response, 500, { error: { code: 'InternalServiceError', message: 'try again' } });
    }
    advance(task);
    return json(response, 200, taskObject(id, task, provider.url));
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) =>
      json(response, 500, { error: { message: String(error) } }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  (provider as { url: string }).url = `http://127.0.0.1:${port}/api/v3`;
  return provider;
}

/** One proper poll moves the task along its script. */
function advance(task: FakeTask): void {
  if (task.status !== 'queued' && task.status !== 'running') return;
  if (task.script.holdQueued) return;
  const properPolls = task.polls - task.script.failingPolls;
  if (properPolls <= task.script.runningPolls) {
    task.status = 'running';
    return;
  }
  task.status = task.script.taskError === undefined ? 'succeeded' : 'failed';
}

function taskObject(id: string, task: FakeTask, base: string) {
  const origin = base.replace(/\/api\/v3$/, '');
  return {
    id,
    model: 'seedance-1-0-pro-fast-251015',
    status: task.status,
    error: task.status === 'failed' ? task.script.taskError : null,
    ...(task.status === 'succeeded'
      ? {
          content: { video_url: `${origin}/files/video.mp4` },
          usage: { completion_tokens: 9900, total_tokens: 9900 },
        }
      : {}),
    created_at: 1_787_869_631,
    updated_at: 1_787_869_648,
  };
}

function json(response: ServerResponse, status: number, body: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(text);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
