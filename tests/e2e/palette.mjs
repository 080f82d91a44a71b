// Colour-vision deficiency: how far apart the page's colours stay for people with protanopia,
// deuteranopia or tritanopia. Simulation: Machado, Oliveira & Fernandes (2009), severity 1, in
// linear sRGB; distance: CIE76 ΔE in CIELAB (D65). A ΔE of 10 or more is told apart at a glance.

const MATRICES = {
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
  tritanopia: [
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.3039],
  ],
};

const toLinear = (c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const clamp = (x) => Math.min(1, Math.max(0, x));

/** `#rrggbb` as linear sRGB. */
export function linear(hex) {
  const n = parseInt(hex.trim().replace('#', ''), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v) => toLinear(v / 255));
}

/** A linear colour as seen with `deficiency` (or as is, for 'normal'). */
export function simulate(rgb, deficiency) {
  const m = MATRICES[deficiency];
  if (!m) return rgb;
  return m.map((row) => clamp(row[0] * rgb[0] + row[1] * rgb[1] + row[2] * rgb[2]));
}

/** Linear sRGB to CIELAB (D65). */
export function lab([r, g, b]) {
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}

export function deltaE(a, b) {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

/** The closest pair of `colours` (name → hex) as seen with each deficiency. */
export function closestPairs(colours) {
  const out = {};
  for (const d of ['normal', ...Object.keys(MATRICES)]) {
    let best = { d: Infinity };
    const names = Object.keys(colours);
    for (let i = 0; i < names.length; i++) {
      for (let j = i + 1; j < names.length; j++) {
        const [a, b] = [names[i], names[j]].map((n) => lab(simulate(linear(colours[n]), d)));
        const e = deltaE(a, b);
        if (e < best.d) best = { d: e, pair: [names[i], names[j]] };
      }
    }
    out[d] = best;
  }
  return out;
}
