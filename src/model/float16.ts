// IEEE 754 half precision to float32, as TensorFlow.js decodes 'float16'-quantized weights.
// Every half value is exactly representable in float32, so any correct decoder agrees bit
// for bit with tfjs's table-driven one.

/** The float value of 16-bit pattern `bits`. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
