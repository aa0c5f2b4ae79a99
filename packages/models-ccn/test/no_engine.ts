/** A module without `createEngine`, for the worker pool's start-up error. */
export const nothing = 0;
