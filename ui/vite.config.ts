import { defineConfig } from "vitest/config";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL(".", import.meta.url));

// The Tauri shell loads ui/dist (tauri.conf.json "frontendDist").
export default defineConfig({
  root,
  plugins: [svelte()],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "safari16",
    // blank.html: the empty window the startup benchmark compares with.
    rollupOptions: { input: { main: `${root}index.html`, blank: `${root}blank.html` } },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
