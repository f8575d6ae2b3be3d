// The page's KaTeX: the copy the site ships (assets/katex/katex.min.js), loaded before the
// live script, instead of a second one inside the bundle.
declare const katex: typeof import('katex').default;
export default katex;
