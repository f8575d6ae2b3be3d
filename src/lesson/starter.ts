// The lesson `chainbook new` writes: a complete small lesson that builds and verifies as it
// is, showing the front matter and each kind of directive once.
export function starterLesson(name: string): string {
  return `---
title: ${name.replace(/^\d+-/, '').replace(/-/g, ' ')}
summary: One sigmoid neuron, one step of gradient descent.
order: 100
model:
  layers: [1, 1]
  activation: sigmoid
  loss: squared
  bias: none
  params: { w1: 0.5 }
data:
  - { x: [0.1], t: [0.3] }
lr: 0.5
names:
  i1: the input
  w1: the weight
  E_total: the squared error
---

The neuron weighs its input and squashes the sum:

::forward in_o1
::forward out_o1
::forward E_total

## The gradient

::derive w1

## The update

::update w1

After the step the error is {{after E_total}} instead of {{E_total}}.

::glossary
`;
}
