import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// Node's process, typed here rather than pulling in @types/node for one line.
declare const process: { env: Record<string, string | undefined> };

// The built UI is embedded in the Go binary (embed.go) and served at the
// root, by `leadbell serve` over loopback and by Wails' asset server in the
// window. The page runs under a strict CSP (default-src 'self'; style-src
// 'self'): no inline script or style, so CSS goes to its own file and the
// module preload polyfill (an inline-free but needless extra) is off.
export default defineConfig({
  base: "/",
  plugins: [svelte()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    cssCodeSplit: false,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: true,
  },
  server: {
    // `npm run dev` against a running `leadbell serve` / `leadbell demo`
    // (LEADBELL_UI=http://127.0.0.1:8790 npm run dev for another --ui).
    proxy: {
      "/api": { target: process.env.LEADBELL_UI ?? "http://127.0.0.1:8787", changeOrigin: false },
    },
  },
});
