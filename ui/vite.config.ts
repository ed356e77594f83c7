import { defineConfig } from "vitest/config";

// The desktop shell embeds `dist/` at build time (see src-tauri/tauri.conf.json).
export default defineConfig({
  clearScreen: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
  },
  test: {
    include: ["src/**/*.test.ts"],
  },
});
