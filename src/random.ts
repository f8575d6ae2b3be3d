/**
 * A bit-exact port of numpy's legacy `numpy.random.RandomState` (MT19937).
 *
 * Why: the lessons re-run classic tutorials (`np.random.seed(0)`,
 * `make_moons(...)`, `np.random.randn(...)` weight init) and must start from
 * the very same random numbers their readers got, so every loss curve and
 * gradient in a lesson matches the tutorial's printed output. Each method
 * below mirrors one numpy legacy code path, including how many 32-bit words it
 * consumes, so interleaved calls stay in sync with numpy's stream.
 *
 * Uniform draws, integers and permutations are platform independent. Normals
 * go through log(), and numpy takes that from the C library, so they are
 * reproduced exactly as numpy computes them on x86-64 Linux (glibc >= 2.28 on
 * a CPU with FMA, e.g. Colab); see `glibcLog` at the end of this file.
 *
 * Runs in browsers and Node alike (no Node-only APIs).
 */

const STATE_LENGTH = 624;
const SHIFT = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;
const MAX_UINT32 = 0xffffffff;
/** numpy's masked path for int64 ranges switches to 64-bit draws above this span. */
const MAX_32BIT_SPAN = 2 ** 32;

/** Anything indexable and writable by position: number[], typed arrays, etc. */
export interface MutableArrayLike<T> {
  readonly length: number;
  [index: number]: T;
}

function checkCount(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`${what}: n must be a non-negative integer, got ${n}`);
  }
}

function checkSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_UINT32) {
    // Same bounds as numpy's `RandomState.seed(int)`, which raises ValueError.
    throw new RangeError(`seed must be an integer between 0 and 2**32 - 1, got ${seed}`);
  }
}

/** Smallest all-ones bit mask >= max, as numpy's `random_interval` computes it. */
function maskFor(max: number): number {
  let mask = max;
  mask |= mask >>> 1;
  mask |= mask >>> 2;
  mask |= mask >>> 4;
  mask |= mask >>> 8;
  mask |= mask >>> 16;
  return mask >>> 0;
}

export class RandomState {
  private readonly key = new Uint32Array(STATE_LENGTH);
  private pos = STATE_LENGTH;
  /** numpy's legacy gauss draws normals in pairs and caches the second one. */
  private hasGauss = false;
  private gauss = 0;

  /** Without a seed the stream is seeded from the platform's entropy source (not reproducible). */
  constructor(seed?: number) {
    this.seed(seed ?? globalThis.crypto.getRandomValues(new Uint32Array(1))[0]);
  }

  /** numpy `RandomState.seed(int)`: Matsumoto–Nishimura `init_genrand`, and the cached gauss is dropped. */
  seed(s: number): void {
    checkSeed(s);
    const key = this.key;
    key[0] = s;
    for (let i = 1; i < STATE_LENGTH; i++) {
      const prev = key[i - 1];
      // Math.imul keeps the low 32 bits of the product, which a double multiply would lose.
      key[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
    }
    this.pos = STATE_LENGTH;
    this.hasGauss = false;
    this.gauss = 0;
  }

  private regenerate(): void {
    const key = this.key;
    let i = 0;
    for (; i < STATE_LENGTH - SHIFT; i++) {
      const y = (key[i] & UPPER_MASK) | (key[i + 1] & LOWER_MASK);
      key[i] = key[i + SHIFT] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; i < STATE_LENGTH - 1; i++) {
      const y = (key[i] & UPPER_MASK) | (key[i + 1] & LOWER_MASK);
      key[i] = key[i + SHIFT - STATE_LENGTH] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    const y = (key[STATE_LENGTH - 1] & UPPER_MASK) | (key[0] & LOWER_MASK);
    key[STATE_LENGTH - 1] = key[SHIFT - 1] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.pos = 0;
  }

  /** One tempered 32-bit MT19937 output (numpy `mt19937_next32`). */
  private nextUint32(): number {
    if (this.pos === STATE_LENGTH) this.regenerate();
    let y = this.key[this.pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A 53-bit double in [0, 1) from two 32-bit words (numpy `mt19937_next_double`). */
  private nextDouble(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * TWO_POW_26 + b) / TWO_POW_53;
  }

  /** numpy `legacy_gauss`: Marsaglia's polar method, returning the cached partner first. */
  private nextGauss(): number {
    if (this.hasGauss) {
      this.hasGauss = false;
      const cached = this.gauss;
      this.gauss = 0;
      return cached;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2 * this.nextDouble() - 1;
      x2 = 2 * this.nextDouble() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * glibcLog(r2)) / r2);
    this.gauss = f * x1;
    this.hasGauss = true;
    return f * x2;
  }

  /** Uniform integer in [0, max] by masked rejection (numpy `random_interval`, max < 2**32). */
  private nextInterval(max: number): number {
    if (max === 0) return 0;
    const mask = maskFor(max);
    let value: number;
    do {
      value = (this.nextUint32() & mask) >>> 0;
    } while (value > max);
    return value;
  }

  private doubles(n: number, caller: string): Float64Array {
    checkCount(n, caller);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.nextDouble();
    return out;
  }

  private gaussians(n: number, caller: string): Float64Array {
    checkCount(n, caller);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.nextGauss();
    return out;
  }

  /** numpy `random_sample` / `random`: uniform doubles in [0, 1). */
  randomSample(): number;
  randomSample(n: number): Float64Array;
  randomSample(n?: number): number | Float64Array {
    return n === undefined ? this.nextDouble() : this.doubles(n, 'randomSample');
  }

  /** numpy `rand` (1-D only): same stream as `randomSample`. */
  rand(): number;
  rand(n: number): Float64Array;
  rand(n?: number): number | Float64Array {
    return n === undefined ? this.nextDouble() : this.doubles(n, 'rand');
  }

  /** numpy `standard_normal`: legacy polar-method normals N(0, 1). */
  standardNormal(): number;
  standardNormal(n: number): Float64Array;
  standardNormal(n?: number): number | Float64Array {
    return n === undefined ? this.nextGauss() : this.gaussians(n, 'standardNormal');
  }

  /** numpy `randn` (1-D only): same stream as `standardNormal`. */
  randn(): number;
  randn(n: number): Float64Array;
  randn(n?: number): number | Float64Array {
    return n === undefined ? this.nextGauss() : this.gaussians(n, 'randn');
  }

  /** numpy legacy `normal`: each value is `loc + scale * gauss`, in that operation order. */
  normal(loc?: number, scale?: number): number;
  normal(loc: number, scale: number, n: number): Float64Array;
  normal(loc = 0, scale = 1, n?: number): number | Float64Array {
    if (!(scale >= 0)) throw new RangeError(`normal: scale must be >= 0, got ${scale}`);
    if (n === undefined) return loc + scale * this.nextGauss();
    checkCount(n, 'normal');
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = loc + scale * this.nextGauss();
    return out;
  }

  /** numpy legacy `uniform`: each value is `low + (high - low) * double`, so low > high is allowed. */
  uniform(low?: number, high?: number): number;
  uniform(low: number, high: number, n: number): Float64Array;
  uniform(low = 0, high = 1, n?: number): number | Float64Array {
    const span = high - low;
    if (!Number.isFinite(span)) {
      throw new RangeError(`uniform: high - low must be finite, got ${high} - ${low}`);
    }
    if (n === undefined) return low + span * this.nextDouble();
    checkCount(n, 'uniform');
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = low + span * this.nextDouble();
    return out;
  }

  /**
   * numpy legacy `randint(low, high)` (default int64 dtype): integers in [low, high).
   * Spans up to 2**32 use numpy's masked rejection on 32-bit words; wider spans
   * (where numpy switches to 64-bit words) are rejected rather than approximated.
   */
  randint(low: number, high: number): number;
  randint(low: number, high: number, n: number): Float64Array;
  randint(low: number, high: number, n?: number): number | Float64Array {
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high)) {
      throw new RangeError(`randint: low and high must be safe integers, got ${low}, ${high}`);
    }
    if (low >= high) throw new RangeError(`randint: low must be < high, got ${low} >= ${high}`);
    if (high - low > MAX_32BIT_SPAN) {
      throw new RangeError(`randint: high - low must be <= 2**32, got ${high - low}`);
    }
    const max = high - low - 1;
    if (n === undefined) return low + this.nextInterval(max);
    checkCount(n, 'randint');
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = low + this.nextInterval(max);
    return out;
  }

  /**
   * numpy legacy `shuffle`, in place: Fisher–Yates from the last element down,
   * j = random_interval(i). Works on arrays and typed arrays (first axis only).
   */
  shuffle<T>(x: MutableArrayLike<T>): void {
    for (let i = x.length - 1; i > 0; i--) {
      const j = this.nextInterval(i);
      const held = x[i];
      x[i] = x[j];
      x[j] = held;
    }
  }

  /** numpy legacy `permutation`: `permutation(n)` shuffles 0..n-1; `permutation(x)` shuffles a copy of x. */
  permutation(n: number): Int32Array;
  permutation<T>(x: readonly T[]): T[];
  permutation<A extends MutableArrayLike<number> & { slice(): A }>(x: A): A;
  permutation<T>(x: number | readonly T[] | (MutableArrayLike<T> & { slice(): MutableArrayLike<T> })): unknown {
    if (typeof x === 'number') {
      if (!Number.isInteger(x) || x < 0 || x > 0x7fffffff) {
        throw new RangeError(`permutation: n must be an integer in [0, 2**31 - 1], got ${x}`);
      }
      const indices = new Int32Array(x);
      for (let i = 0; i < x; i++) indices[i] = i;
      this.shuffle(indices);
      return indices;
    }
    const copy = x.slice() as MutableArrayLike<T>;
    this.shuffle(copy);
    return copy;
  }
}

// ---------------------------------------------------------------------------
// log(), exactly as numpy's compiled legacy_gauss gets it on x86-64 Linux.
//
// Math.log (V8's fdlibm port) differs from glibc's log in ~7% of the r2 values
// the polar method feeds it, which changed ~3% of randn draws by an ulp or so.
// Below is glibc's log (sysdeps/ieee754/dbl-64/e_log.c, glibc >= 2.28) as GCC
// compiled it into `__log_fma`, the variant glibc picks on CPUs with FMA and
// AVX2: the fused multiply-adds sit where the disassembly of Debian glibc
// 2.36's libm.so.6 has them, and each one is emulated exactly.
// Other C libraries (macOS, Windows, glibc without FMA) round some logs
// differently, so numpy's own randn differs in the last bit between platforms;
// the stream itself never shifts, since the rejection loop does not use log.
// ---------------------------------------------------------------------------

/** Veltkamp splitting constant 2^27 + 1. */
const SPLITTER = 134217729;

/**
 * Correctly rounded a * b + c (IEEE fma) for operands far from overflow and
 * underflow. The product and the sum are split exactly (Dekker, Knuth) into
 * sum + sumErr + productErr; adding the rounded tail to sum can only round
 * differently from the exact value when sum + tail lands exactly halfway
 * between two doubles, and then the sign of the tail's own rounding error
 * decides the direction.
 */
function fma(a: number, b: number, c: number): number {
  const product = a * b;
  let split = SPLITTER * a;
  const aHigh = split - (split - a);
  const aLow = a - aHigh;
  split = SPLITTER * b;
  const bHigh = split - (split - b);
  const bLow = b - bHigh;
  const productErr = aHigh * bHigh - product + aHigh * bLow + aLow * bHigh + aLow * bLow;
  const sum = c + product;
  const sumPart = sum - c;
  const sumErr = c - (sum - sumPart) + (product - sumPart);
  const tail = sumErr + productErr;
  const result = sum + tail;
  const tailPart = tail - sumErr;
  const tailErr = sumErr - (tail - tailPart) + (productErr - tailPart);
  if (tailErr === 0) return result;
  const resultPart = result - sum;
  const resultErr = sum - (result - resultPart) + (tail - resultPart);
  // A halfway case is exactly when doubling the rounding error reaches the neighbouring double.
  const halfway = resultErr !== 0 && result + 2 * resultErr - result === 2 * resultErr;
  if (!halfway) return result;
  return resultErr > 0 === tailErr > 0 ? result + 2 * resultErr : result;
}

/** Views for reading and editing the bits of a double. */
const float64Scratch = new Float64Array(1);
const wordsScratch = new Uint32Array(float64Scratch.buffer);
/** Which 32-bit half holds the sign and exponent: the second one on little-endian platforms. */
const HIGH_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

// glibc's `__log_data` constants (hex float literals in e_log_data.c, written
// here as shortest round-trip decimals).
const LN2_HI = 0.6931471805598903;
const LN2_LO = 5.497923018708371e-14;
/** `poly`: log1p(r) - r on |r| < 0x1.fp-9. */
const A0 = -0.5000000000000001;
const A1 = 0.33333333331825593;
const A2 = -0.2499999999622955;
const A3 = 0.20000304511814496;
const A4 = -0.16667054827627667;
/** `poly1`: log1p(r) near x = 1; its B0 is -0.5, written inline. */
const B1 = 0.3333333333333352;
const B2 = -0.24999999999998432;
const B3 = 0.19999999999320328;
const B4 = -0.16666666669929706;
const B5 = 0.14285715076560868;
const B6 = -0.12499997863982555;
const B7 = 0.11110712032936046;
const B8 = -0.10000486757818193;
const B9 = 0.09181994006195467;
const B10 = -0.08328363062289341;
/** `tab`: (invc, logc) for the 128 subintervals of [0x1.6p-1, 0x1.6p0). */
const LOG_TABLE = new Float64Array([
  1.4504249240398293, -0.3718565645633589,
  1.442253508327276, -0.36620682668944937,
  1.4341736174350004, -0.3605888069791945,
  1.426183816329995, -0.3550022171419869,
  1.4182825527052965, -0.34944666968829097,
  1.4104682921759335, -0.3439217713603284,
  1.4027396147468003, -0.3384271921261188,
  1.3950954438932313, -0.332962831494342,
  1.3875338232485754, -0.32752794345742586,
  1.3800539211058593, -0.32212257167088865,
  1.3726542695419708, -0.3167462884799761,
  1.3653332798446802, -0.3113985598928366,
  1.358090204587874, -0.3060794515165526,
  1.3509234892132138, -0.300788424667644,
  1.3438320840699889, -0.2955252968476998,
  1.3368146974742003, -0.29028969275850613,
  1.329870114677736, -0.2850812793277555,
  1.322997339161106, -0.27989987391470095,
  1.316195352741367, -0.27474526621870154,
  1.3094628125672239, -0.2696169863701243,
  1.3027990455471041, -0.26451506180308115,
  1.2962024229438942, -0.2594387762767383,
  1.2896726275815547, -0.2543884090981692,
  1.2832080305745537, -0.24936321635129843,
  1.276807885983376, -0.24436312405975968,
  1.2704714060687552, -0.23938801747897287,
  1.2641976054949482, -0.23443761696705678,
  1.257985357514882, -0.22951151871518505,
  1.2518337750655457, -0.2246094963439873,
  1.2457421919097305, -0.21973149037705753,
  1.2397094966625508, -0.2148770752847895,
  1.2337348463589233, -0.210046029103637,
  1.2278176973028803, -0.20523836373934046,
  1.2219570190618474, -0.20045368751368642,
  1.2161519732977757, -0.1956917537758045,
  1.2104018095009725, -0.19095237845203883,
  1.204705805718973, -0.18623539250290833,
  1.1990631185441964, -0.18154051731551135,
  1.1934733004462308, -0.1768677957431919,
  1.1879350812847385, -0.17221657406412305,
  1.1824481322833125, -0.16758697765942543,
  1.1770114976921955, -0.16297859687290384,
  1.1716248121809465, -0.15839151377804228,
  1.1662869231674715, -0.15382513241456763,
  1.1609977486762766, -0.14927976358922024,
  1.1557563220795803, -0.14475495398119165,
  1.1505619105480347, -0.14025044090817573,
  1.1454138888505974, -0.1357660466685502,
  1.140311877374656, -0.1313018016355727,
  1.1352550225747513, -0.12685731518763532,
  1.1302429094831266, -0.1224325737671279,
  1.1252747693068048, -0.11802724521862729,
  1.1203501571039876, -0.11364127671663482,
  1.1154683327680124, -0.10927434611278386,
  1.1106291463292157, -0.10492665324943573,
  1.1058315813301596, -0.10059761422644442,
  1.1010752177696026, -0.09628717309055901,
  1.0963597137952512, -0.09199534069557558,
  1.0916844827550398, -0.08772190036688698,
  1.0870487291277784, -0.08346643613867855,
  1.082452357388312, -0.07922916827544668,
  1.0778948225025884, -0.0750099004750382,
  1.0733751731601076, -0.07080805133352897,
  1.068893585073351, -0.06662408085151128,
  1.0644491706655506, -0.06245745471915143,
  1.0600414846328305, -0.0583080438042316,
  1.0556701316181605, -0.05417576112313327,
  1.051334750556926, -0.050060547896805474,
  1.0470347288442157, -0.045962101199052086,
  1.0427699229652954, -0.04188056008865715,
  1.0385395013738175, -0.03781540056183985,
  1.034343418940345, -0.03376684757915882,
  1.0301811073173315, -0.029734619131772888,
  1.026052043621297, -0.025718470239212365,
  1.0219561082336197, -0.021718543925430822,
  1.0178926505784922, -0.01773446126981071,
  1.0138614436244586, -0.013766252464051831,
  1.0098620186501341, -0.009813706322574944,
  1.0058938559734134, -0.005876555150052809,
  1.00195696235014, -0.0019550499938532084,
  0.9961089923088509, 0.0038985973556009412,
  0.9884170338185201, 0.011650571286395461,
  0.9808429191005297, 0.019342955478919066,
  0.9733840169987446, 0.0269766014846482,
  0.9660377568876556, 0.034552359728422744,
  0.9588014945307369, 0.04207121767183253,
  0.9516728569073111, 0.049533940950141186,
  0.9446494635965822, 0.056941358295944156,
  0.9377288993026223, 0.06429439168346107,
  0.9309091073790681, 0.0715936354946507,
  0.924187681612722, 0.07884010933776153,
  0.9175626765599192, 0.08603438905970506,
  0.9110320403624034, 0.09317721180013905,
  0.9045935839762024, 0.10026951462748457,
  0.8982456375922825, 0.10731170956330516,
  0.8919860966782501, 0.11430473320717738,
  0.8858131121185129, 0.12124928503033061,
  0.879725075760676, 0.12814583422959913,
  0.8737201372634685, 0.1349951636851756,
  0.8677966405782273, 0.1417978768189414,
  0.8619528050060739, 0.14855476039031146,
  0.8561872354420692, 0.1552661937658968,
  0.8504983927816893, 0.16193275688146969,
  0.8448844572790304, 0.16855539792220497,
  0.8393442741575965, 0.1751343179947753,
  0.8338762249349438, 0.1816702989864325,
  0.8284789320557778, 0.18816387146023317,
  0.8231510800065832, 0.1946155228479256,
  0.8178913903778707, 0.20102572579389744,
  0.8126984007245374, 0.2073952090795501,
  0.8075710029460227, 0.21372429840596396,
  0.8025078881160415, 0.2200135945981856,
  0.7975077379364331, 0.22626374162859975,
  0.792569604966373, 0.23247494747693054,
  0.7876923641254114, 0.23864766620658884,
  0.7828746724940998, 0.24478265647405806,
  0.7781155388790811, 0.25088025827324145,
  0.7734139557869777, 0.2569408552510595,
  0.7687687179914933, 0.26296511155101143,
  0.7641790698041854, 0.2689531327189343,
  0.7596438763692399, 0.27490553924610595,
  0.7551621951078668, 0.2808227248478943,
  0.7507331780216866, 0.286704979267256,
  0.7463557196361751, 0.29255295645509705,
  0.7420289364869653, 0.2983670386142876,
  0.7377521537065876, 0.30414734587282055,
  0.7335242966002608, 0.30989455774829366,
  0.729344777457841, 0.31560871301871884,
]);
/** High word of glibc's OFF = 0x3fe6000000000000 (its low word is zero). */
const OFF_HIGH = 0x3fe60000;
/** glibc handles [1 - 0x1p-4, 1 + 0x1.09p-4) with the separate `poly1` path. */
const NEAR_ONE_LOW = 0.9375;
const NEAR_ONE_HIGH = 1.064697265625;
const TWO_POW_27 = 134217728;

/** glibc's `__log_fma` for positive normal x, which is all the polar method passes. */
function glibcLog(x: number): number {
  if (x >= NEAR_ONE_LOW && x < NEAR_ONE_HIGH) {
    const r = x - 1;
    const r2 = r * r;
    const r3 = r * r2;
    const low = fma(r2, B3, fma(r, B2, B1));
    const middle = fma(r2, B6, fma(r, B5, B4));
    const high = fma(r3, B10, fma(r2, B9, fma(r, B8, B7)));
    const poly = fma(fma(high, r3, middle), r3, low);
    // Split r so that -0.5 * rHigh^2 is exact.
    const w = r * TWO_POW_27;
    const rHigh = r + w - w;
    const rLow = r - rHigh;
    const halfSquare = rHigh * rHigh * -0.5;
    const hi = r + halfSquare;
    const lo = fma(-0.5 * rLow, rHigh + r, r - hi + halfSquare);
    return hi + fma(poly, r3, lo);
  }
  // x = 2^k * z with z in [0x1.6p-1, 0x1.6p0); the top bits of z pick the table row.
  float64Scratch[0] = x;
  const tmpHigh = wordsScratch[HIGH_WORD] - OFF_HIGH;
  const i = (tmpHigh >>> 13) & 127;
  const k = tmpHigh >> 20;
  wordsScratch[HIGH_WORD] -= tmpHigh & 0xfff00000;
  const z = float64Scratch[0];
  const invc = LOG_TABLE[2 * i];
  const logc = LOG_TABLE[2 * i + 1];
  const r = fma(z, invc, -1);
  // k * LN2_HI + logc is exact by construction of the table, so fusing it changes nothing.
  const w = k * LN2_HI + logc;
  const hi = w + r;
  const lo = fma(k, LN2_LO, w - hi + r);
  const r2 = r * r;
  const poly = fma(fma(r, A4, A3), r2, fma(r, A2, A1));
  return fma(r * r2, poly, fma(r2, A0, lo)) + hi;
}
