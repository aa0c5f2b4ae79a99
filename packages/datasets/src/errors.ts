/**
 * The error type of `@covnet/datasets`. Every failure to read, parse or validate data is a
 * {@link DatasetError} that names the file, the record (frame, molecule or line) and the field.
 *
 * @module
 */
import { Data } from "effect";

/**
 * A dataset file is missing, malformed or inconsistent, or an argument does not match the data.
 * `file` is the path (or the archive member) that failed, `record` the frame, molecule or line
 * (1-based line numbers are written `line N`), and `field` the key, column or property.
 */
export class DatasetError extends Data.TaggedError("DatasetError")<{
  readonly file: string;
  readonly record?: string;
  readonly field?: string;
  readonly message: string;
}> {}

/** Builds a {@link DatasetError} whose message starts with its location. */
export function datasetError(
  file: string,
  message: string,
  location: { readonly record?: string | number; readonly field?: string } = {},
): DatasetError {
  const parts = [file];
  if (location.record !== undefined) parts.push(String(location.record));
  if (location.field !== undefined) parts.push(`field "${location.field}"`);
  const props: { file: string; record?: string; field?: string; message: string } = {
    file,
    message: `${parts.join(", ")}: ${message}`,
  };
  if (location.record !== undefined) props.record = String(location.record);
  if (location.field !== undefined) props.field = location.field;
  return new DatasetError(props);
}
