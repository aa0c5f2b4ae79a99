/**
 * Reader for NumPy `.npy` arrays and `.npz` archives (zip files of `.npy` members, stored or
 * deflated). Only plain numeric little- or big-endian dtypes in C order are accepted; pickled
 * object arrays, structured dtypes and Fortran order are rejected.
 *
 * @module
 */
import { unzipSync } from "fflate";
import { datasetError } from "../errors.js";

/** The typed array that contains an `.npy` array's values. 64-bit integers are read as float64. */
export type NpyData =
  | Float64Array
  | Float32Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array
  | Uint16Array
  | Uint32Array;

/** An array read from an `.npy` file: dtype descriptor, shape and values in C order. */
export interface NpyArray {
  /** NumPy dtype descriptor as written in the header, for example `<f8` or `|u1`. */
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly data: NpyData;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

interface DtypeSpec {
  readonly size: number;
  read(view: DataView, offset: number, littleEndian: boolean): number;
  make(length: number): NpyData;
}

const DTYPES: Readonly<Record<string, DtypeSpec>> = {
  f8: { size: 8, read: (v, o, le) => v.getFloat64(o, le), make: (n) => new Float64Array(n) },
  f4: { size: 4, read: (v, o, le) => v.getFloat32(o, le), make: (n) => new Float32Array(n) },
  i8: {
    size: 8,
    read: (v, o, le) => Number(v.getBigInt64(o, le)),
    make: (n) => new Float64Array(n),
  },
  u8: {
    size: 8,
    read: (v, o, le) => Number(v.getBigUint64(o, le)),
    make: (n) => new Float64Array(n),
  },
  i4: { size: 4, read: (v, o, le) => v.getInt32(o, le), make: (n) => new Int32Array(n) },
  u4: { size: 4, read: (v, o, le) => v.getUint32(o, le), make: (n) => new Uint32Array(n) },
  i2: { size: 2, read: (v, o, le) => v.getInt16(o, le), make: (n) => new Int16Array(n) },
  u2: { size: 2, read: (v, o, le) => v.getUint16(o, le), make: (n) => new Uint16Array(n) },
  i1: { size: 1, read: (v, o) => v.getInt8(o), make: (n) => new Int8Array(n) },
  u1: { size: 1, read: (v, o) => v.getUint8(o), make: (n) => new Uint8Array(n) },
  b1: { size: 1, read: (v, o) => v.getUint8(o), make: (n) => new Uint8Array(n) },
};

/** Parses the Python-literal header dict of an `.npy` file. */
function parseHeader(header: string, file: string) {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (/'descr'\s*:\s*\[/.test(header)) {
    throw datasetError(file, "structured (record) dtypes are not supported", { field: "descr" });
  }
  if (descr === undefined) {
    throw datasetError(file, `invalid .npy header, no 'descr' in ${header.trim()}`, {
      field: "descr",
    });
  }
  if (fortran === undefined) {
    throw datasetError(file, "invalid .npy header, no 'fortran_order'", { field: "fortran_order" });
  }
  if (shapeText === undefined) {
    throw datasetError(file, "invalid .npy header, no 'shape'", { field: "shape" });
  }
  const shape = shapeText
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const n = Number(s.replace(/L$/, ""));
      if (!Number.isInteger(n) || n < 0) {
        throw datasetError(file, `invalid dimension "${s}" in shape (${shapeText})`, {
          field: "shape",
        });
      }
      return n;
    });
  return { descr, fortranOrder: fortran === "True", shape };
}

/**
 * Parses one `.npy` file.
 *
 * @param file name used in error messages (path or `archive.npz:member.npy`).
 * @throws DatasetError for a bad magic string or header, an unsupported dtype (object, structured,
 *   string, complex), Fortran order, or a data section shorter or longer than the shape needs.
 */
export function parseNpy(bytes: Uint8Array, file: string): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw datasetError(file, "not a .npy file (missing \\x93NUMPY magic string)", {
      field: "header",
    });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw datasetError(file, "truncated .npy header", { field: "header" });
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw datasetError(file, `unsupported .npy format version ${major}`, { field: "header" });
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) {
    throw datasetError(file, "truncated .npy header", { field: "header" });
  }
  const header = new TextDecoder("latin1").decode(bytes.subarray(headerStart, dataStart));
  const { descr, fortranOrder, shape } = parseHeader(header, file);
  if (descr.includes("O")) {
    throw datasetError(
      file,
      `dtype "${descr}" holds pickled Python objects, which are not read (save plain numeric arrays)`,
      { field: "descr" },
    );
  }
  const order = descr[0];
  const spec = DTYPES[descr.slice(1)];
  if (spec === undefined || (order !== "<" && order !== ">" && order !== "|" && order !== "=")) {
    throw datasetError(
      file,
      `unsupported dtype "${descr}" (expected one of <f8 <f4 <i8 <u8 <i4 <u4 <i2 <u2 |i1 |u1 |b1)`,
      { field: "descr" },
    );
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (fortranOrder && shape.filter((d) => d > 1).length > 1) {
    throw datasetError(file, `Fortran-ordered arrays are not supported (shape ${shape})`, {
      field: "fortran_order",
    });
  }
  const expected = count * spec.size;
  const available = bytes.length - dataStart;
  if (available !== expected) {
    throw datasetError(
      file,
      `data section has ${available} bytes, but dtype ${descr} and shape (${shape.join(", ")}) need ${expected} (file truncated or corrupt)`,
      { field: "data" },
    );
  }
  const data = spec.make(count);
  const littleEndian = order !== ">";
  const integer64 = descr.endsWith("i8") || descr.endsWith("u8");
  if (littleEndian && !integer64 && data.BYTES_PER_ELEMENT === spec.size) {
    new Uint8Array(data.buffer).set(bytes.subarray(dataStart, dataStart + expected));
  } else if (littleEndian && spec.size === 8 && descr.endsWith("i8")) {
    readInt64LittleEndian(bytes.subarray(dataStart, dataStart + expected), data, file);
  } else {
    for (let i = 0; i < count; i++) {
      data[i] = spec.read(view, dataStart + i * spec.size, littleEndian);
    }
    if (spec.size === 8 && data instanceof Float64Array && descr.slice(1) !== "f8") {
      checkSafeIntegers(data, view, dataStart, littleEndian, descr, file);
    }
  }
  return { dtype: descr, shape, data };
}

/** Converts little-endian int64 values to doubles without BigInt, rejecting values past 2^53. */
function readInt64LittleEndian(bytes: Uint8Array, out: NpyData, file: string): void {
  const words = new Int32Array(bytes.length / 4);
  new Uint8Array(words.buffer).set(bytes);
  for (let i = 0; i < out.length; i++) {
    const lo = (words[2 * i] as number) >>> 0;
    const hi = words[2 * i + 1] as number;
    if (hi > 0x1fffff || hi < -0x200000) {
      throw datasetError(file, `64-bit integer at flat index ${i} exceeds 2^53 in magnitude`, {
        field: "data",
      });
    }
    out[i] = hi * 4294967296 + lo;
  }
}

function checkSafeIntegers(
  data: Float64Array,
  view: DataView,
  start: number,
  littleEndian: boolean,
  descr: string,
  file: string,
): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isSafeInteger(data[i])) {
      const raw = descr.endsWith("u8")
        ? view.getBigUint64(start + 8 * i, littleEndian)
        : view.getBigInt64(start + 8 * i, littleEndian);
      throw datasetError(file, `64-bit integer ${raw} at flat index ${i} exceeds 2^53`, {
        field: "data",
      });
    }
  }
}

/**
 * Reads the members of an `.npz` archive (stored or deflated), one at a time. Only the requested
 * `keys` (member names without `.npy`) are decompressed; without `keys`, every member is.
 *
 * @throws DatasetError for an invalid zip, a missing key (the message lists those present), or
 *   any error of {@link parseNpy}.
 */
export function readNpz(
  bytes: Uint8Array,
  file: string,
  keys?: readonly string[],
): Map<string, NpyArray> {
  const wanted = keys === undefined ? undefined : new Set(keys.map((k) => `${k}.npy`));
  const present: string[] = [];
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes, {
      filter: (f) => {
        present.push(f.name.replace(/\.npy$/, ""));
        return wanted === undefined ? f.name.endsWith(".npy") : wanted.has(f.name);
      },
    });
  } catch (e) {
    throw datasetError(file, `not a valid .npz (zip) archive: ${(e as Error).message}`, {
      field: "archive",
    });
  }
  const out = new Map<string, NpyArray>();
  for (const [name, member] of Object.entries(members)) {
    const key = name.replace(/\.npy$/, "");
    out.set(key, parseNpy(member, `${file}:${name}`));
  }
  for (const key of keys ?? []) {
    if (!out.has(key)) {
      throw datasetError(
        file,
        `missing key "${key}" (the archive has: ${present.join(", ") || "no members"})`,
        { field: key },
      );
    }
  }
  return out;
}

/** Returns the keys (member names without `.npy`) of an `.npz` archive, without decompressing. */
export function npzKeys(bytes: Uint8Array, file: string): string[] {
  const present: string[] = [];
  try {
    unzipSync(bytes, {
      filter: (f) => {
        present.push(f.name.replace(/\.npy$/, ""));
        return false;
      },
    });
  } catch (e) {
    throw datasetError(file, `not a valid .npz (zip) archive: ${(e as Error).message}`, {
      field: "archive",
    });
  }
  return present;
}

/**
 * Encodes a typed array as `.npy` bytes (format 1.0, little-endian, C order).
 *
 * @param dtype the descriptor to write; the array's element type must match it.
 */
export function encodeNpy(
  data: Float64Array | Float32Array | Int32Array | Uint8Array | Uint16Array | BigInt64Array,
  shape: readonly number[],
): Uint8Array {
  const descr =
    data instanceof Float64Array
      ? "<f8"
      : data instanceof Float32Array
        ? "<f4"
        : data instanceof Int32Array
          ? "<i4"
          : data instanceof Uint16Array
            ? "<u2"
            : data instanceof BigInt64Array
              ? "<i8"
              : "|u1";
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + header.length + 1;
  header += " ".repeat((64 - (unpadded % 64)) % 64);
  header += "\n";
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}
