/**
 * Typed errors of the WebGPU backend. Each is an Effect `Data.TaggedError`, so Effect programs can
 * match them with `catchTag`; outside Effect they are ordinary `Error`s with a message that names
 * the failing value.
 *
 * @module
 */
import { Data } from "effect";

/**
 * No WebGPU adapter could be obtained: `navigator.gpu` is missing, the `webgpu` package for
 * Node.js could not be loaded, or `requestAdapter()` returned null for every attempt.
 */
export class WebGPUUnavailableError extends Data.TaggedError("WebGPUUnavailableError")<{
  readonly reason: string;
}> {
  override get message(): string {
    return `WebGPU is unavailable: ${this.reason}`;
  }
}

/** The adapter exists but `requestDevice()` failed, for example on unsupported limits. */
export class DeviceRequestError extends Data.TaggedError("DeviceRequestError")<{
  readonly adapter: string;
  readonly cause: unknown;
}> {
  override get message(): string {
    const detail = this.cause instanceof Error ? this.cause.message : String(this.cause);
    return `requestDevice() failed on adapter "${this.adapter}": ${detail}`;
  }
}

/**
 * The GPU device was lost (driver reset, out of memory, or destroyed elsewhere). Tensors on the
 * device are gone; create a new engine to continue.
 */
export class DeviceLostError extends Data.TaggedError("DeviceLostError")<{
  readonly reason: string;
  readonly detail: string;
}> {
  override get message(): string {
    return `WebGPU device lost (${this.reason}): ${this.detail || "no message from the device"}`;
  }
}

/** The device reported a validation or out-of-memory error for a command this backend sent. */
export class GPUCommandError extends Data.TaggedError("GPUCommandError")<{
  readonly kind: "validation" | "out-of-memory" | "internal";
  readonly detail: string;
}> {
  override get message(): string {
    return `WebGPU ${this.kind} error: ${this.detail}`;
  }
}
