/** Distinct, readable edge colours; a VLAN keeps its colour everywhere it appears. */
const palette = ["#d9480f", "#1971c2", "#2f9e44", "#ae3ec9", "#f08c00", "#0c8599", "#e03131", "#5f3dc4"];

export const UNTAGGED_COLOR = "#868e96";

export function vlanColor(tag: number | null): string {
  if (tag === null) return UNTAGGED_COLOR;
  return palette[tag % palette.length] ?? UNTAGGED_COLOR;
}
