import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Not `assets/`: `/assets/…` is the UI's own route to the asset pages.
    assetsDir: 'static',
  },
  logLevel: 'warn',
});
