/**
 * `@covnet/backend-webgpu`: the WebGPU backend, with WGSL kernels for every kernel name of the
 * core contract on float32 and int32 tensors. It runs in browsers through `navigator.gpu` and in
 * Node.js through the `webgpu` package (Dawn), including Dawn's OpenGL ES backend on a software
 * rasteriser where no GPU exists.
 *
 * @example
 * ```ts
 * import { createContainer, initEngine } from "@covnet/core";
 * import { webgpuBackendModule } from "@covnet/backend-webgpu";
 * const container = createContainer();
 * container.load(webgpuBackendModule());
 * const engine = await initEngine(container, { backend: "webgpu" });
 * ```
 *
 * @module
 */
import { type BackendDescriptor, backendModule } from "@covnet/core";
import { Cause, Effect, Exit, Scope } from "effect";
import type { ContainerModule } from "inversify";
import { WebGPUBackend, type WebGPUBackendSettings } from "./backend.js";
import { acquireGPUDevice, type GPUContext, type WebGPUDeviceOptions } from "./device.js";
import { WEBGPU_KERNELS } from "./kernels/index.js";

export {
  BufferUsage,
  type GPUData,
  WebGPUBackend,
  type WebGPUBackendSettings,
  type WebGPUBufferStats,
} from "./backend.js";
export { acquireGPUDevice, type GPUContext, type WebGPUDeviceOptions } from "./device.js";
export {
  DeviceLostError,
  DeviceRequestError,
  GPUCommandError,
  WebGPUUnavailableError,
} from "./errors.js";
export { WEBGPU_KERNELS } from "./kernels/index.js";

/** Priority of the WebGPU backend in automatic selection (below cuda, above cpu). */
export const WEBGPU_PRIORITY = 200;

/** Options of {@link webgpuBackendDescriptor} and {@link webgpuBackendModule}. */
export interface WebGPUBackendOptions extends WebGPUDeviceOptions, WebGPUBackendSettings {}

/**
 * Descriptor of the WebGPU backend. The adapter and device are requested once, on the first
 * `create()`; later calls share the device, which is destroyed when the last backend created
 * from this descriptor is disposed.
 *
 * `create()` rejects with a {@link WebGPUUnavailableError} that lists every attempt when no
 * adapter exists, and with a {@link DeviceRequestError} when the adapter refuses a device.
 */
export function webgpuBackendDescriptor(options: WebGPUBackendOptions = {}): BackendDescriptor {
  let shared: Promise<{ context: GPUContext; scope: Scope.CloseableScope }> | undefined;
  let users = 0;
  const acquire = async () => {
    const scope = Effect.runSync(Scope.make());
    const exit = await Effect.runPromiseExit(Scope.extend(acquireGPUDevice(options), scope));
    if (Exit.isSuccess(exit)) return { context: exit.value, scope };
    Effect.runSync(Scope.close(scope, Exit.void));
    throw Cause.squash(exit.cause);
  };
  return {
    name: options.name ?? "webgpu",
    priority: WEBGPU_PRIORITY,
    kernels: WEBGPU_KERNELS,
    create: async ({ logger }) => {
      shared ??= acquire();
      let acquired: Awaited<typeof shared>;
      try {
        acquired = await shared;
      } catch (error) {
        shared = undefined;
        throw error;
      }
      users++;
      const { context, scope } = acquired;
      logger.info(
        `webgpu: adapter "${context.adapterName}" (${context.featureLevel} feature level)`,
      );
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        users--;
        if (users === 0) {
          shared = undefined;
          Effect.runSync(Scope.close(scope, Exit.void));
        }
      };
      return new WebGPUBackend(context, release, options);
    },
  };
}

/** A container module that registers the WebGPU backend (name `webgpu`, priority 200). */
export function webgpuBackendModule(options: WebGPUBackendOptions = {}): ContainerModule {
  return backendModule(webgpuBackendDescriptor(options));
}
