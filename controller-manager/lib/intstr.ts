// IntOrString fields (maxSurge, maxUnavailable, partition percentages): intstr.GetScaledValueFromIntOrPercent.
export type IntOrString = number | string;

/**
 * The absolute value of an int or a "NN%" of total, rounded up or down. Throws on a malformed
 * string, as Kubernetes returns an error ("invalid value for IntOrString: invalid value %q").
 */
export function scaledValue(v: IntOrString | undefined | null, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === "number") return v;
  const m = /^(-?\d+)%$/.exec(v);
  if (!m) {
    if (/^-?\d+$/.test(v)) return Number(v);
    throw new Error(`invalid value for IntOrString: invalid value "${v}"`);
  }
  const pct = Number(m[1]);
  const exact = (pct * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}
