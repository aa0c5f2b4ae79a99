import { datasetError } from "../errors.js";

/**
 * Parses a real number written by C, Python or Fortran (`1.5e-3`, `1.5D-3`, and Mathematica's
 * `1.5*^-3` found in QM9 files). Rejects empty text, NaN and infinities.
 */
export function parseReal(
  text: string | undefined,
  file: string,
  record: string,
  field: string,
): number {
  if (text === undefined || text.length === 0) {
    throw datasetError(file, "missing value", { record, field });
  }
  const normal = text.replace("*^", "e").replace(/[dD]/, "e");
  const value = Number(normal);
  if (!Number.isFinite(value) || /^[+-]?$/.test(normal)) {
    throw datasetError(file, `"${text}" is not a finite number`, { record, field });
  }
  return value;
}

/** Parses a non-negative decimal integer, rejecting anything else. */
export function parseCount(
  text: string | undefined,
  file: string,
  record: string,
  field: string,
): number {
  const t = text?.trim() ?? "";
  if (!/^\d+$/.test(t)) {
    throw datasetError(file, `expected a non-negative integer, found "${t}"`, { record, field });
  }
  return Number(t);
}

/**
 * Throws when `values` holds a NaN or infinity. `perRecord` values form one record, so the
 * message names the record index (0-based) and the position inside it.
 */
export function assertFinite(
  values: ArrayLike<number>,
  file: string,
  field: string,
  perRecord = 1,
): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) {
      const record = Math.floor(i / perRecord);
      throw datasetError(file, `value ${v} at index ${i % perRecord} is not finite`, {
        record: `record ${record}`,
        field,
      });
    }
  }
}
