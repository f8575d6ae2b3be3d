// The page's stand-in for mathjs (esbuild's alias, cli/live-bundle.ts): the live page never
// evaluates an expression or a symbolic derivative (::check and ::compute are not recomputed),
// so the library stays out of the bundle. Anything that reaches for it fails loudly.
const absent = (): never => {
  throw new Error('mathjs is not in the live page');
};
export const parse = absent, derivative = absent, evaluate = absent;
