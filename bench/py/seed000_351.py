"""Seed 000 (000_37489c111f4f2022.txt): the 3-5-1 sigmoid net without biases,
per-neuron code, 80 000-iteration loop, copied from the tutorial's full loop
listing (the one with `for k in range(80000):` and `w6_5 = update_w(...)`).

Usage:  python3 seed000_351.py workload.json

workload.json:
  {"iterations": 80000,                       # loop count (tutorial: 80000)
   "w_hidden": [[w11,w21,w31], ... 5 rows],   # row i = w{i+1}_3, the 3 weights INTO hidden neuron i+1
   "w_out": [w41,...,w45]}                    # w6_5, hidden neuron i -> output
Optional keys: "x" (default [0.1, 0.4, 4.1]), "target" (default 0.2),
"learning_rate" (default 0.001).

Differences from the listing (none change the arithmetic):
  * the initial weights come from the JSON file instead of numpy.random.rand;
  * `print("Initial W : ", ...)` and the per-iteration `print(predicted)` are
    dropped (80 000 lines of stdout would dominate the timing); stdout gets
    exactly one JSON line instead.
Everything inside the loop is the tutorial's code, line for line.

Output: {"name","seconds","iterations","final_loss","checksum","final_predicted"}
  final_loss      = err of the last iteration (its forward pass, before its update),
                    i.e. (predicted - target)**2
  final_predicted = predicted of the last iteration
  checksum        = sum of all 20 weights after the loop
                    (sum(w1_3)+...+sum(w5_3)+sum(w6_5), each numpy.sum, added in that order)
"""
import json
import sys
import time

import numpy


def sigmoid(sop):
    return 1.0/(1+numpy.exp(-1*sop))

def error(predicted, target):
    return numpy.power(predicted-target, 2)

def error_predicted_deriv(predicted, target):
    return 2*(predicted-target)

def sigmoid_sop_deriv(sop):
    return sigmoid(sop)*(1.0-sigmoid(sop))

def sop_w_deriv(x):
    return x

def update_w(w, grad, learning_rate):
    return w - learning_rate*grad


# The loop runs at module level, as in the tutorial (its variables are
# module globals there too; moving it into a function would speed it up).
with open(sys.argv[1]) as f:
    cfg = json.load(f)
iterations = int(cfg.get("iterations", 80000))

x = numpy.array(cfg.get("x", [0.1, 0.4, 4.1]))
target = numpy.array([cfg.get("target", 0.2)])

learning_rate = cfg.get("learning_rate", 0.001)

wh = cfg["w_hidden"]
assert len(wh) == 5 and all(len(r) == 3 for r in wh), "w_hidden must be 5 rows of 3"
assert len(cfg["w_out"]) == 5, "w_out must have 5 values"
w1_3 = numpy.array(wh[0], dtype=float)
w2_3 = numpy.array(wh[1], dtype=float)
w3_3 = numpy.array(wh[2], dtype=float)
w4_3 = numpy.array(wh[3], dtype=float)
w5_3 = numpy.array(wh[4], dtype=float)
w6_5 = numpy.array(cfg["w_out"], dtype=float)
w6_5_old = w6_5

t0 = time.perf_counter()
for k in range(iterations):
    # Forward Pass
    # Hidden Layer Calculations
    sop1 = numpy.sum(w1_3*x)
    sop2 = numpy.sum(w2_3*x)
    sop3 = numpy.sum(w3_3*x)
    sop4 = numpy.sum(w4_3*x)
    sop5 = numpy.sum(w5_3*x)

    sig1 = sigmoid(sop1)
    sig2 = sigmoid(sop2)
    sig3 = sigmoid(sop3)
    sig4 = sigmoid(sop4)
    sig5 = sigmoid(sop5)

    # Output Layer Calculations
    sop_output = numpy.sum(w6_5*numpy.array([sig1, sig2, sig3, sig4, sig5]))

    predicted = sigmoid(sop_output)
    err = error(predicted, target)

    # Backward Pass
    g1 = error_predicted_deriv(predicted, target)

    ### Working with weights between hidden and output layer
    g2 = sigmoid_sop_deriv(sop_output)

    g3 = numpy.zeros(w6_5.shape[0])
    g3[0] = sop_w_deriv(sig1)
    g3[1] = sop_w_deriv(sig2)
    g3[2] = sop_w_deriv(sig3)
    g3[3] = sop_w_deriv(sig4)
    g3[4] = sop_w_deriv(sig5)

    grad_hidden_output = g3*g2*g1

    w6_5 = update_w(w6_5, grad_hidden_output, learning_rate)

    ### Working with weights between input and hidden layer
    # First Hidden Neuron
    g3 = sop_w_deriv(w6_5_old[0])
    g4 = sigmoid_sop_deriv(sop1)
    g5 = sop_w_deriv(x)
    grad_hidden1_input = g5*g4*g3*g2*g1
    w1_3 = update_w(w1_3, grad_hidden1_input, learning_rate)

    # Second Hidden Neuron
    g3 = sop_w_deriv(w6_5_old[1])
    g4 = sigmoid_sop_deriv(sop2)
    g5 = sop_w_deriv(x)
    grad_hidden2_input = g5*g4*g3*g2*g1
    w2_3 = update_w(w2_3, grad_hidden2_input, learning_rate)

    # Third Hidden Neuron
    g3 = sop_w_deriv(w6_5_old[2])
    g4 = sigmoid_sop_deriv(sop3)
    g5 = sop_w_deriv(x)
    grad_hidden3_input = g5*g4*g3*g2*g1
    w3_3 = update_w(w3_3, grad_hidden3_input, learning_rate)

    # Fourth Hidden Neuron
    g3 = sop_w_deriv(w6_5_old[3])
    g4 = sigmoid_sop_deriv(sop4)
    g5 = sop_w_deriv(x)
    grad_hidden4_input = g5*g4*g3*g2*g1
    w4_3 = update_w(w4_3, grad_hidden4_input, learning_rate)

    # Fifth Hidden Neuron
    g3 = sop_w_deriv(w6_5_old[4])
    g4 = sigmoid_sop_deriv(sop5)
    g5 = sop_w_deriv(x)
    grad_hidden5_input = g5*g4*g3*g2*g1
    w5_3 = update_w(w5_3, grad_hidden5_input, learning_rate)

    w6_5_old = w6_5
    # print(predicted)   # dropped: see module docstring
seconds = time.perf_counter() - t0

checksum = (numpy.sum(w1_3) + numpy.sum(w2_3) + numpy.sum(w3_3)
            + numpy.sum(w4_3) + numpy.sum(w5_3) + numpy.sum(w6_5))
print(json.dumps({
    "name": "seed000_351",
    "seconds": seconds,
    "iterations": iterations,
    "final_loss": float(numpy.ravel(err)[0]) if iterations > 0 else None,
    "checksum": float(checksum),
    "final_predicted": float(numpy.ravel(predicted)[0]) if iterations > 0 else None,
}))
