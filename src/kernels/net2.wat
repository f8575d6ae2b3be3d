;; The trainer's fused kernel for networks with one hidden layer (n0 → h → K), in WebAssembly
;; with 128-bit SIMD. Each sample goes through forward, output delta and backward while its
;; rows are in registers and L1; two lanes carry two hidden units (or two outputs).
;; src/kernels/net2.ts lays out the memory, sets the globals below and keeps the trainer's
;; arrays as views of it; it declares every exported global, and test/trainer.test.ts checks
;; that list against these exports. Assemble with `npm run build:wasm` (scripts/build-wasm.ts).
;;
;; Layout: W1 is stored transposed (n0 rows of hp, hp = h rounded up to even) so that a pair of
;; hidden units reads a pair of weights; W2 is K rows of hp (and a row of zeros for an odd K).
;; The padding columns hold zeros and stay zero: the backward pass counts the padding lane's
;; activation as 0, so their gradients are 0. The public rows (Z1, A1: count × h; Z2, A2:
;; count × K) are written pair by pair: with an odd width the last pair spills one element into
;; the next row, which that row's own write replaces; every such buffer has a spare element at
;; its end.
(module
  (import "env" "memory" (memory 1))

  ;; shapes, codes (the trainer's: sigmoid 0, tanh 1, relu 2, identity 3, softmax 4) and byte offsets
  (global $n0 (export "n0") (mut i32) (i32.const 0))
  (global $h (export "h") (mut i32) (i32.const 0))
  (global $hp (export "hp") (mut i32) (i32.const 0))
  (global $K (export "K") (mut i32) (i32.const 0))
  (global $act1 (export "act1") (mut i32) (i32.const 0))
  (global $act2 (export "act2") (mut i32) (i32.const 0))
  ;; 0: a squared loss, 1: bce, 2: softmax_ce
  (global $lossKind (export "lossKind") (mut i32) (i32.const 0))
  ;; number of biases of each layer: 0, 1 (shared) or the layer's width
  (global $nb1 (export "nb1") (mut i32) (i32.const 0))
  (global $nb2 (export "nb2") (mut i32) (i32.const 0))
  ;; the batch reduction (1 or 1/count), 2·c·reduction of a squared loss, the L2 λ
  (global $scale (export "scale") (mut f64) (f64.const 1))
  (global $c2 (export "c2") (mut f64) (f64.const 0))
  ;; c of a squared loss c·Σ(a − t)²
  (global $c (export "c") (mut f64) (f64.const 0))
  (global $l2 (export "l2") (mut f64) (f64.const 0))
  (global $pX (export "pX") (mut i32) (i32.const 0))
  (global $pT (export "pT") (mut i32) (i32.const 0))
  (global $pW1 (export "pW1") (mut i32) (i32.const 0))
  (global $pB1 (export "pB1") (mut i32) (i32.const 0))
  (global $pW2 (export "pW2") (mut i32) (i32.const 0))
  (global $pB2 (export "pB2") (mut i32) (i32.const 0))
  (global $pZ1 (export "pZ1") (mut i32) (i32.const 0))
  (global $pA1 (export "pA1") (mut i32) (i32.const 0))
  (global $pZ2 (export "pZ2") (mut i32) (i32.const 0))
  (global $pA2 (export "pA2") (mut i32) (i32.const 0))
  (global $pD2 (export "pD2") (mut i32) (i32.const 0))
  ;; gradient accumulators in the parameters' layouts
  (global $pG1 (export "pG1") (mut i32) (i32.const 0))
  (global $pGB1 (export "pGB1") (mut i32) (i32.const 0))
  (global $pG2 (export "pG2") (mut i32) (i32.const 0))
  (global $pGB2 (export "pGB2") (mut i32) (i32.const 0))
  ;; the gradients in the network's layouts (the trainer's gW and gb)
  (global $pgW1 (export "pgW1") (mut i32) (i32.const 0))
  (global $pgb1 (export "pgb1") (mut i32) (i32.const 0))
  (global $pgW2 (export "pgW2") (mut i32) (i32.const 0))
  (global $pgb2 (export "pgb2") (mut i32) (i32.const 0))
  ;; an epoch of per-sample SGD: the rows' order (i32), the sum of the sample losses, and the
  ;; position in the order where a check failed
  (global $pOrder (export "pOrder") (mut i32) (i32.const 0))
  (global $epochLoss (export "epochLoss") (mut f64) (f64.const 0))
  (global $stoppedAt (export "stoppedAt") (mut i32) (i32.const 0))

  ;; Constants for e^y = 2^k·(R + r)/(R − r), y = k·ln2 + r, |r| ≤ ln2/2, R = r·coth(r/2) =
  ;; 2 + r²·P(r²) (fdlibm's e_exp.c coefficients, error below 2^-59). They are mutable globals
  ;; because V8 rebuilds a constant operand in every loop iteration (three instructions each)
  ;; but reads a global with one load.
  (global $INV_LN2 (mut v128) (v128.const f64x2 1.4426950408889634 1.4426950408889634))
  ;; 1.5·2^52: adding it rounds to an integer, which lands in the low mantissa bits
  (global $SHIFT (mut v128) (v128.const f64x2 6755399441055744 6755399441055744))
  ;; fdlibm's split of ln 2: k·LN2_HI is exact for the k used here
  (global $LN2_HI (mut v128) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))
  (global $LN2_LO (mut v128) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10))
  (global $P1 (mut v128) (v128.const f64x2 1.66666666666666019037e-01 1.66666666666666019037e-01))
  (global $P2 (mut v128) (v128.const f64x2 -2.77777777770155933842e-03 -2.77777777770155933842e-03))
  (global $P3 (mut v128) (v128.const f64x2 6.61375632143793436117e-05 6.61375632143793436117e-05))
  (global $P4 (mut v128) (v128.const f64x2 -1.65339022054652515390e-06 -1.65339022054652515390e-06))
  (global $P5 (mut v128) (v128.const f64x2 4.13813679705723846039e-08 4.13813679705723846039e-08))
  (global $ONE (mut v128) (v128.const f64x2 1 1))
  (global $TWO (mut v128) (v128.const f64x2 2 2))
  (global $SIGN (mut v128) (v128.const i64x2 0x8000000000000000 0x8000000000000000))
  ;; tanh saturates beyond |x| = 19.1; 2|x| is capped at 40 so that 2^k stays finite
  (global $TANH_CAP (mut v128) (v128.const f64x2 40 40))
  ;; e^-746 is below the smallest subnormal
  (global $EXP_CAP (mut v128) (v128.const f64x2 746 746))
  (global $EXP_BIAS (mut v128) (v128.const i64x2 1023 1023))
  (global $LOW_LANE (mut v128) (v128.const i64x2 -1 0))
  (global $ALL_LANES (mut v128) (v128.const i64x2 -1 -1))

  ;; e^-a for a ≥ 0 (or NaN), as the pair (R + r, (R − r)·2^-k): their quotient is e^-a. 2^-k is
  ;; built as 2^-k1·2^-k2, k1 + k2 = k, which is exact down to the smallest subnormal.
  (func $expNeg (param $a v128) (result v128 v128)
    (local $t v128) (local $k v128) (local $r v128) (local $z v128) (local $R v128) (local $ki v128) (local $k1 v128)
    (local.set $a (f64x2.pmin (local.get $a) (global.get $EXP_CAP)))
    (local.set $t (f64x2.add (f64x2.mul (local.get $a) (global.get $INV_LN2)) (global.get $SHIFT)))
    (local.set $k (f64x2.sub (local.get $t) (global.get $SHIFT)))
    (local.set $r (f64x2.sub (f64x2.sub (local.get $a) (f64x2.mul (local.get $k) (global.get $LN2_HI)))
                             (f64x2.mul (local.get $k) (global.get $LN2_LO))))
    (local.set $z (f64x2.mul (local.get $r) (local.get $r)))
    (local.set $R (f64x2.add (global.get $TWO) (f64x2.mul (local.get $z)
      (f64x2.add (global.get $P1) (f64x2.mul (local.get $z)
        (f64x2.add (global.get $P2) (f64x2.mul (local.get $z)
          (f64x2.add (global.get $P3) (f64x2.mul (local.get $z)
            (f64x2.add (global.get $P4) (f64x2.mul (local.get $z) (global.get $P5))))))))))))
    (local.set $ki (i64x2.sub (local.get $t) (global.get $SHIFT)))
    (local.set $k1 (i64x2.shr_u (local.get $ki) (i32.const 1)))
    (f64x2.add (local.get $R) (local.get $r))
    (f64x2.mul (f64x2.sub (local.get $R) (local.get $r))
      (f64x2.mul (i64x2.shl (i64x2.sub (global.get $EXP_BIAS) (local.get $k1)) (i32.const 52))
                 (i64x2.shl (i64x2.sub (global.get $EXP_BIAS) (i64x2.sub (local.get $ki) (local.get $k1))) (i32.const 52)))))

  ;; a = f(z) over n elements from byte offsets pz and pa, two at a time (an odd n reads and
  ;; writes one element more). Exported for the tests of the activations' accuracy.
  (func $activate (export "activate") (param $act i32) (param $pz i32) (param $pa i32) (param $n i32)
    (local $end i32) (local $x v128) (local $y v128) (local $t v128) (local $k v128) (local $r v128)
    (local $z v128) (local $w v128) (local $s v128) (local $sm v128) (local $sp v128) (local $p v128) (local $q v128)
    (local $R v128) (local $ki v128) (local $k1 v128)
    (local.set $end (i32.add (local.get $pz) (i32.shl (local.get $n) (i32.const 3))))
    (block $identity (block $relu (block $tanh (block $sigmoid
      (br_table $sigmoid $tanh $relu $identity (local.get $act)))
      ;; sigmoid: σ(x) = p/(p + q) and σ(-x) = q/(p + q) with q/p = e^-|x| (as in $expNeg)
      (block $done (loop $next
        (br_if $done (i32.ge_u (local.get $pz) (local.get $end)))
        (local.set $x (v128.load (local.get $pz)))
        (local.set $y (f64x2.pmin (f64x2.abs (local.get $x)) (global.get $EXP_CAP)))
        (local.set $t (f64x2.add (f64x2.mul (local.get $y) (global.get $INV_LN2)) (global.get $SHIFT)))
        (local.set $k (f64x2.sub (local.get $t) (global.get $SHIFT)))
        (local.set $r (f64x2.sub (f64x2.sub (local.get $y) (f64x2.mul (local.get $k) (global.get $LN2_HI)))
                                 (f64x2.mul (local.get $k) (global.get $LN2_LO))))
        (local.set $z (f64x2.mul (local.get $r) (local.get $r)))
        (local.set $R (f64x2.add (global.get $TWO) (f64x2.mul (local.get $z)
          (f64x2.add (global.get $P1) (f64x2.mul (local.get $z)
            (f64x2.add (global.get $P2) (f64x2.mul (local.get $z)
              (f64x2.add (global.get $P3) (f64x2.mul (local.get $z)
                (f64x2.add (global.get $P4) (f64x2.mul (local.get $z) (global.get $P5))))))))))))
        (local.set $ki (i64x2.sub (local.get $t) (global.get $SHIFT)))
        (local.set $k1 (i64x2.shr_u (local.get $ki) (i32.const 1)))
        (local.set $p (f64x2.add (local.get $R) (local.get $r)))
        (local.set $q (f64x2.mul (f64x2.sub (local.get $R) (local.get $r))
          (f64x2.mul (i64x2.shl (i64x2.sub (global.get $EXP_BIAS) (local.get $k1)) (i32.const 52))
                     (i64x2.shl (i64x2.sub (global.get $EXP_BIAS) (i64x2.sub (local.get $ki) (local.get $k1))) (i32.const 52)))))
        (v128.store (local.get $pa)
          (f64x2.div (v128.bitselect (local.get $q) (local.get $p) (f64x2.lt (local.get $x) (v128.const f64x2 0 0)))
                     (f64x2.add (local.get $p) (local.get $q))))
        (local.set $pz (i32.add (local.get $pz) (i32.const 16)))
        (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
        (br $next)))
      (return))
      ;; tanh |x| = (e^y − 1)/(e^y + 1), y = 2|x|, = ((s−1)(2 + w) + (s+1)r) / ((s+1)(2 + w) + (s−1)r)
      ;; with s = 2^k and R = 2 + w; the 2(s∓1) terms are added last, which keeps it within 3 ulp.
      ;; This is the hot loop of wide tanh layers, so the reduction is written out here.
      (block $done (loop $next
        (br_if $done (i32.ge_u (local.get $pz) (local.get $end)))
        (local.set $x (v128.load (local.get $pz)))
        (local.set $y (f64x2.pmin (f64x2.add (f64x2.abs (local.get $x)) (f64x2.abs (local.get $x))) (global.get $TANH_CAP)))
        (local.set $t (f64x2.add (f64x2.mul (local.get $y) (global.get $INV_LN2)) (global.get $SHIFT)))
        (local.set $k (f64x2.sub (local.get $t) (global.get $SHIFT)))
        (local.set $r (f64x2.sub (f64x2.sub (local.get $y) (f64x2.mul (local.get $k) (global.get $LN2_HI)))
                                 (f64x2.mul (local.get $k) (global.get $LN2_LO))))
        (local.set $z (f64x2.mul (local.get $r) (local.get $r)))
        (local.set $w (f64x2.mul (local.get $z)
          (f64x2.add (global.get $P1) (f64x2.mul (local.get $z)
            (f64x2.add (global.get $P2) (f64x2.mul (local.get $z)
              (f64x2.add (global.get $P3) (f64x2.mul (local.get $z)
                (f64x2.add (global.get $P4) (f64x2.mul (local.get $z) (global.get $P5)))))))))))
        ;; 2^k: k sits in t's low mantissa bits; shifted into the exponent field of 1.0
        (local.set $s (i64x2.add (i64x2.shl (local.get $t) (i32.const 52)) (global.get $ONE)))
        (local.set $sm (f64x2.sub (local.get $s) (global.get $ONE)))
        (local.set $sp (f64x2.add (local.get $s) (global.get $ONE)))
        (v128.store (local.get $pa)
          (v128.or
            (f64x2.div
              (f64x2.add (f64x2.add (local.get $sm) (local.get $sm))
                         (f64x2.add (f64x2.mul (local.get $sm) (local.get $w)) (f64x2.mul (local.get $sp) (local.get $r))))
              (f64x2.add (f64x2.add (local.get $sp) (local.get $sp))
                         (f64x2.add (f64x2.mul (local.get $sp) (local.get $w)) (f64x2.mul (local.get $sm) (local.get $r)))))
            (v128.and (local.get $x) (global.get $SIGN))))
        (local.set $pz (i32.add (local.get $pz) (i32.const 16)))
        (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
        (br $next)))
      (return))
    ;; relu: z where z > 0, else 0 (NaN gives 0, as z > 0 ? z : 0 does)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $pz) (local.get $end)))
      (local.set $x (v128.load (local.get $pz)))
      (v128.store (local.get $pa) (v128.and (local.get $x) (f64x2.gt (local.get $x) (v128.const f64x2 0 0))))
      (local.set $pz (i32.add (local.get $pz) (i32.const 16)))
      (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
      (br $next)))
    (return))
    ;; identity
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $pz) (local.get $end)))
      (v128.store (local.get $pa) (v128.load (local.get $pz)))
      (local.set $pz (i32.add (local.get $pz) (i32.const 16)))
      (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
      (br $next))))

  ;; softmax of the K logits at pz into pa, shifted by their maximum (written in pairs: an odd K
  ;; reads and writes one element more)
  (func $softmax (param $pz i32) (param $pa i32)
    (local $i i32) (local $end i32) (local $z f64) (local $max f64) (local $sum f64) (local $m v128) (local $p v128) (local $q v128)
    (local.set $end (i32.shl (global.get $K) (i32.const 3)))
    (local.set $max (f64.load (local.get $pz)))
    (local.set $i (i32.const 8))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      ;; a NaN is caught by the trainer's check of the weighted sums
      (local.set $z (f64.load (i32.add (local.get $pz) (local.get $i))))
      (local.set $max (select (local.get $z) (local.get $max) (f64.gt (local.get $z) (local.get $max))))
      (local.set $i (i32.add (local.get $i) (i32.const 8)))
      (br $next)))
    (local.set $m (f64x2.splat (local.get $max)))
    (local.set $i (i32.const 0))
    (loop $next
      (call $expNeg (f64x2.sub (local.get $m) (v128.load (i32.add (local.get $pz) (local.get $i)))))
      (local.set $q)
      (local.set $p)
      (v128.store (i32.add (local.get $pa) (local.get $i)) (f64x2.div (local.get $q) (local.get $p)))
      (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $end))))
    (local.set $i (i32.const 0))
    (loop $next
      (local.set $sum (f64.add (local.get $sum) (f64.load (i32.add (local.get $pa) (local.get $i)))))
      (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 8))) (local.get $end))))
    (local.set $m (f64x2.splat (f64.div (f64.const 1) (local.get $sum))))
    (local.set $i (i32.const 0))
    (loop $next
      (v128.store (i32.add (local.get $pa) (local.get $i)) (f64x2.mul (v128.load (i32.add (local.get $pa) (local.get $i))) (local.get $m)))
      (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $end)))))

  ;; zeros over n doubles (an odd n clears one more); a loop, as V8's memory.fill calls out
  (func $zero (param $p i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 3))))
    (loop $pair
      (v128.store (local.get $p) (v128.const f64x2 0 0))
      (br_if $pair (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 16))) (local.get $end)))))

  ;; ∂E/∂z of the output layer for the sample whose outputs are at pz, pa and targets at pt,
  ;; into D2, with the batch reduction folded in (the trainer's outputDelta, per sample)
  (func $outputDelta (param $pz i32) (param $pa i32) (param $pt i32)
    (local $k i32) (local $o i32) (local $tSum f64) (local $dot f64) (local $a f64)
    (if (global.get $lossKind)
      (then
        ;; cross-entropy from the logits: (Σt)·a − t
        (local.set $tSum (f64.const 1))
        (if (i32.eq (global.get $lossKind) (i32.const 2))
          (then
            (local.set $tSum (f64.const 0))
            (local.set $k (i32.const 0))
            (loop $next
              (local.set $tSum (f64.add (local.get $tSum) (f64.load (i32.add (local.get $pt) (i32.shl (local.get $k) (i32.const 3))))))
              (br_if $next (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 1))) (global.get $K))))))
        (local.set $k (i32.const 0))
        (loop $next
          (local.set $o (i32.shl (local.get $k) (i32.const 3)))
          (f64.store (i32.add (global.get $pD2) (local.get $o))
            (f64.mul (global.get $scale)
              (f64.sub (f64.mul (local.get $tSum) (f64.load (i32.add (local.get $pa) (local.get $o))))
                       (f64.load (i32.add (local.get $pt) (local.get $o))))))
          (br_if $next (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 1))) (global.get $K))))
        (return)))
    (if (i32.eq (global.get $act2) (i32.const 4))
      (then
        ;; squared error through the softmax Jacobian: a_j (g_j − Σ_k g_k a_k)
        (local.set $dot (f64.const 0))
        (local.set $k (i32.const 0))
        (loop $next
          (local.set $o (i32.shl (local.get $k) (i32.const 3)))
          (local.set $a (f64.load (i32.add (local.get $pa) (local.get $o))))
          (local.set $dot (f64.add (local.get $dot)
            (f64.mul (f64.mul (global.get $c2) (f64.sub (local.get $a) (f64.load (i32.add (local.get $pt) (local.get $o))))) (local.get $a))))
          (br_if $next (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 1))) (global.get $K))))
        (local.set $k (i32.const 0))
        (loop $next
          (local.set $o (i32.shl (local.get $k) (i32.const 3)))
          (local.set $a (f64.load (i32.add (local.get $pa) (local.get $o))))
          (f64.store (i32.add (global.get $pD2) (local.get $o))
            (f64.mul (local.get $a)
              (f64.sub (f64.mul (global.get $c2) (f64.sub (local.get $a) (f64.load (i32.add (local.get $pt) (local.get $o))))) (local.get $dot))))
          (br_if $next (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 1))) (global.get $K))))
        (return)))
    ;; squared error through an elementwise activation: 2c(a − t)·f'(z), f' from a (and z for relu)
    (local.set $k (i32.const 0))
    (loop $next
      (local.set $o (i32.shl (local.get $k) (i32.const 3)))
      (local.set $a (f64.load (i32.add (local.get $pa) (local.get $o))))
      (block $derived (block $identity (block $relu (block $tanh (block $sigmoid
        (br_table $sigmoid $tanh $relu $identity (global.get $act2)))
        (local.set $dot (f64.mul (local.get $a) (f64.sub (f64.const 1) (local.get $a))))
        (br $derived))
        (local.set $dot (f64.sub (f64.const 1) (f64.mul (local.get $a) (local.get $a))))
        (br $derived))
        (local.set $dot (select (f64.const 1) (f64.const 0) (f64.gt (f64.load (i32.add (local.get $pz) (local.get $o))) (f64.const 0))))
        (br $derived))
        (local.set $dot (f64.const 1)))
      (f64.store (i32.add (global.get $pD2) (local.get $o))
        (f64.mul (f64.mul (global.get $c2) (f64.sub (local.get $a) (f64.load (i32.add (local.get $pt) (local.get $o))))) (local.get $dot)))
      (br_if $next (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 1))) (global.get $K)))))

  ;; Completes one layer's gradients in its accumulators: adds λ·W to the n weights' and, for a
  ;; shared bias, leaves the sum over the layer's neurons in GB[0]. Returns the sum of the
  ;; gradients, which a NaN or an infinity anywhere makes non-finite.
  (func $finish (param $pG i32) (param $pW i32) (param $n i32) (param $pGB i32) (param $nb i32) (param $rows i32) (result f64)
    (local $end i32) (local $i i32) (local $g v128) (local $sum v128) (local $all f64)
    (local.set $end (i32.add (local.get $pG) (i32.shl (local.get $n) (i32.const 3))))
    (if (f64.gt (global.get $l2) (f64.const 0))
      (then
        (loop $pair
          (local.set $g (f64x2.add (v128.load (local.get $pG)) (f64x2.mul (f64x2.splat (global.get $l2)) (v128.load (local.get $pW)))))
          (v128.store (local.get $pG) (local.get $g))
          (local.set $sum (f64x2.add (local.get $sum) (local.get $g)))
          (local.set $pW (i32.add (local.get $pW) (i32.const 16)))
          (br_if $pair (i32.lt_u (local.tee $pG (i32.add (local.get $pG) (i32.const 16))) (local.get $end)))))
      (else
        (loop $pair
          (local.set $sum (f64x2.add (local.get $sum) (v128.load (local.get $pG))))
          (br_if $pair (i32.lt_u (local.tee $pG (i32.add (local.get $pG) (i32.const 16))) (local.get $end))))))
    (if (i32.eq (local.get $nb) (local.get $rows))
      (then
        (local.set $end (i32.add (local.get $pGB) (i32.shl (local.get $rows) (i32.const 3))))
        (loop $pair
          (local.set $sum (f64x2.add (local.get $sum) (v128.load (local.get $pGB))))
          (br_if $pair (i32.lt_u (local.tee $pGB (i32.add (local.get $pGB) (i32.const 16))) (local.get $end)))))
      (else
        (if (local.get $nb)
          (then
            (loop $next
              (local.set $all (f64.add (local.get $all) (f64.load (i32.add (local.get $pGB) (i32.shl (local.get $i) (i32.const 3))))))
              (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $rows))))
            (f64.store (local.get $pGB) (local.get $all))))))
    (f64.add (local.get $all) (f64.add (f64x2.extract_lane 0 (local.get $sum)) (f64x2.extract_lane 1 (local.get $sum)))))

  ;; One layer's finished gradients into the network's layouts (rows × cols, row-major). G has
  ;; `lines` lines of hp; a line is a row of the network's matrix (layer 2) or, transposed, a
  ;; column (layer 1), so a pair of G holds two consecutive columns of a row, or the same column
  ;; of two rows. The padding lanes hold zeros: writing them past a row's end is harmless.
  (func $convert (param $pG i32) (param $pgW i32) (param $lines i32) (param $transposed i32)
                 (param $pGB i32) (param $pgb i32) (param $nb i32) (param $rows i32)
    (local $i i32) (local $jb i32) (local $rowBytes i32) (local $out i32) (local $step i32) (local $g v128)
    (local.set $rowBytes (i32.shl (global.get $hp) (i32.const 3)))
    ;; in the network's layout, a transposed pair is two rows of `lines` apart
    (local.set $step (i32.shl (local.get $lines) (i32.const 4)))
    (loop $line
      (local.set $out (i32.add (local.get $pgW)
        (select (i32.shl (local.get $i) (i32.const 3)) (i32.mul (local.get $i) (i32.shl (global.get $h) (i32.const 3))) (local.get $transposed))))
      (local.set $jb (i32.const 0))
      (loop $pair
        (local.set $g (v128.load (local.get $pG)))
        (if (local.get $transposed)
          (then
            (v128.store64_lane 0 (local.get $out) (local.get $g))
            (v128.store64_lane 1 (i32.add (local.get $out) (i32.shr_u (local.get $step) (i32.const 1))) (local.get $g))
            (local.set $out (i32.add (local.get $out) (local.get $step))))
          (else
            (v128.store (local.get $out) (local.get $g))
            (local.set $out (i32.add (local.get $out) (i32.const 16)))))
        (local.set $pG (i32.add (local.get $pG) (i32.const 16)))
        (br_if $pair (i32.lt_u (local.tee $jb (i32.add (local.get $jb) (i32.const 16))) (local.get $rowBytes))))
      (br_if $line (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $lines))))
    (if (i32.eq (local.get $nb) (local.get $rows))
      (then (memory.copy (local.get $pgb) (local.get $pGB) (i32.shl (local.get $rows) (i32.const 3))))
      (else (if (local.get $nb) (then (f64.store (local.get $pgb) (f64.load (local.get $pGB))))))))

  ;; The last run's gradients into the trainer's gW and gb. The trainer calls it before anyone
  ;; can read them, not after every step.
  (func (export "publish")
    (call $convert (global.get $pG2) (global.get $pgW2) (global.get $K) (i32.const 0) (global.get $pGB2) (global.get $pgb2) (global.get $nb2) (global.get $K))
    (call $convert (global.get $pG1) (global.get $pgW1) (global.get $n0) (i32.const 1) (global.get $pGB1) (global.get $pgb1) (global.get $nb1) (global.get $h)))

  ;; P −= lr·G over n doubles (an odd n updates one more)
  (func $descend (param $p i32) (param $pG i32) (param $n i32) (param $lr v128)
    (local $end i32)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 3))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (v128.store (local.get $p) (f64x2.sub (v128.load (local.get $p)) (f64x2.mul (local.get $lr) (v128.load (local.get $pG)))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (local.set $pG (i32.add (local.get $pG) (i32.const 16)))
      (br $next))))

  ;; b −= lr·gb for a layer's `rows` biases, stored one per neuron even when shared
  (func $descendBias (param $pB i32) (param $pGB i32) (param $rows i32) (param $nb i32) (param $lr f64)
    (local $i i32) (local $b f64)
    (if (i32.eq (local.get $nb) (local.get $rows))
      (then (call $descend (local.get $pB) (local.get $pGB) (local.get $rows) (f64x2.splat (local.get $lr))))
      (else
        (if (local.get $nb)
          (then
            (local.set $b (f64.sub (f64.load (local.get $pB)) (f64.mul (local.get $lr) (f64.load (local.get $pGB)))))
            (loop $next
              (f64.store (i32.add (local.get $pB) (i32.shl (local.get $i) (i32.const 3))) (local.get $b))
              (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $rows)))))))))

  ;; One gradient-descent update of both layers from the last run's gradients.
  (func $update (export "update") (param $lr f64)
    (call $descend (global.get $pW1) (global.get $pG1) (i32.mul (global.get $n0) (global.get $hp)) (f64x2.splat (local.get $lr)))
    (call $descendBias (global.get $pB1) (global.get $pGB1) (global.get $h) (global.get $nb1) (local.get $lr))
    (call $descend (global.get $pW2) (global.get $pG2) (i32.mul (global.get $K) (global.get $hp)) (f64x2.splat (local.get $lr)))
    (call $descendBias (global.get $pB2) (global.get $pGB2) (global.get $K) (global.get $nb2) (local.get $lr)))

  (func $finite (param $x f64) (result i32)
    (f64.eq (f64.sub (local.get $x) (local.get $x)) (f64.const 0)))

  ;; Runs `count` staged samples from row `row` on. mode 0: the forward pass; 1: and the
  ;; gradients; 2: and the update; 3: and the forward pass again with the new weights (the loss
  ;; after a step of per-sample SGD). Returns 0, or where a NaN or an infinity appeared, in the
  ;; order the trainer checks: 1 or 2, the weighted sums of that layer; 3, the gradients of layer
  ;; 2; 4, of layer 1; 5 or 6, the weighted sums of the forward pass after the update. Nothing is
  ;; updated when one of the checks 1 to 4 fails. The passes over the samples are written out
  ;; once, in the loop below, rather than as calls: small networks pay for every call. The rows
  ;; of Z1, A1, Z2 and A2 are numbered from 0.
  (func $run (export "run") (param $row i32) (param $count i32) (param $mode i32) (param $lr f64) (result i32)
    (local $s i32) (local $s1 i32) (local $pass i32) (local $backward i32)
    (local $k i32) (local $jb i32) (local $kb i32) (local $px i32) (local $pz1 i32) (local $pa1 i32)
    (local $pz2 i32) (local $pa2 i32) (local $pw i32) (local $pg i32) (local $rowBytes i32) (local $padPair i32)
    (local $z f64) (local $sum1 f64) (local $sum2 f64)
    (local $acc v128) (local $check v128) (local $a v128) (local $back v128) (local $dv v128)
    (local.set $rowBytes (i32.shl (global.get $hp) (i32.const 3)))
    (local.set $backward (i32.ne (local.get $mode) (i32.const 0)))
    ;; the byte offset of the pair with a padding lane, if any
    (local.set $padPair (select (i32.sub (local.get $rowBytes) (i32.const 16)) (local.get $rowBytes) (i32.and (global.get $h) (i32.const 1))))
    (if (local.get $backward)
      (then
        (call $zero (global.get $pG1) (i32.mul (global.get $n0) (global.get $hp)))
        (call $zero (global.get $pGB1) (global.get $hp))
        (call $zero (global.get $pG2) (i32.mul (global.get $K) (global.get $hp)))
        (call $zero (global.get $pGB2) (global.get $K))))
    (loop $passes
      (local.set $sum1 (f64.const 0))
      (local.set $sum2 (f64.const 0))
      (local.set $s (i32.const 0))
      ;; sample s's forward pass, then sample s−1's backward pass: the latter's inputs are ready
      ;; and its work overlaps the former's long chain of dependent operations
      (loop $sample
       (if (i32.lt_u (local.get $s) (local.get $count)) (then
        (local.set $px (i32.add (global.get $pX) (i32.shl (i32.mul (i32.add (local.get $row) (local.get $s)) (global.get $n0)) (i32.const 3))))
        (local.set $pz1 (i32.add (global.get $pZ1) (i32.shl (i32.mul (local.get $s) (global.get $h)) (i32.const 3))))
        (local.set $pa1 (i32.add (global.get $pA1) (i32.shl (i32.mul (local.get $s) (global.get $h)) (i32.const 3))))
        (local.set $pz2 (i32.add (global.get $pZ2) (i32.shl (i32.mul (local.get $s) (global.get $K)) (i32.const 3))))
        (local.set $pa2 (i32.add (global.get $pA2) (i32.shl (i32.mul (local.get $s) (global.get $K)) (i32.const 3))))
        (local.set $check (v128.const f64x2 0 0))
        (local.set $jb (i32.const 0))
        ;; hidden weighted sums, two units at a time: b + Σ_k W1[j, k]·x_k
        (loop $pair
          (local.set $acc (v128.load (i32.add (global.get $pB1) (local.get $jb))))
          (local.set $pw (i32.add (global.get $pW1) (local.get $jb)))
          (local.set $k (i32.const 0))
          (loop $input
            (local.set $acc (f64x2.add (local.get $acc)
              (f64x2.mul (v128.load (local.get $pw)) (v128.load64_splat (i32.add (local.get $px) (i32.shl (local.get $k) (i32.const 3)))))))
            (local.set $pw (i32.add (local.get $pw) (local.get $rowBytes)))
            (br_if $input (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 1))) (global.get $n0))))
          (v128.store (i32.add (local.get $pz1) (local.get $jb)) (local.get $acc))
          (local.set $check (f64x2.add (local.get $check) (local.get $acc)))
          (br_if $pair (i32.lt_u (local.tee $jb (i32.add (local.get $jb) (i32.const 16))) (local.get $rowBytes))))
        (local.set $sum1 (f64.add (local.get $sum1) (f64.add (f64x2.extract_lane 0 (local.get $check)) (f64x2.extract_lane 1 (local.get $check)))))
        (local.set $check (v128.const f64x2 0 0))
        (call $activate (global.get $act1) (local.get $pz1) (local.get $pa1) (global.get $h))
        ;; output weighted sums, two outputs at a time: b + Σ_j W2[k, j]·a_j, each output's pairs
        ;; added lane-wise and their two lanes at the end (with an odd K, W2's extra zero row makes
        ;; the second lane of the last pair 0)
        (local.set $k (i32.const 0))
        (loop $output
          (local.set $pw (i32.add (global.get $pW2) (i32.mul (local.get $k) (local.get $rowBytes))))
          (local.set $acc (v128.const f64x2 0 0))
          (local.set $back (v128.const f64x2 0 0))
          (local.set $jb (i32.const 0))
          (loop $pair
            (local.set $a (v128.load (i32.add (local.get $pa1) (local.get $jb))))
            (local.set $acc (f64x2.add (local.get $acc) (f64x2.mul (v128.load (i32.add (local.get $pw) (local.get $jb))) (local.get $a))))
            (local.set $back (f64x2.add (local.get $back)
              (f64x2.mul (v128.load (i32.add (i32.add (local.get $pw) (local.get $rowBytes)) (local.get $jb))) (local.get $a))))
            (br_if $pair (i32.lt_u (local.tee $jb (i32.add (local.get $jb) (i32.const 16))) (local.get $rowBytes))))
          (local.set $kb (i32.shl (local.get $k) (i32.const 3)))
          (local.set $acc (f64x2.add (v128.load (i32.add (global.get $pB2) (local.get $kb)))
            (f64x2.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $acc) (local.get $back))
                       (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $acc) (local.get $back)))))
          (v128.store (i32.add (local.get $pz2) (local.get $kb)) (local.get $acc))
          (local.set $check (f64x2.add (local.get $check) (local.get $acc)))
          (br_if $output (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 2))) (global.get $K))))
        (local.set $sum2 (f64.add (local.get $sum2) (f64.add (f64x2.extract_lane 0 (local.get $check)) (f64x2.extract_lane 1 (local.get $check)))))
        (if (i32.eq (global.get $act2) (i32.const 4))
          (then (call $softmax (local.get $pz2) (local.get $pa2)))
          (else (call $activate (global.get $act2) (local.get $pz2) (local.get $pa2) (global.get $K))))))
        (if (i32.and (local.get $backward) (i32.ne (local.get $s) (i32.const 0)))
          (then
            (local.set $px (i32.add (global.get $pX) (i32.shl (i32.mul (i32.add (local.get $row) (local.get $s1)) (global.get $n0)) (i32.const 3))))
            (local.set $pz1 (i32.add (global.get $pZ1) (i32.shl (i32.mul (local.get $s1) (global.get $h)) (i32.const 3))))
            (local.set $pa1 (i32.add (global.get $pA1) (i32.shl (i32.mul (local.get $s1) (global.get $h)) (i32.const 3))))
            (local.set $k (i32.shl (i32.mul (local.get $s1) (global.get $K)) (i32.const 3)))
            (call $outputDelta (i32.add (global.get $pZ2) (local.get $k)) (i32.add (global.get $pA2) (local.get $k))
              (i32.add (global.get $pT) (i32.shl (i32.mul (i32.add (local.get $row) (local.get $s1)) (global.get $K)) (i32.const 3))))
            ;; layer 2's bias gradients
            (local.set $kb (i32.const 0))
            (loop $output
              (f64.store (i32.add (global.get $pGB2) (local.get $kb))
                (f64.add (f64.load (i32.add (global.get $pGB2) (local.get $kb))) (f64.load (i32.add (global.get $pD2) (local.get $kb)))))
              (br_if $output (i32.lt_u (local.tee $kb (i32.add (local.get $kb) (i32.const 8))) (i32.shl (global.get $K) (i32.const 3)))))
            (local.set $jb (i32.const 0))
            ;; per pair of hidden units: layer 2's weight gradients, δ1 = (Σ_k δ2_k W2[k, j])·f'(z_j),
            ;; and layer 1's gradients
            (loop $pair
              ;; the padding lane holds the next row's first activation by now: it counts as 0
              (local.set $a (v128.and (v128.load (i32.add (local.get $pa1) (local.get $jb)))
                (select (result v128) (global.get $LOW_LANE) (global.get $ALL_LANES) (i32.eq (local.get $jb) (local.get $padPair)))))
              (local.set $back (v128.const f64x2 0 0))
              (local.set $pw (i32.add (global.get $pW2) (local.get $jb)))
              (local.set $pg (i32.add (global.get $pG2) (local.get $jb)))
              (local.set $kb (i32.const 0))
              (loop $output
                (local.set $dv (v128.load64_splat (i32.add (global.get $pD2) (local.get $kb))))
                (v128.store (local.get $pg) (f64x2.add (v128.load (local.get $pg)) (f64x2.mul (local.get $dv) (local.get $a))))
                (local.set $back (f64x2.add (local.get $back) (f64x2.mul (v128.load (local.get $pw)) (local.get $dv))))
                (local.set $pw (i32.add (local.get $pw) (local.get $rowBytes)))
                (local.set $pg (i32.add (local.get $pg) (local.get $rowBytes)))
                (br_if $output (i32.lt_u (local.tee $kb (i32.add (local.get $kb) (i32.const 8))) (i32.shl (global.get $K) (i32.const 3)))))
              (block $derived (block $identity (block $relu (block $tanh (block $sigmoid
                (br_table $sigmoid $tanh $relu $identity (global.get $act1)))
                (local.set $back (f64x2.mul (local.get $back) (f64x2.mul (local.get $a) (f64x2.sub (global.get $ONE) (local.get $a)))))
                (br $derived))
                (local.set $back (f64x2.mul (local.get $back) (f64x2.sub (global.get $ONE) (f64x2.mul (local.get $a) (local.get $a)))))
                (br $derived))
                (local.set $back (v128.and (local.get $back)
                  (f64x2.gt (v128.load (i32.add (local.get $pz1) (local.get $jb))) (v128.const f64x2 0 0))))))
              (v128.store (i32.add (global.get $pGB1) (local.get $jb))
                (f64x2.add (v128.load (i32.add (global.get $pGB1) (local.get $jb))) (local.get $back)))
              (local.set $pg (i32.add (global.get $pG1) (local.get $jb)))
              (local.set $k (i32.const 0))
              (loop $input
                (v128.store (local.get $pg) (f64x2.add (v128.load (local.get $pg))
                  (f64x2.mul (local.get $back) (v128.load64_splat (i32.add (local.get $px) (i32.shl (local.get $k) (i32.const 3)))))))
                (local.set $pg (i32.add (local.get $pg) (local.get $rowBytes)))
                (br_if $input (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 1))) (global.get $n0))))
              (br_if $pair (i32.lt_u (local.tee $jb (i32.add (local.get $jb) (i32.const 16))) (local.get $rowBytes))))))
        (local.set $s1 (local.get $s))
        (br_if $sample (i32.le_u (local.tee $s (i32.add (local.get $s) (i32.const 1))) (local.get $count))))
      (if (i32.eqz (call $finite (local.get $sum1))) (then (return (i32.add (local.get $pass) (i32.const 1)))))
      (if (i32.eqz (call $finite (local.get $sum2))) (then (return (i32.add (local.get $pass) (i32.const 2)))))
      (if (i32.eqz (local.get $backward)) (then (return (i32.const 0))))
      (if (i32.eqz (call $finite (call $finish (global.get $pG2) (global.get $pW2) (i32.mul (global.get $K) (global.get $hp))
          (global.get $pGB2) (global.get $nb2) (global.get $K))))
        (then (return (i32.const 3))))
      (if (i32.eqz (call $finite (call $finish (global.get $pG1) (global.get $pW1) (i32.mul (global.get $n0) (global.get $hp))
          (global.get $pGB1) (global.get $nb1) (global.get $h))))
        (then (return (i32.const 4))))
      (if (i32.ge_u (local.get $mode) (i32.const 2)) (then (call $update (local.get $lr))))
      ;; mode 3: the forward pass again, its checks reported as 5 and 6
      (local.set $pass (i32.const 4))
      (local.set $backward (i32.const 0))
      (br_if $passes (i32.eq (local.get $mode) (i32.const 3))))
    (i32.const 0))

  ;; The loss of the sample in rows 0 of Z2 and A2, whose targets are in row `row` of T, with a
  ;; squared loss: c·Σ(a − t)² plus the L2 penalty (λ/2)·Σw², as the trainer computes it.
  (func $squaredLoss (param $row i32) (result f64)
    (local $k i32) (local $d f64) (local $e f64) (local $p i32) (local $end i32) (local $sq v128)
    (loop $output
      (local.set $d (f64.sub (f64.load (i32.add (global.get $pA2) (i32.shl (local.get $k) (i32.const 3))))
        (f64.load (i32.add (global.get $pT) (i32.shl (i32.add (i32.mul (local.get $row) (global.get $K)) (local.get $k)) (i32.const 3))))))
      (local.set $e (f64.add (local.get $e) (f64.mul (f64.mul (global.get $c) (local.get $d)) (local.get $d))))
      (br_if $output (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 1))) (global.get $K))))
    (if (f64.gt (global.get $l2) (f64.const 0))
      (then
        ;; both layers' weights, padding zeros included
        (local.set $p (global.get $pW1))
        (local.set $end (i32.add (global.get $pW1) (i32.shl (i32.mul (global.get $n0) (global.get $hp)) (i32.const 3))))
        (loop $pair
          (local.set $sq (f64x2.add (local.get $sq) (f64x2.mul (v128.load (local.get $p)) (v128.load (local.get $p)))))
          (br_if $pair (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 16))) (local.get $end))))
        (local.set $p (global.get $pW2))
        (local.set $end (i32.add (global.get $pW2) (i32.shl (i32.mul (global.get $K) (global.get $hp)) (i32.const 3))))
        (loop $pair
          (local.set $sq (f64x2.add (local.get $sq) (f64x2.mul (v128.load (local.get $p)) (v128.load (local.get $p)))))
          (br_if $pair (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 16))) (local.get $end))))
        (local.set $e (f64.add (local.get $e) (f64.mul (f64.mul (global.get $l2) (f64.const 0.5))
          (f64.add (f64x2.extract_lane 0 (local.get $sq)) (f64x2.extract_lane 1 (local.get $sq))))))))
    (local.get $e))

  ;; An epoch of per-sample SGD with a squared loss over the n staged rows in the order at pOrder:
  ;; the trainer's trainSGD steps, each sample's loss measured before its step or (`after` set)
  ;; with the weights just updated on it, summed into epochLoss. Returns 0, or run's status of
  ;; the failing step (7: its loss was not finite) with its position in stoppedAt; the steps
  ;; before it stay applied, as in the trainer.
  (func (export "epoch") (param $n i32) (param $lr f64) (param $after i32) (result i32)
    (local $i i32) (local $row i32) (local $status i32) (local $e f64)
    (global.set $epochLoss (f64.const 0))
    (loop $sample
      (global.set $stoppedAt (local.get $i))
      (local.set $row (i32.load (i32.add (global.get $pOrder) (i32.shl (local.get $i) (i32.const 2)))))
      (if (local.get $after)
        (then
          (local.set $status (call $run (local.get $row) (i32.const 1) (i32.const 3) (local.get $lr)))
          (if (local.get $status) (then (return (local.get $status))))
          (local.set $e (call $squaredLoss (local.get $row)))
          (if (i32.eqz (call $finite (local.get $e))) (then (return (i32.const 7)))))
        (else
          ;; the loss is checked between the weighted sums and the gradients
          (local.set $status (call $run (local.get $row) (i32.const 1) (i32.const 1) (f64.const 0)))
          (if (i32.and (local.get $status) (i32.lt_u (local.get $status) (i32.const 3))) (then (return (local.get $status))))
          (local.set $e (call $squaredLoss (local.get $row)))
          (if (i32.eqz (call $finite (local.get $e))) (then (return (i32.const 7))))
          (if (local.get $status) (then (return (local.get $status))))
          (call $update (local.get $lr))))
      (global.set $epochLoss (f64.add (global.get $epochLoss) (local.get $e)))
      (br_if $sample (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (i32.const 0))
)
