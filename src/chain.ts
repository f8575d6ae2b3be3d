// "Why is ∂E/∂p this number?" — the chain rule read back from a traced graph: every path
// from the loss down to p as an ordered list of factors, and the grouped form the tutorials
// write: (sum over the downstream branches) × (the shared tail).
import type { Factor, Node, Tape } from './tape.ts';

export interface ChainPath {
  /** Factors from the root down to the parameter: factors[0].of is the root. */
  factors: Factor[];
  /** The product of the factors, multiplied from the root down as backward does. */
  value: number;
}

export interface ChainBranch {
  /** The factors from the root down to the branch node. */
  factors: Factor[];
  value: number;
}

export interface Chain {
  root: Node;
  param: Node;
  paths: ChainPath[];
  /** The node where the paths meet; below it every path shares `tail`. */
  branchNode: Node;
  branches: ChainBranch[];
  tail: Factor[];
  /** (Σ branches) · Π tail, summed and multiplied in the order backward used. */
  value: number;
}

export class ChainError extends Error {}

/**
 * All paths from root to param. `maxPaths` guards against the exponential path count of a
 * deep, wide graph: a lesson never needs thousands of paths on one page.
 */
export function explainGradient(tape: Tape, root: Node, param: Node, maxPaths = 4096): Chain {
  const nodes = tape.nodes;
  // Which nodes the root depends on, and who consumes each of them.
  const reaches = new Uint8Array(nodes.length);
  reaches[root.id] = 1;
  const consumers: Factor[][] = nodes.map(() => []);
  for (let i = root.id; i >= 0; i--) {
    if (!reaches[i]) continue;
    for (const f of nodes[i].inputs) {
      reaches[f.wrt.id] = 1;
      consumers[f.wrt.id].push(f); // pushed in decreasing id of f.of: backward's accumulation order
    }
  }
  if (!reaches[param.id]) throw new ChainError(`${root.name} does not depend on ${param.name}`);

  const paths: ChainPath[] = [];
  // Depth-first up from the parameter with an explicit stack (a deep net would overflow the
  // call stack): `below` holds the factors of the current walk, `next[d]` which consumer of
  // the node at depth d to try next.
  const below: Factor[] = [];
  const next: number[] = [0];
  let node = param;
  while (true) {
    if (node === root) {
      const factors = below.slice().reverse();
      let value = 1;
      for (const f of factors) value *= f.value;
      paths.push({ factors, value });
      if (paths.length > maxPaths) throw new ChainError(`more than ${maxPaths} paths lead from ${root.name} to ${param.name}`);
    }
    const depth = below.length;
    const options = node === root ? [] : consumers[node.id];
    if (next[depth] < options.length) {
      const f = options[next[depth]++];
      below.push(f);
      next.push(0);
      node = f.of;
    } else {
      if (depth === 0) break;
      next.pop();
      node = below.pop()!.wrt;
    }
  }

  // The shared tail: the longest run of factors, counted up from the parameter, on every path.
  let tailLength = 0;
  const first = paths[0].factors;
  for (; tailLength < first.length; tailLength++) {
    const f = first[first.length - 1 - tailLength];
    if (!paths.every((p) => p.factors.length > tailLength && p.factors[p.factors.length - 1 - tailLength] === f)) break;
  }
  const tail = first.slice(first.length - tailLength);
  const branchNode = tailLength === 0 ? param : tail[0].of;
  const branches: ChainBranch[] = paths.map((p) => {
    const factors = p.factors.slice(0, p.factors.length - tailLength);
    let value = 1;
    for (const f of factors) value *= f.value;
    return { factors, value };
  });
  let value = 0;
  for (const b of branches) value += b.value;
  for (const f of tail) value *= f.value;
  return { root, param, paths, branchNode, branches, tail, value };
}

/**
 * How a derivation is written: one path as a product; paths that meet above a shared tail as
 * (Σ branches) · tail; paths that share no tail as a sum over the loss's terms (L = L_data +
 * L_reg, or a mean over samples), each term derived on its own.
 */
export type Derivation =
  | { kind: 'path'; root: Node; param: Node; factors: Factor[]; value: number }
  | { kind: 'branches'; root: Node; param: Node; chain: Chain; value: number }
  | { kind: 'terms'; root: Node; param: Node; terms: { factor: Factor; derivation: Derivation }[]; value: number };

export function derivationOf(tape: Tape, root: Node, param: Node): Derivation {
  const chain = explainGradient(tape, root, param);
  if (chain.paths.length === 1) return { kind: 'path', root, param, factors: chain.paths[0].factors, value: chain.value };
  if (chain.tail.length > 0) return { kind: 'branches', root, param, chain, value: chain.value };
  // No shared tail: split at the root's own terms, in the order the root was built from them.
  const firsts: Factor[] = [];
  for (const p of chain.paths) if (!firsts.includes(p.factors[0])) firsts.push(p.factors[0]);
  firsts.sort((a, b) => a.wrt.id - b.wrt.id);
  // (One term that branches only below is its derivation times the one factor above it.)
  return { kind: 'terms', root, param, terms: firsts.map((f) => ({ factor: f, derivation: derivationOf(tape, f.wrt, param) })), value: chain.value };
}
