/**
 * Acquisition of a WebGPU device as a scoped Effect resource.
 *
 * The GPU entry point is, in order: the `gpu` option, `navigator.gpu` (browsers, Deno), or the
 * `webgpu` package (Dawn) in Node.js. Dawn instances are tried with their default backend first
 * and then with its OpenGL ES backend, which runs on Mesa's llvmpipe software rasteriser where no
 * GPU or Vulkan driver exists. Adapters are requested at the core feature level first and at the
 * compatibility level second.
 *
 * @module
 */
import { Effect, type Scope } from "effect";
import { DeviceLostError, DeviceRequestError, WebGPUUnavailableError } from "./errors.js";

/** Options of device acquisition. */
export interface WebGPUDeviceOptions {
  /** A `GPU` object to use instead of `navigator.gpu` or the `webgpu` package. */
  readonly gpu?: GPU;
  /** Passed to `requestAdapter()`. */
  readonly powerPreference?: GPUPowerPreference;
  /**
   * Feature level passed to `requestAdapter()`. Default: `core`, then `compatibility` when core
   * returns no adapter.
   */
  readonly featureLevel?: "core" | "compatibility";
  /**
   * Dawn toggles for `create()` of the `webgpu` package in Node.js, tried as the only instance.
   * Default: `[]` (Dawn's default backend), then `["backend=opengles"]`.
   */
  readonly dawnFlags?: readonly string[];
}

/** An acquired device with the adapter it came from. */
export interface GPUContext {
  readonly device: GPUDevice;
  /** Human-readable adapter name, such as `llvmpipe ... OpenGL ES 3.2 Mesa 22.3.6`. */
  readonly adapterName: string;
  /** Feature level the adapter was obtained at. */
  readonly featureLevel: "core" | "compatibility";
  /** Resolves once when the device is lost for a reason other than {@link GPUContext} release. */
  readonly lost: Promise<DeviceLostError>;
}

interface GPUSource {
  readonly gpu: GPU;
  readonly label: string;
}

interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

/**
 * Dawn instances created so far. They stay referenced for the life of the process: when a
 * `create()` result is garbage-collected while its devices live, Dawn aborts the process.
 */
const dawnInstances: GPU[] = [];
let dawnModule: Promise<DawnModule> | undefined;

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === "string";
}

function loadDawn(): Promise<DawnModule> {
  if (dawnModule === undefined) {
    // A computed specifier keeps browser bundlers from resolving the Node-only package.
    const specifier = ["web", "gpu"].join("");
    dawnModule = import(/* @vite-ignore */ specifier) as Promise<DawnModule>;
  }
  return dawnModule;
}

function createDawn(dawn: DawnModule, flags: readonly string[]): GPU {
  const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process
    ?.env;
  // Dawn's OpenGL ES backend reads EGL_PLATFORM when it first initialises EGL; surfaceless EGL
  // works without a display server. A value set by the user is kept.
  if (env !== undefined) env.EGL_PLATFORM ??= "surfaceless";
  const gpu = dawn.create([...flags]);
  dawnInstances.push(gpu);
  return gpu;
}

const gpuSources = (
  options: WebGPUDeviceOptions,
): Effect.Effect<GPUSource[], WebGPUUnavailableError> =>
  Effect.gen(function* () {
    if (options.gpu !== undefined) return [{ gpu: options.gpu, label: "given GPU object" }];
    const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
    if (nav?.gpu !== undefined) return [{ gpu: nav.gpu, label: "navigator.gpu" }];
    if (!isNode()) {
      return yield* new WebGPUUnavailableError({
        reason: "navigator.gpu is undefined (the browser has WebGPU disabled or unsupported)",
      });
    }
    const dawn = yield* Effect.tryPromise({
      try: loadDawn,
      catch: (error) =>
        new WebGPUUnavailableError({
          reason: `the "webgpu" package could not be loaded in Node.js: ${String(error)}`,
        }),
    });
    const flagSets =
      options.dawnFlags === undefined ? [[], ["backend=opengles"]] : [options.dawnFlags];
    return flagSets.map((flags) => ({
      gpu: createDawn(dawn, flags),
      label: `webgpu (Dawn) create([${flags.map((f) => JSON.stringify(f)).join(", ")}])`,
    }));
  });

function describeAdapter(adapter: GPUAdapter): string {
  const info = adapter.info;
  const parts = [info.vendor, info.architecture, info.device, info.description].filter(
    (s) => typeof s === "string" && s.length > 0,
  );
  return parts.length > 0 ? parts.join(" ") : "unnamed adapter";
}

const requestAdapter = (
  sources: readonly GPUSource[],
  options: WebGPUDeviceOptions,
): Effect.Effect<
  { adapter: GPUAdapter; level: "core" | "compatibility" },
  WebGPUUnavailableError
> =>
  Effect.gen(function* () {
    const levels: ("core" | "compatibility")[] =
      options.featureLevel === undefined ? ["core", "compatibility"] : [options.featureLevel];
    const attempts: string[] = [];
    for (const source of sources) {
      for (const level of levels) {
        const request: GPURequestAdapterOptions & { featureLevel?: string } = {
          featureLevel: level,
        };
        if (options.powerPreference !== undefined)
          request.powerPreference = options.powerPreference;
        const adapter = yield* Effect.tryPromise(() => source.gpu.requestAdapter(request)).pipe(
          Effect.catchAll((error) => {
            attempts.push(`${source.label} at ${level} level threw ${String(error)}`);
            return Effect.succeed(null);
          }),
        );
        if (adapter !== null) return { adapter, level };
        attempts.push(`${source.label} at ${level} level returned no adapter`);
      }
    }
    return yield* new WebGPUUnavailableError({ reason: attempts.join("; ") });
  });

/**
 * Limits requested above the defaults, capped by the adapter: the CG kernel binds 6 storage
 * buffers and the matrix product uses 16x16 workgroups, both above the compatibility-level
 * defaults (4 buffers, 128 invocations).
 */
function requiredLimits(adapter: GPUAdapter): Record<string, number> {
  const limits = adapter.limits;
  return {
    maxStorageBuffersPerShaderStage: Math.min(limits.maxStorageBuffersPerShaderStage, 8),
    maxComputeInvocationsPerWorkgroup: Math.min(limits.maxComputeInvocationsPerWorkgroup, 256),
    maxComputeWorkgroupSizeX: Math.min(limits.maxComputeWorkgroupSizeX, 256),
    maxComputeWorkgroupSizeY: Math.min(limits.maxComputeWorkgroupSizeY, 256),
    maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
    maxBufferSize: limits.maxBufferSize,
  };
}

/**
 * Acquires a WebGPU device: the adapter and the device are requested once, and the device is
 * destroyed when the scope closes.
 *
 * @throws {WebGPUUnavailableError} (in the error channel) when no adapter exists; the reason
 *   lists every attempt.
 * @throws {DeviceRequestError} (in the error channel) when the adapter refuses the device.
 */
export const acquireGPUDevice = (
  options: WebGPUDeviceOptions = {},
): Effect.Effect<GPUContext, WebGPUUnavailableError | DeviceRequestError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.gen(function* () {
      const sources = yield* gpuSources(options);
      const { adapter, level } = yield* requestAdapter(sources, options);
      const adapterName = describeAdapter(adapter);
      const device = yield* Effect.tryPromise({
        try: () => adapter.requestDevice({ requiredLimits: requiredLimits(adapter) }),
        catch: (cause) => new DeviceRequestError({ adapter: adapterName, cause }),
      });
      const lost = device.lost.then(
        (info) => new DeviceLostError({ reason: info.reason, detail: info.message }),
      );
      return { device, adapterName, featureLevel: level, lost } satisfies GPUContext;
    }),
    (context) => Effect.sync(() => context.device.destroy()),
  );
