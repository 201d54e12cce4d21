export interface MeanStd {
  mean: number;
  std: number;
  n: number;
}

/** Mean and sample standard deviation (n−1; 0 for a single value). Non-finite values make the mean NaN. */
export function meanStd(values: number[]): MeanStd {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN, n: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}
