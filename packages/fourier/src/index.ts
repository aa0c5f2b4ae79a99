/**
 * `@covnet/fourier`: Fourier analysis on groups. Transforms and inverses on finite groups (by
 * summation), on SO(3) and on the sphere (by quadrature), convolution and the convolution
 * theorem, the Plancherel formula, Clausen's fast transform on S_n, differentiable transforms on
 * tensors, and Fourier-space layers.
 *
 * @module
 */
export * from "./finite.js";
export * from "./layers/fourier_layers.js";
export * from "./quadratic.js";
export * from "./so3.js";
export * from "./sphere.js";
export * from "./symmetric_fft.js";
export * from "./tensor.js";
