import { useState } from 'preact/hooks';
import type { ReelgateClient } from '../../src/client/index.ts';
import type { FormField } from './schema-fields.ts';

type MediaField = Extract<FormField, { kind: 'media' }>;

/** One file dropped on a media field: uploading, uploaded as an asset, or refused. */
export interface MediaItem {
  /** Local id for lists and labels. */
  readonly key: string;
  readonly filename: string;
  /** A blob: URL of the local file, for the preview. */
  readonly previewUrl: string;
  readonly state: 'uploading' | 'ready' | 'failed';
  /** `asset://<id>` once uploaded. */
  readonly assetUrl?: string;
  readonly error?: string;
  /** The role chosen for it, where the model takes roles. */
  readonly role?: string;
}

export interface MediaDropZoneProps {
  readonly field: MediaField;
  readonly items: readonly MediaItem[];
  /** Receives a function of the latest list: uploads finish in any order. */
  readonly onChange: (update: (items: readonly MediaItem[]) => readonly MediaItem[]) => void;
  readonly client: ReelgateClient;
  /** Roles the model accepts for this kind of media; a choice is offered when there are several. */
  readonly roles: readonly { readonly value: string; readonly label: string }[];
  readonly error: string | undefined;
}

let nextKey = 0;

/**
 * A drop zone (and file picker) for one media field. Each file is uploaded at once as an asset
 * (`POST /v1/assets`), so the server checks its bytes while the user edits the prompt, and the
 * request then references it as `asset://<id>`.
 */
export function MediaDropZone(props: MediaDropZoneProps) {
  const { field, items, onChange, client, roles } = props;
  const [dragging, setDragging] = useState(false);
  const inputId = `field-${field.name}`;
  const full = field.maxItems !== undefined && items.length >= field.maxItems;

  const add = (files: readonly File[]) => {
    const room = field.maxItems === undefined ? files.length : Math.max(0, field.maxItems - items.length);
    for (const file of files.slice(0, room)) {
      nextKey += 1;
      const key = `media-${nextKey}`;
      const item: MediaItem = {
        key,
        filename: file.name,
        previewUrl: URL.createObjectURL(file),
        state: 'uploading',
        ...(roles[0] === undefined ? {} : { role: roles[0].value }),
      };
      onChange((current) => [...current, item]);
      const settle = (change: Partial<MediaItem>) =>
        onChange((current) => current.map((entry) => (entry.key === key ? { ...entry, ...change } : entry)));
      client.assets
        .upload(file, { filename: file.name })
        .then((asset) => settle({ state: 'ready', assetUrl: asset.url }))
        .catch((error: unknown) =>
          settle({ state: 'failed', error: error instanceof Error ? error.message : String(error) }),
        );
    }
  };

  const remove = (item: MediaItem) => {
    URL.revokeObjectURL(item.previewUrl);
    onChange((current) => current.filter((entry) => entry.key !== item.key));
  };

  return (
    <fieldset class={`field media-field${props.error === undefined ? '' : ' invalid'}`}>
      <legend>
        {field.label}
        {field.maxItems === undefined || field.single ? '' : ` (up to ${field.maxItems})`}
      </legend>
      {field.help === undefined ? null : (
        <p class="help" id={`${inputId}-help`}>
          {field.help}
        </p>
      )}
      <div
        class={`drop-zone${dragging ? ' dragging' : ''}`}
        data-testid={`drop-zone-${field.name}`}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          add(Array.from(event.dataTransfer?.files ?? []));
        }}
      >
        <span>Drop {field.media} files here, or </span>
        <label class={`button secondary${full ? ' disabled' : ''}`}>
          choose files
          <input
            id={inputId}
            class="visually-hidden"
            type="file"
            multiple={!field.single}
            disabled={full}
            accept={field.accept}
            aria-label={`Add ${field.label}`}
            onChange={(event) => {
              const input = event.currentTarget;
              add(Array.from(input.files ?? []));
              input.value = '';
            }}
          />
        </label>
      </div>
      {items.length === 0 ? null : (
        <ul class="media-list" aria-label={`${field.label} added`}>
          {items.map((item) => (
            <MediaRow
              key={item.key}
              item={item}
              field={field}
              roles={roles}
              onChange={onChange}
              onRemove={remove}
            />
          ))}
        </ul>
      )}
      {props.error === undefined ? null : <p class="field-error">{props.error}</p>}
    </fieldset>
  );
}

function MediaRow(props: {
  item: MediaItem;
  field: MediaField;
  roles: MediaDropZoneProps['roles'];
  onChange: MediaDropZoneProps['onChange'];
  onRemove: (item: MediaItem) => void;
}) {
  const { item, field, roles } = props;
  const status =
    item.state === 'uploading'
      ? 'uploading…'
      : item.state === 'ready'
        ? 'uploaded'
        : `refused: ${item.error}`;
  return (
    <li class={`media-item ${item.state}`}>
      {field.media === 'image' ? (
        <img src={item.previewUrl} alt="" class="media-preview" />
      ) : field.media === 'video' ? (
        <video src={item.previewUrl} class="media-preview" muted playsInline preload="metadata" />
      ) : (
        <span class="media-preview audio-icon" aria-hidden="true">
          ♪
        </span>
      )}
      <span class="media-name">
        {item.filename}
        <span class="media-status" role="status">
          {status}
        </span>
      </span>
      {roles.length > 1 ? (
        <select
          aria-label={`Role of ${item.filename}`}
          value={item.role}
          onChange={(event) => {
            const role = event.currentTarget.value;
            props.onChange((current) =>
              current.map((entry) => (entry.key === item.key ? { ...entry, role } : entry)),
            );
          }}
        >
          {roles.map((role) => (
            <option key={role.value} value={role.value}>
              {role.label}
            </option>
          ))}
        </select>
      ) : null}
      <button
        type="button"
        class="secondary"
        onClick={() => props.onRemove(item)}
        aria-label={`Remove ${item.filename}`}
      >
        Remove
      </button>
    </li>
  );
}
