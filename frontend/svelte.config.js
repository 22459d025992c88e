import { vitePreprocess } from "@sveltejs/vite-plugin-svelte";

/** @type {import("@sveltejs/vite-plugin-svelte").SvelteConfig} */
export default {
  preprocess: vitePreprocess(),
  compilerOptions: {
    // Component CSS is emitted into the bundle's .css file, never injected
    // at runtime: the CSP allows no inline style.
    css: "external",
    runes: true,
  },
};
