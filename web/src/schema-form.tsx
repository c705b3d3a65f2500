import type { FormField, FormValue, FormValues } from './schema-fields.ts';

export interface SchemaFieldProps {
  readonly field: Exclude<FormField, { kind: 'media' }>;
  readonly values: FormValues;
  readonly error: string | undefined;
  readonly onChange: (name: string, value: FormValue) => void;
}

/**
 * One generated control: a textarea for free text, a select for an enum, a number input with the
 * schema's bounds, a checkbox for a flag. The schema's title is the label and its description the
 * help text (linked with aria-describedby, so screen readers and tests find both).
 */
export function SchemaField(props: SchemaFieldProps) {
  const { field, values, error, onChange } = props;
  const id = `field-${field.name}`;
  // A number's bounds are help enough when the schema describes nothing.
  const help =
    field.help ??
    (field.kind === 'number' && field.minimum !== undefined && field.maximum !== undefined
      ? `From ${field.minimum} to ${field.maximum}.`
      : undefined);
  const helpId = help === undefined ? undefined : `${id}-help`;
  const errorId = error === undefined ? undefined : `${id}-error`;
  const describedBy = [helpId, errorId].filter((part) => part !== undefined).join(' ') || undefined;
  const value = values[field.name];
  const text = typeof value === 'string' ? value : '';
  const common = {
    id,
    name: field.name,
    'aria-describedby': describedBy,
    'aria-invalid': error === undefined ? undefined : true,
    required: field.required,
  };

  let control;
  if (field.kind === 'checkbox') {
    control = (
      <input
        {...common}
        type="checkbox"
        checked={value === true}
        onChange={(event) => onChange(field.name, event.currentTarget.checked)}
      />
    );
  } else if (field.kind === 'select') {
    control = (
      <select {...common} value={text} onChange={(event) => onChange(field.name, event.currentTarget.value)}>
        {field.options.map((option) => (
          <option key={String(option)} value={String(option)}>
            {String(option)}
          </option>
        ))}
      </select>
    );
  } else if (field.kind === 'number') {
    control = (
      <input
        {...common}
        type="number"
        inputMode="numeric"
        step={field.integer ? 1 : 'any'}
        min={field.minimum}
        max={field.maximum}
        placeholder={field.name === 'seed' ? 'random' : undefined}
        value={text}
        onInput={(event) => onChange(field.name, event.currentTarget.value)}
      />
    );
  } else {
    control = (
      <textarea
        {...common}
        rows={4}
        value={text}
        onInput={(event) => onChange(field.name, event.currentTarget.value)}
      />
    );
  }

  return (
    <div class={`field ${field.kind}-field${error === undefined ? '' : ' invalid'}`}>
      {field.kind === 'checkbox' ? (
        <label class="checkbox-label">
          {control}
          {field.label}
        </label>
      ) : (
        <>
          <label for={id}>
            {field.label}
            {field.required ? <span aria-hidden="true"> *</span> : null}
          </label>
          {control}
        </>
      )}
      {helpId === undefined ? null : (
        <p class="help" id={helpId}>
          {help}
        </p>
      )}
      {errorId === undefined ? null : (
        <p class="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}
