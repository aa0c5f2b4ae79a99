import { defineConfig } from "vite";

/**
 * `covnet-source` resolves the workspace packages to their TypeScript sources, so the demo builds
 * without building the libraries first.
 */
export default defineConfig({
  base: "./",
  resolve: { conditions: ["covnet-source", "browser", "module", "import", "default"] },
  build: {
    target: "es2022",
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 1000,
    rolldownOptions: {
      onLog(level, log, handler) {
        // @covnet/nn's trainer imports node:fs and node:path. The page never trains, so those
        // imports are dead code here and Vite's empty stand-ins for them are harmless.
        if (
          /"node:(fs|path)" has been externalized .* imported by ".*\/packages\/nn\//.test(
            log.message,
          )
        )
          return;
        handler(level, log);
      },
    },
  },
});
