// The page's KaTeX: the copy the site ships (assets/katex/katex.min.js), loaded before the
// live script, instead of a second one inside the bundle.
// Read off the global object: the worker that trains runs again has no KaTeX, and typesets nothing.
export default (globalThis as unknown as { katex: typeof import('katex').default }).katex;
