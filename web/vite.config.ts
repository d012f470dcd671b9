// Vite without @vitejs/plugin-react: esbuild compiles TSX with React's
// automatic JSX runtime, which is all a production build needs.
// `npm run build` writes dist/, which `voqo serve` serves at / (see README).
import { defineConfig } from "vite";

export default defineConfig({
  esbuild: { jsx: "automatic" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 800,
    rollupOptions: {
      // react-router marks its modules "use client" (for React Server Components); meaningless in a client bundle.
      onwarn(warning, warn) {
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
    },
  },
  server: {
    // `npm run dev` proxies the API to a `voqo serve` on :8080.
    proxy: { "/api": { target: "http://127.0.0.1:8080", ws: true } },
  },
});
