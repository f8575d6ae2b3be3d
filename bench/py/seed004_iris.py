"""Seed 004 (004_de8f65c0bc728c0a.txt, karlieswift "NN.py"): 4-6-3 sigmoid net,
loss 1/2*sum((y-t)^2), per-sample SGD, lr 0.05, 400 epochs over Iris, in the
tutorial's own class structure (Activation_Function / SimpleNeuralNetwork /
NeuralNetworks, its forward, its delta recursion, its in-place update).

Usage:  python3 seed004_iris.py workload.json

workload.json:
  {"X":  [[sl,sw,pl,pw], ...150 rows],   # Iris features, data/iris.csv order (= load_iris().data)
   "T":  [[1,0,0], ...150 rows],          # one-hot targets (= the tutorial's one_hot(load_iris().target, 3))
   "W1": [[...4], ...6 rows],            # layer 1 W, shape (6,4) = (output_size, input_size)
   "b1": [[b], ...6 rows],                # layer 1 b, shape (6,1)   (a flat list of 6 is accepted)
   "W2": [[...6], ...3 rows],            # layer 2 W, shape (3,6)
   "b2": [[b], ...3 rows],                # layer 2 b, shape (3,1)   (a flat list of 3 is accepted)
   "epochs": 400,
   "lr": 0.05,
   "shuffle": false}                      # the tutorial does NOT shuffle: every epoch visits
                                          # samples 0..149 in file order. true is rejected.
Orientation (the tutorial's): column vectors; z = W @ x + b with x of shape (in,1);
W[j, i] connects input i to unit j. The tutorial initialises W ~ U(-0.5, 0.5) and
b = 0; here they come from the JSON so that the TypeScript side can start from
the same numbers.

What is timed: the tutorial's train() epoch loop only (each sample: model.train
= predict + caculated_gradient + update_W_b, then the tutorial's extra
model.predict for the loss sum).

Output: {"name","seconds","iterations","final_loss","checksum","epochs","accuracy","loss_log"}
  iterations = epochs * 150 (number of SGD updates)
  final_loss = the tutorial's `loss` of the last epoch: sum over the 150 samples
               of 1/2*||y - t||^2, each y computed right AFTER that sample's update
  accuracy   = the tutorial's test(model): fraction of the 150 training samples
               whose argmax output equals the label (not timed)
  loss_log   = [[index, loss], ...] for index % 10 == 0, what the tutorial prints
  checksum   = sum(W1) + sum(b1) + sum(W2) + sum(b2) after training (each np.sum,
               added in that order)

Changes needed to make the printed code run (smallest possible):
  1. Indentation restored. The extraction broke it: the methods of
     Activation_Function sit outside the class, `return X * (1 - X)` is outside
     `backward`, and the body of `for layer in self.layers[::-1]:` is dedented.
  2. `if index\\%10 = = 0:` is not Python; it is `if index % 10 == 0:`.
  3. The garbled docstring delimiters (`,,,,,,`, `االلا`, `.....`) are `'''`;
     the header docstring is dropped.
  4. sklearn is not installed: `load_iris().data` / `one_hot(load_iris().target)`
     are replaced by X / T from the JSON (data/iris.csv is sklearn's copy), and
     the random initial W, b by W1, b1, W2, b2 from the JSON.
  5. The per-10-epoch print goes into loss_log (stdout carries one JSON line).
Nothing else is changed: the classes and the loop body are the tutorial's.
Note (kept, not fixed): SimpleNeuralNetwork.backward computes
activationFuction.backward(self.input) for layer 1 as well, i.e. X*(1-X) on the
raw Iris features; that delta is never used, but the work is done, as printed.
"""
import json
import sys
import time

import numpy as np


class Activation_Function:
    def forward(self, X):
        return 1 / (1 + np.exp(-X))
    def backward(self, X):
        return X * (1 - X)

# 定义一个单层隐藏的神经网络层
class SimpleNeuralNetwork:
    def __init__(self, input_size, output_size, activationFuction):
        self.input_size = input_size
        self.output_size = output_size
        self.activationFuction = activationFuction
        self.W = np.random.uniform(low=-0.5, high=0.5, size=(output_size, input_size))
        self.b = np.zeros(shape=(output_size, 1))
    def forward(self, X):
        self.input = X
        Z = np.dot(self.W, X) + self.b
        self.output = self.activationFuction.forward(Z)
        return self.output
    def backward(self, delta):
        # 计算上一层的 delta
        self.delta = self.activationFuction.backward(self.input) * np.dot(self.W.T, delta)
        self.W_grad = np.dot(delta, self.input.T)
        self.b_grad = delta
class NeuralNetworks:
    def __init__(self, layers):
        self.layers = []
        for i in range(len(layers) - 1):
            self.layers.append(SimpleNeuralNetwork(layers[i], layers[i + 1],
                                                   Activation_Function()))
    def train(self, input, target, lr):
        self.predict(input)
        self.caculated_gradient(target=target)
        self.update_W_b(lr=lr)
    def predict(self, input):
        for i in range(len(self.layers)):
            output = self.layers[i].forward(input)
            input = output
        return output
    def caculated_gradient(self, target):
        delta = (self.layers[-1].output - target) * self.layers[-1].activationFuction.backward(self.layers[-1].output)
        for layer in self.layers[::-1]:
            layer.backward(delta)
            delta = layer.delta
    def update_W_b(self, lr):
        for layer in self.layers:
            layer.W -= layer.W_grad * lr
            layer.b -= layer.b_grad * lr
    def loss(self,y_pre,targer):
        return ((y_pre-targer)**2).sum()/2


def train(data, targets, model, epoch, lr, loss_log):
    # the tutorial's train(), minus load_iris/one_hot/model construction (done by
    # the caller); its print goes to loss_log. Returns the last epoch's loss.
    loss = None
    for index in range(epoch):
        loss=0
        for (input,target) in zip(data,targets):
            model.train(input.reshape(-1,1),target.reshape(-1,1),lr=lr)
            loss+=model.loss(model.predict(input.reshape(-1,1)),target.reshape(-1,1))
        if index%10==0:
            loss_log.append([index, float(loss)])
    return loss

def test(model, data, targets):
    sum=0
    for i in range(len(data)):
        y_pre=model.predict(data[i].reshape(-1,1)).argmax()
        sum+=(y_pre==targets[i])
    return sum/(len(data))


def _mat(v, shape, name):
    a = np.array(v, dtype=float)
    if a.size != shape[0] * shape[1] or (a.ndim == 2 and a.shape != shape) or a.ndim > 2:
        raise SystemExit("%s: expected shape %s, got %s" % (name, shape, a.shape))
    return np.ascontiguousarray(a.reshape(shape))


def main():
    with open(sys.argv[1]) as f:
        cfg = json.load(f)
    if cfg.get("shuffle", False):
        raise SystemExit("shuffle: the tutorial does not shuffle; only false is supported")
    data = np.array(cfg["X"], dtype=float)
    targets = np.array(cfg["T"])
    n = data.shape[0]
    assert data.shape == (n, 4), "X must be n x 4"
    assert targets.shape == (n, 3), "T must be n x 3 (one-hot)"
    epoch = int(cfg.get("epochs", 400))
    lr = float(cfg.get("lr", 0.05))

    model = NeuralNetworks([4, 6, 3])
    model.layers[0].W = _mat(cfg["W1"], (6, 4), "W1")
    model.layers[0].b = _mat(cfg["b1"], (6, 1), "b1")
    model.layers[1].W = _mat(cfg["W2"], (3, 6), "W2")
    model.layers[1].b = _mat(cfg["b2"], (3, 1), "b2")

    loss_log = []
    t0 = time.perf_counter()
    loss = train(data, targets, model, epoch, lr, loss_log)
    seconds = time.perf_counter() - t0

    labels = targets.argmax(axis=1)
    acc = test(model, data, labels)
    L0, L1 = model.layers
    checksum = np.sum(L0.W) + np.sum(L0.b) + np.sum(L1.W) + np.sum(L1.b)
    print(json.dumps({
        "name": "seed004_iris",
        "seconds": seconds,
        "iterations": epoch * n,
        "final_loss": None if loss is None else float(loss),
        "checksum": float(checksum),
        "epochs": epoch,
        "accuracy": float(acc),
        "loss_log": loss_log,
    }))


if __name__ == "__main__":
    main()
