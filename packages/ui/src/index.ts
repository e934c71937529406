// The React + Vite single-page app, built by the web UI issue.
export {};
