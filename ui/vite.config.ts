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
    // The stylesheet as text, for the test that reads its rules (styles.test.ts).
    css: { include: [/styles\.css/] },
  },
});
