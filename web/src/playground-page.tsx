import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { JobView, ModelInfo, ReelgateClient } from '../../src/client/index.ts';
import { BadRequestError, isTerminalStatus } from '../../src/client/index.ts';
import { JobOutputs, JobProgress } from './job-result.tsx';
import type { MediaItem } from './media-drop-zone.tsx';
import { MediaDropZone } from './media-drop-zone.tsx';
import { mediaRolesOf, readyMedia, rolesOf } from './media-roles.ts';
import { Link } from './router.tsx';
import { SchemaField } from './schema-form.tsx';
import type { FormField, FormValue } from './schema-fields.ts';
import { buildInput, describeFields, fieldOfIssuePath, initialValues } from './schema-fields.ts';
import { useLiveJob } from './use-live-job.ts';

type MediaState = Readonly<Record<string, readonly MediaItem[]>>;

/**
 * The playground: pick a model, fill the form generated from its input schema, add reference
 * media, generate, and watch the job until its video plays here.
 */
export function PlaygroundPage(props: { client: ReelgateClient; initialModel: string | undefined }) {
  const { client } = props;
  const [models, setModels] = useState<readonly ModelInfo[] | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | undefined>(undefined);
  const [modelId, setModelId] = useState<string | undefined>(props.initialModel);

  useEffect(() => {
    client.models
      .list()
      .then((list) => {
        setModels(list);
        setModelId((current) => (list.some((model) => model.id === current) ? current : list[0]?.id));
      })
      .catch((error: unknown) => setLoadError(error instanceof Error ? error.message : String(error)));
  }, [client]);

  const model = models?.find((candidate) => candidate.id === modelId);
  return (
    <section class="page playground" aria-labelledby="playground-title">
      <h1 id="playground-title">Playground</h1>
      {loadError === undefined ? null : (
        <p role="alert" class="form-error">
          The models could not be loaded: {loadError}
        </p>
      )}
      {models === undefined ? (
        loadError === undefined ? (
          <p>Loading models…</p>
        ) : null
      ) : (
        <div class="field">
          <label for="model">Model</label>
          <select id="model" value={modelId} onChange={(event) => setModelId(event.currentTarget.value)}>
            {models.map((candidate) => (
              <option key={candidate.id} value={candidate.id}>
                {candidate.name} — {candidate.id}
              </option>
            ))}
          </select>
          {model === undefined ? null : <p class="help">{model.description}</p>}
        </div>
      )}
      {model === undefined ? null : <GenerationForm key={model.id} client={client} model={model} />}
    </section>
  );
}

function GenerationForm(props: { client: ReelgateClient; model: ModelInfo }) {
  const { client, model } = props;
  const fields = useMemo(() => describeFields(model.input_schema), [model]);
  const [values, setValues] = useState<Record<string, FormValue>>(() => initialValues(fields));
  const [media, setMedia] = useState<MediaState>({});
  const [issues, setIssues] = useState<Readonly<Record<string, string>>>({});
  const [formError, setFormError] = useState<string | undefined>(undefined);
  const [submitting, setSubmitting] = useState(false);
  const [created, setCreated] = useState<JobView | undefined>(undefined);
  const [returnLastFrame, setReturnLastFrame] = useState(false);

  const onChange = (name: string, value: FormValue) =>
    setValues((current) => ({ ...current, [name]: value }));
  const uploading = Object.values(media).some((items) => items.some((item) => item.state === 'uploading'));

  const submit = async (event: Event) => {
    event.preventDefault();
    setFormError(undefined);
    const mediaValues: Record<string, FormValue> = {};
    for (const field of fields) {
      if (field.kind !== 'media') continue;
      mediaValues[field.name] = readyMedia(media[field.name]).map((item) => item.assetUrl ?? '');
    }
    const built = buildInput(fields, { ...values, ...mediaValues });
    if (!built.ok) {
      setIssues(built.issues);
      return;
    }
    setIssues({});
    setSubmitting(true);
    try {
      const roles = rolesOf(media);
      const job = await client.jobs.create({
        model: model.id,
        input: built.input,
        ...(Object.keys(roles).length === 0 ? {} : { roles }),
        returnLastFrame,
      });
      setCreated(job);
    } catch (error) {
      reportSubmitError(error, fields, setIssues, setFormError);
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <>
      <form class="generation-form" onSubmit={submit} noValidate aria-label="Generation settings">
        {fields.map((field) =>
          field.kind === 'media' ? (
            <MediaDropZone
              key={field.name}
              field={field}
              client={client}
              items={media[field.name] ?? []}
              roles={mediaRolesOf(model, field)}
              error={issues[field.name]}
              onChange={(update) =>
                setMedia((current) => ({ ...current, [field.name]: update(current[field.name] ?? []) }))
              }
            />
          ) : (
            <SchemaField
              key={field.name}
              field={field}
              values={values}
              error={issues[field.name]}
              onChange={onChange}
            />
          ),
        )}
        <div class="field checkbox-field">
          <label class="checkbox-label">
            <input
              type="checkbox"
              checked={returnLastFrame}
              aria-describedby="return-last-frame-help"
              onChange={(event) => setReturnLastFrame(event.currentTarget.checked)}
            />
            Return last frame
          </label>
          <p class="help" id="return-last-frame-help">
            Also publish the video's exact last frame as a PNG, to start the next shot from it.
          </p>
        </div>
        {formError === undefined ? null : (
          <p class="form-error" role="alert">
            {formError}
          </p>
        )}
        <div class="form-actions">
          <button type="submit" disabled={submitting || uploading}>
            {submitting ? 'Submitting…' : uploading ? 'Uploading media…' : 'Generate'}
          </button>
        </div>
      </form>
      {created === undefined ? null : <CreatedJob key={created.id} client={client} created={created} />}
    </>
  );
}

/** Server-side rule breaks go to their fields; anything else to the form. */
function reportSubmitError(
  error: unknown,
  fields: readonly FormField[],
  setIssues: (issues: Record<string, string>) => void,
  setFormError: (message: string) => void,
) {
  if (error instanceof BadRequestError) {
    const names = new Set(fields.map((field) => field.name));
    const byField: Record<string, string> = {};
    const elsewhere: string[] = [];
    const issues =
      error.issues.length > 0 ? error.issues : [{ field: error.field ?? '', message: error.message }];
    for (const issue of issues) {
      const name = fieldOfIssuePath(issue.field);
      if (names.has(name))
        byField[name] = byField[name] === undefined ? issue.message : `${byField[name]}; ${issue.message}`;
      else elsewhere.push(issue.message);
    }
    setIssues(byField);
    setFormError(elsewhere.length > 0 ? elsewhere.join('; ') : 'Some settings need fixing (see above).');
    return;
  }
  setFormError(error instanceof Error ? error.message : String(error));
}

/** The job just submitted: live progress, then the video. */
function CreatedJob(props: { client: ReelgateClient; created: JobView }) {
  const { client } = props;
  const { job, error, setJob } = useLiveJob(client, props.created.id, props.created);
  const [cancelError, setCancelError] = useState<string | undefined>(undefined);
  const section = useRef<HTMLElement>(null);
  // The form is long: bring the new job's progress into view.
  useEffect(() => section.current?.scrollIntoView({ behavior: 'smooth', block: 'start' }), []);
  if (job === undefined) return null;
  const cancel = async () => {
    setCancelError(undefined);
    try {
      setJob(await client.jobs.cancel(job.id));
    } catch (failure) {
      setCancelError(failure instanceof Error ? failure.message : String(failure));
    }
  };
  return (
    <section class="created-job" aria-label="Generation" ref={section}>
      <h2>
        Job <Link href={`/library/${job.id}`}>{job.id}</Link>
      </h2>
      {isTerminalStatus(job.status) ? (
        <p class="job-status" role="status" data-status={job.status}>
          {job.status}
        </p>
      ) : (
        <>
          <JobProgress job={job} />
          <button type="button" class="secondary" onClick={cancel}>
            Cancel job
          </button>
        </>
      )}
      {error === undefined ? null : <p class="form-error">Lost track of the job: {error}</p>}
      {cancelError === undefined ? null : <p class="form-error">{cancelError}</p>}
      <JobOutputs job={job} />
    </section>
  );
}
