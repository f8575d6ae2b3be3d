"""Seed 002 (002_fc06cf4e56b93aaf.txt, "build an ANN from scratch, part 2"):
build_model with a tanh hidden layer, softmax output, cross-entropy, L2
regularisation reg_lambda = 0.01, learning rate epsilon = 0.01, full-batch
gradient descent for num_passes = 20000, print_loss=False. The loop body is the
tutorial's, operation for operation.

Usage:  python3 seed002_moons.py workload.json

workload.json:
  {"X":  [[x1,x2], ...300 rows],         # the two-moons points
   "y":  [0,1,...300 ints],              # class labels 0/1
   "W1": [[...h], [...h]],               # shape (2,h)   = (nn_input_dim, nn_hdim)
   "b1": [[...h]],                       # shape (1,h)   (a flat list of h is accepted)
   "W2": [[a,b], ...h rows],             # shape (h,2)   = (nn_hdim, nn_output_dim)
   "b2": [[a,b]],                        # shape (1,2)   (a flat list of 2 is accepted)
   "passes": 20000,                      # num_passes
   "print_loss": false}                  # only false is supported (see below)
Optional: "epsilon" (default 0.01), "reg_lambda" (default 0.01).
nn_hdim is taken from W1's second dimension.
Orientation (the tutorial's): row-vector samples, z1 = X.dot(W1) + b1 with X
(N,2), W1[i, j] connects input i to hidden unit j; z2 = a1.dot(W2) + b2.
The tutorial initialises np.random.seed(0); W1 = randn(2,h)/sqrt(2);
b1 = zeros((1,h)); W2 = randn(h,2)/sqrt(h); b2 = zeros((1,2)); here they come
from the JSON.

As printed (kept, not "fixed"): dW1, dW2, db1, db2 are NOT divided by
num_examples, and the regulariser enters the gradient as + reg_lambda * W,
while calculate_loss reports (sum of -log p + reg_lambda/2 * (|W1|^2+|W2|^2)) / N.
So each step is N times the gradient of the reported loss (step epsilon*N on the
mean loss). db1 = np.sum(delta2, axis=0) has no keepdims (shape (h,)) and
broadcasts into b1 (1,h). delta3 = probs aliases probs and is modified in place.

Output: {"name","seconds","iterations","final_loss","checksum","hidden"}
  name       = "seed002_moons_h<h>"
  seconds    = the `for i in range(0, num_passes)` loop only
  iterations = num_passes
  final_loss = calculate_loss(model, X, y) after training (not timed)
  checksum   = sum(W1) + sum(b1) + sum(W2) + sum(b2) after training (each np.sum,
               added in that order)

Changes needed to make the printed code run (smallest possible):
  1. `Config` is used (Config.nn_input_dim, Config.epsilon, ...) but never
     defined in the article, which defines module-level nn_input_dim, epsilon,
     reg_lambda instead; a `class Config` holding those values is added.
  2. `import numpy as np` (the article's snippets use np without importing it).
  3. The extraction glued `return model` onto the print line
     (`print(...)return model`), a syntax error; it is put back on its own line
     at function level.
  4. `1\\. / num_examples` (a Markdown escape) in calculate_loss is `1. / num_examples`.
  5. np.random.seed(0) + randn initialisation replaced by weights from the JSON;
     generate_data (sklearn make_moons) replaced by X, y from the JSON.
  6. Timing: t0/t1 around the loop. print_loss=True would print inside the loop
     and break the one-JSON-line contract, so it is rejected.
"""
import json
import sys
import time

import numpy as np


class Config:
    nn_input_dim = 2  # input layer dimensionality
    nn_output_dim = 2  # output layer dimensionality
    # Gradient descent parameters (I picked these by hand)
    epsilon = 0.01  # learning rate for gradient descent
    reg_lambda = 0.01  # regularization strength


# Helper function to evaluate the total loss on the dataset
def calculate_loss(model, X, y):
    num_examples = len(X)  # training set size
    W1, b1, W2, b2 = model['W1'], model['b1'], model['W2'], model['b2']
    # Forward propagation to calculate our predictions
    z1 = X.dot(W1) + b1
    a1 = np.tanh(z1)
    z2 = a1.dot(W2) + b2
    exp_scores = np.exp(z2)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    # Calculating the loss
    corect_logprobs = -np.log(probs[range(num_examples), y])
    data_loss = np.sum(corect_logprobs)
    # Add regulatization term to loss (optional)
    data_loss += Config.reg_lambda / 2 * (np.sum(np.square(W1)) + np.sum(np.square(W2)))
    return 1. / num_examples * data_loss


def predict(model, x):
    W1, b1, W2, b2 = model['W1'], model['b1'], model['W2'], model['b2']
    # Forward propagation
    z1 = x.dot(W1) + b1
    a1 = np.tanh(z1)
    z2 = a1.dot(W2) + b2
    exp_scores = np.exp(z2)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    return np.argmax(probs, axis=1)


TIMING = {}


def build_model(X, y, nn_hdim, num_passes=20000, print_loss=False, init=None):
    # Initialize the parameters to random values. We need to learn these.
    num_examples = len(X)
    # (tutorial: np.random.seed(0); W1 = np.random.randn(...) / np.sqrt(...); b1 = zeros; ...)
    W1, b1, W2, b2 = init
    # This is what we return at the end
    model = {}
    # Gradient descent. For each batch...
    t0 = time.perf_counter()
    for i in range(0, num_passes):
        # Forward propagation
        z1 = X.dot(W1) + b1
        a1 = np.tanh(z1)
        z2 = a1.dot(W2) + b2
        exp_scores = np.exp(z2)
        probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
        # Backpropagation
        delta3 = probs
        delta3[range(num_examples), y] -= 1
        dW2 = (a1.T).dot(delta3)
        db2 = np.sum(delta3, axis=0, keepdims=True)
        delta2 = delta3.dot(W2.T) * (1 - np.power(a1, 2))
        dW1 = np.dot(X.T, delta2)
        db1 = np.sum(delta2, axis=0)
        # Add regularization terms (b1 and b2 don't have regularization terms)
        dW2 += Config.reg_lambda * W2
        dW1 += Config.reg_lambda * W1
        # Gradient descent parameter update
        W1 += -Config.epsilon * dW1
        b1 += -Config.epsilon * db1
        W2 += -Config.epsilon * dW2
        b2 += -Config.epsilon * db2
        # Assign new parameters to the model
        model = {'W1': W1, 'b1': b1, 'W2': W2, 'b2': b2}
        # Optionally print the loss.
        # This is expensive because it uses the whole dataset, so we don't want to do it too often.
        if print_loss and i % 1000 == 0:
            print("Loss after iteration %i: %f" % (i, calculate_loss(model, X, y)))
    TIMING['seconds'] = time.perf_counter() - t0
    return model


def _mat(v, shape, name):
    a = np.array(v, dtype=float)
    if a.size != shape[0] * shape[1] or (a.ndim == 2 and a.shape != shape) or a.ndim > 2:
        raise SystemExit("%s: expected shape %s, got %s" % (name, shape, a.shape))
    return np.ascontiguousarray(a.reshape(shape))


def main():
    with open(sys.argv[1]) as f:
        cfg = json.load(f)
    if cfg.get("print_loss", False):
        raise SystemExit("print_loss: only false is supported (stdout carries one JSON line)")
    Config.epsilon = float(cfg.get("epsilon", Config.epsilon))
    Config.reg_lambda = float(cfg.get("reg_lambda", Config.reg_lambda))
    X = np.array(cfg["X"], dtype=float)
    y = np.array(cfg["y"], dtype=np.int64)
    n = X.shape[0]
    assert X.shape == (n, 2) and y.shape == (n,), "X must be N x 2 and y length N"
    W1 = np.array(cfg["W1"], dtype=float)
    assert W1.ndim == 2 and W1.shape[0] == 2, "W1 must be 2 x h"
    h = W1.shape[1]
    init = (_mat(W1, (2, h), "W1"), _mat(cfg["b1"], (1, h), "b1"),
            _mat(cfg["W2"], (h, 2), "W2"), _mat(cfg["b2"], (1, 2), "b2"))
    passes = int(cfg.get("passes", 20000))

    model = build_model(X, y, h, passes, print_loss=False, init=init)

    if passes == 0:
        model = {'W1': init[0], 'b1': init[1], 'W2': init[2], 'b2': init[3]}
    checksum = np.sum(model['W1']) + np.sum(model['b1']) + np.sum(model['W2']) + np.sum(model['b2'])
    print(json.dumps({
        "name": "seed002_moons_h%d" % h,
        "seconds": TIMING['seconds'],
        "iterations": passes,
        "final_loss": float(calculate_loss(model, X, y)),
        "checksum": float(checksum),
        "hidden": h,
    }))


if __name__ == "__main__":
    main()
