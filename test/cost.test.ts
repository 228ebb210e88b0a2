import { describe, expect, it } from "vitest";
import { cost } from "../src/index.js";

describe("cost model", () => {
  it("reproduces the textbook comparison: 32x32x3, 64 filters 3x3, 'valid'", () => {
    const { standard, separable, paramRatio, macRatio } = cost.compareSeparable([1, 32, 32, 3], 3, 64);
    expect(standard.params).toBe(1728);
    expect(standard.macs).toBe(1_555_200);
    expect(separable.depthwise.params).toBe(27);
    expect(separable.pointwise.params).toBe(192);
    expect(separable.params).toBe(219);
    expect(separable.depthwise.macs).toBe(24_300);
    expect(separable.pointwise.macs).toBe(172_800);
    expect(separable.macs).toBe(197_100);
    expect(paramRatio).toBeCloseTo(1728 / 219, 10);
    expect(macRatio).toBeCloseTo(1_555_200 / 197_100, 10);
  });

  it("counts bias parameters, strides, padding and batch", () => {
    const dw = cost.depthwiseConv2d([2, 112, 112, 32], [3, 3, 32, 1], { strides: 2, padding: "same", bias: true });
    expect(dw.params).toBe(3 * 3 * 32 + 32);
    expect(dw.macs).toBe(2 * 56 * 56 * 32 * 9);
    expect(dw.bytes).toBe(4 * (2 * 112 * 112 * 32 + 288 + 32 + 2 * 56 * 56 * 32));
    const pw = cost.pointwiseConv2d([1, 7, 7, 1024], [1, 1, 1024, 1000]);
    expect(pw.macs).toBe(49 * 1024 * 1000);
    expect(cost.pointwiseConv2d([1, 7, 7, 1024], [1024, 1000])).toEqual(pw);
  });

  it("the fused separable block moves fewer bytes than two passes, by twice the intermediate", () => {
    const s = cost.separableConv2d([1, 56, 56, 128], [3, 3, 128, 1], [128, 128], { padding: "same" });
    const intermediate = 4 * 56 * 56 * 128;
    expect(s.unfusedBytes - s.bytes).toBe(2 * intermediate);
    expect(s.bytes).toBe(4 * (56 * 56 * 128 + 9 * 128 + 128 * 128 + 56 * 56 * 128));
    expect(s.macs).toBe(56 * 56 * 128 * (9 + 128));
  });

  it("depth multiplier multiplies the depthwise output channels", () => {
    const s = cost.separableConv2d([1, 10, 10, 8], [3, 3, 8, 2], [16, 4], { padding: "valid" });
    expect(s.depthwise.macs).toBe(8 * 8 * 16 * 9);
    expect(s.pointwise.macs).toBe(8 * 8 * 16 * 4);
  });
});
